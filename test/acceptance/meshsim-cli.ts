// The acceptance checks run meshsim as a user does: a scenario file written from Istio's and Envoy's
// documentation, `meshsim run FILE --json --quiet`, and assertions on the summary.json it prints.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EdgeSummary, Summary } from "../../src/report/summary-types.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/meshsim.js");
/** Istio's own sample manifests shipped with meshsim (samples/bookinfo/platform/kube, networking). */
export const BOOKINFO = path.join(ROOT, "scenarios/bookinfo/bookinfo.yaml");
export const BOOKINFO_NETWORKING = path.join(ROOT, "scenarios/bookinfo/networking");

/**
 * Writes `yaml` to a temporary scenario file, runs `meshsim run FILE --json --quiet` on it and
 * resolves to the summary.json it prints. Asynchronous, so that a file's checks (describe.concurrent)
 * run their processes side by side.
 */
export function runCli(yaml: string): Promise<Summary> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-acceptance-"));
  const file = path.join(dir, "scenario.yaml");
  fs.writeFileSync(file, yaml);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", file, "--json", "--quiet", "--out", path.join(dir, "out")], { cwd: ROOT });
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
