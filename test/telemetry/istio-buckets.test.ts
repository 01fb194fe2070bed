// Envoy's Prometheus histograms as Istio's metrics show them: istio_stats.cc records whole ms
// (absl Duration / Duration is an integer division); libcircllhist bins of two significant digits;
// hist_approx_count_below counts a bin in `le` when its upper edge is ≤ the bound; hist_approx_sum
// counts each value at its bin's midpoint (envoy source/common/stats/histogram_impl.cc refresh).
import { describe, expect, it } from "vitest";
import { bucketIndex, countIn, ISTIO_DURATION_BUCKETS_MS, sumContribution } from "../../src/telemetry/istio-buckets.js";

const le = (ms: number): string => String(ISTIO_DURATION_BUCKETS_MS[bucketIndex(ms)] ?? "+Inf");

describe("Istio duration buckets as Envoy fills them", () => {
  it("truncates to whole ms: under 1 ms is 0, in le=0.5", () => {
    expect(le(0)).toBe("0.5");
    expect(le(0.3)).toBe("0.5");
    expect(le(0.99)).toBe("0.5");
  });
  it("a value equal to a bound is in the next bucket (its bin ends above the bound)", () => {
    expect(le(1)).toBe("5");
    expect(le(4.9)).toBe("5");
    expect(le(5)).toBe("10");
    expect(le(9.99)).toBe("10");
    expect(le(10)).toBe("25");
    expect(le(24.5)).toBe("25");
    expect(le(100)).toBe("250");
    expect(le(249.9)).toBe("250");
    expect(le(250)).toBe("500");
    expect(le(2499)).toBe("2500");
    expect(le(3_599_999)).toBe("3600000");
    expect(le(3_600_000)).toBe("+Inf");
  });
  it("adds each value's bin midpoint to _sum", () => {
    expect(sumContribution(0.4)).toBe(0);
    expect(sumContribution(1.9)).toBeCloseTo(1.05, 12);
    expect(sumContribution(17.8)).toBe(17.5);
    expect(sumContribution(173)).toBe(175);
    expect(sumContribution(2048)).toBe(2050);
  });
});

describe("the table of small whole values", () => {
  // An independent statement of the rule: circllhist's bin of v is [d·10^e, (d+1)·10^e) with d of two
  // digits (v ≥ 10), [v, v + 0.1) below 10, and the zero bin {0}.
  const bin = (v: number): [number, number] => {
    if (v === 0) return [0, 0];
    if (v < 10) return [v, v + 0.1];
    const e = Math.floor(Math.log10(v)) - 1;
    const w = 10 ** e;
    return [Math.floor(v / w) * w, Math.floor(v / w) * w + w];
  };
  it("gives, on each side of its edge (1,024), what the rule gives", () => {
    for (let v = 0; v < 3000; v++) {
      const [lo, hi] = bin(v);
      const want = ISTIO_DURATION_BUCKETS_MS.findIndex((b) => hi <= b);
      for (const x of [v, v + 0.5, v + 0.999]) {
        expect(bucketIndex(x)).toBe(want < 0 ? ISTIO_DURATION_BUCKETS_MS.length : want);
        expect(sumContribution(x)).toBeCloseTo((lo + hi) / 2, 9);
      }
    }
  });
});

// countIn gives both answers from one floor (the recorders' path, telemetry/request-stats.ts): the
// same bucket and the same double as bucketIndex and sumContribution, on both sides of the table's
// edge, far beyond it, below 0 and for NaN.
describe("countIn", () => {
  it("counts where bucketIndex says and returns sumContribution's double", () => {
    const xs = [-3, -0.5, 0, 0.2, 1, 4.99, 17.8, 1023, 1023.9, 1024, 1024.5, 2049, 99_999.5, 3_600_000, 1e12, Number.NaN];
    for (let v = 0; v < 1100; v += 7) xs.push(v + 0.25);
    for (const x of xs) {
      const buckets = new Float64Array(ISTIO_DURATION_BUCKETS_MS.length + 1);
      const sum = countIn(buckets, x);
      expect(Object.is(sum, sumContribution(x))).toBe(true);
      const want = new Float64Array(ISTIO_DURATION_BUCKETS_MS.length + 1);
      want[bucketIndex(x)]!++;
      expect([...buckets]).toEqual([...want]);
    }
  });
});
