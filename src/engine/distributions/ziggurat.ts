// The ziggurat method (G. Marsaglia and W. W. Tsang, "The Ziggurat Method for Generating Random
// Variables", J. Stat. Softw. 5(8), 2000, https://doi.org/10.18637/jss.v005.i08): the area under a
// decreasing density f on [0, inf) is covered by n layers of equal area v. Layer 0 is the rectangle
// [0, r] x [0, f(r)] plus the tail beyond r; layer i >= 1 is the rectangle [0, x_i] x [f(x_i), f(x_{i+1})],
// with x_1 = r and x_n = 0. A draw picks a layer uniformly and a point in it; most points fall in the
// part wholly under f (x < x_{i+1}), so most draws are one table lookup and one multiplication, with no
// log or exp. The rest test f itself (the wedge) or sample the tail exactly.
//
// The tables are computed once, at module load, from r, f, its inverse and the tail's area. r is the
// root solveZigguratR finds (bisection, to the last bit), written into the samplers as a constant;
// the test re-solves it and checks the paper's r and v.

/** The layers of a ziggurat, as its samplers read them. */
export interface ZigguratTable {
  readonly r: number;
  readonly v: number;
  /** x[i] for i = 0..n: x[0] = v / f(r) (layer 0's width, tail included), x[1] = r, x[n] = 0. */
  readonly x: Float64Array;
  /** f(x[i]) for i = 1..n (f[n] = f(0)); f[0] = 0 (unused). */
  readonly f: Float64Array;
  /** x[i + 1] / x[i]: a uniform u below it puts u·x[i] wholly under f (the fast path). */
  readonly inner: Float64Array;
}

/**
 * Layers for the density f (unnormalised, decreasing, f(0) the top) with inverse fInverse and the
 * area beyond r tailArea(r), given r (solveZigguratR gives it; the samplers pass the value it
 * returns, so that loading the module costs n steps rather than a bisection's 60·n).
 */
export function buildZiggurat(
  n: number,
  r: number,
  f: (x: number) => number,
  fInverse: (y: number) => number,
  tailArea: (r: number) => number,
): ZigguratTable {
  const v = r * f(r) + tailArea(r);
  const x = new Float64Array(n + 1);
  const fx = new Float64Array(n + 1);
  x[0] = v / f(r);
  x[1] = r;
  fx[1] = f(r);
  for (let i = 1; i < n - 1; i++) {
    fx[i + 1] = fx[i]! + v / x[i]!;
    x[i + 1] = fInverse(fx[i + 1]!);
  }
  x[n] = 0;
  fx[n] = f(0);
  const inner = new Float64Array(n);
  for (let i = 0; i < n; i++) inner[i] = x[i + 1]! / x[i]!;
  return { r, v, x, f: fx, inner };
}

/**
 * The r for which n layers of equal area v = r·f(r) + tailArea(r) end exactly at f(0), by bisection
 * to the last bit: too small an r gives too large a v, so the layers reach f(0) before the n-th, or
 * leave the n-th less than v.
 */
export function solveZigguratR(
  n: number,
  f: (x: number) => number,
  fInverse: (y: number) => number,
  tailArea: (r: number) => number,
): number {
  const top = f(0);
  const rTooSmall = (r: number): boolean => {
    const v = r * f(r) + tailArea(r);
    let x = r;
    for (let i = 1; i < n - 1; i++) {
      const y = f(x) + v / x;
      if (y >= top) return true;
      x = fInverse(y);
    }
    return x * (top - f(x)) < v;
  };
  let lo = 0.5;
  let hi = 50;
  for (;;) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) return hi;
    if (rTooSmall(mid)) lo = mid;
    else hi = mid;
  }
}
