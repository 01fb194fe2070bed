// polarNormal replaces d3-random's randomNormal (and, through exp, randomLogNormal) on the hot path:
// it must draw the very same numbers from the same uniforms — odd and even calls (the spare value
// of each pair), any seed and parameters, including the rejected pairs — or every sample path of
// every scenario would move.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { randomLogNormal, randomNormal } from "d3-random";
import { polarNormal } from "../../src/engine/distributions/polar-normal.js";
import { lognormal } from "../../src/engine/distributions/lognormal.js";

describe("polarNormal", () => {
  it("draws value for value what d3-random's randomNormal draws", () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-6, max: 1e3, noNaN: true }), (seed, mu, sigma) => {
        const a = seedrandom.alea(String(seed)), b = seedrandom.alea(String(seed));
        const ours = polarNormal(() => a(), mu, sigma);
        const theirs = randomNormal.source(() => b())(mu, sigma);
        for (let i = 0; i < 1001; i++) expect(Object.is(ours(), theirs())).toBe(true);
        // Both consumed the same uniforms (rejections included).
        expect(a()).toBe(b());
      }),
      { numRuns: 200 },
    );
  });

  it("lognormal draws value for value what d3-random's randomLogNormal draws", () => {
    const a = seedrandom.alea("7"), b = seedrandom.alea("7");
    const ours = lognormal(() => a(), 3, 15);
    const theirs = randomLogNormal.source(() => b())(Math.log(3), Math.log(15 / 3) / 2.3263478740408408);
    for (let i = 0; i < 100_001; i++) expect(ours()).toBe(theirs());
  });
});
