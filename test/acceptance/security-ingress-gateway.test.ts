// Policies on the ingress gateway, with the YAML of Istio's task pages verbatim, through the CLI:
// RequestAuthentication and AuthorizationPolicy in istio-system selecting `istio: ingressgateway`
// (or `app: istio-ingressgateway`) run in the gateway's Envoy — jwt_authn, then RBAC, before routing.
// https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#end-user-authentication
// https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
import { describe, expect, it } from "vitest";
import { httpbin } from "./istio-samples.js";
import { meshsim, onlyCode, runCli, scenarioFiles } from "./meshsim-cli.js";
import type { Summary } from "../../src/report/summary-types.js";

// https://github.com/istio/istio/blob/master/security/tools/jwt/samples/demo.jwt (iss and sub
// testing@secure.istio.io, exp 4685989700); meshsim reads its claims and does not check the signature.
const TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkRIRmJwb0lVcXJZOHQyenBBMnFYZkNtcjVWTzVaRXI0UnpIVV8tZW52dlEiLCJ0eXAiOiJKV1QifQ.eyJleHAiOjQ2ODU5ODk3MDAsImZvbyI6ImJhciIsImlhdCI6MTUzMjM4OTcwMCwiaXNzIjoidGVzdGluZ0BzZWN1cmUuaXN0aW8uaW8iLCJzdWIiOiJ0ZXN0aW5nQHNlY3VyZS5pc3Rpby5pbyJ9.CfNnxWP2tcnR9q0vxyxweaF3ovQYHYZl82hAUsn21bwQd9zP7c-LS9qd_vpdLG4Tn1A15NxfCjp5f7QNBUo-KC9PJqYpgGbaXhaGx7bEdFWjcwv3nZzvc7M__ZpaCERdwU7igUmJqYGBYQ51vr2njU9ZimyKkfDe3axcyiBZde7G6dabliUosJvvKOPcKIWPccCgefSj_GNfwIip3-SsFdlR7BtbVUcqR-yv-XOxJ3Uc1MI0tz3uMiiZcyPV7sNCU4KRnemRIMHVOfuvHsU60_GhGbiSFzgPTAa9WTltbnarTbxudb_YEOx12JiwYToeX0DCPb43W1tzIBxgm8NxUg";

// The task's setup, verbatim: httpbin.foo exposed through the ingress gateway.
const GATEWAY = `apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata:
  name: httpbin-gateway
  namespace: foo
spec:
  selector:
    istio: ingressgateway # use Istio's default gateway implementation
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
    - "*"
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: httpbin
  namespace: foo
spec:
  hosts:
  - "*"
  gateways:
  - httpbin-gateway
  http:
  - route:
    - destination:
        port:
          number: 8000
        host: httpbin.foo.svc.cluster.local
`;

const JWT_EXAMPLE = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: "jwt-example"
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  jwtRules:
  - issuer: "testing@secure.istio.io"
    jwksUri: "https://raw.githubusercontent.com/istio/istio/release-1.28/security/tools/jwt/samples/jwks.json"
`;

const FRONTEND_INGRESS = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: "frontend-ingress"
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  action: DENY
  rules:
  - from:
    - source:
        notRequestPrincipals: ["*"]
`;

const FRONTEND_INGRESS_PER_PATH = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: "frontend-ingress"
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  action: DENY
  rules:
  - from:
    - source:
        notRequestPrincipals: ["*"]
    to:
    - operation:
        paths: ["/headers"]
`;

// The ingress authorization task's IP allow-list, selecting the gateway by its `app` label.
const INGRESS_POLICY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ingress-policy
  namespace: istio-system
spec:
  selector:
    matchLabels:
      app: istio-ingressgateway
  action: ALLOW
  rules:
  - from:
    - source:
        ipBlocks: ["1.2.3.4", "5.6.7.0/24"]
`;

// An allow-nothing policy on the gateway: an ALLOW policy without rules denies everything.
// https://istio.io/latest/docs/reference/config/security/authorization-policy/ ("allow-nothing")
const DENY_ALL = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
`;

/** `curl "$INGRESS_HOST:$INGRESS_PORT<path>"` from outside, through the gateway, a few times. */
function client(name: string, path: string, token?: string): string {
  const headers = token === undefined ? "" : `\n  headers: [{fraction: 1, set: {authorization: "Bearer ${token}"}}]`;
  return `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: ${name}, namespace: foo}
spec:
  from: httpbin-gateway
  target: http://192.0.2.10${path}
  rate: 10${headers}
`;
}

const CLIENTS = [
  client("no-token", "/headers"), client("bad-token", "/headers", "deadbeef"), client("token", "/headers", TOKEN),
  client("ip-no-token", "/ip"),
];

function scenario(...policies: string[]): string {
  return [`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ingress-policies}
spec: {seed: 1, duration: 2s}
`, httpbin("foo"), GATEWAY, ...policies, ...CLIENTS].join("---\n");
}

describe.concurrent("policies on the ingress gateway (Istio's task YAML, verbatim)", () => {
  it("no policy: every request through the gateway is 200", async () => {
    const s: Summary = await runCli(scenario());
    for (const c of ["no-token", "bad-token", "token", "ip-no-token"]) expect(onlyCode(s, c)).toBe("200");
  });

  it("RequestAuthentication at the gateway: an invalid token is 401 there, none or a valid one passes", async () => {
    const s = await runCli(scenario(JWT_EXAMPLE));
    expect(onlyCode(s, "no-token")).toBe("200");
    expect(onlyCode(s, "bad-token")).toBe("401");
    expect(onlyCode(s, "token")).toBe("200");
    // The gateway answered itself: the 401s never reached httpbin.
    const toHttpbin = s.edges.filter((e) => e.source === "istio-ingressgateway" && e.destination === "httpbin");
    expect(toHttpbin.reduce((n, e) => n + (e.codes["401"] ?? 0), 0)).toBe(0);
  });

  it("DENY notRequestPrincipals [*]: without a token 403, with a valid token 200, an invalid one still 401", async () => {
    const s = await runCli(scenario(JWT_EXAMPLE, FRONTEND_INGRESS));
    expect(onlyCode(s, "no-token")).toBe("403");
    expect(onlyCode(s, "ip-no-token")).toBe("403");
    expect(onlyCode(s, "token")).toBe("200");
    expect(onlyCode(s, "bad-token")).toBe("401");
  });

  it("the per-path DENY: /headers without a token 403, /ip 200", async () => {
    const s = await runCli(scenario(JWT_EXAMPLE, FRONTEND_INGRESS_PER_PATH));
    expect(onlyCode(s, "no-token")).toBe("403");
    expect(onlyCode(s, "ip-no-token")).toBe("200");
    expect(onlyCode(s, "token")).toBe("200");
  });

  it("an allow-nothing policy on the gateway denies everything with 403", async () => {
    const s = await runCli(scenario(DENY_ALL));
    for (const c of ["no-token", "bad-token", "token", "ip-no-token"]) expect(onlyCode(s, c)).toBe("403");
  });

  it("the ingress authorization task's ipBlocks (selector app: istio-ingressgateway) denies a client outside them", async () => {
    const s = await runCli(scenario(INGRESS_POLICY));
    expect(onlyCode(s, "no-token")).toBe("403");
  });
});

describe("analyze", () => {
  it("a policy selecting the ingress gateway is no IST0127; one selecting nothing still is", () => {
    const file = scenarioFiles({ "scenario.yaml": scenario(JWT_EXAMPLE, FRONTEND_INGRESS, INGRESS_POLICY, `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: nobody, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: egressgateway}}
  action: DENY
  rules: [{}]
`) });
    const r = meshsim("analyze", file);
    expect(r.stderr).not.toMatch(/frontend-ingress.*IST0127|IST0127.*frontend-ingress/);
    const out = r.stdout + r.stderr;
    expect(out).not.toMatch(/IST0127\] \(AuthorizationPolicy (frontend-ingress|ingress-policy)/);
    expect(out).toMatch(/IST0127\] \(AuthorizationPolicy nobody\.istio-system\)/);
  });
});
