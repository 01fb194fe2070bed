// The ziggurat normal and exponential (src/engine/distributions/ziggurat.ts, ziggurat-normal.ts,
// ziggurat-exponential.ts) against the exact distributions: the layer tables against Marsaglia and Tsang's published r and v
// (https://doi.org/10.18637/jss.v005.i08, section 4: RNOR's dn, vn; and REXP's de, ve for the
// exponential's density, which the same construction must also reproduce), the draws by
// Kolmogorov-Smirnov against the exact CDF at fixed seeds (10^6 draws; the 1 % critical value of
// sqrt(n)·D is 1.628), the frequencies beyond r (the tail sampler) and in the top layers' wedges,
// mean and variance within 5 standard errors, lag-1 correlation, and, for any seed and parameters,
// finite draws in the support.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { buildZiggurat, solveZigguratR } from "../../src/engine/distributions/ziggurat.js";
import { NORMAL_R, NORMAL_ZIGGURAT, normalTailArea, zigguratNormal } from "../../src/engine/distributions/ziggurat-normal.js";
import { lognormal } from "../../src/engine/distributions/lognormal.js";
import { EXPONENTIAL_R, EXPONENTIAL_ZIGGURAT, standardExponential } from "../../src/engine/distributions/ziggurat-exponential.js";

const N = 1_000_000;
const KS_1PCT = 1.628;

/** Φ(x) by erfc's continued fraction (|x| large) or its Taylor series (|x| small): both to ~1e-15. */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  let erfc: number;
  if (z < 2) {
    // erf(z) = 2/sqrt(pi) · sum (-1)^k z^(2k+1) / (k! (2k+1))
    let term = z, sum = z;
    for (let k = 1; k < 60; k++) { term *= (-z * z) / k; sum += term / (2 * k + 1); }
    erfc = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // The normal's tail area (Mills' ratio) is exact to the last bits here: 1 - Φ(x) = tail(x)/sqrt(2π).
    erfc = (2 * normalTailArea(Math.abs(x))) / Math.sqrt(2 * Math.PI);
  }
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

function sample(next: () => number, n = N): Float64Array {
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = next();
  return xs;
}

/** sqrt(n)·D, D the Kolmogorov-Smirnov distance between the draws and `cdf`. */
function ksStatistic(xs: Float64Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(xs).sort();
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const f = cdf(s[i]!);
    d = Math.max(d, f - i / s.length, (i + 1) / s.length - f);
  }
  return Math.sqrt(s.length) * d;
}

function moments(xs: Float64Array): { mean: number; variance: number; lag1: number; lag1Squares: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0, c = 0, v2 = 0, c2 = 0, s2 = 0;
  for (const x of xs) s2 += (x - mean) ** 2;
  const m2 = s2 / xs.length;
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i]! - mean;
    v += d * d;
    v2 += (d * d - m2) ** 2;
    if (i > 0) {
      const p = xs[i - 1]! - mean;
      c += d * p;
      c2 += (d * d - m2) * (p * p - m2);
    }
  }
  return { mean, variance: v / (xs.length - 1), lag1: c / v, lag1Squares: c2 / v2 };
}

/** The share of draws with pred within 5 binomial standard errors of p. */
function expectShare(xs: Float64Array, pred: (x: number) => boolean, p: number): void {
  let k = 0;
  for (const x of xs) if (pred(x)) k++;
  expect(Math.abs(k / xs.length - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / xs.length));
}

const alea = (seed: string) => {
  const prng = seedrandom.alea(seed);
  return () => prng();
};

describe("ziggurat tables", () => {
  it("r re-solved by bisection is the constant the samplers use, and the paper's r and v come out", () => {
    expect(solveZigguratR(128, (x) => Math.exp((-x * x) / 2), (y) => Math.sqrt(-2 * Math.log(y)), normalTailArea)).toBe(NORMAL_R);
    // Marsaglia and Tsang, section 4 (zigset): de, ve for 256 layers of exp(-x); dn, vn.
    expect(solveZigguratR(256, (x) => Math.exp(-x), (y) => -Math.log(y), (r) => Math.exp(-r))).toBe(EXPONENTIAL_R);
    const exp = buildZiggurat(256, EXPONENTIAL_R, (x) => Math.exp(-x), (y) => -Math.log(y), (r) => Math.exp(-r));
    expect(exp.r).toBeCloseTo(7.697117470131487, 11);
    expect(exp.v / 3.949659822581572e-3).toBeCloseTo(1, 11);
    expect(EXPONENTIAL_ZIGGURAT.v).toBe(exp.v);
    expect(NORMAL_ZIGGURAT.r).toBeCloseTo(3.442619855899, 11);
    // The paper gives dn to 12 digits and vn from it: dv/dr = -r²·f(r) moves v by ≈ 7e-14 over the digits not given.
    expect(NORMAL_ZIGGURAT.v / 9.91256303526217e-3).toBeCloseTo(1, 10);
  });

  it("every layer has the same area v, the top one included, and layer 0 is the base rectangle plus the tail", () => {
    for (const [t, n] of [[NORMAL_ZIGGURAT, 128], [EXPONENTIAL_ZIGGURAT, 256]] as const) {
      expect(t.x[0]! * t.f[1]!).toBeCloseTo(t.v, 15);
      for (let i = 1; i < n; i++) expect(Math.abs((t.x[i]! * (t.f[i + 1]! - t.f[i]!)) / t.v - 1)).toBeLessThan(1e-9);
      expect(t.x[n]).toBe(0);
      expect(t.f[n]).toBe(1);
    }
  });
});

describe("normal (ziggurat)", () => {
  for (const seed of ["1", "meshsim"]) {
    it(`seed ${seed}: KS against Φ below the 1 % critical value, tail and moments as the normal's`, () => {
      const mu = -3, sigma = 2;
      const xs = sample(zigguratNormal(alea(seed), mu, sigma));
      expect(ksStatistic(xs, (x) => normalCdf((x - mu) / sigma))).toBeLessThan(KS_1PCT);
      // Beyond ±r (the tail sampler), beyond ±4.5, and each sign half the time.
      const pTail = 2 * (1 - normalCdf(NORMAL_R));
      expectShare(xs, (x) => Math.abs(x - mu) > NORMAL_R * sigma, pTail);
      expectShare(xs, (x) => Math.abs(x - mu) > 4.5 * sigma, 2 * (1 - normalCdf(4.5)));
      expectShare(xs, (x) => x > mu, 0.5);
      // The top layers' wedges.
      const a = NORMAL_ZIGGURAT.x[127]!, b = NORMAL_ZIGGURAT.x[126]!;
      expectShare(xs, (x) => Math.abs(x - mu) > a * sigma && Math.abs(x - mu) < b * sigma, 2 * (normalCdf(b) - normalCdf(a)));
      const m = moments(xs);
      expect(Math.abs(m.mean - mu)).toBeLessThan((5 * sigma) / Math.sqrt(N));
      // Var of the sample variance 2 sigma^4 / n.
      expect(Math.abs(m.variance - sigma * sigma)).toBeLessThan(5 * Math.sqrt(2 / N) * sigma * sigma);
      expect(Math.abs(m.lag1)).toBeLessThan(5 / Math.sqrt(N));
      expect(Math.abs(m.lag1Squares)).toBeLessThan(5 / Math.sqrt(N));
    });
  }

  it("lognormal is exp of it: KS against Φ((ln x - mu)/sigma), median and p99 as fitted", () => {
    const median = 3, p99 = 15;
    const sigma = Math.log(p99 / median) / 2.3263478740408408;
    const xs = sample(lognormal(alea("7"), median, p99));
    expect(ksStatistic(xs, (x) => normalCdf((Math.log(x) - Math.log(median)) / sigma))).toBeLessThan(KS_1PCT);
    expectShare(xs, (x) => x <= median, 0.5);
    expectShare(xs, (x) => x <= p99, 0.99);
  });
});

describe("exponential (ziggurat)", () => {
  for (const seed of ["1", "meshsim"]) {
    it(`seed ${seed}: KS against 1 - exp(-x/mean) below the 1 % critical value, tail, wedges and moments as the exponential's`, () => {
      const mean = 2.5;
      const source = alea(seed);
      const xs = sample(() => mean * standardExponential(source));
      expect(ksStatistic(xs, (x) => 1 - Math.exp(-x / mean))).toBeLessThan(KS_1PCT);
      // Beyond r (the tail sampler), and beyond r + 1 (the tail is r + Exp(1), not r).
      expectShare(xs, (x) => x > EXPONENTIAL_R * mean, Math.exp(-EXPONENTIAL_R));
      expectShare(xs, (x) => x > (EXPONENTIAL_R + 1) * mean, Math.exp(-EXPONENTIAL_R - 1));
      // The top layers' wedges (near 0, where the density is highest), and a middle layer's.
      for (const i of [255, 254, 128]) {
        const a = EXPONENTIAL_ZIGGURAT.x[i + 1]!, b = EXPONENTIAL_ZIGGURAT.x[i]!;
        expectShare(xs, (x) => x > a * mean && x < b * mean, Math.exp(-a) - Math.exp(-b));
      }
      const m = moments(xs);
      expect(Math.abs(m.mean - mean)).toBeLessThan((5 * mean) / Math.sqrt(N));
      // Var of the sample variance (mu4 - sigma^4)/n = (9 - 1)·mean^4/n.
      expect(Math.abs(m.variance - mean * mean)).toBeLessThan(5 * Math.sqrt(8 / N) * mean * mean);
      expect(Math.abs(m.lag1)).toBeLessThan(5 / Math.sqrt(N));
      expect(Math.abs(m.lag1Squares)).toBeLessThan(5 / Math.sqrt(N));
    });
  }

  it("the fast path's tables scaled by 2^32 and 2^-32 give exactly the draws of the paper's u < inner[i], u·x[i]", () => {
    // The method as written in the paper's terms, on the unscaled tables: the scaled fast path must
    // match it bit for bit (the load generator's arrivals, and so every open-loop summary, depend on it).
    const { x: X, f: F, inner } = EXPONENTIAL_ZIGGURAT;
    const paper = (source: () => number): number => {
      for (;;) {
        const bits = source() * 4294967296;
        const i = bits & 255;
        const u = (bits - i) / 4294967296;
        if (u < inner[i]!) return u * X[i]!;
        if (i === 0) return EXPONENTIAL_R - Math.log(1 - source());
        const z = u * X[i]!;
        if (F[i]! + source() * (F[i + 1]! - F[i]!) < Math.exp(-z)) return z;
      }
    };
    for (const seed of ["1", "arrivals"]) {
      const a = alea(seed), b = alea(seed);
      for (let k = 0; k < 200_000; k++) {
        const got = standardExponential(a), want = paper(b);
        if (got !== want) expect({ k, got }).toEqual({ k, got: want });
      }
    }
  });
});

describe("ziggurat draws for any seed and parameters", () => {
  it("are finite and in the support: normal finite, lognormal > 0", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
        (seed, mean, mu, ratio) => {
          const z = zigguratNormal(alea(seed), mu, mean);
          const l = lognormal(alea(seed), mean, mean * (1 + ratio));
          for (let i = 0; i < 1000; i++) {
            expect(Number.isFinite(z())).toBe(true);
            const y = l();
            expect(Number.isFinite(y) && y > 0).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("exponential draws are finite and >= 0 for any seed and mean", () => {
    fc.assert(
      fc.property(fc.string(), fc.double({ min: 1e-9, max: 1e9, noNaN: true }), (seed, mean) => {
        const source = alea(seed);
        for (let i = 0; i < 1000; i++) {
          const x = mean * standardExponential(source);
          expect(Number.isFinite(x) && x >= 0).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("each sampler reads only its own stream: the same seed gives the same draws", () => {
    const a = sample(zigguratNormal(alea("s"), 0, 1), 1000), b = sample(zigguratNormal(alea("s"), 0, 1), 1000);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
