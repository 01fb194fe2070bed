// `meshsim check SCENARIO`: run the scenario and print only its expectations, one line each, as a CI
// job wants them; no report files. Exit 1 when one failed (0 when all held, or when there are none).
import { formatDiagnostic, loadScenario } from "../scenario/index.js";
import { runScenario } from "../runner/run-scenario.js";
import { overridesOf, seedAndDuration, type RunArgs } from "./run-command.js";

export type CheckArgs = Pick<RunArgs, "scenario" | "seed" | "duration" | "set" | "quiet">;

export function checkCommand(a: CheckArgs): number {
  const { seed, durationMs } = seedAndDuration(a);
  const scenario = loadScenario(a.scenario, { overrides: overridesOf(a.set ?? []) });
  if (!a.quiet) for (const w of scenario.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  const { expectations } = runScenario(scenario, { seed, durationMs }).summary;
  if (expectations.length === 0) {
    process.stdout.write(`${scenario.simulation.metadata.name}: no expectations to check\n`);
    return 0;
  }
  for (const e of expectations) process.stdout.write(`${e.ok ? "PASS" : "FAIL"}  ${e.text}  (actual ${e.actual ?? "none"})\n`);
  const failed = expectations.filter((e) => !e.ok).length;
  process.stdout.write(`${expectations.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
