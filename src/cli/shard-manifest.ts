// shard.json: what one sweep shard was asked to run — the scenario, the grid, the replications, which
// shard of how many, and the run folders it owns — written once all of them have finished. `meshsim
// merge` reads it to refuse what would silently be a smaller sweep: a missing or duplicated shard, a
// shard of another sweep, an interrupted shard (no shard.json), a run folder without its summary.
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "./exit.js";

export const SHARD_FILE = "shard.json";

export interface ShardManifest {
  readonly scenario: string;
  readonly axes: readonly { readonly key: string; readonly values: readonly unknown[] }[];
  readonly replications: number;
  readonly shard: { readonly index: number; readonly count: number };
  /** Every run of this shard, as `<point>/seed-<seed>` relative to the shard's folder. */
  readonly runs: readonly string[];
}

export function writeShardManifest(dir: string, m: ShardManifest): void {
  fs.writeFileSync(path.join(dir, SHARD_FILE), `${JSON.stringify(m, null, 2)}\n`);
}

function readManifest(dir: string): ShardManifest {
  const file = path.join(dir, SHARD_FILE);
  if (!fs.existsSync(file)) {
    throw new UsageError(`${dir}: no ${SHARD_FILE}: not a finished sweep or shard (interrupted, still running, or not a sweep folder); run that shard again`);
  }
  let m: unknown;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const o = m as Partial<ShardManifest> | null;
  const ok = typeof o === "object" && o !== null && typeof o.scenario === "string" && Array.isArray(o.axes) &&
    Number.isInteger(o.replications) && typeof o.shard === "object" && o.shard !== null &&
    Number.isInteger(o.shard.index) && Number.isInteger(o.shard.count) && Array.isArray(o.runs) && o.runs.every((r) => typeof r === "string");
  if (!ok) throw new UsageError(`${file}: not a meshsim shard manifest`);
  return o as ShardManifest;
}

export interface CheckedRun { dir: string; run: string }

/**
 * The run folders of a complete sweep made of `dirs`, or an input error saying what is missing,
 * duplicated or foreign. Runs are listed in grid order (point, then seed), whatever the shards' order.
 */
export function checkShards(dirs: readonly string[]): { manifest: ShardManifest; runs: CheckedRun[] } {
  if (dirs.length === 0) throw new UsageError("name the folders of the sweep's shards");
  const manifests = dirs.map((d) => ({ dir: d, m: readManifest(d) }));
  const first = manifests[0]!;
  const count = first.m.shard.count;
  const byIndex = new Map<number, string>();
  for (const { dir, m } of manifests) {
    if (m.scenario !== first.m.scenario || JSON.stringify(m.axes) !== JSON.stringify(first.m.axes) || m.replications !== first.m.replications || m.shard.count !== count) {
      throw new UsageError(`${dir}: a shard of another sweep than ${first.dir} (scenario, grid, replications or shard count differ)`);
    }
    const seen = byIndex.get(m.shard.index);
    if (seen !== undefined) throw new UsageError(`shard ${m.shard.index}/${count} given twice: ${seen} and ${dir}`);
    byIndex.set(m.shard.index, dir);
  }
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(`${i}/${count}`);
  if (missing.length > 0) throw new UsageError(`missing shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: merge needs the folders of all ${count} shards`);
  const runs: CheckedRun[] = [];
  const owner = new Map<string, string>();
  for (const { dir, m } of manifests) {
    for (const run of m.runs) {
      if (owner.has(run)) throw new UsageError(`run ${run} is in two shards: ${owner.get(run)} and ${dir}`);
      owner.set(run, dir);
      if (!fs.existsSync(path.join(dir, run, "summary.json"))) throw new UsageError(`${path.join(dir, run)}: no summary.json (the shard's folder is incomplete); run that shard again`);
      runs.push({ dir, run });
    }
  }
  const points = first.m.axes.reduce((n, a) => n * a.values.length, 1);
  const expected = points * first.m.replications;
  if (runs.length !== expected) throw new UsageError(`the shards hold ${runs.length} runs, the sweep has ${expected} (${points} points × ${first.m.replications} replications)`);
  runs.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
  return { manifest: first.m, runs };
}
