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

// The client's reporter names the upstream cluster's service (its istio.services metadata), i.e. the
// route's destination, not the host the request was addressed to (istio/proxy istio_stats.cc
// populatePeerInfo; istio/istio pilot/pkg/networking/core/cluster_builder.go buildCluster adds the
// cluster's own service for outbound clusters).
describe("destination_service at the source reporter of a rerouted request", () => {
  const { summary: s, out } = run({
    "scenario.yaml": mesh({
      name: "rerouted-destination-service", duration: "3s", servers: [{ name: "server-1", behaviour: "serviceTime: 1ms" }], load: "rate: 20",
      istio: `apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {selector: {app: server}, ports: [{name: http, port: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http:
  - route: [{destination: {host: backend}}]`,
    }),
  });
  const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n").filter((l) => l.startsWith("istio_requests_total{"));

  it("is the VirtualService's destination host, in metrics.prom and summary.json", () => {
    expect(s.clients["client"]!.requests).toBeGreaterThan(0);
    expect(s.edges.map((e) => [e.service, e.reporter])).toEqual([["backend.default.svc.cluster.local", "source"]]);
    const src = prom.filter((l) => l.includes('reporter="source"'));
    expect(src.length).toBeGreaterThan(0);
    for (const l of src) expect(l).toContain('destination_service="backend.default.svc.cluster.local",destination_service_name="backend"');
    // The server's sidecar still names its inbound cluster's oldest service.
    const dst = prom.filter((l) => l.includes('reporter="destination"'));
    expect(dst.length).toBeGreaterThan(0);
    for (const l of dst) expect(l).toContain('destination_service="server.default.svc.cluster.local"');
  });
});
