import { randomPareto } from "d3-random";
import type { UniformSource } from "../rng.js";

/** Pareto with scale `min` (every draw >= min) and tail index alpha. */
export function pareto(source: UniformSource, min: number, alpha: number): () => number {
  const draw = randomPareto.source(source)(alpha);
  return () => min * draw();
}
