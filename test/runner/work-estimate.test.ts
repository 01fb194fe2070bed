// The work estimate (runner/work-estimate.ts) against what runs actually take, and the budget check.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { ScenarioError, loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { DEFAULT_BUDGET, checkBudget, estimateWork } from "../../src/runner/work-estimate.js";
import { writeScenario } from "../scenario/scenario-files.js";

const ROOT = join(import.meta.dirname, "../..");
const MMC = readFileSync(join(ROOT, "scenarios/mmc.yaml"), "utf8");

function mmc(edit: (t: string) => string = (t) => t) {
  return loadScenario(join(writeScenario({ "s.yaml": edit(MMC) }), "s.yaml"));
}

describe("the estimate is above what a run takes, and of its order", () => {
  it.each([
    ["mmc (60 s)", () => mmc((t) => t.replace("duration: 600s", "duration: 60s"))],
    ["bookinfo (a call graph through sidecars)", () => loadScenario(join(ROOT, "scenarios/bookinfo/simulation.yaml"))],
  ])("%s", (_name, make) => {
    const s = make();
    const e = estimateWork(s);
    const counted = runScenario(s).run.events;
    expect(e.events).toBeGreaterThanOrEqual(counted);
    expect(e.events).toBeLessThan(counted * 6);
  });

  it("counts pods at their most (a timeline scale), report windows and requests", () => {
    const s = mmc((t) => t.replace("  expect:\n", "  timeline:\n  - at: 10s\n    scale: {deployment: server, replicas: 7}\n  expect:\n"));
    const e = estimateWork(s);
    expect(e.pods).toBe(7);
    expect(e.windows).toBe(58); // (600 s − 20 s warm-up) / 10 s
    expect(e.requests).toBe(70 * 600);
  });

  it("--duration replaces spec.duration in the estimate", () => {
    expect(estimateWork(mmc(), { durationMs: 6_000_000 }).requests).toBe(70 * 6000);
  });
});

describe("checkBudget", () => {
  it("passes a shipped scenario under the default budget", () => {
    expect(() => checkBudget(estimateWork(mmc()), DEFAULT_BUDGET)).not.toThrow();
  });

  it("refuses with one message per budget exceeded, at the field that drives it, naming the flag", () => {
    const s = mmc((t) => t.replace("rate: 70", "rate: 1e9").replace("replicas: 1", "replicas: 30000"));
    try {
      checkBudget(estimateWork(s), DEFAULT_BUDGET);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      const d = (e as ScenarioError).diagnostics;
      expect(d.map((x) => x.path)).toEqual(["spec.rate", "spec.replicas"]);
      expect(d[0]!.message).toMatch(/about 3\.60e\+12 events \(LoadGenerator users's load over spec\.duration\), over the budget of 200,000,000; raise it with --max-events/);
      expect(d[1]!.message).toMatch(/about 30,000 pods .*over the budget of 20,000; raise it with --max-pods/);
      expect(d[0]!.pos.line).toBeGreaterThan(1);
    }
  });

  it("a raised budget lets the same run through", () => {
    const e = estimateWork(mmc((t) => t.replace("replicas: 1", "replicas: 30000")));
    expect(() => checkBudget(e, { ...DEFAULT_BUDGET, pods: 40_000, memoryBytes: 8 * 1024 ** 3 })).not.toThrow();
  });
});
