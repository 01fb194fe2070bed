// meshsim with the mesh off must be a textbook queue: mean response time within 3% of Erlang C for
// M/M/c, and the M/M/1 median and 99th percentile within 3% of the closed form, at utilisation
// 0.5 to 0.9. Runs are long (millions of requests) because at high utilisation successive response
// times are strongly correlated.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { mm1ResponseQuantile, mmcMeanResponse } from "../support/queueing.js";
import { mmcYaml, scenarioFrom } from "../support/scenario-text.js";

function run(c: number, rho: number, requests: number) {
  const meanServiceMs = 1;
  const rate = (rho * c * 1000) / meanServiceMs;
  const durationS = Math.ceil(requests / rate);
  const s = scenarioFrom(mmcYaml({ c, rate, meanServiceMs, durationS, warmupS: Math.ceil(durationS / 20) }));
  const out = runScenario(s);
  return { users: out.summary.clients["users"]!, lambdaPerMs: rate / 1000, meanServiceMs };
}

describe("M/M/c against Erlang C", () => {
  for (const [c, rho] of [[5, 0.5], [5, 0.7], [5, 0.9], [2, 0.8]] as const) {
    it(`c=${c}, utilisation ${rho}: mean response within 3%`, () => {
      const r = run(c, rho, 1_500_000);
      const theory = mmcMeanResponse(c, r.lambdaPerMs, r.meanServiceMs);
      expect(Math.abs(r.users.latencyMs.mean / theory - 1)).toBeLessThan(0.03);
      expect(r.users.codes["200"]).toBe(r.users.requests);
    });
  }
});

describe("M/M/1 percentiles against the closed form", () => {
  for (const rho of [0.5, 0.7, 0.9]) {
    it(`utilisation ${rho}: p50 and p99 within 3%`, () => {
      const r = run(1, rho, rho === 0.9 ? 8_000_000 : 1_500_000);
      for (const [key, q] of [["p50", 0.5], ["p99", 0.99]] as const) {
        const theory = mm1ResponseQuantile(q, r.lambdaPerMs, r.meanServiceMs);
        expect(Math.abs(r.users.latencyMs[key] / theory - 1), `${key}`).toBeLessThan(0.03);
      }
    });
  }
});
