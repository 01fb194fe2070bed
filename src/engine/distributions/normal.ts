import { zigguratNormal } from "./ziggurat-normal.js";
import type { UniformSource } from "../rng.js";

/**
 * Normal truncated at 0: negative draws are drawn again (a duration cannot be negative). This
 * raises the mean above `mean` by stddev·φ(a)/Φ(a), a = mean/stddev: by 0.055·stddev at a = 2,
 * 0.29·stddev at a = 1, 0.8·stddev at a = 0 (see truncatedNormalMean).
 */
export function truncatedNormal(source: UniformSource, mean: number, stddev: number): () => number {
  const draw = zigguratNormal(source, mean, stddev);
  return () => {
    for (;;) {
      const x = draw();
      if (x >= 0) return x;
    }
  };
}

/** The mean of what truncatedNormal draws: mean + stddev·φ(a)/Φ(a) with a = mean/stddev. */
export function truncatedNormalMean(mean: number, stddev: number): number {
  const a = mean / stddev;
  const phi = Math.exp((-a * a) / 2) / Math.sqrt(2 * Math.PI);
  return mean + (stddev * phi) / normalCdf(a);
}

/** Φ(x) = erfc(−x/√2)/2, with erfc by the Chebyshev fit of Numerical Recipes (relative error < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}
