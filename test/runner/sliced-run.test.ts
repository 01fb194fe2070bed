// The CLI's run in slices (runner/sliced-run.ts): the same summary as one synchronous run, and a stop
// between slices that summarises the simulated time so far.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { runScenarioSliced } from "../../src/runner/sliced-run.js";
import { Interrupt } from "../../src/runner/interrupt.js";
import { summaryJson } from "../../src/report/summary.js";
import { autoWindowMs } from "../../src/report/report-window.js";

const ROOT = join(import.meta.dirname, "../..");

describe("a sliced run", () => {
  it.each(["scenarios/mmc.yaml", "scenarios/bookinfo/simulation.yaml", "scenarios/control-plane/canary-wrong-order.yaml"])(
    "%s: byte-identical summary.json to the synchronous run", async (file) => {
      const s = loadScenario(join(ROOT, file));
      const sliced = await runScenarioSliced(s);
      expect(summaryJson(sliced.summary)).toBe(summaryJson(runScenario(loadScenario(join(ROOT, file))).summary));
    });

  it("stops when interrupted and marks the summary, its figures over the simulated time so far", async () => {
    const s = loadScenario(join(ROOT, "scenarios/mmc.yaml"));
    const interrupt = new Interrupt();
    let calls = 0;
    const outcome = await runScenarioSliced(s, {
      durationMs: 3_600_000 * 10, interrupt,
      // The third report past the scenario's 20 s warm-up: slices follow wall time, so on a loaded machine
      // the third report could come before the warm-up ended (measured time 0, not at - 20).
      progress: (done) => { if (done * 36_000 > 20 && ++calls === 3) interrupt.signal = "SIGINT"; expect(done).toBeLessThan(1); },
    });
    const at = outcome.summary.interrupted!.atSimulatedSeconds;
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(36_000);
    expect(outcome.summary.simulatedSeconds).toBe(at);
    expect(outcome.summary.measuredSeconds).toBeCloseTo(at - 20, 6);
    expect(outcome.summary.clients["users"]!.rps).toBeGreaterThan(50);
    // Windows sized for the planned run's measured time (report/report-window.ts autoWindowMs), not
    // for the time the run reached.
    const windowS = autoWindowMs(36_000_000 - 20_000) / 1000;
    expect(outcome.summary.timeSeries.clients["users"]!.length).toBe(Math.ceil((at - 20) / windowS));
  });
});
