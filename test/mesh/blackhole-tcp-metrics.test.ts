// A connection virtualOutbound's catch-all TCP chain sends to BlackHoleCluster (REGISTRY_ONLY, a port
// with no HTTP listener) is counted by the client sidecar's stats network filter, which istiod puts
// before tcp_proxy on that chain (istio/istio pilot/pkg/networking/core/listener_builder.go
// buildOutboundCatchAllNetworkFiltersOnly → buildMetricsNetworkFilters). tcp_proxy sets the cluster
// and then finds no host: flag UH, connection closed (envoyproxy/envoy source/common/tcp_proxy/tcp_proxy.cc
// Filter::establishUpstreamConnection). The filter reports at close: one opened and one closed
// connection, request_protocol "tcp", destination_service "unknown" (no Host header),
// destination_service_name the cluster's name (istio/proxy
// source/extensions/filters/http/istio_stats/istio_stats.cc reportHelper, populatePeerInfo). There
// is no HTTP, so no istio_requests_total.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

describe("a blackholed TCP connection in the client sidecar's metrics", () => {
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "blackhole-tcp-metrics", duration: "3s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 10",
      spec: "  mesh: {outboundTrafficPolicy: REGISTRY_ONLY}",
      istio: `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: outside}
spec: {from: client, target: "http://api.example.com/", rate: 20}`,
    }),
  });
  const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n");

  it("counts each connection opened and closed, flag UH, reporter source", () => {
    const n = s.clients["outside"]!.requests;
    expect(n).toBeGreaterThan(0);
    expect(s.clients["outside"]!.flags).toEqual({ UH: n });
    for (const metric of ["istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total"]) {
      const lines = prom.filter((l) => l.startsWith(`${metric}{`));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^[a-z_]+\{reporter="source",source_workload="client",source_workload_namespace="default",source_principal="unknown",source_app="client",.*destination_workload="unknown",.*destination_canonical_revision="latest",destination_cluster="unknown",destination_service="unknown",destination_service_name="BlackHoleCluster",destination_service_namespace="unknown",request_protocol="tcp",response_flags="UH",connection_security_policy="unknown"\} (\d+)$/);
      expect(Number(lines[0]!.slice(lines[0]!.lastIndexOf(" ") + 1))).toBe(n);
    }
    for (const metric of ["istio_tcp_sent_bytes_total", "istio_tcp_received_bytes_total"]) {
      const lines = prom.filter((l) => l.startsWith(`${metric}{`));
      expect(lines.map((l) => l.slice(l.lastIndexOf(" ") + 1))).toEqual(["0"]);
    }
  });

  it("reports no HTTP request for it, and no edge in summary.json", () => {
    expect(prom.filter((l) => l.startsWith("istio_requests_total{") && l.includes("BlackHoleCluster"))).toEqual([]);
    expect(s.edges.map((e) => e.service)).toEqual(["server.default.svc.cluster.local"]);
  });
});
