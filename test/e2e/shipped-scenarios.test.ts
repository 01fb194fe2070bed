// Every scenario shipped in scenarios/ teaches something through its `expect` block: each must load
// without a warning and meet every expectation with its own seed, so a change that breaks a lesson
// fails here rather than in front of a class.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

function simulations(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return simulations(p);
    return e.name.endsWith(".yaml") && /^kind: Simulation$/m.test(fs.readFileSync(p, "utf8")) ? [p] : [];
  });
}

const files = simulations(path.join(ROOT, "scenarios")).sort();

describe("shipped scenarios", () => {
  it("there are scenarios to check", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  for (const file of files) {
    it(`${path.relative(ROOT, file)} loads cleanly and meets its expectations`, () => {
      const scenario = loadScenario(file);
      expect(scenario.warnings).toEqual([]);
      const { summary } = runScenario(scenario);
      expect(summary.expectations.length).toBeGreaterThan(0);
      expect(summary.expectations.filter((e) => !e.ok)).toEqual([]);
    });
  }
});
