import { randomNormal } from "d3-random";
import type { UniformSource } from "../rng.js";

/** Normal truncated at 0: negative draws are drawn again (a duration cannot be negative). */
export function truncatedNormal(source: UniformSource, mean: number, stddev: number): () => number {
  const draw = randomNormal.source(source)(mean, stddev);
  return () => {
    for (;;) {
      const x = draw();
      if (x >= 0) return x;
    }
  };
}
