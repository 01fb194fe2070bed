// Each distribution's parameters mean what scenario-format.md says they mean, checked on draws
// (fast-check picks the parameters, 40,000 draws each): the lognormal's median and p99, the gamma's
// mean and shape (variance mean²/shape), the pareto's min and alpha (tail (min/x)^alpha), the
// empirical's percentiles with linear interpolation between them, the uniform's bounds, and the
// normal truncated at 0 — whose mean is then above `mean`, as distributionMean says. Sample
// figures are held to 5 standard errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { compileDistribution, distributionMean } from "../../src/engine/distributions/compile.js";
import type { DistributionSpec } from "../../src/engine/distributions/spec.js";

const N = 40_000;

function draws(spec: DistributionSpec, seed: number): Float64Array {
  const prng = seedrandom.alea(String(seed));
  const next = compileDistribution(spec, () => prng());
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) xs[i] = next();
  return xs;
}

function meanVar(xs: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) ** 2;
  return { mean, variance: v / (xs.length - 1) };
}

/** The share of draws at or below x (below, if `strict`), against q within 5 binomial standard errors. */
function expectCdf(xs: Float64Array, x: number, q: number, strict = false): void {
  let k = 0;
  for (const v of xs) if (strict ? v < x : v <= x) k++;
  expect(Math.abs(k / xs.length - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / xs.length) + 1e-9);
}

function range(xs: Float64Array): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (const x of xs) { if (x < min) min = x; if (x > max) max = x; }
  return { min, max };
}

function expectMean(xs: Float64Array, mean: number): void {
  const m = meanVar(xs);
  expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(m.variance / xs.length) + 1e-9);
}

const seed = fc.integer({ min: 1, max: 1_000_000 });
const ms = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const RUNS = { numRuns: 12 };

describe("distribution parameters mean what the scenario format says", () => {
  it("lognormal: half the draws are below `median`, 99% below `p99`, and the mean is distributionMean", () => {
    fc.assert(fc.property(ms(0.1, 50), fc.double({ min: 1.05, max: 30, noNaN: true }), seed, (median, ratio, s) => {
      const spec: DistributionSpec = { dist: "lognormal", median, p99: median * ratio };
      const xs = draws(spec, s);
      expectCdf(xs, median, 0.5);
      expectCdf(xs, median * ratio, 0.99);
      expectMean(xs, distributionMean(spec));
    }), RUNS);
  });

  it("gamma: the draws have mean `mean` and variance mean²/shape", () => {
    fc.assert(fc.property(ms(0.1, 50), fc.double({ min: 0.2, max: 20, noNaN: true }), seed, (mean, shape, s) => {
      const xs = draws({ dist: "gamma", mean, shape }, s);
      expectMean(xs, mean);
      // The sample variance's standard error, from the gamma's fourth central moment.
      const v = meanVar(xs).variance;
      const sigma2 = (mean * mean) / shape;
      const mu4 = 3 * sigma2 * sigma2 * (1 + 2 / shape);
      expect(Math.abs(v - sigma2)).toBeLessThan(5 * Math.sqrt((mu4 - sigma2 * sigma2) / N));
    }), RUNS);
  });

  it("pareto: no draw is below `min`, and P(X > x) = (min/x)^alpha", () => {
    fc.assert(fc.property(ms(0.1, 50), fc.double({ min: 0.5, max: 6, noNaN: true }), seed, (min, alpha, s) => {
      const xs = draws({ dist: "pareto", min, alpha }, s);
      expect(range(xs).min).toBeGreaterThanOrEqual(min);
      for (const f of [1.5, 2, 4]) expectCdf(xs, f * min, 1 - f ** -alpha);
      if (alpha > 2.5) expectMean(xs, distributionMean({ dist: "pareto", min, alpha }));
    }), RUNS);
  });

  it("uniform: every draw is within [min, max) and the shares are proportional to length", () => {
    fc.assert(fc.property(ms(0, 50), ms(0.01, 50), seed, (min, width, s) => {
      const xs = draws({ dist: "uniform", min, max: min + width }, s);
      const r = range(xs);
      expect(r.min).toBeGreaterThanOrEqual(min);
      expect(r.max).toBeLessThan(min + width);
      expectCdf(xs, min + 0.3 * width, 0.3);
      expectMean(xs, min + width / 2);
    }), RUNS);
  });

  it("empirical: each given percentile is a quantile of the draws, linear in between, and the mean is distributionMean", () => {
    const point = fc.tuple(fc.double({ min: 0.02, max: 0.98, noNaN: true }), ms(0, 100));
    fc.assert(fc.property(fc.uniqueArray(point, { minLength: 2, maxLength: 5, selector: (p) => Math.round(p[0] * 50) }), seed, (raw, s) => {
      const qs = raw.map((p) => Math.round(p[0] * 50) / 50).sort((a, b) => a - b);
      const vs = raw.map((p) => p[1]).sort((a, b) => a - b);
      // Strictly increasing values, so each value has one quantile.
      const points = qs.map((q, i) => ({ q, value: vs[i]! + i }));
      const spec: DistributionSpec = { dist: "empirical", points };
      const xs = draws(spec, s);
      // The first value holds below the first point (an atom of mass q there), the last above the last.
      const last = points.length - 1;
      points.forEach((p, i) => expectCdf(xs, p.value, p.q, i === last));
      for (let i = 1; i < points.length; i++) {
        const a = points[i - 1]!, b = points[i]!;
        expectCdf(xs, (a.value + b.value) / 2, (a.q + b.q) / 2);
      }
      // Below the first point and above the last the end values hold.
      const r = range(xs);
      expect(r.min).toBeGreaterThanOrEqual(points[0]!.value);
      expect(r.max).toBeLessThanOrEqual(points[last]!.value);
      expectMean(xs, distributionMean(spec));
    }), RUNS);
  });

  it("normal: no draw is negative, and truncating at 0 raises the mean to distributionMean's", () => {
    fc.assert(fc.property(ms(0, 20), ms(0.5, 20), seed, (mean, stddev, s) => {
      const spec: DistributionSpec = { dist: "normal", mean, stddev };
      const xs = draws(spec, s);
      expect(range(xs).min).toBeGreaterThanOrEqual(0);
      expectMean(xs, distributionMean(spec));
    }), RUNS);
    // Far from 0 the truncation does not show; at mean 0 the draws are half-normal (mean σ√(2/π)).
    expect(distributionMean({ dist: "normal", mean: 10, stddev: 1 })).toBeCloseTo(10, 9);
    expect(distributionMean({ dist: "normal", mean: 0, stddev: 3 })).toBeCloseTo(3 * Math.sqrt(2 / Math.PI), 6);
  });

  it("exponential: the draws have mean `mean` and P(X > mean) = 1/e", () => {
    fc.assert(fc.property(ms(0.01, 100), seed, (mean, s) => {
      const xs = draws({ dist: "exponential", mean }, s);
      expectMean(xs, mean);
      expectCdf(xs, mean, 1 - Math.exp(-1));
    }), RUNS);
  });
});
