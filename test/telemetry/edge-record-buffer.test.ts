// Batched edge records (telemetry/edge-record-buffer.ts) give every edge exactly the figures that
// recording each request at once gives: same counts, sums, histograms, code series and windows.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CAPACITY, EdgeRecordBuffer, FIRST_BATCH, type RecordTarget } from "../../src/telemetry/edge-record-buffer.js";
import { BUFFER_EDGES_FROM, Recorder, type EdgeLabels, type EdgeStats } from "../../src/telemetry/recorder.js";

const opts = { warmupMs: 1000, windowMs: 1000, endMs: 60_000 };
const labels = (i: number): EdgeLabels => ({
  source: `s${i % 37}`, sourceNamespace: "default", destination: `d${i}`, destinationNamespace: "default",
  service: `d${i}.default.svc.cluster.local`, reporter: i % 2 === 0 ? "source" : "destination", mtls: true,
});
const figures = (e: EdgeStats) => ({
  requests: e.requests, errors: e.errors, mean: e.latency.mean, max: e.latency.max, min: e.latency.min,
  p50: e.latency.percentile(50), p99: e.latency.percentile(99), stdDev: e.latency.stdDev,
  series: e.series.map((s) => ({ code: s.code, flags: s.flags, count: s.count, sumMs: s.sumMs, buckets: [...s.buckets], zero: s.zeroBytes, req: s.requestBytes?.sum, resp: s.responseBytes?.sum })),
  windows: e.windows.points(),
});

describe("EdgeRecordBuffer", () => {
  const record = fc.record({
    edge: fc.nat(BUFFER_EDGES_FROM * 2 - 1),
    endMs: fc.double({ min: 0, max: 70_000, noNaN: true }),
    latencyMs: fc.double({ min: 0, max: 5_000, noNaN: true }),
    code: fc.constantFrom(0, 200, 404, 503),
    flags: fc.constantFrom("-", "UF", "UO,URX"),
    requestBytes: fc.constantFrom(0, 10, 1234),
    responseBytes: fc.constantFrom(0, 99),
  });

  it("gives each of many edges what recording at once gives, through flushes and at the end", () => {
    fc.assert(fc.property(fc.array(record, { minLength: 33_000, maxLength: 70_000 }), (records) => {
      const buffered = new Recorder(opts);
      const direct = new Recorder(opts);
      const sinks = Array.from({ length: BUFFER_EDGES_FROM * 2 }, (_, i) => buffered.edgeSink(labels(i)));
      const stats = Array.from({ length: BUFFER_EDGES_FROM * 2 }, (_, i) => direct.edge(labels(i)));
      expect(buffered.buffer).not.toBeNull();
      for (const r of records) {
        sinks[r.edge]!.record(r.endMs, r.latencyMs, r.code, r.flags, r.requestBytes, r.responseBytes);
        stats[r.edge]!.record(r.endMs, r.latencyMs, r.code, r.flags, r.requestBytes, r.responseBytes);
      }
      buffered.finish();
      direct.finish();
      expect(buffered.edges.map(figures)).toEqual(direct.edges.map(figures));
    }), { numRuns: 3, endOnFailure: true });
  });

  // The first batch is short so that every line of `flush` has run before V8 compiles its loops on
  // stack replacement (v8 src/runtime/runtime-compiler.cc, Runtime_NotifyDeoptimized, keeps OSR code
  // that deoptimizes after its loop; docs/performance.md, Goal 4, session 23 `flush`); later ones are full.
  it("applies a short first batch, then full ones, each edge's records in arrival order", () => {
    const got: number[][] = [[], [], []];
    const targets: RecordTarget[] = got.map((g) => ({ record: (endMs: number) => { g.push(endMs); } }));
    const buffer = new EdgeRecordBuffer(targets);
    let t = 0;
    const add = (count: number): void => {
      for (let k = 0; k < count; k++, t++) buffer.add(t % 3, t, 1, 200, "-", 0, 0);
    };
    const applied = (): number => got.reduce((a, g) => a + g.length, 0);
    add(FIRST_BATCH - 1);
    expect(applied()).toBe(0);
    add(1);
    expect(applied()).toBe(FIRST_BATCH);
    add(CAPACITY - 1);
    expect(applied()).toBe(FIRST_BATCH);
    add(1);
    expect(applied()).toBe(FIRST_BATCH + CAPACITY);
    add(FIRST_BATCH);
    expect(applied()).toBe(FIRST_BATCH + CAPACITY);
    buffer.flush();
    expect(applied()).toBe(t);
    got.forEach((g, e) => expect(g).toEqual(Array.from({ length: g.length }, (_, k) => e + 3 * k)));
  });

  it("records at once while the recorder has few edges", () => {
    const r = new Recorder(opts);
    const sink = r.edgeSink(labels(0));
    sink.record(2000, 5, 200, "-");
    expect(r.buffer).toBeNull();
    expect(r.edge(labels(0)).requests).toBe(1);
  });
});
