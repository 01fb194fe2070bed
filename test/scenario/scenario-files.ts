// Writes a scenario's files into a fresh temporary directory and loads it, for tests.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ScenarioError, loadScenario } from "../../src/scenario/index.js";
import type { Scenario } from "../../src/scenario/index.js";

export const SIM = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: t}
`;

/** Writes `files` (name → text) and returns the directory. */
export function writeScenario(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "meshsim-scenario-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Loads `main.yaml` of the given files. */
export function load(files: Record<string, string>): Scenario {
  return loadScenario(join(writeScenario(files), "main.yaml"));
}

/** Loads and returns the ScenarioError's message; fails the test when loading succeeds. */
export function loadError(files: Record<string, string>): ScenarioError {
  try {
    load(files);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected the scenario to be rejected");
}
