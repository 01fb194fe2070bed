// `meshsim check SCENARIO`: run the scenario and print only its expectations, one line each, as a CI
// job wants them; no report files. Exit 1 when one failed (0 when all held, or when there are none).
import { formatDiagnostic, loadScenario } from "../scenario/index.js";
import { runScenarioSliced } from "../runner/sliced-run.js";
import { Interrupt, SIGNAL_EXIT_CODE } from "../runner/interrupt.js";
import { checkBudget, estimateWork } from "../runner/work-estimate.js";
import { budgetOf, type BudgetArgs } from "./budget-options.js";
import { loadOptionsOf, type LoadArgs } from "./load-options.js";
import { actualText, checksInOrder } from "./expectation-lines.js";
import { overridesOf, seedAndDuration, type RunArgs } from "./run-command.js";

export type CheckArgs = Pick<RunArgs, "scenario" | "seed" | "duration" | "set" | "quiet"> & BudgetArgs & LoadArgs;

export async function checkCommand(a: CheckArgs): Promise<number> {
  const { seed, durationMs } = seedAndDuration(a);
  const budget = budgetOf(a);
  const scenario = loadScenario(a.scenario, { overrides: overridesOf(a.set ?? []), ...loadOptionsOf(a) });
  checkBudget(estimateWork(scenario, { durationMs }), budget);
  if (!a.quiet) for (const w of scenario.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  const interrupt = new Interrupt().install();
  let summary;
  try {
    summary = (await runScenarioSliced(scenario, { seed, durationMs, interrupt })).summary;
  } finally {
    interrupt.remove();
  }
  if (summary.interrupted !== undefined) {
    process.stderr.write(`meshsim check: interrupted by ${interrupt.signal} at ${summary.interrupted.atSimulatedSeconds} simulated s; nothing checked\n`);
    return SIGNAL_EXIT_CODE[interrupt.signal!];
  }
  const { expectations } = summary;
  if (expectations.length === 0) {
    process.stdout.write(`${scenario.simulation.metadata.name}: no expectations to check\n`);
    return 0;
  }
  const checks = checksInOrder(scenario);
  for (const [i, e] of expectations.entries()) {
    const c = checks[i];
    process.stdout.write(`${e.ok ? "PASS" : "FAIL"}  ${e.text}  (actual ${c === undefined ? e.actual ?? "none" : actualText(c, e.actual)})\n`);
  }
  const failed = expectations.filter((e) => !e.ok).length;
  process.stdout.write(`${expectations.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
