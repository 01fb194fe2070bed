// Normal draws by the ziggurat method (ziggurat.ts), 128 layers as Marsaglia and Tsang's RNOR
// (https://doi.org/10.18637/jss.v005.i08, section 4). One uniform (Alea's 32 bits) gives the layer
// (its low 7 bits), the sign (the 8th) and the value (the high 24): disjoint bits, so that the value
// does not depend on the layer, which is Doornik's objection to RNOR (its index is the low bits of the
// value itself: J. A. Doornik, "An Improved Ziggurat Method to Generate Normal Random Samples", 2005,
// https://www.doornik.com/research/ziggurat.pdf). The fast path (97.2 % of draws) is that uniform, a
// table lookup and a multiplication: no log or sqrt, as the polar method (d3-random's randomNormal)
// took. The tail beyond r is Marsaglia's exact method (the paper, section 2).
import type { UniformSource } from "../rng.js";
import { buildZiggurat } from "./ziggurat.js";

/**
 * The normal's tail area, ∫_r^∞ exp(-t²/2) dt = exp(-r²/2)·R(r), with Mills' ratio R by its
 * continued fraction 1/(r + 1/(r + 2/(r + 3/(r + ...)))) (Abramowitz and Stegun 26.2.14), evaluated
 * from the 400th term down: for r ≥ 3 it has converged to the last bit long before.
 */
export function normalTailArea(r: number): number {
  let t = r;
  for (let k = 400; k >= 1; k--) t = r + k / t;
  return Math.exp((-r * r) / 2) / t;
}

/** solveZigguratR(128, exp(-x²/2), sqrt(-2 ln y), normalTailArea) (the test re-solves it); the paper gives 3.442619855899. */
export const NORMAL_R = 3.4426198558966528;

export const NORMAL_ZIGGURAT = buildZiggurat(
  128,
  NORMAL_R,
  (x) => Math.exp((-x * x) / 2),
  (y) => Math.sqrt(-2 * Math.log(y)),
  normalTailArea,
);

const X = NORMAL_ZIGGURAT.x;
const F = NORMAL_ZIGGURAT.f;
const INNER = NORMAL_ZIGGURAT.inner;
const TWO_TO_24 = 16777216;
const TWO_TO_MINUS_24 = 5.9604644775390625e-8;

/** Normal(mu, sigma) draws from `source`. */
export function zigguratNormal(source: UniformSource, mu: number, sigma: number): () => number {
  return () => {
    const a = source() * TWO_TO_24;
    const hi = a | 0;
    const b = ((a - hi) * 256) | 0;
    const i = b & 127;
    const u = hi * TWO_TO_MINUS_24;
    // `+`: the call's result is tagged, and a conditional that merges it with the double of the fast
    // path boxed that double in a HeapNumber at every draw (docs/performance.md, Goal 3, session 21).
    const z = u < INNER[i]! ? u * X[i]! : +standardHalfNormalSlow(source, i, u);
    return b & 128 ? mu - sigma * z : mu + sigma * z;
  };
}

/**
 * |z| of a draw whose point (layer i, value u) fell outside the part of its layer wholly under the
 * density: the tail (layer 0) or the wedge test; a rejected point starts a new draw (its sign bit is
 * not used: the caller's is as good, being independent of the magnitude). A function apart, called
 * for 2.8 % of draws, so that the fast path stays small: TurboFan inlines it into its callers without
 * spending their inlining budget (in a first version with this loop inline, an exponential sampler
 * built the same way pushed the event queue's `at` out of the app server's `run` in M/M/5: +49 M
 * instructions in 200,000 requests).
 */
function standardHalfNormalSlow(source: UniformSource, i: number, u: number): number {
  for (;;) {
    if (i === 0) {
      // x = -ln(U1)/r, y = -ln(U2) until 2y > x² (the paper, section 2); 1 - U is in (0, 1].
      let x: number, y: number;
      do {
        x = -Math.log(1 - source()) / NORMAL_R;
        y = -Math.log(1 - source());
      } while (y + y < x * x);
      return NORMAL_R + x;
    }
    const x = u * X[i]!;
    if (F[i]! + source() * (F[i + 1]! - F[i]!) < Math.exp((-x * x) / 2)) return x;
    const a = source() * TWO_TO_24;
    const hi = a | 0;
    i = (((a - hi) * 256) | 0) & 127;
    u = hi * TWO_TO_MINUS_24;
    if (u < INNER[i]!) return u * X[i]!;
  }
}
