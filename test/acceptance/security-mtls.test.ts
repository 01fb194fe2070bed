// mTLS as Istio's security tasks document it, checked through the CLI:
// https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
// https://istio.io/latest/docs/tasks/security/authentication/authn-policy/
// https://istio.io/latest/docs/reference/config/security/peer_authentication/
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { codes, onlyCode, run } from "./meshsim-cli.js";

const PA = (name: string, namespace: string, spec: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
`;

describe("mTLS migration task: PERMISSIVE then STRICT", () => {
  // Before any policy the legacy sleep (no sidecar) reaches httpbin.foo with 200; once foo is STRICT
  // its curl prints "000" (connection reset, no HTTP response); sidecar clients get 200 throughout.
  const samples = [ns("foo", true), ns("legacy", false), ns("istio-system", false), httpbin("foo"), sleep("foo"), sleep("legacy")].join("---\n");
  const { summary: s } = run({
    "sim.yaml": simulation("mtls-migration", "4s", `
  timeline:
  - at: 2s
    apply: {apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: default, namespace: foo}, spec: {mtls: {mode: STRICT}}}`)
      + "---\n" + curl("legacy-permissive", "legacy", "http://httpbin.foo:8000/ip", { stop: "1.9s" })
      + "---\n" + curl("legacy-strict", "legacy", "http://httpbin.foo:8000/ip", { start: "2.5s" })
      + "---\n" + curl("foo-sidecar", "foo", "http://httpbin.foo:8000/ip"),
    "samples.yaml": samples,
  });

  it("a client without sidecar gets 200 from a PERMISSIVE workload", () => {
    expect(onlyCode(s, "legacy-permissive")).toBe("200");
  });
  it("a client without sidecar gets no HTTP response (curl's 000, code 0) from a STRICT workload", () => {
    expect(onlyCode(s, "legacy-strict")).toBe("0");
  });
  it("a sidecar client gets 200 before and after STRICT, over mutual TLS", () => {
    expect(onlyCode(s, "foo-sidecar")).toBe("200");
    const e = s.edges.find((x) => x.source === "sleep" && x.service === "httpbin.foo.svc.cluster.local")!;
    expect(e.mtls).toBe(true);
  });
});

describe("PeerAuthentication precedence: workload > namespace > mesh, port-level overrides", () => {
  // https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#enable-mutual-tls-per-workload
  // "workload-specific policy takes precedence over namespace-wide policy"; namespace over mesh-wide.
  const namespaces = ["nsover", "wlover", "portover", "rootsel", "portstrict"];
  const samples = [ns("legacy", false), ns("istio-system", false), sleep("legacy"),
    ...namespaces.flatMap((n) => [ns(n, true), httpbin(n)])].join("---\n");
  const policies = [
    PA("default", "istio-system", "{mtls: {mode: STRICT}}"),
    // namespace PERMISSIVE overrides the mesh's STRICT
    PA("default", "nsover", "{mtls: {mode: PERMISSIVE}}"),
    // workload PERMISSIVE overrides the namespace's STRICT
    PA("default", "wlover", "{mtls: {mode: STRICT}}"),
    PA("httpbin", "wlover", "{selector: {matchLabels: {app: httpbin}}, mtls: {mode: PERMISSIVE}}"),
    // STRICT for the workload, but its (container) port 8080 left to plaintext
    PA("httpbin", "portover", "{selector: {matchLabels: {app: httpbin}}, mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: DISABLE}}}"),
    // a port-level setting on another port leaves 8080 to the workload's STRICT
    PA("httpbin", "portstrict", "{selector: {matchLabels: {app: httpbin}}, mtls: {mode: STRICT}, portLevelMtls: {9999: {mode: DISABLE}}}"),
    PA("default", "portstrict", "{mtls: {mode: PERMISSIVE}}"),
    // "PeerAuthentication policies with workload selectors are ignored when deployed in the root
    // namespace" (peer_authentication reference): the mesh's STRICT still holds in rootsel.
    PA("httpbin-everywhere", "istio-system", "{selector: {matchLabels: {app: httpbin}}, mtls: {mode: PERMISSIVE}}"),
  ].join("---\n");
  const { summary: s } = run({
    "sim.yaml": [simulation("pa-precedence"), policies,
      ...namespaces.map((n) => curl(`legacy-to-${n}`, "legacy", `http://httpbin.${n}:8000/ip`))].join("---\n"),
    "samples.yaml": samples,
  });

  it("a namespace policy overrides the mesh-wide one", () => expect(onlyCode(s, "legacy-to-nsover")).toBe("200"));
  it("a workload policy overrides the namespace one", () => expect(onlyCode(s, "legacy-to-wlover")).toBe("200"));
  it("portLevelMtls on the container port overrides the workload's mode", () => expect(onlyCode(s, "legacy-to-portover")).toBe("200"));
  it("portLevelMtls on another port leaves the workload's STRICT on 8080", () => expect(onlyCode(s, "legacy-to-portstrict")).toBe("0"));
  it("a selector policy in the root namespace is ignored", () => expect(onlyCode(s, "legacy-to-rootsel")).toBe("0"));
});

describe("client-side TLS: DestinationRule DISABLE toward STRICT, auto mTLS toward a pod without sidecar", () => {
  // https://istio.io/latest/docs/tasks/security/authentication/authn-policy/ : a DestinationRule that
  // sends plaintext to a STRICT server breaks the connection (the server sidecar resets it before any
  // HTTP exchange, so the client's sidecar answers 503 with flag UC, "upstream connection termination").
  // https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#auto-mutual-tls : with auto
  // mTLS the client sidecar sends plaintext to a workload without a sidecar, which answers 200.
  const samples = [ns("foo", true), ns("legacy", false), ns("istio-system", false), httpbin("foo"), httpbin("legacy"), sleep("foo")].join("---\n");
  const { summary: s } = run({
    "sim.yaml": [simulation("client-tls"),
      PA("default", "foo", "{mtls: {mode: STRICT}}"),
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec: {host: httpbin.foo.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
`,
      curl("foo-disable-to-strict", "foo", "http://httpbin.foo:8000/ip"),
      curl("foo-to-legacy", "foo", "http://httpbin.legacy:8000/ip")].join("---\n"),
    "samples.yaml": samples,
  });

  it("tls DISABLE toward STRICT fails with 503 UC at the client sidecar", () => {
    expect(onlyCode(s, "foo-disable-to-strict")).toBe("503");
    expect(Object.keys(s.clients["foo-disable-to-strict"]!.flags)).toEqual(["UC"]);
  });
  it("auto mTLS toward a pod without sidecar sends plaintext, answered 200", () => {
    expect(codes(s, "foo-to-legacy")).toEqual({ "200": s.clients["foo-to-legacy"]!.requests });
    const e = s.edges.find((x) => x.service === "httpbin.legacy.svc.cluster.local")!;
    expect(e.mtls).toBe(false);
  });
});
