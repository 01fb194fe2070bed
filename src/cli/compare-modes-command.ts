// `meshsim compare-modes SCENARIO`: "what would ambient change for us?" — the scenario run with no mesh,
// with sidecars and in ambient mode (runner/mesh-mode-runs.ts), each run's reports in <out>/<mode>/, and
// one page comparing them, compare-modes.md and compare-modes.html (and compare-modes.json), in <out>.
// Exit 0 when written; 1 when the scenario's `expect` failed in the run of its own mode (spec.mesh.mode
// as written); 2 invalid input (before any run); 3 internal error.
import fs from "node:fs";
import path from "node:path";
import { loadScenario } from "../scenario/index.js";
import { loadMeshModes, runMode } from "../runner/mesh-mode-runs.js";
import { checkBudget, estimateWork } from "../runner/work-estimate.js";
import { modeComparison, renderModeComparisonMarkdown, type ModeRunInput } from "../report/mode-comparison.js";
import { renderModeComparisonHtml } from "../report/html/mode-comparison-page.js";
import { writeReports } from "../report/write-reports.js";
import { budgetOf, type BudgetArgs } from "./budget-options.js";
import { UsageError } from "./exit.js";
import { loadOptionsOf, type LoadArgs } from "./load-options.js";
import { clearRunFiles, prepareOutFolder } from "./out-folder.js";
import { overridesOf, seedAndDuration } from "./run-command.js";

export interface CompareModesArgs extends BudgetArgs, LoadArgs {
  scenario: string;
  out?: string | undefined;
  seed?: number | undefined;
  duration?: string | undefined;
  set?: readonly string[] | undefined;
  quiet: boolean;
}

export async function compareModesCommand(a: CompareModesArgs): Promise<number> {
  const { seed, durationMs } = seedAndDuration(a);
  const budget = budgetOf(a);
  const overrides = overridesOf(a.set ?? []);
  if (overrides.some((o) => o.kind === undefined && o.path.join(".") === "spec.mesh.mode")) {
    throw new UsageError("--set spec.mesh.mode: compare-modes runs every mode itself; use `meshsim run --set spec.mesh.mode=...` for one");
  }
  if (a.out !== undefined) prepareOutFolder(a.out);
  const load = loadOptionsOf(a);
  // The scenario as written: its own mode decides the exit code.
  const own = loadScenario(a.scenario, { ...load, overrides });
  const modes = loadMeshModes(a.scenario, overrides, load);
  for (const m of modes.modes) checkBudget(estimateWork(m.scenario, { durationMs }), budget);
  const out = a.out ?? path.join("reports", `${own.simulation.metadata.name}-modes`);
  if (a.out === undefined) prepareOutFolder(out);
  const runs: ModeRunInput[] = [];
  let ownFailed = false;
  for (const m of modes.modes) {
    if (!a.quiet) process.stderr.write(`meshsim compare-modes: running spec.mesh.mode=${m.mode}\n`);
    const outcome = runMode(m, { seed, durationMs });
    const dir = path.join(out, m.mode);
    fs.mkdirSync(dir, { recursive: true });
    clearRunFiles(dir);
    await writeReports(dir, new Set(["json", "md", "html", "prom"] as const), outcome.summary, outcome.recorder, { ...outcome.run, node: process.version, mode: m.mode });
    runs.push({ mode: m.mode, summary: outcome.summary, dir });
    if (m.mode === own.simulation.mesh.mode && outcome.summary.expectations.some((e) => !e.ok)) ownFailed = true;
  }
  const c = modeComparison(runs, modes.findings, modes.migration, modes.notes);
  fs.writeFileSync(path.join(out, "compare-modes.json"), `${JSON.stringify(c, null, 2)}\n`);
  fs.writeFileSync(path.join(out, "compare-modes.md"), renderModeComparisonMarkdown(c));
  fs.writeFileSync(path.join(out, "compare-modes.html"), renderModeComparisonHtml(c));
  if (!a.quiet) process.stderr.write(`meshsim compare-modes: wrote ${path.join(out, "compare-modes.md")} and ${path.join(out, "compare-modes.html")}\n`);
  return ownFailed ? 1 : 0;
}
