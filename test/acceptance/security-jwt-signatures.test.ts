// JWT signatures, as Istio's tasks run them with Istio's own samples (unmodified: jwks.json, demo.jwt,
// groups-scope.jwt from istio/istio security/tools/jwt/samples):
// https://istio.io/latest/docs/tasks/security/authorization/authz-jwt/
// https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#end-user-authentication
// A token whose payload was edited after signing is rejected by Envoy's jwt_authn with 401
// "Jwt verification fails" (jwt_verify_lib src/verify.cc verifyJwtWithoutTimeChecking, status.cc).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { meshsim, onlyCode, run, scenarioFiles } from "./meshsim-cli.js";

const fixture = (f: string) => readFileSync(new URL(`../fixtures/istio-jwt/${f}`, import.meta.url), "utf8");
const JWKS = fixture("jwks.json");
const DEMO = fixture("demo.jwt").trim();
const GROUPS = fixture("groups-scope.jwt").trim();
const ISS = "testing@secure.istio.io";
// The task's jwksUri; meshsim has no network, the Simulation says what it serves.
const JWKS_URI = "https://raw.githubusercontent.com/istio/istio/release-1.29/security/tools/jwt/samples/jwks.json";

/** demo.jwt with `groups: [group1]` added to its payload, its signature kept. */
function forged(token: string): string {
  const [h, p, s] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  claims["groups"] = ["group1"];
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
}
const FORGED = forged(DEMO);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const served = (file = "jwks.json") => `\n  network:\n    jwks:\n      ${JSON.stringify(JWKS_URI)}: {file: ${file}}`;
const policies = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt-example, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules:
  - issuer: "${ISS}"
    jwksUri: "${JWKS_URI}"
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from: [{source: {requestPrincipals: ["${ISS}/${ISS}"]}}]
    when: [{key: "request.auth.claims[groups]", values: ["group1"]}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt-inline, namespace: bar}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules:
  - issuer: "${ISS}"
    jwks: ${JSON.stringify(JWKS.trim())}
`;
const samples = [ns("foo", true), ns("bar", true), httpbin("foo"), httpbin("bar"), sleep("foo")].join("---\n");

describe("signatures verified against the jwksUri key set and an inline jwks", () => {
  const { summary: s, file } = run({
    "sim.yaml": [simulation("jwt-signatures", "2s", served()), policies,
      curl("uri-groups", "foo", "http://httpbin.foo:8000/headers", { headers: bearer(GROUPS) }),
      curl("uri-demo", "foo", "http://httpbin.foo:8000/headers", { headers: bearer(DEMO) }),
      curl("uri-forged", "foo", "http://httpbin.foo:8000/headers", { headers: bearer(FORGED) }),
      curl("inline-demo", "foo", "http://httpbin.bar:8000/headers", { headers: bearer(DEMO) }),
      curl("inline-forged", "foo", "http://httpbin.bar:8000/headers", { headers: bearer(FORGED) }),
    ].join("---\n"),
    "samples.yaml": samples,
    "jwks.json": JWKS,
  });
  it("groups-scope.jwt (signed, groups: [group1, group2]) is allowed: 200", () => expect(onlyCode(s, "uri-groups")).toBe("200"));
  it("demo.jwt is authentic but has no groups claim: 403 from RBAC", () => expect(onlyCode(s, "uri-demo")).toBe("403"));
  it("demo.jwt with a groups claim added after signing is 401 (jwt_authn), never reaching RBAC", () => expect(onlyCode(s, "uri-forged")).toBe("401"));
  it("with the inline jwks: demo.jwt 200, the forged token 401", () => {
    expect(onlyCode(s, "inline-demo")).toBe("200");
    expect(onlyCode(s, "inline-forged")).toBe("401");
  });
  it("explain names Envoy's reason: Jwt verification fails", () => {
    const r = meshsim("explain", file, "--from", "sleep", "--request", `GET http://httpbin.bar:8000/headers -H authorization:Bearer ${FORGED}`);
    expect(r.stdout + r.stderr).toMatch(/Jwt verification fails/);
  });
});

describe("a key set the scenario cannot provide is an input error (exit 2, file:line:column)", () => {
  const files = (extra: Record<string, string>, simExtra = served()) => scenarioFiles({
    "sim.yaml": [simulation("jwt-bad-keys", "1s", simExtra), policies].join("---\n"),
    "samples.yaml": samples,
    ...extra,
  });
  it("a missing file: the Simulation's file field, line and column", () => {
    const r = meshsim("run", files({}, served("missing.json")), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sim\.yaml:\d+:\d+: error: spec\.network\.jwks\[".*"\]\.file: cannot read the key set "missing\.json".*ENOENT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it("bad JSON in the file: the line and column inside it", () => {
    const r = meshsim("run", files({ "jwks.json": '{\n  "keys": [\n    {"kty": "RSA",}\n  ]\n}\n' }), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/jwks\.json:3:19: error: .*Jwks is an invalid JSON/);
  });
  it("a key set without keys, and an inline jwks that is not JSON", () => {
    const r = meshsim("run", files({ "jwks.json": '{"kid": 1}' }), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/jwks\.json:1:1: error: .*Jwks does not have \[keys\] field/);
    const bad = scenarioFiles({
      "sim.yaml": [simulation("jwt-bad-inline"), policies.replace(/jwks: ".*"/, "jwks: 'not json'")].join("---\n"),
      "samples.yaml": samples,
    });
    const r2 = meshsim("run", bad, "--quiet");
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/sim\.yaml:\d+:\d+: error: spec\.jwtRules\[0\]\.jwks: Jwks is an invalid JSON/);
  });
});
