import { randomExponential } from "d3-random";
import type { UniformSource } from "../rng.js";

/** Exponential with the given mean (d3-random takes the rate). */
export function exponential(source: UniformSource, mean: number): () => number {
  return randomExponential.source(source)(1 / mean);
}
