// Traffic capture as Istio documents its pod annotations, through the CLI:
// https://istio.io/latest/docs/reference/config/annotations/ (traffic.sidecar.istio.io/*)
// https://istio.io/latest/docs/ops/deployment/application-requirements/ (UID 1337 is the proxy's)
// Traffic iptables does not hand to the sidecar never meets Envoy: no VirtualService (its fault
// here), no mTLS, no policy of the server's sidecar.
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { buildChains, classify, PROXY_UID } from "../../src/proxy/interception/iptables.js";
import { meshsim, onlyCode, run } from "./meshsim-cli.js";

const annotated = (name: string, annotations: Record<string, string>) => sleep("foo", `, annotations: ${JSON.stringify(annotations)}`)
  .replace("name: sleep, namespace: foo", `name: ${name}, namespace: foo`).replace(/app: sleep/g, `app: ${name}`);
const httpbin2 = httpbin("foo", `, annotations: {"traffic.sidecar.istio.io/excludeInboundPorts": "8080"}`)
  .replace(/name: httpbin, namespace: foo/g, "name: httpbin2, namespace: foo").replace(/app: httpbin/g, "app: httpbin2");

const samples = [ns("foo", true), ns("legacy", false), ns("istio-system", false), httpbin("foo"), httpbin2, sleep("legacy"),
  annotated("sleep-plain", {}),
  annotated("sleep-exclport", { "traffic.sidecar.istio.io/excludeOutboundPorts": "8000" }),
  annotated("sleep-exclip", { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.96.0.0/12" }),
  annotated("sleep-inclpods", { "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/16" }),
  annotated("sleep-inclsvc", { "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.96.0.0/12" }),
].join("---\n");

const config = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin-abort, namespace: foo}
spec:
  hosts: [httpbin.foo.svc.cluster.local]
  http: [{fault: {abort: {httpStatus: 500, percentage: {value: 100}}}, route: [{destination: {host: httpbin.foo.svc.cluster.local}}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin2, namespace: foo}
spec: {selector: {matchLabels: {app: httpbin2}}, mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: foo}
spec: {selector: {matchLabels: {app: httpbin2}}, action: DENY, rules: [{}]}
`;
const to = (name: string, from: string, url = "http://httpbin.foo:8000/ip") => curl(name, from === "legacy" ? "legacy" : "foo", url, { from: from === "legacy" ? "sleep" : from });
const { summary: s, file } = run({
  "sim.yaml": [simulation("interception"), config,
    to("plain", "sleep-plain"), to("exclport", "sleep-exclport"), to("exclip", "sleep-exclip"),
    to("inclpods", "sleep-inclpods"), to("inclsvc", "sleep-inclsvc"),
    to("legacy-to-excluded-inbound", "legacy", "http://httpbin2.foo:8000/ip"),
    to("sidecar-to-excluded-inbound", "sleep-plain", "http://httpbin2.foo:8000/ip")].join("---\n"),
  "samples.yaml": samples,
});

describe("outbound capture", () => {
  it("captured traffic meets the VirtualService's abort: 500", () => expect(onlyCode(s, "plain")).toBe("500"));
  it("excludeOutboundPorts: the port bypasses the sidecar, no fault: 200", () => expect(onlyCode(s, "exclport")).toBe("200"));
  it("excludeOutboundIPRanges covering the ClusterIPs: bypassed, 200", () => expect(onlyCode(s, "exclip")).toBe("200"));
  it("includeOutboundIPRanges not covering the ClusterIP: bypassed, 200", () => expect(onlyCode(s, "inclpods")).toBe("200"));
  it("includeOutboundIPRanges covering the ClusterIP: captured, 500", () => expect(onlyCode(s, "inclsvc")).toBe("500"));
  it("bypassed traffic is plaintext and reported by the destination only", () => {
    const e = s.edges.find((x) => x.source === "sleep-exclport")!;
    expect(e.mtls).toBe(false);
    expect(e.reporter).toBe("destination");
  });
});

describe("inbound capture: excludeInboundPorts", () => {
  it("a plaintext client reaches the excluded port despite STRICT and a deny-all policy", () => {
    expect(onlyCode(s, "legacy-to-excluded-inbound")).toBe("200");
  });
  it("a sidecar client's auto mTLS reaches the app itself, which cannot do TLS: 503 UF (handshake failure)", () => {
    // The endpoint's pod has a sidecar, so auto mTLS originates TLS, and no sidecar terminates it:
    // Envoy's handshake fails (TLS_error WRONG_VERSION_NUMBER), a connection failure, flag UF.
    expect(onlyCode(s, "sidecar-to-excluded-inbound")).toBe("503");
    expect(Object.keys(s.clients["sidecar-to-excluded-inbound"]!.flags)).toEqual(["URX,UF"]);
  });
});

describe("explain shows the nat chains", () => {
  const explain = (from: string) => meshsim("explain", file, "--from", from, "--request", "GET http://httpbin.foo:8000/ip").stdout;
  it("a captured connection goes OUTPUT → ISTIO_OUTPUT → ISTIO_REDIRECT → 15001", () => {
    const out = explain("sleep-plain");
    expect(out).toMatch(/ISTIO_OUTPUT/);
    expect(out).toMatch(/15001/);
  });
  it("an excluded inbound port RETURNs in ISTIO_INBOUND: no policy of the server's sidecar is checked", () => {
    const out = meshsim("explain", file, "--from", "sleep-plain", "--request", "GET http://httpbin2.foo:8000/ip").stdout;
    expect(out).toMatch(/-A ISTIO_INBOUND -p tcp --dport 8080 -j RETURN/);
    expect(out).not.toMatch(/authorization: DENIED/);
    expect(out).toMatch(/503 UF/);
  });
  it("an excluded port RETURNs in ISTIO_OUTPUT before any redirect", () => {
    const out = explain("sleep-exclport");
    expect(out).toMatch(/ISTIO_OUTPUT.*--dport 8000.*RETURN|RETURN.*8000/);
  });
});

describe("the proxy's own traffic (UID 1337) is never captured", () => {
  // istio-iptables: `-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN`, so Envoy's upstream
  // connections leave the pod instead of looping back into 15001.
  const chains = buildChains({});
  it("a connection of UID 1337 RETURNs; the app's (another UID) is redirected to 15001", () => {
    expect(PROXY_UID).toBe(1337);
    expect(classify(chains, "OUTPUT", { dstIp: "10.96.0.10", dstPort: 8000, uid: 1337 }).redirectPort).toBe(0);
    expect(classify(chains, "OUTPUT", { dstIp: "10.96.0.10", dstPort: 8000, uid: 1000 }).redirectPort).toBe(15001);
  });
  it("explain names the exclusion", () => {
    expect(meshsim("explain", file, "--from", "sleep-plain", "--request", "GET http://httpbin.foo:8000/ip").stdout).toMatch(/uid ≠ 1337/);
  });
});
