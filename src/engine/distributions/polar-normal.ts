// Normal draws by Marsaglia's polar method, drawing exactly what d3-random's randomNormal draws
// (https://github.com/d3/d3-random/blob/v3.0.1/src/normal.js: the same uniforms, the same
// arithmetic in the same order, the second value of each pair kept for the next call), so every
// sample path is unchanged. Written out because d3's closure keeps the spare value and r² in
// closure variables: each draw stored fresh heap numbers there (an allocation per draw on the hot
// path of every log-normal service time and proxy pass). Here they live in a Float64Array.
// d3 evaluates sqrt(-2 ln r² / r²) for each value of a pair; both use the same r², so the factor is
// kept with the spare and the spare's draw makes no Math.log call (the same double: the same
// expression on the same input). In Bookinfo with sidecars the log-normal draws (proxy passes,
// service times) are ≈ 10 % of the CPU profile (docs/performance.md, Goal 3, session 17).
import type { UniformSource } from "../rng.js";

/** Normal(mu, sigma) draws from `source`, value for value those of d3-random's randomNormal. */
export function polarNormal(source: UniformSource, mu: number, sigma: number): () => number {
  // [spare x, the pair's factor sqrt(-2 ln r² / r²)]
  const pair = new Float64Array(2);
  let spare = false;
  return () => {
    let y: number;
    let f: number;
    if (spare) {
      y = pair[0]!;
      f = pair[1]!;
      spare = false;
    } else {
      let x: number, r2: number;
      do {
        x = source() * 2 - 1;
        y = source() * 2 - 1;
        r2 = x * x + y * y;
      } while (!r2 || r2 > 1);
      f = Math.sqrt((-2 * Math.log(r2)) / r2);
      pair[0] = x;
      pair[1] = f;
      spare = true;
    }
    return mu + sigma * y * f;
  };
}
