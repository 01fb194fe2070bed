// A report file written while the run goes (access.log, traces.json): text arrives in batches from
// telemetry/ and goes straight to the file, so nothing per request stays in memory.
import fs from "node:fs";
import path from "node:path";
import type { LineSink } from "../telemetry/line-sink.js";

export class StreamedFile implements LineSink {
  private fd: number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, "w");
  }

  write(text: string): void {
    fs.writeSync(this.fd, text);
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * The streamed files a run writes into `dir`: access.log when the Simulation's `report.accessLog`
 * or `--format accesslog` asks, traces.json when `report.traces` or `--format traces` does.
 */
export function streamedRecords(
  dir: string, report: { accessLog: boolean; traces: { enabled: boolean } }, formats: ReadonlySet<string>,
): { accessLog?: StreamedFile; traces?: StreamedFile } {
  const out: { accessLog?: StreamedFile; traces?: StreamedFile } = {};
  if (report.accessLog || formats.has("accesslog")) out.accessLog = new StreamedFile(path.join(dir, "access.log"));
  if (report.traces.enabled || formats.has("traces")) out.traces = new StreamedFile(path.join(dir, "traces.json"));
  return out;
}
