// metrics.prom read back by a real parser of the Prometheus text format (parse-prometheus-text-format,
// prom2json's output shape): every sample parses, and the totals equal summary.json's edges; body
// sizes from the scenario fill istio_request_bytes / istio_response_bytes.
import path from "node:path";
import { describe, expect, it } from "vitest";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { renderPrometheus } from "../../src/report/prometheus.js";
import { ISTIO_DURATION_BUCKETS_MS } from "../../src/telemetry/istio-buckets.js";
import { summaryJson } from "../../src/report/summary.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { SIZED } from "../support/sized-scenario.js";

const SCENARIOS = path.resolve(import.meta.dirname, "../../scenarios");
/** Istio's (Envoy's) default histogram buckets, semantics.md §9.1. */
const ISTIO_DEFAULT_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** The family of that name (read untyped, a histogram's interleaved _bucket/_sum/_count come back in runs: joined). */
function family(parsed: ParsedFamily[], name: string): ParsedFamily {
  const fs = parsed.filter((x) => x.name === name);
  if (fs.length === 0) throw new Error(`no family ${name}`);
  return { ...fs[0]!, metrics: fs.flatMap((f) => f.metrics) };
}


describe("istio_request_bytes and istio_response_bytes", () => {
  it("carry the LoadGenerator's requestSize and the Workload's responseSize at both reporters, and shift no other draw", () => {
    // Body bytes cost the proxies CPU (cpuPerKiB), which moves the timing; at 0 they must move
    // nothing else: no random draw of another stream shifts.
    const NO_BYTE_CPU = SIZED.replace("spec: {duration: 20s, warmup: 2s}", "spec: {duration: 20s, warmup: 2s, mesh: {proxy: {cpuPerKiB: 0ms}}}");
    const scenario = scenarioFrom(NO_BYTE_CPU);
    const out = runScenario(scenario);
    const parsed = parsePrometheusTextFormat(renderPrometheus(out.recorder).replace(/^# TYPE \S+ histogram\n/gm, ""));
    const sum = (name: string, reporter: string) => family(parsed, name).metrics.filter((m) => m.labels!["reporter"] === reporter && m.labels!["response_code"] === "200");
    for (const reporter of ["source", "destination"]) {
      const [count] = sum("istio_request_bytes_count", reporter);
      expect(Number(count!.value)).toBeGreaterThan(1500);
      // Envoy's _sum counts 300 bytes at its circllhist bin's midpoint, 305 (hist_approx_sum).
      expect(Number(sum("istio_request_bytes_sum", reporter)[0]!.value)).toBe(305 * Number(count!.value));
      const resp = Number(sum("istio_response_bytes_sum", reporter)[0]!.value) / Number(count!.value);
      // lognormal with median 800 and p99 60000: mean = median·exp(σ²/2), σ = ln(75)/2.326.
      const sigma = Math.log(75) / 2.3263;
      expect(resp).toBeGreaterThan(0.7 * 800 * Math.exp((sigma * sigma) / 2));
      expect(resp).toBeLessThan(1.3 * 800 * Math.exp((sigma * sigma) / 2));
      const le1000 = sum("istio_response_bytes_bucket", reporter).find((m) => m.labels!["le"] === "1000")!;
      expect(Number(le1000.value) / Number(count!.value)).toBeGreaterThan(0.5); // median 800 < 1000
    }
    const bare = scenarioFrom(NO_BYTE_CPU.replace(", responseSize: {dist: lognormal, median: 800, p99: 60000}", "").replace(", requestSize: 300", ""));
    expect(summaryJson(runScenario(bare).summary)).toBe(summaryJson(out.summary));
  });
});

describe("metrics.prom through a Prometheus text-format parser", () => {
  for (const file of ["bookinfo/simulation.yaml", "resilience/circuit-breaking-c2.yaml", "bookinfo/fault-injection-delay.yaml", "resilience/outlier-ejection.yaml"]) {
    it(`${file}: every sample parses, counters sum to summary.json's edges, histograms agree with them`, () => {
      const out = runScenario(loadScenario(path.join(SCENARIOS, file)), { durationMs: 20_000 });
      const text = renderPrometheus(out.recorder);
      const typed = parsePrometheusTextFormat(text);
      expect(family(typed, "istio_requests_total").type).toBe("COUNTER");
      expect(family(typed, "istio_request_duration_milliseconds").type).toBe("HISTOGRAM");
      // The parser folds a histogram's labelled series into one (its open issue #13, PR #8), so the
      // histogram's sample lines are read as plain samples (without their TYPE line) and checked here.
      const parsed = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, ""));
      // Every sample line parses, with a finite value (+Inf only as an `le` label).
      const sampleLines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
      let parsedSamples = 0;
      for (const f of parsed) {
        for (const m of f.metrics) {
          expect(Number.isFinite(Number(m.value)), `${f.name} ${m.value}`).toBe(true);
          parsedSamples++;
        }
      }
      expect(parsedSamples).toBe(sampleLines);

      const requests = family(parsed, "istio_requests_total");
      expect(ISTIO_DURATION_BUCKETS_MS).toEqual(ISTIO_DEFAULT_BUCKETS);
      const key = (l: Record<string, string>) => Object.entries(l).filter(([k]) => k !== "le").sort().map(([k, v]) => `${k}=${v}`).join(",");
      const counterBySeries = new Map(requests.metrics.map((m) => [key(m.labels!), Number(m.value)]));
      for (const hist of ["istio_request_duration_milliseconds", "istio_request_bytes", "istio_response_bytes"]) {
      expect(family(typed, hist).type).toBe("HISTOGRAM");
      const counts = family(parsed, `${hist}_count`).metrics;
      const sums = family(parsed, `${hist}_sum`).metrics;
      const buckets = new Map<string, Map<string, number>>();
      for (const b of family(parsed, `${hist}_bucket`).metrics) {
        const k = key(b.labels!);
        if (!buckets.has(k)) buckets.set(k, new Map());
        buckets.get(k)!.set(b.labels!["le"]!, Number(b.value));
      }
      expect(counts).toHaveLength(requests.metrics.length);
      expect(sums).toHaveLength(requests.metrics.length);
      expect(buckets.size).toBe(requests.metrics.length);
      for (const c of counts) {
        const k = key(c.labels!);
        const count = Number(c.value);
        // _count equals the matching counter; buckets are Istio's defaults, cumulative, +Inf = count.
        expect(count).toBe(counterBySeries.get(k));
        const les = buckets.get(k)!;
        expect([...les.keys()]).toEqual([...ISTIO_DEFAULT_BUCKETS.map(String), "+Inf"]);
        let prev = 0;
        for (const v of les.values()) {
          expect(v).toBeGreaterThanOrEqual(prev);
          prev = v;
        }
        expect(prev).toBe(count);
      }
      for (const m of sums) expect(Number(m.value)).toBeGreaterThanOrEqual(0);
      }

      // summary.json's edges (each as its reporter saw it) are sums of istio_requests_total series.
      // An edge only the destination reported has a client without sidecar, which Istio's metrics
      // call source_workload "unknown" (no metadata exchange): those edges are compared together.
      const edges = out.summary.edges;
      expect(edges.length).toBeGreaterThan(0);
      const expected = new Map<string, number>();
      for (const e of edges) {
        const k = `${e.reporter} ${e.reporter === "destination" ? "unknown" : e.source} ${e.destination} ${e.service}`;
        expected.set(k, (expected.get(k) ?? 0) + e.requests);
      }
      for (const [k, requestsOfEdges] of expected) {
        let n = 0;
        for (const m of requests.metrics) {
          const l = m.labels!;
          if (`${l["reporter"]} ${l["source_workload"]} ${l["destination_workload"]} ${l["destination_service"]}` === k) n += Number(m.value);
        }
        expect(n, k).toBe(requestsOfEdges);
      }
      // And per reporter, all of them: the recorder's edges.
      for (const reporter of ["source", "destination"]) {
        const inProm = requests.metrics.filter((m) => m.labels!["reporter"] === reporter).reduce((a, m) => a + Number(m.value), 0);
        const recorded = out.recorder.edges.filter((e) => e.labels.reporter === reporter).reduce((a, e) => a + e.requests, 0);
        expect(inProm, reporter).toBe(recorded);
      }
    });
  }
});
