import type { UniformSource } from "../rng.js";

/**
 * An empirical distribution given by points of its inverse CDF (quantile q → value), linear in
 * between; below the first and above the last point the end values hold.
 */
export function empirical(source: UniformSource, points: readonly { q: number; value: number }[]): () => number {
  const qs = Float64Array.from(points, (p) => p.q);
  const vs = Float64Array.from(points, (p) => p.value);
  const n = qs.length;
  return () => {
    const u = source();
    if (u <= qs[0]!) return vs[0]!;
    let lo = 0;
    let hi = n - 1;
    if (u >= qs[hi]!) return vs[hi]!;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (qs[mid]! <= u) lo = mid;
      else hi = mid;
    }
    const span = qs[hi]! - qs[lo]!;
    return span > 0 ? vs[lo]! + ((vs[hi]! - vs[lo]!) * (u - qs[lo]!)) / span : vs[hi]!;
  };
}

/** The mean of the piecewise-linear inverse CDF (trapezoids), with the end values held outside. */
export function empiricalMean(points: readonly { q: number; value: number }[]): number {
  let m = points[0]!.q * points[0]!.value;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!, b = points[i]!;
    m += ((b.q - a.q) * (a.value + b.value)) / 2;
  }
  const last = points[points.length - 1]!;
  return m + (1 - last.q) * last.value;
}
