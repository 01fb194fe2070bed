// One run's batch-means intervals (clients.<name>.ci95) against queueing theory: over many seeds,
// the nominal 95 % interval of the mean response time must cover Erlang C's exact value about 95 % of
// the time, and its half-width must shrink as 1/√T. Runs are short (tens of thousands of requests)
// and the report window is 1 s, so that the 18 s runs have 18 one-window batches (p99 by sectioning)
// and the 78 s runs 26 batches of three windows. Measured over seeds 1–200 (docs/reports.md,
// "Confidence intervals of one run"; session 28's sample paths): M/M/1 ρ 0.7 covers 92.3 % (18 s) and
// 95.5 % (78 s), M/M/3 ρ 0.8 94.3 % and 94.5 %; the half-width ratio 18 s/78 s is 1.99 and 1.84 against
// √(78/18) = 2.08.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import type { ClientSummary } from "../../src/report/summary-types.js";
import { mm1ResponseQuantile, mmcMeanResponse } from "../support/queueing.js";
import { mmcYaml, scenarioFrom } from "../support/scenario-text.js";

const SEEDS = 40;

function users(c: number, rate: number, meanServiceMs: number, measuredS: number, seed: number): ClientSummary {
  const yaml = mmcYaml({ c, rate, meanServiceMs, durationS: measuredS + 2, warmupS: 2, seed })
    .replace("network: {latency: 0ms}", "network: {latency: 0ms}\n  report: {window: 1s}");
  return runScenario(scenarioFrom(yaml)).summary.clients["users"]!;
}

interface Coverage { covered: number; given: number; runs: number; meanHalfWidth: number }

/**
 * Over seeds 1..SEEDS: how many runs gave an interval, how many of those covered the exact value, and
 * the mean half-width. A run may give none: at 10–19 windows the batches cannot be made longer, and
 * the autocorrelation test (5 % level) then says "run longer" in about 1 run in 20 by design.
 */
function coverage(c: number, rho: number, meanServiceMs: number, measuredS: number, theory: (u: ClientSummary) => [number, number, number | null]): Coverage {
  let covered = 0, given = 0, sum = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const u = users(c, (rho * c * 1000) / meanServiceMs, meanServiceMs, measuredS, seed);
    const [exact, estimate, half] = theory(u);
    if (half === null) {
      expect(u.ci95?.why, `seed ${seed}`).toMatch(/correlated/);
      continue;
    }
    given++;
    sum += half;
    if (Math.abs(estimate - exact) <= half) covered++;
  }
  return { covered, given, runs: SEEDS, meanHalfWidth: sum / given };
}

describe("batch means of one run against Erlang C", () => {
  for (const [c, rho, meanServiceMs] of [[1, 0.7, 2], [3, 0.8, 5]] as const) {
    it(`M/M/${c} at utilisation ${rho}: the 95% interval of the mean covers the exact mean in about 95% of runs, and shrinks as 1/√T`, () => {
      const exact = mmcMeanResponse(c, (rho * c) / meanServiceMs, meanServiceMs);
      const mean = (u: ClientSummary): [number, number, number | null] => [exact, u.latencyMs.mean, u.ci95?.mean ?? null];
      const short = coverage(c, rho, meanServiceMs, 18, mean);
      const long = coverage(c, rho, meanServiceMs, 78, mean);
      // An interval in nearly every run (the correlation test's false alarms are ~5 %)...
      expect(short.given).toBeGreaterThanOrEqual(SEEDS - 5);
      expect(long.given).toBeGreaterThanOrEqual(SEEDS - 5);
      // ...covering about 95 %: of 35–40 runs a true 95 % covers at least 85 % with probability ≥ 0.98
      // (binomial); batch means under-cover somewhat on short runs (Law & Kelton §9.5.3).
      expect(short.covered / short.given).toBeGreaterThanOrEqual(0.85);
      expect(long.covered / long.given).toBeGreaterThanOrEqual(0.85);
      // ...and not so wide that it always covers (~75 runs at 95 %: all covered has probability 0.02).
      expect(short.covered + long.covered).toBeLessThan(short.given + long.given);
      // Half-width ∝ 1/√T: 78 s against 18 s is √(78/18) = 2.08 narrower.
      const ratio = short.meanHalfWidth / long.meanHalfWidth;
      expect(ratio).toBeGreaterThan(2.08 * 0.8);
      expect(ratio).toBeLessThan(2.08 * 1.2);
    });
  }

  it("M/M/1 at utilisation 0.7: the sectioning interval of the p99 (one-window batches) covers the exact p99 in about 95% of runs", () => {
    const exact = mm1ResponseQuantile(0.99, 0.7, 1);
    const r = coverage(1, 0.7, 1, 18, (u) => [exact, u.latencyMs.p99, u.ci95?.p99 ?? null]);
    // Sectioning under-covers with small batches (a p99 of ~700 requests: 7 beyond it); measured over
    // seeds 1–60: 87 % with 700 requests a batch, 90 % with 2,800, 95 % with 30 batches of 2,800.
    expect(r.given).toBeGreaterThanOrEqual(SEEDS - 5);
    expect(r.covered / r.given).toBeGreaterThanOrEqual(0.8);
  });
});
