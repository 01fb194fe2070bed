// Evenly spaced arrivals (`arrival: constant`) against D/M/1: arrivals every T, exponential service
// of mean S, one server. The mean response is S/(1 − σ), σ the root in (0, 1) of
// σ = exp(−(1 − σ)T/S), solved numerically. D/D/1 never queues. Tolerance: 4 standard errors over
// 8 replications.
import { describe, expect, it } from "vitest";
import { dm1MeanResponse } from "../support/queueing.js";
import { estimate, runQueue, zScore } from "../support/queue-scenario.js";

describe("D/M/1 mean response", () => {
  it("the root σ solves σ = exp(−(1 − σ)/ρ), and the response is between D/D/1's and M/M/1's", () => {
    for (const rho of [0.3, 0.7, 0.9]) {
      const w = dm1MeanResponse(1 / rho, 1);
      const sigma = 1 - 1 / w;
      expect(Math.abs(sigma - Math.exp(-(1 - sigma) / rho))).toBeLessThan(1e-12);
      expect(w).toBeGreaterThan(1);
      expect(w).toBeLessThan(1 / (1 - rho));
    }
  });

  for (const rho of [0.5, 0.8]) {
    it(`utilisation ${rho}: within 4 standard errors`, () => {
      const values: number[] = [];
      for (let seed = 1; seed <= 8; seed++) {
        const s = runQueue({
          stations: [{ name: "server", concurrency: 1, script: "[{compute: {dist: exponential, mean: 1ms}}]" }],
          load: { rate: rho * 1000, arrival: "constant" }, durationS: 100, warmupS: 2,
        }, seed);
        values.push(s.clients["users"]!.latencyMs.mean);
        // Evenly spaced: rate × measured time requests, give or take those queued at the warm-up's end.
        expect(Math.abs(s.clients["users"]!.requests - rho * 1000 * s.measuredSeconds)).toBeLessThan(10);
      }
      const e = estimate(values);
      expect(zScore(e, dm1MeanResponse(1000 / (rho * 1000), 1))).toBeLessThan(4);
    });
  }

  it("D/D/1 below saturation never waits: every response is the service time", () => {
    const s = runQueue({ stations: [{ name: "server", concurrency: 1, script: "[{compute: 0.9ms}]" }], load: { rate: 1000, arrival: "constant" }, durationS: 10, warmupS: 1 }, 1);
    const l = s.clients["users"]!.latencyMs;
    expect(l.mean).toBeCloseTo(0.9, 3);
    expect(l.max).toBeCloseTo(0.9, 3);
  });
});
