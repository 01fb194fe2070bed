// destination_service at reporter="destination" comes from the server sidecar's inbound cluster, not
// from the client. istiod writes every Service on the cluster's port into the inbound cluster's
// `istio.services` metadata, in creation-time then hostname order (istio/istio
// pilot/pkg/networking/core/cluster_builder.go buildCluster, pilot/pkg/model/context.go
// SetServiceTargets), and the stats filter reads `services[0]` with the Host header fallback
// disabled inbound (istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc
// populatePeerInfo; istio/istio pilot/pkg/model/telemetry.go disableHostHeaderFallback). A pod that
// Services `server` and then `api` (created after it, though its name sorts first) both select on
// port 8080 therefore reports `server` at the destination even for requests the client sent to
// `api`; the client's sidecar names `api`. meshsim's creation order is the document order.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

describe("destination_service at the destination reporter", () => {
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "inbound-destination-service", duration: "3s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 20",
      istio: `apiVersion: v1
kind: Service
metadata: {name: api}
spec: {selector: {app: server}, ports: [{name: http, port: 8080}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: via-api}
spec: {from: client, target: "http://api:8080/", rate: 20}`,
    }),
  });
  const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8");
  const totals = prom.split("\n").filter((l) => l.startsWith("istio_requests_total{"));

  const count = (l: string): number => Number(l.slice(l.lastIndexOf(" ") + 1));
  const sum = (ls: string[]): number => ls.reduce((a, l) => a + count(l), 0);

  it("the server sidecar names its inbound cluster's first (oldest) service, the client's the one it called", () => {
    const viaApi = s.clients["via-api"]!.requests;
    expect(viaApi).toBeGreaterThan(0);
    const dst = totals.filter((l) => l.includes('reporter="destination"'));
    const src = totals.filter((l) => l.includes('reporter="source"'));
    // Every request the server's sidecar saw, both clients' (one series: same labels).
    expect(dst).toHaveLength(1);
    expect(dst[0]).toContain('destination_service="server.default.svc.cluster.local",destination_service_name="server",destination_service_namespace="default"');
    expect(count(dst[0]!)).toBe(viaApi + s.clients["client"]!.requests);
    const srcApi = src.filter((l) => l.includes('destination_service="api.default.svc.cluster.local",destination_service_name="api"'));
    expect(sum(srcApi)).toBe(viaApi);
  });

  it("summary.json's edges keep the service the client addressed", () => {
    expect(s.edges.map((e) => [e.service, e.reporter])).toEqual([
      ["api.default.svc.cluster.local", "source"], ["server.default.svc.cluster.local", "source"],
    ]);
  });
});
