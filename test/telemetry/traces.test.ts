// traces.json as Zipkin v2: the checker rejects what the schema forbids, and runs of Bookinfo (direct,
// through the ingress gateway, with the delay fault's abandoned calls) give whole request trees.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { StringSink } from "../../src/telemetry/line-sink.js";
import { summaryJson } from "../../src/report/summary.js";
import { checkZipkin, type ZipkinSpan } from "./zipkin-checker.js";
import { TraceRecorder } from "../../src/telemetry/trace-recorder.js";
import { IdSource } from "../../src/telemetry/request-ids.js";
import { RandomStreams } from "../../src/engine/rng.js";

const SCENARIOS = path.resolve(import.meta.dirname, "../../scenarios");

function traced(file: string, sample: number, durationMs: number, seed?: number) {
  const scenario = loadScenario(path.join(SCENARIOS, file));
  scenario.simulation.report.traces.sample = sample;
  const traces = new StringSink();
  const out = runScenario(scenario, { durationMs, records: { traces }, ...(seed !== undefined ? { seed } : {}) });
  return { out, traces, spans: JSON.parse(traces.text) as ZipkinSpan[], scenario };
}

const span = (o: Partial<ZipkinSpan> & Record<string, unknown>) => ({
  traceId: "0123456789abcdef0123456789abcdef", id: "0123456789abcdef", timestamp: 1_000, duration: 10, ...o,
});

describe("the Zipkin v2 checker", () => {
  it("rejects what the v2 schema or a request tree forbids (so that passing it means something)", () => {
    const bad: unknown[] = [
      {},
      [span({ traceId: "xyz" })],
      [span({ id: "0123" })],
      [span({ kind: "INTERNAL" })],
      [span({ timestamp: 1.5 })],
      [span({ duration: 0 })],
      [span({ tags: { a: 1 } as unknown as Record<string, string> })],
      [span({ localEndpoint: { serviceName: "A", ipv4: "10.0.0.1" } })],
      [span({ localEndpoint: { serviceName: "a", ipv4: "10.0.0" } })],
      [span({}), span({ id: "1111111111111111", parentId: "2222222222222222" })],
      [span({}), span({ id: "1111111111111111", parentId: "0123456789abcdef", timestamp: 999 })],
      [span({}), span({ id: "1111111111111111", parentId: "0123456789abcdef", duration: 11 })],
      [span({}), span({})],
      [span({}), span({ id: "1111111111111111" })],
    ];
    for (const b of bad) expect(checkZipkin(b), JSON.stringify(b)).not.toEqual([]);
    expect(checkZipkin([span({ kind: "SERVER", localEndpoint: { serviceName: "a.default", ipv4: "10.0.0.1" } }),
      span({ id: "1111111111111111", parentId: "0123456789abcdef", timestamp: 1_001, duration: 9, kind: "CLIENT" })])).toEqual([]);
  });
});

describe("traces.json", () => {
  it("is valid Zipkin v2 whose spans link productpage → details, reviews → ratings in one tree per request", () => {
    const { spans, out } = traced("bookinfo/simulation.yaml", 1, 15_000);
    expect(checkZipkin(spans)).toEqual([]);
    const traces = new Map<string, ZipkinSpan[]>();
    for (const s of spans) traces.set(s.traceId, [...(traces.get(s.traceId) ?? []), s]);
    // Sampled at 1: one trace per request the client counted (those answered after the warm-up).
    expect(traces.size).toBe(out.summary.clients["users"]!.requests);
    const byId = new Map(spans.map((s) => [s.id, s]));
    const parentService = (s: ZipkinSpan) => byId.get(s.parentId!)?.localEndpoint?.serviceName;
    for (const list of traces.values()) {
      const root = list.find((s) => s.parentId === undefined)!;
      expect(root.kind).toBe("SERVER"); // users come from outside: productpage's sidecar is the edge
      expect(root.localEndpoint?.serviceName).toBe("productpage.default");
      const clients = list.filter((s) => s.kind === "CLIENT");
      expect(clients.map((s) => s.name ?? "").sort()).toContain("reviews.default.svc.cluster.local:9080/*");
      for (const c of clients) {
        // A client span's parent is its app's work, and its child the server sidecar's span.
        expect(byId.get(c.parentId!)?.kind).toBeUndefined();
        expect(parentService(c)).toBe(c.localEndpoint?.serviceName);
        const server = list.filter((s) => s.parentId === c.id);
        expect(server.map((s) => s.kind)).toEqual(["SERVER"]);
        expect(server[0]!.localEndpoint?.ipv4).toBe(c.remoteEndpoint?.ipv4);
      }
      const ratings = list.filter((s) => s.kind === "CLIENT" && (s.name ?? "").startsWith("ratings."));
      for (const r of ratings) expect(r.localEndpoint?.serviceName).toBe("reviews.default");
      for (const s of list) expect(s.tags?.["guid:x-request-id"] ?? root.tags!["guid:x-request-id"]).toBe(root.tags!["guid:x-request-id"]);
    }
  });

  it("stays valid with abandoned calls (DC) and through the ingress gateway, whose CLIENT span is the root", () => {
    const delay = traced("bookinfo/fault-injection-delay.yaml", 1, 20_000);
    expect(checkZipkin(delay.spans)).toEqual([]);
    expect(delay.spans.some((s) => s.tags?.["response_flags"]?.includes("DC"))).toBe(true);
    // 10 s: past the scenario's 5 s warm-up, so that the pages answered after it are traced (at 5 s
    // only a page still in flight at the end could be, or none, as the arrivals' draws fall).
    const gw = traced("bookinfo/ingress-gateway.yaml", 1, 10_000);
    expect(checkZipkin(gw.spans)).toEqual([]);
    const roots = gw.spans.filter((s) => s.parentId === undefined);
    expect(roots.length).toBeGreaterThan(0);
    for (const r of roots) {
      expect(r.kind).toBe("CLIENT");
      expect(r.localEndpoint?.serviceName).toMatch(/ingressgateway\.istio-system$/);
    }
  });

  it("samples about the configured share of requests, decided once per request at the edge", () => {
    const { spans, out } = traced("bookinfo/simulation.yaml", 0.05, 60_000);
    expect(checkZipkin(spans)).toEqual([]);
    const roots = spans.filter((s) => s.parentId === undefined).length;
    // About 5,000 requests counted (after the warm-up); 5% ± 5 standard deviations.
    const n = out.summary.clients["users"]!.requests;
    const sd = Math.sqrt(n * 0.05 * 0.95);
    expect(Math.abs(roots - n * 0.05)).toBeLessThan(5 * sd);
    // A sampled request is traced at every hop: no trace is missing its app spans.
    for (const id of new Set(spans.map((s) => s.traceId))) expect(spans.filter((s) => s.traceId === id).length).toBeGreaterThanOrEqual(8);
  });

  it("leaves summary.json byte-identical and is itself byte-identical for the same seed", () => {
    const scenario = loadScenario(path.join(SCENARIOS, "bookinfo/simulation.yaml"));
    const plain = summaryJson(runScenario(scenario, { durationMs: 15_000 }).summary);
    const a = traced("bookinfo/simulation.yaml", 0.2, 15_000);
    const b = traced("bookinfo/simulation.yaml", 0.2, 15_000);
    expect(summaryJson(a.out.summary)).toBe(plain);
    expect(a.traces.text).toBe(b.traces.text);
    expect(traced("bookinfo/simulation.yaml", 0.2, 15_000, 2).traces.text).not.toBe(a.traces.text);
    // Streamed: one write per finished trace, not one at the end.
    expect(a.traces.writes).toBeGreaterThan(10);
    expect(a.traces.closed).toBe(true);
  });
});

describe("the trace recorder", () => {
  it("holds a trace only while a span or the generator's request is open, then writes it and forgets it", () => {
    const sink = new StringSink();
    const ids = new IdSource(new RandomStreams(1).stream("ids"));
    const rec = new TraceRecorder(sink, 1, () => 0, ids);
    const t = rec.begin()!;
    const server = rec.openSpan(t, "", "SERVER", "a:80/*", 0, { serviceName: "a.default", ipv4: "10.0.0.1" });
    const app = rec.openSpan(t, server.id, "LOCAL", "GET /", 0.5, { serviceName: "a.default", ipv4: "10.0.0.1" });
    rec.closeSpan(app, 2);
    rec.closeSpan(server, 3);
    expect(sink.writes).toBe(0); // the generator still waits for the answer
    rec.end(t, 5);
    expect(sink.writes).toBe(1);
    expect(rec.begin()).not.toBeNull();
    // A request answered in the warm-up is not written, like every other figure.
    const warmSink = new StringSink();
    const warm = new TraceRecorder(warmSink, 1, () => 0, ids, 10);
    const w = warm.begin()!;
    warm.closeSpan(warm.openSpan(w, "", "SERVER", "a:80/*", 1, { serviceName: "a.default", ipv4: "10.0.0.1" }), 2);
    warm.end(w, 3);
    expect(warmSink.writes).toBe(0);
    // Unsampled requests cost a draw and nothing else.
    const none = new TraceRecorder(new StringSink(), 0.01, () => 0.5, ids);
    expect(none.begin()).toBeNull();
    rec.close(10);
    const spans = JSON.parse(sink.text) as ZipkinSpan[];
    expect(checkZipkin(spans)).toEqual([]);
    expect(spans.map((s) => [s.name, s.timestamp, s.duration])).toEqual([
      ["a:80/*", 1_704_067_200_000_000, 3_000], ["GET /", 1_704_067_200_000_500, 1_500],
    ]);
  });
});
