import { zigguratNormal } from "./ziggurat-normal.js";
import type { UniformSource } from "../rng.js";

/** The standard normal's 0.99 quantile. */
const Z99 = 2.3263478740408408;

/**
 * Log-normal fitted from two quantiles, the way latency is usually described: the median fixes mu,
 * the 99th percentile fixes sigma.
 */
export function lognormal(source: UniformSource, median: number, p99: number): () => number {
  // exp of a normal draw (ziggurat-normal.ts), as d3-random's randomLogNormal is exp of its randomNormal.
  const normal = zigguratNormal(source, Math.log(median), Math.log(p99 / median) / Z99);
  return () => Math.exp(normal());
}

export function lognormalMean(median: number, p99: number): number {
  const sigma = Math.log(p99 / median) / Z99;
  return median * Math.exp((sigma * sigma) / 2);
}
