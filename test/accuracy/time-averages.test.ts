// Time-average figures against their laws, measured after the warm-up only: a pod's utilisation is
// ρ = λ·E[S]/c, its mean busy slots λ·E[S] (the utilisation law), and a client's mean requests in
// flight is Little's L = λ·W with W the M/M/c mean (Erlang C). The warm-up carries a heavier load
// (a profile stepping down from 0.9 to ρ just before it ends): a figure that let the warm-up in
// would be pulled up. Tolerance: 4 standard errors over 8 replications.
import { describe, expect, it } from "vitest";
import { mmcMeanResponse } from "../support/queueing.js";
import { estimate, runQueue, zScore } from "../support/queue-scenario.js";

describe("utilisation and Little's L after the warm-up", () => {
  for (const [c, rho, dist] of [
    [1, 0.5, "{dist: exponential, mean: 1ms}"],
    [4, 0.75, "{dist: exponential, mean: 1ms}"],
    [2, 0.6, "{dist: gamma, mean: 1ms, shape: 3}"],
  ] as const) {
    it(`c=${c}, ρ=${rho}, service ${dist}: utilisation, busy slots, requests counted and Little's L`, () => {
      const rate = rho * c * 1000;
      const heavy = 0.9 * c * 1000;
      const util: number[] = [], busy: number[] = [], inflight: number[] = [], rps: number[] = [], little: number[] = [];
      for (let seed = 1; seed <= 8; seed++) {
        const s = runQueue({
          stations: [{ name: "server", concurrency: c, script: `[{compute: ${dist}}]` }],
          load: { rate, profile: `[{at: 0s, rate: ${heavy}}, {at: 9s, rate: ${heavy}}, {at: 9.001s, rate: ${rate}}]` },
          durationS: 40, warmupS: 10,
        }, seed);
        const u = s.clients["users"]!;
        const pod = s.pods["server-0"]!;
        util.push(pod.utilization!);
        busy.push(pod.meanBusy);
        inflight.push(u.meanInflight);
        rps.push(u.rps);
        little.push((u.rps / 1000) * u.latencyMs.mean);
        expect(pod.requests).toBe(u.requests);
      }
      expect(zScore(estimate(util), rho)).toBeLessThan(4);
      expect(zScore(estimate(busy), rho * c)).toBeLessThan(4);
      expect(zScore(estimate(rps), rate)).toBeLessThan(4);
      // L from the time integral against λW from the latency histogram, run by run: the same
      // requests, so their difference is tiny (only requests straddling the warm-up's end).
      for (let k = 0; k < 8; k++) expect(Math.abs(inflight[k]! / little[k]! - 1)).toBeLessThan(0.01);
      if (dist.includes("exponential")) expect(zScore(estimate(inflight), (rate / 1000) * mmcMeanResponse(c, rate / 1000, 1))).toBeLessThan(4);
    });
  }
});
