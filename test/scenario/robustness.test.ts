import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ScenarioError, loadScenario } from "../../src/scenario/index.js";
import { writeScenario } from "./scenario-files.js";

const FIXTURE = join(import.meta.dirname, "fixtures/bookinfo-min");
const MAIN = readFileSync(join(FIXTURE, "simulation.yaml"), "utf8");
const BOOKINFO = readFileSync(join(FIXTURE, "bookinfo.yaml"), "utf8");

/** Loads `text` as the Simulation's file (beside an intact bookinfo.yaml) and says how it ended. */
function outcome(dir: string, main: string, bookinfo: string): "ok" | "invalid" {
  writeFileSync(join(dir, "simulation.yaml"), main);
  writeFileSync(join(dir, "bookinfo.yaml"), bookinfo);
  try {
    loadScenario(join(dir, "simulation.yaml"));
    return "ok";
  } catch (e) {
    if (e instanceof ScenarioError && e.diagnostics.length > 0 && !/\n\s+at /.test(e.message)) return "invalid";
    throw e;
  }
}

/** A random edit of a text: a slice removed, or a short string inserted. */
const edit = (text: string) =>
  fc.tuple(fc.nat(text.length), fc.nat(12), fc.string({ maxLength: 6, unit: fc.constantFrom(..."{}[]:- ,'\"&*!|>#\n0a9.") }))
    .map(([at, cut, ins]) => text.slice(0, at) + ins + text.slice(at + cut));

describe("bad input never escapes as anything but a ScenarioError", () => {
  const dir = writeScenario({ "canary.yaml": readFileSync(join(FIXTURE, "canary.yaml"), "utf8") });

  it("a randomly edited scenario either loads or is rejected with diagnostics", () => {
    fc.assert(fc.property(edit(MAIN), edit(BOOKINFO), (main, bookinfo) => {
      expect(["ok", "invalid"]).toContain(outcome(dir, main, bookinfo));
    }), { numRuns: 150 });
  });

  it("arbitrary YAML values in place of a resource are rejected, not thrown", () => {
    const yamlish = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
    fc.assert(fc.property(yamlish, (v) => {
      const main = `apiVersion: meshsim.dev/v1alpha1\nkind: Simulation\nmetadata: {name: x}\nspec: ${v}\n---\napiVersion: meshsim.dev/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec: ${v}\n`;
      expect(["ok", "invalid"]).toContain(outcome(dir, main, `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: ${v}\n`));
    }), { numRuns: 150 });
  });

  it("aliases, complex keys and scalars as documents are handled", () => {
    expect(outcome(dir, "hello\n", "")).toBe("invalid");
    const main = `apiVersion: meshsim.dev/v1alpha1\nkind: Simulation\nmetadata: {name: x}\nspec:\n  network: &n {latency: 1ms}\n  mesh: {proxy: *n}\n  ? [a]\n  : b\n  report: {window: *n}\n`;
    expect(outcome(dir, main, "")).toBe("invalid");
  });
});
