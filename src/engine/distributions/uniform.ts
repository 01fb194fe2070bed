import { randomUniform } from "d3-random";
import type { UniformSource } from "../rng.js";

export function uniform(source: UniformSource, min: number, max: number): () => number {
  return randomUniform.source(source)(min, max);
}
