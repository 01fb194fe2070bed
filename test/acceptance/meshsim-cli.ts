// The acceptance checks run meshsim as a user does: a scenario file written from Istio's and Envoy's
// documentation, `meshsim run FILE --json --quiet`, and assertions on the summary.json it prints.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EdgeSummary, Summary } from "../../src/report/summary-types.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin/meshsim.js");
/** Istio's own sample manifests shipped with meshsim (samples/bookinfo/platform/kube, networking). */
export const BOOKINFO = path.join(ROOT, "scenarios/bookinfo/bookinfo.yaml");
export const BOOKINFO_NETWORKING = path.join(ROOT, "scenarios/bookinfo/networking");

/** Writes `yaml` to a temporary scenario file, runs the CLI on it and returns its summary.json. */
export function runCli(yaml: string): Summary {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-acceptance-"));
  const file = path.join(dir, "scenario.yaml");
  fs.writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [BIN, "run", file, "--json", "--quiet", "--out", path.join(dir, "out")], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`meshsim exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Summary;
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
