import { randomGamma } from "d3-random";
import type { UniformSource } from "../rng.js";

/** Gamma from its mean and shape k (scale = mean / k). */
export function gamma(source: UniformSource, mean: number, shape: number): () => number {
  return randomGamma.source(source)(shape, mean / shape);
}
