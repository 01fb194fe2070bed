// Writes a run's files into its output folder (created if missing): summary.json (deterministic),
// report.md, report.html with histograms.json beside it (the latency bins the page draws, so that
// `meshsim report DIR` can draw it again), metrics.prom, and run.json (wall-clock facts, which never
// go into summary.json).
// The writers of report.md, report.html and metrics.prom are imported when their format is asked:
// a `--format json` run (every sweep replication) never evaluates them (docs/performance.md, Goal 2,
// session 21).
import fs from "node:fs";
import path from "node:path";
import type { Recorder } from "../telemetry/recorder.js";
import { summaryJson } from "./summary.js";
import type { Summary } from "./summary-types.js";

export { summaryJson };

/** accesslog, traces: streamed during the run (report/streamed-file.ts); fortio: report/fortio.ts. */
export type ReportFormat = "json" | "md" | "html" | "prom" | "accesslog" | "traces" | "fortio";

export const REPORT_FORMATS: readonly ReportFormat[] = ["json", "md", "html", "prom", "accesslog", "traces", "fortio"];

/** Wall-clock facts of a run (events/s, wallMs, node version, ...): run.json, never summary.json. */
export type RunInfo = Readonly<Record<string, unknown>>;

export interface ReportExtras {
  runInfo: RunInfo;
  /** Needed for metrics.prom (per code and flags series are not in the summary) and report.html's histograms. */
  recorder?: Recorder;
}

export function writeReports(dir: string, formats: ReadonlySet<ReportFormat>, summary: Summary, extras: ReportExtras): Promise<void>;
/** Positional form, as cli/run-command.ts calls it. */
export function writeReports(dir: string, formats: ReadonlySet<ReportFormat>, summary: Summary, recorder: Recorder, runInfo: RunInfo): Promise<void>;
export async function writeReports(
  dir: string, formats: ReadonlySet<ReportFormat>, summary: Summary, extras: ReportExtras | Recorder, runInfo?: RunInfo,
): Promise<void> {
  const { recorder, runInfo: run } = "runInfo" in extras ? extras : { recorder: extras, runInfo: runInfo ?? {} };
  if (formats.has("prom") && recorder === undefined) throw new Error("metrics.prom needs the run's recorder");
  if (formats.has("html") && recorder === undefined) throw new Error("report.html needs the run's recorder (for its histograms)");
  fs.mkdirSync(dir, { recursive: true });
  if (formats.has("json")) fs.writeFileSync(path.join(dir, "summary.json"), summaryJson(summary));
  if (formats.has("md")) {
    const { renderMarkdown } = await import("./markdown.js");
    fs.writeFileSync(path.join(dir, "report.md"), renderMarkdown(summary));
  }
  if (formats.has("html")) {
    const [{ buildHistograms, histogramsJson }, { renderHtml }] = await Promise.all([import("./latency-bins.js"), import("./html/report-page.js")]);
    const h = buildHistograms(recorder!, { meshsim: summary.meshsim, scenario: summary.scenario, seed: summary.seed });
    fs.writeFileSync(path.join(dir, "histograms.json"), histogramsJson(h));
    fs.writeFileSync(path.join(dir, "report.html"), renderHtml(summary, h));
  }
  if (formats.has("prom")) {
    const { writePrometheus } = await import("./prometheus.js");
    writePrometheus(path.join(dir, "metrics.prom"), recorder!, summary);
  }
  fs.writeFileSync(path.join(dir, "run.json"), `${JSON.stringify(run, null, 2)}\n`);
}
