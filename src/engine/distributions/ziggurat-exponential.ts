// Exponential draws by the ziggurat method (ziggurat.ts), 256 layers as Marsaglia and Tsang's REXP
// (https://doi.org/10.18637/jss.v005.i08, section 4). One uniform (Alea's 32 bits) gives the layer
// (its low 8 bits) and the value (the high 24): disjoint bits, as ziggurat-normal.ts draws them
// (Doornik's objection to an index taken from the value's own bits). The fast path (97.8 % of draws)
// is that uniform, a table lookup and a multiplication, with no log: inversion (-ln(1 - U), V8's
// ieee754::log or log1p) costs ≈ 75 instructions a draw (docs/performance.md, Goal 2, session 27).
// The tail beyond r is r + Exp(1): the exponential is memoryless.
import type { UniformSource } from "../rng.js";
import { buildZiggurat } from "./ziggurat.js";

/** solveZigguratR(256, exp(-x), -ln y, exp(-r)) (the test re-solves it); the paper gives 7.69711747013104972. */
export const EXPONENTIAL_R = 7.697117470131051;

export const EXPONENTIAL_ZIGGURAT = buildZiggurat(
  256,
  EXPONENTIAL_R,
  (x) => Math.exp(-x),
  (y) => -Math.log(y),
  (r) => Math.exp(-r),
);

const X = EXPONENTIAL_ZIGGURAT.x;
const F = EXPONENTIAL_ZIGGURAT.f;
const INNER = EXPONENTIAL_ZIGGURAT.inner;
const TWO_TO_24 = 16777216;
const TWO_TO_MINUS_24 = 5.9604644775390625e-8;

/** One Exp(1) draw (mean 1) from `source`: the one sampler of the service times and the Poisson arrivals. */
export function standardExponential(source: UniformSource): number {
  const a = source() * TWO_TO_24;
  const hi = a | 0;
  const i = ((a - hi) * 256) | 0;
  const u = hi * TWO_TO_MINUS_24;
  // `+`: the call's result is tagged, and a conditional that merges it with the fast path's double
  // boxed that double at every draw (docs/performance.md, Goal 3, session 21).
  return u < INNER[i]! ? u * X[i]! : +standardExponentialSlow(source, i, u);
}

/**
 * A draw whose point (layer i, value u) fell outside the part of its layer wholly under the density:
 * the tail (layer 0) or the wedge test; a rejected point starts a new draw. A function apart, called
 * for 2.2 % of draws, so that the fast path stays small enough for TurboFan to inline at its callers
 * (session 19's version with this loop inline pushed the event queue's `at` out of the app server's
 * `run`: docs/performance.md, Goal 3, session 19 `zig`).
 */
function standardExponentialSlow(source: UniformSource, i: number, u: number): number {
  for (;;) {
    // r + Exp(1) by inversion; 1 - U is in (0, 1].
    if (i === 0) return EXPONENTIAL_R - Math.log(1 - source());
    const x = u * X[i]!;
    if (F[i]! + source() * (F[i + 1]! - F[i]!) < Math.exp(-x)) return x;
    const a = source() * TWO_TO_24;
    const hi = a | 0;
    i = ((a - hi) * 256) | 0;
    u = hi * TWO_TO_MINUS_24;
    if (u < INNER[i]!) return u * X[i]!;
  }
}
