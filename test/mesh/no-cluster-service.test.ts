// destination_service of a request that got no cluster. Istio's stats filter takes it from the
// cluster's istio.services metadata, else from the Host header unless disable_host_header_fallback
// (istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc populatePeerInfo), which
// istiod sets for inbound and gateway listeners only (istio/istio pilot/pkg/model/telemetry.go
// disableHostHeaderFallback): a client sidecar's 404 NR or 503 NC names the Host header.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

describe("destination_service without a cluster", () => {
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "no-cluster-service", duration: "5s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 20",
      path: "/other",
      istio: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http:
  - {match: [{uri: {prefix: /api}}], route: [{destination: {host: server}}]}`,
    }),
  });
  const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8");

  it("a client sidecar's 404 NR is reported against the Host header", () => {
    expect(s.clients["client"]!.flags["NR"]).toBe(s.clients["client"]!.requests);
    const nr = s.edges.filter((e) => e.destination === "unknown");
    expect(nr.map((e) => [e.source, e.service, e.reporter])).toEqual([["client", "server:8080", "source"]]);
    expect(prom).toMatch(/^istio_requests_total\{reporter="source",source_workload="client",.*destination_workload="unknown",.*destination_service="server:8080",destination_service_name="server:8080",destination_service_namespace="unknown",.*response_code="404",.*response_flags="NR".*\} [1-9]/m);
  });
});
