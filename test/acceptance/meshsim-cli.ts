// The acceptance checker's view of meshsim: scenarios written from Istio's and Envoy's docs, saved to
// a temporary folder and run through the real command line (`bin/meshsim.js`), never the internals;
// assertions are on the summary.json it prints and the files it writes.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EdgeSummary, Summary } from "../../src/report/summary-types.js";
import { BIN, ROOT, meshsim } from "../support/cli.js";

export { meshsim };

/** Istio's own sample manifests shipped with meshsim (samples/bookinfo/platform/kube, networking). */
export const BOOKINFO = path.join(ROOT, "scenarios/bookinfo/bookinfo.yaml");
export const BOOKINFO_NETWORKING = path.join(ROOT, "scenarios/bookinfo/networking");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Several commands at once (commands that only read a scenario, e.g. proxy-config). */
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

/**
 * `meshsim run` on one scenario text, resolving to the summary.json it prints. Asynchronous, so that
 * a file's checks (describe.concurrent) run their processes side by side.
 */
export function runCli(yaml: string): Promise<Summary> {
  const file = scenarioFiles({ "scenario.yaml": yaml });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", file, "--json", "--quiet", "--out", path.join(path.dirname(file), "out")], { cwd: ROOT });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`meshsim exited ${code}: ${Buffer.concat(err).toString()}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as Summary);
    });
  });
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

/** Edges from `source` (optionally to `destination`), summed. */
export function edgeRequests(s: Summary, source: string, destination?: string): number {
  return edges(s, source, destination).reduce((n, e) => n + e.requests, 0);
}

export function edges(s: Summary, source: string, destination?: string): EdgeSummary[] {
  return s.edges.filter((e) => e.source === source && (destination === undefined || e.destination === destination));
}

/** Envoy cluster counters of `workload`'s sidecar for the cluster whose name contains `clusterPart`. */
export function counters(s: Summary, workload: string, clusterPart = ""): Record<string, number> {
  const byCluster = s.clusters[workload] ?? {};
  const name = Object.keys(byCluster).find((n) => n.includes(clusterPart));
  if (name === undefined) throw new Error(`no cluster matching ${clusterPart} for ${workload}: ${Object.keys(byCluster).join(", ")}`);
  return byCluster[name]!;
}
