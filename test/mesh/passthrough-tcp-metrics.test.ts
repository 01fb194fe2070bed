// Under ALLOW_ANY, a connection to a host outside the cluster on a port where the client's sidecar has
// no outbound HTTP listener (no Service or ServiceEntry port of its scope) takes virtualOutbound's
// catch-all TCP filter chain: the stats network filter, then tcp_proxy to PassthroughCluster (istio/istio
// pilot/pkg/networking/core/listener_builder.go buildOutboundCatchAllNetworkFiltersOnly). No HTTP
// connection manager runs, so the request is not in istio_requests_total; the connection is counted
// in istio_tcp_connections_opened_total / _closed_total and its bytes in istio_tcp_*_bytes_total, with
// reporter "source", destination_service "unknown" (no Host header) and destination_service_name
// "PassthroughCluster", response_flags "-" (istio/proxy
// source/extensions/filters/http/istio_stats/istio_stats.cc reportHelper, populatePeerInfo;
// https://istio.io/latest/blog/2019/monitoring-external-service-traffic/ "TCP proxy virtual listener").
// The app still gets the external host's answer.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

describe("a TCP connection to PassthroughCluster in the client sidecar's metrics", () => {
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "passthrough-tcp-metrics", duration: "3s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 10",
      istio: `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: outside}
spec: {from: client, target: "http://api.example.com/", rate: 20, requestSize: 100}`,
    }),
  });
  const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n");
  const value = (l: string): number => Number(l.slice(l.lastIndexOf(" ") + 1));

  it("the app gets the external host's answer", () => {
    const c = s.clients["outside"]!;
    expect(c.requests).toBeGreaterThan(0);
    expect(c.codes).toEqual({ "200": c.requests });
  });

  it("counts one connection opened and closed per request, reporter source, PassthroughCluster, flags -", () => {
    const n = s.clients["outside"]!.requests;
    for (const metric of ["istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total"]) {
      const lines = prom.filter((l) => l.startsWith(`${metric}{`));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^[a-z_]+\{reporter="source",source_workload="client",source_workload_namespace="default",source_principal="unknown",source_app="client",.*destination_workload="unknown",.*destination_service="unknown",destination_service_name="PassthroughCluster",destination_service_namespace="unknown",request_protocol="tcp",response_flags="-",connection_security_policy="unknown"\} (\d+)$/);
      expect(value(lines[0]!)).toBe(n);
    }
    const received = prom.filter((l) => l.startsWith("istio_tcp_received_bytes_total{"));
    expect(received.map(value)).toEqual([100 * n]);
  });

  it("reports no HTTP request for it", () => {
    expect(prom.filter((l) => l.startsWith("istio_requests_total{") && l.includes("PassthroughCluster"))).toEqual([]);
  });
});

describe("a slow external host behind the catch-all TCP chain", () => {
  // 1 s to the host and 1 s of warm-up: the connections opened in the warm-up close after it.
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "passthrough-tcp-slow", duration: "3s", warmup: "1s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 10",
      spec: "  network: {external: {latency: {dist: constant, value: 1s}}}",
      istio: `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: outside}
spec: {from: client, target: "http://api.example.com/", rate: 20}`,
    }),
  });
  const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n");
  const total = (metric: string): number => prom.filter((l) => l.startsWith(`${metric}{`)).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);

  it("counts a connection opened only when it closes (no peer metadata comes from outside the mesh)", () => {
    // istio_stats.cc reportHelper counts istio_tcp_connections_opened_total once the peer is read or
    // the connection ends; an external host sends no metadata, so opened never runs ahead of closed.
    const closed = total("istio_tcp_connections_closed_total");
    expect(closed).toBeGreaterThan(0);
    expect(total("istio_tcp_connections_opened_total")).toBe(closed);
    expect(s.clients["outside"]!.latencyMs.p50).toBeGreaterThanOrEqual(1000);
  });
});

describe("HTTP route features do not apply on the catch-all TCP chain", () => {
  // A VirtualService for the host aborts every request and times out at 10 ms, but its routes live
  // in HTTP route configurations: port 80 has no HTTP listener here, so tcp_proxy never sees them.
  const { summary: s } = run({
    "scenario.yaml": mesh({
      name: "passthrough-tcp-no-http", duration: "2s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 10",
      spec: "  network: {external: {latency: {dist: constant, value: 50ms}}}",
      istio: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api}
spec:
  hosts: [api.example.com]
  http: [{timeout: 10ms, retries: {attempts: 3}, fault: {abort: {httpStatus: 503, percentage: {value: 100}}}, route: [{destination: {host: api.example.com}}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: outside}
spec: {from: client, target: "http://api.example.com/", rate: 20}`,
    }),
  });

  it("the app gets the host's 200 after the full round trip", () => {
    const c = s.clients["outside"]!;
    expect(c.requests).toBeGreaterThan(0);
    expect(c.codes).toEqual({ "200": c.requests });
    expect(c.latencyMs.p50).toBeGreaterThanOrEqual(50);
  });
});
