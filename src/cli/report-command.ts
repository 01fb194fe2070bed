// `meshsim report DIR [--vs DIR]`: draw report.md and report.html again from a run's summary.json
// (and histograms.json when present), or compare two runs into comparison.md (also printed) and
// comparison.html. A folder that is not a run's output is an input error (exit 2).
import fs from "node:fs";
import path from "node:path";
import { compareSummaries } from "../report/compare.js";
import { renderComparisonMarkdown } from "../report/compare-markdown.js";
import { renderComparisonHtml } from "../report/html/comparison-page.js";
import { renderHtml } from "../report/html/report-page.js";
import { renderMarkdown } from "../report/markdown.js";
import { readRunFolder, RunFolderError, type RunFolder } from "../report/read-run.js";
import { UsageError } from "./exit.js";

export interface ReportArgs {
  dir: string;
  vs?: string | undefined;
  /** Where comparison.md and comparison.html go (default DIR). */
  out?: string | undefined;
  quiet: boolean;
}

function read(dir: string): RunFolder {
  try {
    return readRunFolder(dir);
  } catch (e) {
    if (e instanceof RunFolderError) throw new UsageError(e.message);
    throw e;
  }
}

export function reportCommand(a: ReportArgs): number {
  const run = read(a.dir);
  if (a.vs === undefined) {
    fs.writeFileSync(path.join(a.dir, "report.md"), renderMarkdown(run.summary));
    fs.writeFileSync(path.join(a.dir, "report.html"), renderHtml(run.summary, run.histograms));
    if (!a.quiet) {
      if (run.note !== null) process.stderr.write(`meshsim report: ${run.note}\n`);
      process.stderr.write(`meshsim report: wrote ${path.join(a.dir, "report.md")} and ${path.join(a.dir, "report.html")}\n`);
    }
    return 0;
  }
  const before = read(a.vs);
  const c = compareSummaries(before.summary, run.summary, { before: a.vs, after: a.dir });
  const out = a.out ?? a.dir;
  fs.mkdirSync(out, { recursive: true });
  const md = renderComparisonMarkdown(c);
  fs.writeFileSync(path.join(out, "comparison.md"), md);
  fs.writeFileSync(path.join(out, "comparison.html"), renderComparisonHtml(c));
  process.stdout.write(md);
  if (!a.quiet) process.stderr.write(`meshsim report: wrote ${path.join(out, "comparison.md")} and ${path.join(out, "comparison.html")}\n`);
  return 0;
}
