// The acceptance checker's view of meshsim: scenarios written from Istio's and Envoy's docs, saved to
// a temporary folder and run through the real command line (`bin/meshsim.js`), never the internals.
import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/report/summary-types.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/meshsim.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function meshsim(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, several at once (commands that only read a scenario, e.g. proxy-config). */
export function meshsimAll(commands: string[][]): Promise<CliResult[]> {
  return Promise.all(commands.map((args) => new Promise<CliResult>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr });
    });
  })));
}

/** Writes the files (the first is the Simulation's) into a fresh folder; returns the first's path. */
export function scenarioFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-acceptance-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, Object.keys(files)[0]!);
}

export interface RunResult {
  summary: Summary;
  /** The --out folder: metrics.prom, access.log, ... */
  out: string;
  file: string;
}

/** `meshsim run FILE --json --quiet --out DIR`; fails loudly unless the run exits 0 or 1. */
export function run(files: Record<string, string>, ...extra: string[]): RunResult {
  const file = scenarioFiles(files);
  const out = path.join(path.dirname(file), "out");
  const r = meshsim("run", file, "--json", "--quiet", "--out", out, ...extra);
  if (r.code !== 0 && r.code !== 1) throw new Error(`meshsim run exited ${r.code}: ${r.stderr}`);
  return { summary: JSON.parse(r.stdout) as Summary, out, file };
}

/** A client's codes as the summary counts them, e.g. {"200": 12}. */
export function codes(s: Summary, client: string): Record<string, number> {
  const c = s.clients[client];
  if (c === undefined) throw new Error(`no client ${client} in ${Object.keys(s.clients).join(", ")}`);
  return c.codes;
}

/** The only code a client saw (throws if it saw several), as a string like "403". */
export function onlyCode(s: Summary, client: string): string {
  const keys = Object.keys(codes(s, client));
  if (keys.length !== 1) throw new Error(`${client} saw codes ${JSON.stringify(codes(s, client))}`);
  return keys[0]!;
}
