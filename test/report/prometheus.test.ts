import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { metricName, renderPrometheus, serviceNameOf } from "../../src/report/prometheus.js";
import { Recorder } from "../../src/telemetry/recorder.js";
import { checkExposition, type Sample } from "./exposition-checker.js";
import { fixtureRecorder, FQDN } from "./fixture.js";

function find(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

describe("the exposition checker", () => {
  it("rejects what the format forbids (so that passing it means something)", () => {
    const bad = [
      "x 1", // no trailing newline
      "# TYPE x counter\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n", // duplicate series
      "# TYPE x counter\nx{a=\"\\t\"} 1\n", // bad escape
      "# TYPE x counter\nx -1\n", // negative counter
      "# TYPE x counter\n# TYPE y counter\ny 1\nx 1\n# TYPE x counter\n", // second TYPE
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", // decreasing buckets
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", // no +Inf
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", // +Inf != count
      "# TYPE x counter\nx 1\n# TYPE y counter\ny 1\nx{a=\"2\"} 1\n", // family not contiguous
      "y 1\n", // no TYPE
      "# TYPE x counter\nx{1a=\"2\"} 1\n", // bad label name
      "# TYPE x counter\nx one\n", // bad value
    ];
    for (const t of bad) expect(checkExposition(t).problems, t).not.toEqual([]);
    expect(checkExposition("# HELP x A thing.\n# TYPE x counter\nx{a=\"q\\\"\\\\\\n\"} 1.5e3\n").problems).toEqual([]);
  });
});

describe("renderPrometheus", () => {
  const text = renderPrometheus(fixtureRecorder());
  const { problems, samples } = checkExposition(text);

  it("writes valid text exposition format 0.0.4", () => {
    expect(problems).toEqual([]);
    expect(text).toContain("# TYPE istio_requests_total counter\n");
    expect(text).toContain("# TYPE istio_request_duration_milliseconds histogram\n");
  });

  it("labels series as Istio does, one per reporter, workloads, service, code and flags", () => {
    const src = find(samples, "istio_requests_total", { reporter: "source", source_workload: "productpage-v1", destination_workload: "reviews-v2" });
    // mTLS and plaintext at the source reporter share labels (policy unknown there): one series.
    expect(src.map((s) => [s.labels.response_code, s.labels.response_flags, s.value])).toEqual([["200", "-", 51], ["503", "UF,URX", 1]]);
    expect(src[0]!.labels).toEqual({
      reporter: "source",
      source_workload: "productpage-v1",
      source_workload_namespace: "default",
      // the fixture's edges carry no peer labels (the simulation's do: see test/acceptance/telemetry-*)
      source_principal: "unknown", source_app: "unknown", source_version: "unknown",
      source_canonical_service: "unknown", source_canonical_revision: "unknown", source_cluster: "Kubernetes",
      destination_workload: "reviews-v2",
      destination_workload_namespace: "default",
      destination_principal: "unknown", destination_app: "unknown", destination_version: "unknown",
      destination_canonical_service: "unknown", destination_canonical_revision: "unknown", destination_cluster: "Kubernetes",
      destination_service: FQDN.reviews,
      destination_service_name: "reviews",
      destination_service_namespace: "default",
      request_protocol: "http",
      response_code: "200",
      grpc_response_status: "",
      response_flags: "-",
      connection_security_policy: "unknown",
    });
    const dst = find(samples, "istio_requests_total", { reporter: "destination", destination_workload: "reviews-v2" });
    expect(dst.map((s) => [s.labels.connection_security_policy, s.value])).toEqual([["mutual_tls", 50]]);
    const plain = find(samples, "istio_requests_total", { reporter: "destination", destination_workload: "ratings-v1", destination_service_name: "ratings" });
    expect(plain.map((s) => s.labels.connection_security_policy)).toEqual(["none"]);
    const nr = find(samples, "istio_requests_total", { destination_workload: "unknown" });
    expect(nr.map((s) => [s.labels.destination_service, s.labels.destination_service_name, s.labels.response_code, s.labels.response_flags])).toEqual([["unknown", "unknown", "404", "NR"]]);
  });

  it("counts only measured requests (warm-up excluded)", () => {
    expect(find(samples, "istio_requests_total", { destination_workload: "details-v1" })).toEqual([]);
    const total = samples.filter((s) => s.name === "istio_requests_total").reduce((a, s) => a + s.value, 0);
    expect(total).toBe(52 + 50 + 25 + 1);
  });

  it("has Istio's default buckets, cumulative, with _sum and _count", () => {
    const lab = { reporter: "destination", destination_workload: "ratings-v1", destination_service_name: "ratings-admin" };
    const buckets = find(samples, "istio_request_duration_milliseconds_bucket", lab);
    expect(buckets.map((b) => b.labels.le)).toEqual([
      "0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000", "30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf",
    ]);
    // 100 ms is in circllhist's bin [100, 110): counted from le 250, and at 105 in _sum (as Envoy does:
    // telemetry/istio-buckets.ts).
    expect(buckets.map((b) => b.value)).toEqual([0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(find(samples, "istio_request_duration_milliseconds_sum", lab)[0]!.value).toBe(525);
    expect(find(samples, "istio_request_duration_milliseconds_count", lab)[0]!.value).toBe(5);
  });

  it("exports Envoy cluster stats per source workload and cluster, gauges for _active", () => {
    expect(text).toContain("# TYPE envoy_cluster_upstream_rq_total counter\n");
    expect(text).toContain("# TYPE envoy_cluster_upstream_cx_active gauge\n");
    const rq = samples.filter((s) => s.name === "envoy_cluster_upstream_rq_total");
    expect(rq.map((s) => [s.labels.cluster_name, s.value])).toEqual([
      ["outbound|9080||details.default.svc.cluster.local", 7],
      ["outbound|9080||reviews.default.svc.cluster.local", 51],
    ]);
  });

  it("is deterministic whatever order the subjects were created in", () => {
    expect(renderPrometheus(fixtureRecorder("reverse"))).toBe(text);
  });

  it("stays valid for any labels and any latencies (escaping, merging, buckets)", () => {
    const name = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, name, fc.constantFrom("source", "destination") as fc.Arbitrary<"source" | "destination">, fc.boolean(), fc.constantFrom(0, 200, 503), fc.constantFrom("-", "UO", "UF,URX"), fc.double({ min: 0, max: 5_000_000, noNaN: true })), { maxLength: 30 }),
        (reqs) => {
          const r = new Recorder({ warmupMs: 0, windowMs: 1000, endMs: 1000 });
          for (const [src, dst, rep, mtls, code, flags, ms] of reqs) r.edge(src, dst, `${dst}.ns.svc.cluster.local`, rep, mtls).record(1, ms, code, flags);
          const out = checkExposition(renderPrometheus(r));
          expect(out.problems).toEqual([]);
          expect(out.samples.filter((s) => s.name === "istio_requests_total").reduce((a, s) => a + s.value, 0)).toBe(reqs.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("derives the service name and namespace from the FQDN", () => {
    expect(serviceNameOf("reviews.bookinfo.svc.cluster.local")).toEqual({ name: "reviews", namespace: "bookinfo" });
    expect(serviceNameOf("httpbin.org")).toEqual({ name: "httpbin.org", namespace: "unknown" });
    expect(serviceNameOf("unknown")).toEqual({ name: "unknown", namespace: "unknown" });
  });
});

// istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc (IstioStatsFilter::log,
// populatePeerInfo) and istio/ztunnel src/proxy/metrics.rs (CommonTrafficLabels).
describe("peer labels as the stats filter and ztunnel default them", () => {
  const peer = (app: string, version: string, sa: string, mtls: boolean) => ({
    exchanged: true, principal: mtls ? `spiffe://cluster.local/ns/default/sa/${sa}` : "unknown", app, version,
    canonicalService: app, canonicalRevision: version, identity: `spiffe://cluster.local/ns/default/sa/${sa}`,
  });
  const anonymous = { exchanged: false, principal: "unknown", app: "unknown", version: "unknown", canonicalService: "unknown", canonicalRevision: "unknown" };
  const unknownDst = { ...anonymous, exchanged: true };
  const r = new Recorder({ warmupMs: 0, windowMs: 10_000, endMs: 10_000 });
  // A client without sidecar, seen by the server's sidecar only.
  r.edge({ source: "curl", sourceNamespace: "default", destination: "httpbin", destinationNamespace: "default",
    service: "httpbin.default.svc.cluster.local", reporter: "destination", mtls: false,
    sourcePeer: anonymous, destinationPeer: peer("httpbin", "v1", "httpbin", false) }).record(1_000, 2, 200, "-");
  // A client sidecar's 503 UH: no destination reached.
  r.edge({ source: "sleep", sourceNamespace: "default", destination: "unknown", destinationNamespace: "unknown",
    service: "httpbin.default.svc.cluster.local", reporter: "source", mtls: false,
    sourcePeer: peer("sleep", "v1", "sleep", false), destinationPeer: unknownDst }).record(1_000, 1, 503, "UH");
  // ztunnel, plaintext TCP from a pod without sidecar to an ambient pod with no version label.
  const z = r.edge({ source: "legacy", sourceNamespace: "default", destination: "httpbin", destinationNamespace: "default",
    service: "httpbin.default.svc.cluster.local", reporter: "destination", mtls: false, l4: true,
    sourcePeer: { ...peer("legacy", "latest", "legacy", false), app: "legacy-app", version: "unknown" },
    destinationPeer: { ...peer("httpbin", "latest", "httpbin", false), app: "httpbin", version: "unknown", region: "eu-west-1", zone: "eu-west-1a" } });
  z.connection(true, 500);
  z.record(1_000, 3, 0, "-", 100, 2000);
  z.connection(false, 1_000);
  const { problems, samples } = checkExposition(renderPrometheus(r));

  it("is valid exposition", () => expect(problems).toEqual([]));

  it("a source without metadata is unknown, its cluster unknown and its canonical revision latest", () => {
    const [s] = find(samples, "istio_requests_total", { reporter: "destination", destination_workload: "httpbin" });
    expect([s!.labels.source_workload, s!.labels.source_cluster, s!.labels.source_canonical_service, s!.labels.source_canonical_revision])
      .toEqual(["unknown", "unknown", "unknown", "latest"]);
    expect(s!.labels.grpc_response_status).toBe("");
  });

  it("a destination the client's sidecar never reached: canonical revision latest, the rest unknown", () => {
    const [s] = find(samples, "istio_requests_total", { reporter: "source", response_flags: "UH" });
    expect([s!.labels.destination_workload, s!.labels.destination_cluster, s!.labels.destination_canonical_service, s!.labels.destination_canonical_revision])
      .toEqual(["unknown", "unknown", "unknown", "latest"]);
    expect(s!.labels.source_cluster).toBe("Kubernetes");
  });

  it("ztunnel's TCP labels: app/version are the canonical ones, destination_principal the workload's identity, response_flags '-', locality", () => {
    const [s] = find(samples, "istio_tcp_connections_opened_total", { reporter: "destination" });
    expect(s!.value).toBe(1);
    expect(Object.keys(s!.labels)).toEqual([
      "reporter", "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace",
      "source_principal", "source_app", "source_version", "source_cluster", "destination_service", "destination_service_namespace",
      "destination_service_name", "destination_workload", "destination_canonical_service", "destination_canonical_revision",
      "destination_workload_namespace", "destination_principal", "destination_app", "destination_version", "destination_cluster",
      "request_protocol", "response_flags", "connection_security_policy", "source_region", "source_zone", "destination_region", "destination_zone",
    ]);
    expect(s!.labels).toMatchObject({
      source_workload: "legacy", source_app: "legacy", source_version: "latest", source_principal: "unknown",
      destination_app: "httpbin", destination_version: "latest",
      destination_principal: "spiffe://cluster.local/ns/default/sa/httpbin",
      request_protocol: "tcp", response_flags: "-", connection_security_policy: "unknown",
      source_region: "unknown", source_zone: "unknown", destination_region: "eu-west-1", destination_zone: "eu-west-1a",
    });
    expect(find(samples, "istio_tcp_received_bytes_total", { reporter: "destination" })[0]!.value).toBe(100);
    expect(find(samples, "istio_tcp_sent_bytes_total", { reporter: "destination" })[0]!.value).toBe(2000);
  });
});

// Envoy's outlier detection stats are cluster.<name>.outlier_detection.<stat> (cluster_stats docs,
// "Outlier detection statistics"; envoy source/common/upstream/outlier_detection_impl.h).
describe("Envoy stat names in Prometheus", () => {
  it("prefixes outlier detection's stats with outlier_detection_", () => {
    expect(metricName("ejections_active")).toBe("outlier_detection_ejections_active");
    expect(metricName("ejections_enforced_consecutive_5xx")).toBe("outlier_detection_ejections_enforced_consecutive_5xx");
    expect(metricName("upstream_rq_pending_overflow")).toBe("upstream_rq_pending_overflow");
  });
});
