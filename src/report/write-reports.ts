// Writes a run's files into its output folder: summary.json (deterministic), report.md,
// metrics.prom, and run.json (wall-clock facts, which never go into summary.json).
import fs from "node:fs";
import path from "node:path";
import type { Recorder } from "../telemetry/recorder.js";
import { renderMarkdown } from "./markdown.js";
import { renderPrometheus } from "./prometheus.js";
import type { Summary } from "./summary-types.js";

export type ReportFormat = "json" | "md" | "prom";

export function summaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

export function writeReports(dir: string, formats: ReadonlySet<ReportFormat>, summary: Summary, recorder: Recorder, run: object): void {
  fs.mkdirSync(dir, { recursive: true });
  if (formats.has("json")) fs.writeFileSync(path.join(dir, "summary.json"), summaryJson(summary));
  if (formats.has("md")) fs.writeFileSync(path.join(dir, "report.md"), renderMarkdown(summary));
  if (formats.has("prom")) fs.writeFileSync(path.join(dir, "metrics.prom"), renderPrometheus(recorder));
  fs.writeFileSync(path.join(dir, "run.json"), `${JSON.stringify(run, null, 2)}\n`);
}
