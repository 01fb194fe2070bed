// %RESPONSE_CODE_DETAILS% of a server sidecar's own denials, as Envoy writes them: RBAC's
// rbac_access_denied_matched_policy[<policy id>] naming the DENY policy that matched, or [none] when no
// ALLOW policy did (envoy source/extensions/filters/common/rbac/utility.h responseDetail; Istio's
// policy ids ns[NS]-policy[NAME]-rule[N]), and jwt_authn's jwt_authn_access_denied{<status>}
// (envoy source/extensions/filters/http/jwt_authn/filter.cc, spaces as "_").
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "../acceptance/istio-samples.js";
import { run } from "../acceptance/meshsim-cli.js";

const AP = (name: string, namespace: string, spec: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
`;
const RA = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: jwt}
spec: {jwtRules: [{issuer: "testing@secure.istio.io", jwksUri: "https://raw.githubusercontent.com/istio/istio/release-1.24/security/tools/jwt/samples/jwks.json"}]}
`;

describe("denial details in the access log", () => {
  const { out } = run({
    "sim.yaml": [simulation("denial-details", "2s", "\n  report: {accessLog: true}"),
      AP("deny-headers", "deny", "{action: DENY, rules: [{to: [{operation: {paths: [/ip]}}]}, {to: [{operation: {paths: [/headers]}}]}]}"),
      AP("allow-ip", "allow", "{action: ALLOW, rules: [{to: [{operation: {paths: [/ip]}}]}]}"),
      RA,
      curl("deny", "foo", "http://httpbin.deny:8000/headers"),
      curl("allow", "foo", "http://httpbin.allow:8000/headers"),
      curl("jwt", "foo", "http://httpbin.jwt:8000/ip", { headers: { authorization: "Bearer not-a-jwt" } }),
    ].join("---\n"),
    "samples.yaml": [ns("foo", true), ns("deny", true), ns("allow", true), ns("jwt", true), ns("istio-system", false),
      httpbin("deny"), httpbin("allow"), httpbin("jwt"), sleep("foo")].join("---\n"),
  });
  const log = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n");
  const inbound = (host: string) => log.find((l) => l.includes(`"${host}"`) && l.includes(" inbound|"))!;

  it("a DENY policy's match names its policy and rule", () => {
    expect(inbound("httpbin.deny:8000")).toContain(" 403 - rbac_access_denied_matched_policy[ns[deny]-policy[deny-headers]-rule[1]] ");
  });
  it("no ALLOW policy matching is [none]", () => {
    expect(inbound("httpbin.allow:8000")).toContain(" 403 - rbac_access_denied_matched_policy[none] ");
  });
  it("an invalid JWT is jwt_authn_access_denied with jwt_authn's status", () => {
    expect(inbound("httpbin.jwt:8000")).toContain(
      " 401 - jwt_authn_access_denied{Jwt_is_not_in_the_form_of_Header.Payload.Signature_with_two_dots_and_3_sections} ",
    );
  });
});
