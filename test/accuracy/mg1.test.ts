// M/G/1 against Pollaczek–Khinchine: with Poisson arrivals and one server, the mean response time
// depends on the service time only through its first two moments, W = E[S] + λE[S²]/(2(1 − ρ)).
// One check per service-time distribution meshsim offers (each distribution's E[S²] from its
// documented parameters), at utilisation 0.7. Each run is compared with the formula at its own
// realised arrival rate (requests / measured seconds): near ρ = 0.7 a 0.2% excess of arrivals moves
// W by 0.5%, which would otherwise dominate the error. Tolerance: 4 standard errors of the mean
// difference over 8 replications.
import { describe, expect, it } from "vitest";
import { mg1MeanResponse } from "../support/queueing.js";
import { replicate, zScore } from "../support/queue-scenario.js";

const Z99 = 2.3263478740408408;
const sigmaLn = Math.log(4 / 0.8) / Z99;

/** Service times with mean ≈ 1 ms and their exact first two moments (ms, ms²). */
const cases: { name: string; yaml: string; mean: number; m2: number }[] = [
  { name: "constant (M/D/1)", yaml: "1ms", mean: 1, m2: 1 },
  { name: "exponential (M/M/1)", yaml: "{dist: exponential, mean: 1ms}", mean: 1, m2: 2 },
  { name: "uniform 0.2–1.8 ms", yaml: "{dist: uniform, min: 0.2ms, max: 1.8ms}", mean: 1, m2: (0.04 + 0.36 + 3.24) / 3 },
  { name: "gamma shape 2", yaml: "{dist: gamma, mean: 1ms, shape: 2}", mean: 1, m2: 1 + 1 / 2 },
  { name: "gamma shape 0.5", yaml: "{dist: gamma, mean: 1ms, shape: 0.5}", mean: 1, m2: 1 + 1 / 0.5 },
  {
    name: "lognormal median 0.8 ms, p99 4 ms",
    yaml: "{dist: lognormal, median: 0.8ms, p99: 4ms}",
    mean: 0.8 * Math.exp(sigmaLn ** 2 / 2),
    m2: 0.64 * Math.exp(2 * sigmaLn ** 2),
  },
  { name: "pareto min 0.8 ms, alpha 5", yaml: "{dist: pareto, min: 0.8ms, alpha: 5}", mean: (5 * 0.8) / 4, m2: (5 * 0.64) / 3 },
];

describe("M/G/1 mean response against Pollaczek–Khinchine (utilisation 0.7)", () => {
  for (const c of cases) {
    it(`${c.name}: mean response within 4 standard errors of Pollaczek–Khinchine`, () => {
      const ratePerS = (0.7 / c.mean) * 1000;
      const e = replicate(
        { stations: [{ name: "server", concurrency: 1, script: `[{compute: ${c.yaml}}]` }], load: { rate: ratePerS }, durationS: 200, warmupS: 5 },
        8,
        (s) => s.clients["users"]!.latencyMs.mean - mg1MeanResponse(s.clients["users"]!.rps / 1000, c.mean, c.m2),
      );
      expect(zScore(e, 0)).toBeLessThan(4);
      // And the difference is under 2% of W.
      expect(Math.abs(e.mean / mg1MeanResponse(ratePerS / 1000, c.mean, c.m2))).toBeLessThan(0.02);
    });
  }
});
