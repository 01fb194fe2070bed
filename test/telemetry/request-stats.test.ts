import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { isError, RequestStats } from "../../src/telemetry/request-stats.js";
import { ClientStats } from "../../src/telemetry/client-stats.js";
import { bucketIndex, ISTIO_DURATION_BUCKETS_MS } from "../../src/telemetry/istio-buckets.js";

describe("isError", () => {
  it("counts no response (0) and 5xx as errors, 2xx-4xx as answers", () => {
    expect([0, 500, 503, 504, 599].map(isError)).toEqual([true, true, true, true, true]);
    expect([200, 204, 302, 403, 404, 429, 499].map(isError)).toEqual([false, false, false, false, false, false, false]);
  });
});

describe("Istio duration buckets", () => {
  // Envoy records whole ms in circllhist bins and counts a bin in `le` when its upper edge is ≤ the
  // bound (istio_stats.cc IstioStatsFilter::log; libcircllhist hist_approx_count_below): below 1 ms
  // is le 0.5, and a whole-ms value equal to a bound falls in the next bucket.
  it("are Istio's defaults, filled as Envoy fills them", () => {
    expect(ISTIO_DURATION_BUCKETS_MS).toEqual([0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000]);
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(0.5)).toBe(0);
    expect(bucketIndex(0.9999)).toBe(0);
    expect(bucketIndex(1)).toBe(2);
    expect(bucketIndex(3_599_999.9)).toBe(18);
    expect(bucketIndex(3_600_000)).toBe(19);
  });
});

describe("RequestStats", () => {
  it("counts requests by code, by flags and by (code, flags) series", () => {
    const s = new RequestStats(0);
    s.record(1, 2, 200, "-");
    s.record(2, 3, 200, "-");
    s.record(3, 0.4, 503, "UO");
    s.record(4, 700, 503, "UF,URX");
    s.record(5, 9, 0, "DC");
    s.record(6, 1, 404, "NR");
    expect(s.requests).toBe(6);
    expect(s.errors).toBe(3);
    expect(s.errorRate).toBe(0.5);
    expect([...s.codes()]).toEqual([[200, 2], [503, 2], [0, 1], [404, 1]]);
    expect(Object.fromEntries(s.flags())).toEqual({ "-": 2, UO: 1, "UF,URX": 1, DC: 1, NR: 1 });
    expect(s.series.map((x) => [x.code, x.flags, x.count])).toEqual([[200, "-", 2], [503, "UO", 1], [503, "UF,URX", 1], [0, "DC", 1], [404, "NR", 1]]);
    const uo = s.series[1]!;
    expect(uo.buckets[0]).toBe(1); // 0.4 ms ≤ 0.5
    const urx = s.series[2]!;
    expect(urx.buckets[bucketIndex(700)]).toBe(1);
    expect(urx.sumMs).toBe(705); // Envoy's _sum: the midpoint of 700's bin [700, 710)
    expect(Array.from(s.durationBuckets()).reduce((a, b) => a + b, 0)).toBe(6);
  });

  it("ignores requests that end before the warm-up is over", () => {
    const s = new RequestStats(1000);
    s.record(999.999, 5, 503, "UO");
    s.record(1000, 7, 200, "-");
    s.record(5000, 9, 200, "-");
    expect(s.requests).toBe(2);
    expect(s.errors).toBe(0);
    expect(s.latency.min).toBe(7);
    expect([...s.codes()]).toEqual([[200, 2]]);
  });

  it("every request is in exactly one series, one code and one flags entry, one duration bucket", () => {
    const codes = fc.constantFrom(0, 200, 404, 503, 504);
    const flags = fc.constantFrom("-", "UO", "UF,URX", "UT", "NR");
    fc.assert(
      fc.property(fc.array(fc.tuple(codes, flags, fc.double({ min: 0, max: 4_000_000, noNaN: true })), { maxLength: 300 }), (reqs) => {
        const s = new RequestStats(0);
        for (const [c, f, ms] of reqs) s.record(1, ms, c, f);
        const sum = (xs: Iterable<number>): number => [...xs].reduce((a, b) => a + b, 0);
        expect(sum(s.series.map((x) => x.count))).toBe(reqs.length);
        expect(sum(s.codes().values())).toBe(reqs.length);
        expect(sum(s.flags().values())).toBe(reqs.length);
        expect(sum(s.durationBuckets())).toBe(reqs.length);
        expect(s.latency.count).toBe(reqs.length);
        expect(s.errors).toBe(reqs.filter(([c]) => c === 0 || c >= 500).length);
        expect(new Set(s.series.map((x) => `${x.code} ${x.flags}`)).size).toBe(s.series.length);
      }),
    );
  });

  it("merge adds series, counts, buckets and latencies", () => {
    const a = new RequestStats(0);
    const b = new RequestStats(0);
    a.record(1, 10, 200, "-");
    b.record(1, 20, 200, "-");
    b.record(1, 30, 503, "UO");
    a.merge(b);
    expect(a.requests).toBe(3);
    expect(a.errors).toBe(1);
    // _sum adds bin midpoints (10 → 10.5, 20 → 20.5, 30 → 30.5), as Envoy's hist_approx_sum.
    expect(a.series.map((x) => [x.code, x.flags, x.count, x.sumMs])).toEqual([[200, "-", 2, 31], [503, "UO", 1, 30.5]]);
    expect(a.latency.max).toBe(30);
    expect(a.latency.mean).toBe(20);
  });

  it("keeps a constant amount of state however many requests it records", () => {
    const s = new RequestStats(0);
    for (let i = 0; i < 200_000; i++) s.record(i, (i % 997) / 10, i % 50 === 0 ? 503 : 200, i % 50 === 0 ? "UO" : "-");
    expect(s.series.length).toBe(2);
    expect(s.requests).toBe(200_000);
  });
});

// Counts that are not kept per request but read from what is (docs/performance.md, Goal 3, session
// 20): each must equal what counting every request gives, whatever the mix.
describe("counts derived at report time", () => {
  type Req = [end: number, latency: number, code: number, reqBytes: number, respBytes: number];
  const req = fc.tuple(
    fc.integer({ min: 0, max: 2000 }), fc.double({ min: 0, max: 5000, noNaN: true }),
    fc.constantFrom(0, 200, 404, 503), fc.constantFrom(0, 0, 100), fc.constantFrom(0, 0, 2048),
  );

  it("requests, errors, a series' count and its requests without bodies (Istio's size histograms' 0 bytes)", () => {
    fc.assert(fc.property(fc.array(req, { maxLength: 60 }), fc.integer({ min: 0, max: 1000 }), (reqs: Req[], from) => {
      const s = new RequestStats(from);
      for (const [end, lat, code, q, r] of reqs) s.record(end, lat, code, code === 0 ? "UF" : "-", q, r);
      const counted = reqs.filter(([end]) => end >= from);
      expect(s.requests).toBe(counted.length);
      expect(s.errors).toBe(counted.filter(([, , c]) => isError(c)).length);
      for (const x of s.series) {
        const mine = counted.filter(([, , c]) => c === x.code);
        expect(x.count).toBe(mine.length);
        expect(x.zeroBytes).toBe(mine.filter(([, , , q, r]) => q === 0 && r === 0).length);
        // istio_request_bytes' first bucket (le 0.5) holds the empty ones: metrics.prom's histograms.
        expect(x.sizes("request").buckets[0]).toBe(mine.filter(([, , , q]) => q === 0).length);
      }
      const m = new RequestStats(0);
      m.merge(s);
      m.merge(s);
      expect(m.requests).toBe(2 * s.requests);
      expect(m.series.map((x) => x.zeroBytes)).toEqual(s.series.map((x) => 2 * x.zeroBytes));
    }));
  });

  // fortio's Sizes histogram counts every answer (fhttp/httprunner.go): the empty answers before the
  // first body are added when that body comes, as many as were counted.
  it("a client's response sizes count the empty answers before the first body", () => {
    const c = new ClientStats("c", { warmupMs: 10, windowMs: 100, endMs: 1000 });
    for (const [end, bytes] of [[5, 0], [20, 0], [30, 0], [40, 300], [50, 0], [60, 100]] as const) {
      c.issued(end - 1);
      c.record(end, 1, 200, "-", 0, bytes);
    }
    const sizes = c.responseSizes!;
    expect(sizes.count).toBe(5);
    expect(sizes.min).toBe(0);
    expect(sizes.total).toBe(400);
  });

  it("a client's sum of squared latencies is over the µs the histogram rounded (fortio's Counter.StdDev is exact)", () => {
    const c = new ClientStats("c", { warmupMs: 0, windowMs: 100, endMs: 1000 });
    for (const lat of [1.0004, 2.0006, 0.0004]) {
      c.issued(10);
      c.record(10 + lat, lat, 200, "-");
    }
    expect(c.latencySumSqUs).toBe(1000 ** 2 + 2001 ** 2 + 0);
  });

  // ClientStats.advance's in-flight integral against the branch's figure, bit for bit: session 30
  // (`cold17`) measured a form without the branch and reverted it (docs/performance.md, Goal 2).
  it("a client's mean in flight is the branch's time integral, through the warm-up, equal times and the drain", () => {
    const ev = fc.tuple(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 40, noNaN: true })), fc.boolean());
    fc.assert(fc.property(fc.double({ min: 0, max: 300, noNaN: true }), fc.double({ min: 1, max: 500, noNaN: true }), fc.array(ev, { maxLength: 200 }), (warmupMs, span, raw) => {
      const endMs = warmupMs + span;
      const c = new ClientStats("c", { warmupMs, windowMs: 50, endMs });
      let now = 0, inflight = 0, last = warmupMs, integral = 0;
      for (const [dt, send] of raw) {
        now += dt;
        const t = Math.min(now, endMs);
        if (t > last) {
          integral += inflight * (t - last);
          last = t;
        }
        if (send || inflight === 0) {
          c.issued(now);
          inflight++;
        } else {
          c.record(now, 1, 200, "-");
          inflight--;
        }
      }
      if (endMs > last) integral += inflight * (endMs - last);
      expect(c.meanInflight()).toBe(integral / (endMs - warmupMs));
    }), { numRuns: 300 });
  });

  // The load generator stores the end and latency in the sink's fields and calls recordStored (no
  // double handed to a call: docs/performance.md, Goal 2, session 29 `cli16`).
  it("a client's recordStored counts the end and latency stored in its fields, as record does", () => {
    const opts = { warmupMs: 10, windowMs: 100, endMs: 1000 };
    const a = new ClientStats("a", opts);
    const b = new ClientStats("b", opts);
    for (const [end, lat, code] of [[5, 1, 200], [20, 3.5, 200], [140, 12.25, 503], [300, 0.75, 200]] as const) {
      a.issued(end - lat);
      b.issued(end - lat);
      a.record(end, lat, code, "-", 10, 20);
      b.endMs = end;
      b.latencyMs = lat;
      b.recordStored(code, "-", 10, 20);
    }
    expect(b.requests).toBe(3);
    expect(b.latency.count).toBe(a.latency.count);
    expect(b.latencySumSqUs).toBe(a.latencySumSqUs);
    expect([b.firstSentMs, b.lastAnsweredMs]).toEqual([16.5, 300]);
    expect(b.meanInflight()).toBe(a.meanInflight());
    expect(b.windows.points()).toEqual(a.windows.points());
    expect(b.latency.totalUs).toBe(a.latency.totalUs);
    expect([...b.codes()]).toEqual([...a.codes()]);
  });
});
