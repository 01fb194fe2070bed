// `meshsim run SCENARIO`: load, simulate, write the reports, check the expectations.
import path from "node:path";
import { loadScenario, parseDuration, formatDiagnostic } from "../scenario/index.js";
import { runScenarioSliced } from "../runner/sliced-run.js";
import { Interrupt, SIGNAL_EXIT_CODE } from "../runner/interrupt.js";
import { checkBudget, estimateWork } from "../runner/work-estimate.js";
import { budgetOf, type BudgetArgs } from "./budget-options.js";
import { clearRunFiles, prepareOutFolder } from "./out-folder.js";
import { actualText, checksInOrder } from "./expectation-lines.js";
import { loadOptionsOf, type LoadArgs } from "./load-options.js";
import { ScenarioError } from "../scenario/index.js";
import { resourcePosition } from "../scenario/resource-position.js";
import type { Scenario } from "../scenario/model.js";
import { REPORT_FORMATS, summaryJson, writeReports, type ReportFormat } from "../report/write-reports.js";
import { UsageError } from "./exit.js";
import { OverrideError, parseOverrides, type Override } from "../scenario/overrides.js";
import { analyzeTimeline } from "../config/analyze-timeline.js";
import { formatTimed } from "./analyze-command.js";
import { uninjectedNamespaces } from "../config/namespace-injection.js";
import { streamedRecords } from "../report/streamed-file.js";
import { int } from "../report/number-text.js";
import { wallNowMs } from "../runner/wall-clock.js";

export interface RunArgs extends BudgetArgs, LoadArgs {
  scenario: string;
  seed?: number | undefined;
  duration?: string | undefined;
  out?: string | undefined;
  format: string;
  json: boolean;
  quiet: boolean;
  /** `--set [Kind/name:]path=value` overrides. */
  set?: readonly string[] | undefined;
  /** Listen for SIGINT/SIGTERM (default true); a sweep's replications leave signals to the sweep. */
  signals?: boolean | undefined;
  /** `scenario` with `set` loaded already (a sweep's point, cli/replication.ts): not loaded again. */
  loaded?: Scenario | undefined;
}

const FORMATS = REPORT_FORMATS;
export { DEFAULT_FORMATS } from "./default-formats.js";

/** `--seed` and `--duration` checked (exit 2 when invalid). */
export function seedAndDuration(a: Pick<RunArgs, "seed" | "duration">): { seed?: number | undefined; durationMs?: number | undefined } {
  if (a.seed !== undefined && !(Number.isSafeInteger(a.seed) && a.seed >= 0)) {
    throw new UsageError(`--seed: expected a non-negative integer, got ${a.seed}`);
  }
  if (a.duration === undefined) return { seed: a.seed };
  let durationMs: number;
  try {
    durationMs = parseDuration(a.duration);
  } catch (e) {
    throw new UsageError(`--duration: ${(e as Error).message}`);
  }
  if (!(durationMs > 0)) throw new UsageError(`--duration: must be longer than 0s`);
  return { seed: a.seed, durationMs };
}

export async function runCommand(a: RunArgs): Promise<number> {
  const formats = parseFormats(a.format);
  const { seed, durationMs } = seedAndDuration(a);
  const budget = budgetOf(a);
  if (a.out !== undefined) prepareOutFolder(a.out);
  const scenario = a.loaded ?? loadScenario(a.scenario, { overrides: overridesOf(a.set ?? []), ...loadOptionsOf(a) });
  if (formats.has("fortio")) checkFortioNames(scenario);
  checkBudget(estimateWork(scenario, { durationMs }), budget);
  const name = scenario.simulation.metadata.name;
  const out = a.out ?? path.join("reports", name);
  if (a.out === undefined) prepareOutFolder(out);
  clearRunFiles(out);
  if (!a.quiet) {
    for (const w of scenario.warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
    for (const m of analyzeTimeline(scenario)) process.stderr.write(`meshsim analyze: ${formatTimed(m)}\n`);
    for (const u of uninjectedNamespaces(scenario)) {
      process.stderr.write(`meshsim: namespace ${u.namespace}: ${u.deployments} Deployment${u.deployments === 1 ? "" : "s"} without sidecars: ${u.why} (see docs/injection.md)\n`);
    }
  }
  const progress = a.quiet ? undefined : process.stderr.isTTY ? progressBar() : progressLines();
  const records = streamedRecords(out, scenario.simulation.report, formats);
  const interrupt = a.signals === false ? new Interrupt() : new Interrupt().install();
  let outcome;
  try {
    outcome = await runScenarioSliced(scenario, { seed, durationMs, progress, records, interrupt });
  } finally {
    interrupt.remove();
  }
  await writeReports(out, formats, outcome.summary, outcome.recorder, { ...outcome.run, node: process.version });
  if (formats.has("fortio")) {
    const { writeFortioReports } = await import("../report/fortio.js");
    writeFortioReports(out, scenario, outcome.recorder);
  }
  const failed = outcome.summary.expectations.filter((e) => !e.ok);
  if (a.json) process.stdout.write(summaryJson(outcome.summary));
  const stopped = outcome.summary.interrupted;
  if (!a.quiet || stopped !== undefined) {
    const r = outcome.run;
    process.stderr.write(
      `meshsim: ${name}: ${outcome.summary.simulatedSeconds} simulated s in ${(r.wallMs / 1000).toFixed(2)} s wall ` +
        `(${int(Math.round(r.eventsPerSecond))} events/s); reports in ${out}/\n`,
    );
  }
  if (!a.quiet) {
    // A container whose working set is over its memory limit: the kernel would OOM-kill it (meshsim does not).
    for (const [pod, p] of Object.entries(outcome.summary.pods)) {
      for (const [c, k] of Object.entries(p.containers ?? {})) {
        if (k.overMemoryLimit === true) process.stderr.write(`meshsim: warning: pod ${pod}, container ${c}: working set ${k.memoryMB} MB is over its memory limit (the kernel would OOM-kill it)\n`);
      }
    }
  }
  if (stopped !== undefined) {
    process.stderr.write(`meshsim: ${name}: interrupted by ${interrupt.signal} at ${stopped.atSimulatedSeconds} simulated s; the reports cover the run up to there\n`);
    return SIGNAL_EXIT_CODE[interrupt.signal!];
  }
  if (!a.quiet) {
    const checks = checksInOrder(scenario);
    for (const [i, e] of outcome.summary.expectations.entries()) {
      const c = checks[i];
      process.stderr.write(`  ${e.ok ? "ok  " : "FAIL"} ${e.text} (actual ${c === undefined ? e.actual ?? "none" : actualText(c, e.actual)})\n`);
    }
  }
  return failed.length > 0 ? 1 : 0;
}

/**
 * A progress bar on standard error (only when it is a terminal): simulated time done, events/s and
 * the time left; shown once the run has taken more than a second.
 */
function progressBar(): (done: number, events: number) => void {
  const started = wallNowMs();
  return (done, events) => {
    const wall = (wallNowMs() - started) / 1000;
    if (wall < 1 && done < 1) return;
    const width = 30;
    const bar = "█".repeat(Math.round(done * width)).padEnd(width, "·");
    const eta = done > 0 ? (wall * (1 - done)) / done : 0;
    process.stderr.write(`\r${bar} ${(100 * done).toFixed(0).padStart(3)}%  ${int(Math.round(events / wall))} events/s  ETA ${eta.toFixed(0)} s `);
    if (done >= 1) process.stderr.write("\n");
  };
}

/** Progress for a log (standard error not a terminal): a plain line every 30 s of wall time. */
function progressLines(): (done: number, events: number) => void {
  const started = wallNowMs();
  let next = 30;
  return (done, events) => {
    const wall = (wallNowMs() - started) / 1000;
    if (wall < next || done >= 1) return;
    next = wall + 30;
    const eta = done > 0 ? (wall * (1 - done)) / done : 0;
    process.stderr.write(`meshsim: ${(100 * done).toFixed(0)}% simulated, ${int(Math.round(events / wall))} events/s, about ${eta.toFixed(0)} s left\n`);
  };
}

/** fortio-<name>.json must fit a file name (255 bytes on Linux, macOS and Windows file systems). */
function checkFortioNames(s: Scenario): void {
  const bad = s.loadGenerators.filter((lg) => Buffer.byteLength(`fortio-${lg.metadata.name}.json`) > 255);
  if (bad.length === 0) return;
  throw new ScenarioError(bad.map((lg) => ({
    severity: "error" as const, pos: resourcePosition(lg) ?? lg.pos, path: "metadata.name",
    message: `--format fortio: fortio-<name>.json would be longer than a file name may be (255 bytes); shorten the name to at most 242 characters`,
  })));
}

export function overridesOf(sets: readonly string[]): Override[] {
  try {
    return parseOverrides(sets);
  } catch (e) {
    if (e instanceof OverrideError) throw new UsageError(e.message);
    throw e;
  }
}

function parseFormats(s: string): Set<ReportFormat> {
  const set = new Set<ReportFormat>();
  if (s.trim() === "") throw new UsageError(`--format: no format named (known: ${FORMATS.join(", ")})`);
  for (const f of s.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(`--format: unknown format "${f}" (known: ${FORMATS.join(", ")})`);
    }
    set.add(f as ReportFormat);
  }
  if (set.size === 0) throw new UsageError(`--format: no format named (known: ${FORMATS.join(", ")})`);
  return set;
}
