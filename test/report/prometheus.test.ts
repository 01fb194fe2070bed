import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { renderPrometheus, serviceNameOf } from "../../src/report/prometheus.js";
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
    expect(buckets.map((b) => b.value)).toEqual([0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]); // 100 ms ≤ le 100
    expect(find(samples, "istio_request_duration_milliseconds_sum", lab)[0]!.value).toBe(500);
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
