// A Service outside the client's Sidecar egress scope, on a port where the client's sidecar has no
// outbound HTTP listener (no Service or ServiceEntry port of its scope is on it), is not in any of
// its listeners: the connection to its ClusterIP meets virtualOutbound's catch-all TCP chain
// (istio/istio pilot/pkg/networking/core/listener_builder.go buildOutboundCatchAllNetworkFiltersOnly).
// Under ALLOW_ANY that is tcp_proxy to PassthroughCluster, an ORIGINAL_DST cluster with no TLS: a
// plaintext connection to the ClusterIP, which the client node's kube-proxy DNATs to a pod drawn at
// random (https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-iptables). No HTTP
// filter runs at the client, so it counts the connection in istio_tcp_* only and adds no
// x-envoy-peer-metadata header: the server's sidecar reports the request with source "unknown"
// (its peer_metadata filter's workload_discovery is off for sidecars: istio/istio
// pkg/bootstrap/config.go sets MetadataDiscovery from EnableHBONE). A STRICT PeerAuthentication on
// the server leaves its inbound listener no plaintext filter chain: the connection is closed, the
// app gets no HTTP answer (https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

const other = (extra = "", replicas = 2) => `apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: other}
spec: {selector: {app: echo}, ports: [{name: http, port: 9000, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo, namespace: other}
spec:
  replicas: ${replicas}
  template:
    metadata: {labels: {app: echo}}
    spec: {containers: [{name: e, image: e, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: echo, namespace: other}
spec: {selector: {app: echo}, concurrency: 1000, serviceTime: 1ms, responseSize: 300}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  egress: [{hosts: ["./*"]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: outside}
spec: {from: client, target: "http://echo.other:9000/", rate: 20, requestSize: 100}
${extra}`;

function scenario(name: string, extra = "", replicas = 2, spec = "", duration = "3s") {
  return run({
    "scenario.yaml": mesh({
      name, duration, servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 10",
      spec: `  report: {accessLog: true}\n${spec}`, istio: other(extra, replicas),
    }),
  });
}

const lines = (out: string, file: string) => fs.readFileSync(path.join(out, file), "utf8").split("\n");
const value = (l: string): number => Number(l.slice(l.lastIndexOf(" ") + 1));

describe("ALLOW_ANY, a Service outside the Sidecar scope on a port without an HTTP listener", () => {
  const { summary: s, out } = scenario("passthrough-tcp-out-of-scope");
  const prom = lines(out, "metrics.prom");
  const n = s.clients["outside"]!.requests;

  it("the app gets the pod's answer, and kube-proxy spreads the connections over both pods", () => {
    expect(n).toBeGreaterThan(0);
    expect(s.clients["outside"]!.codes).toEqual({ "200": n });
    const echo = Object.entries(s.pods).filter(([name]) => name.startsWith("echo-")).map(([, p]) => p.requests);
    expect(echo).toHaveLength(2);
    expect(echo.reduce((a, b) => a + b, 0)).toBe(n);
    for (const r of echo) expect(r).toBeGreaterThan(n / 5);
  });

  it("the client's sidecar counts a TCP connection to PassthroughCluster per request, no HTTP request", () => {
    const opened = prom.filter((l) => l.startsWith("istio_tcp_connections_opened_total{") && l.includes('destination_service_name="PassthroughCluster"'));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toContain('reporter="source",source_workload="client"');
    expect(opened[0]).toContain('destination_workload="unknown"');
    expect(opened[0]).toContain('destination_service="unknown"');
    expect(opened[0]).toContain('response_flags="-"');
    expect(value(opened[0]!)).toBe(n);
    expect(prom.filter((l) => l.startsWith("istio_requests_total{") && l.includes('reporter="source"') && (l.includes("echo") || l.includes("PassthroughCluster")))).toEqual([]);
  });

  it("the server's sidecar reports the request, plaintext, from an unknown source", () => {
    const dest = prom.filter((l) => l.startsWith("istio_requests_total{") && l.includes('reporter="destination"') && l.includes('destination_workload="echo"'));
    expect(dest).toHaveLength(1);
    expect(dest[0]).toContain('source_workload="unknown"');
    expect(dest[0]).toContain('source_principal="unknown"');
    expect(dest[0]).toContain('destination_service="echo.other.svc.cluster.local"');
    expect(dest[0]).toContain('connection_security_policy="none"');
    expect(value(dest[0]!)).toBe(n);
  });

  it("the client's access log has tcp_proxy's line with the ClusterIP as original destination and upstream host", () => {
    const tcp = lines(out, "access.log").filter((l) => l.includes(" PassthroughCluster "));
    expect(tcp).toHaveLength(n);
    for (const l of tcp) expect(l).toMatch(/"- - -" 0 - - - "-" 100 300 \d+ - "-" "-" "-" "-" "(10\.96\.\d+\.\d+):9000" PassthroughCluster - \1:9000 - - -$/);
  });
});

describe("the same with a STRICT PeerAuthentication on the server", () => {
  const { summary: s, out } = scenario("passthrough-tcp-out-of-scope-strict", `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: other}
spec: {mtls: {mode: STRICT}}`);
  const prom = lines(out, "metrics.prom");

  it("the server's sidecar closes the plaintext connection: no HTTP answer, no request at the server", () => {
    const c = s.clients["outside"]!;
    expect(c.requests).toBeGreaterThan(0);
    expect(c.codes).toEqual({ "0": c.requests });
    expect(Object.entries(s.pods).filter(([name]) => name.startsWith("echo-")).every(([, p]) => p.requests === 0)).toBe(true);
    expect(prom.filter((l) => l.startsWith("istio_requests_total{") && l.includes('destination_workload="echo"'))).toEqual([]);
    const closed = prom.filter((l) => l.startsWith("istio_tcp_connections_closed_total{") && l.includes('destination_service_name="PassthroughCluster"'));
    expect(closed.map(value)).toEqual([c.requests]);
  });
});

describe("the same with no pod behind the Service", () => {
  // kube-proxy rejects a connection to a ClusterIP with no endpoint: tcp_proxy's connect fails
  // (envoyproxy/envoy source/common/tcp_proxy/tcp_proxy.cc onGenericPoolFailure: UpstreamConnectionFailure).
  const { summary: s, out } = scenario("passthrough-tcp-out-of-scope-empty", "", 0);
  const prom = lines(out, "metrics.prom");

  it("no HTTP answer; the connection is counted with flag UF", () => {
    const c = s.clients["outside"]!;
    expect(c.requests).toBeGreaterThan(0);
    expect(c.codes).toEqual({ "0": c.requests });
    expect(c.flags).toEqual({ UF: c.requests });
    const closed = prom.filter((l) => l.startsWith("istio_tcp_connections_closed_total{") && l.includes('destination_service_name="PassthroughCluster"'));
    expect(closed).toHaveLength(1);
    expect(closed[0]).toContain('response_flags="UF"');
    expect(value(closed[0]!)).toBe(c.requests);
    for (const l of lines(out, "access.log").filter((x) => x.includes(" PassthroughCluster "))) expect(l).toMatch(/"- - -" 0 UF - - "-" 100 0 /);
  });
});

describe("the same when the pod's node vanishes", () => {
  // The pod stays an endpoint (its node is not yet NotReady), so kube-proxy still sends connections
  // to it; their SYN is lost and tcp_proxy's connect times out after PassthroughCluster's
  // connect_timeout, the mesh's connectTimeout (10 s: istio/istio pilot/pkg/networking/core/
  // cluster_builder.go buildDefaultPassthroughCluster), with flag UF.
  const { summary: s } = scenario("passthrough-tcp-out-of-scope-vanished", "", 1,
    "  timeline:\n  - at: 1s\n    kill: {deployment: echo, namespace: other, count: 1, network: blackhole}", "13s");

  it("connections after the loss fail with UF at the connect timeout", () => {
    const c = s.clients["outside"]!;
    expect(c.codes["200"]).toBeGreaterThan(0);
    expect(c.codes["0"]).toBeGreaterThan(0);
    expect(c.flags["UF"]).toBe(c.codes["0"]);
    expect(c.latencyMs.max).toBeGreaterThanOrEqual(10_000);
  });
});
