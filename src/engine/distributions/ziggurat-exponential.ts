// Exponential draws by the ziggurat method (ziggurat.ts; G. Marsaglia and W. W. Tsang, "The Ziggurat
// Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000,
// https://doi.org/10.18637/jss.v005.i08, section 4: REXP's 256 layers). Why: issue 18 asks for
// "sampling owned by the engine (e.g. ziggurat for exponential and normal)", and inversion (-ln(1 - U),
// V8's ieee754::log) costs ≈ 72 instructions a draw: 144 M of M/M/5's 2 M requests for the load
// generator's Poisson arrivals alone. Drawn by this, M/M/5 2 M's log and JIT code cost 98 and 102 M
// instructions fewer on Node 20 and 24, and 22 M more on Node 22, whose arrivals' handler then no
// longer inlines ClientStats' `advance` (docs/performance.md, Goal 2, session 28 `zigarr`: the
// re-baseline that changed every open-loop sample path). One uniform (Alea's 32 bits) gives the layer (its low 8 bits)
// and the value (the high 24): disjoint bits, as ziggurat-normal.ts draws them (Doornik's objection
// to an index taken from the value's own bits). The fast path (97.8 % of draws) is that uniform, a
// table lookup and a multiplication, with no log. The tail beyond r is r + Exp(1): the exponential
// is memoryless.
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
// The fast path's two tables in the units of the draw's integer v = x - i = u·2^32: inner·2^32 and
// x·2^-32. Scaling by a power of two is exact, so v < INNER_2_32[i] is u < inner[i] and
// v·X_2_MINUS_32[i] rounds as u·x[i] did: the same draws, one multiplication (6 bytes of bytecode)
// fewer against TurboFan's inlining budget (docs/performance.md, Goal 2, session 28 `zigarr`).
const INNER_2_32 = INNER.map((t) => t * 4294967296);
const X_2_MINUS_32 = X.map((t) => t * 2.3283064365386963e-10);

/**
 * One Exp(1) draw (mean 1) from `source`: the load generator's Poisson arrivals (the service times
 * stay d3-random's inversion: drawn by this, they pushed the event queue's `after` and `push` out of
 * the app server's `take` on Node 24, docs/performance.md, Goal 2, session 27 `zigexp`). Alea's
 * uniforms are multiples of 2^-32, so x is its 32 bits as an exact integer; the layer is their low
 * 8 (x & 255), the value the high 24 (v = x - i, u = v·2^-32). Literals, not named constants, and
 * the slow path's two arguments: TurboFan counts bytecode against its inlining budget.
 */
export function standardExponential(source: UniformSource): number {
  const x = source() * 4294967296;
  const i = x & 255;
  const v = x - i;
  // `+`: the call's result is tagged, and a conditional that merges it with the fast path's double
  // boxed that double at every draw (docs/performance.md, Goal 3, session 21).
  return v < INNER_2_32[i]! ? v * X_2_MINUS_32[i]! : +standardExponentialSlow(source, x);
}

/**
 * A draw whose point (layer i, value u of the 32 bits x) fell outside the part of its layer wholly
 * under the density: the tail (layer 0) or the wedge test; a rejected point starts a new draw. A
 * function apart, called for 2.2 % of draws, so that the fast path stays small enough for TurboFan
 * to inline at its callers (session 19's version with this loop inline pushed the event queue's
 * `at` out of the app server's `run`: docs/performance.md, Goal 3, session 19 `zig`).
 */
function standardExponentialSlow(source: UniformSource, x: number): number {
  for (;;) {
    const i = x & 255;
    const u = (x - i) * 2.3283064365386963e-10;
    if (u < INNER[i]!) return u * X[i]!;
    // r + Exp(1) by inversion; 1 - U is in (0, 1].
    if (i === 0) return EXPONENTIAL_R - Math.log(1 - source());
    const z = u * X[i]!;
    if (F[i]! + source() * (F[i + 1]! - F[i]!) < Math.exp(-z)) return z;
    x = source() * 4294967296;
  }
}
