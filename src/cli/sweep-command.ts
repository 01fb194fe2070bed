// `meshsim sweep SCENARIO --set 'path=[a,b,c]' ...`: run the scenario at every point of the grid the
// swept fields make, R times each with seeds seed, seed+1, ..., on W long-lived worker threads
// (cli/replication-pool.ts), then summarise each point with 95% confidence intervals (sweep.json,
// sweep.md). `--shard i/N` runs every N-th run only (for several machines) and records what it ran in
// shard.json; `meshsim merge` joins the shards' folders and refuses missing or duplicated ones.
// Results do not depend on W or on the sharding: each run has its own seed and folder, and the
// summary is built from the folders in a fixed order. Exit 1 when a run's `expect` failed.
import fs from "node:fs";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { loadScenario } from "../scenario/index.js";
import { OverrideError, parseSet, type Override } from "../scenario/overrides.js";
import { renderSweepMarkdown, sweepPoint, type SweepSummary } from "../report/sweep-summary.js";
import type { Summary } from "../report/summary-types.js";
import { readSummary, RunFolderError } from "../report/read-run.js";
import { UsageError } from "./exit.js";
import { indexedJobManifest } from "./indexed-job.js";
import { runReplications } from "./replication-pool.js";
import { shareScenarios } from "./shared-scenario.js";
import { checkShards, writeShardManifest } from "./shard-manifest.js";
import type { ReplicationTask } from "./replication.js";

export interface SweepArgs {
  scenario: string;
  set: readonly string[];
  replications: number;
  workers: number;
  shard?: string | undefined;
  out?: string | undefined;
  duration?: string | undefined;
  quiet: boolean;
  /** Worker threads started already (cli/replication-threads.ts); the sweep starts the others it needs. */
  threads?: readonly Worker[] | undefined;
  /** Print a Kubernetes Indexed Job running this many shards instead of running anything. */
  jobShards?: number | undefined;
  image?: string | undefined;
  /** With jobShards: the PersistentVolumeClaim the pods write their results to. */
  pvc?: string | undefined;
}

interface Axis { key: string; sets: string[]; values: unknown[] }

interface Task extends ReplicationTask { point: string; run: string }

function axesOf(sets: readonly string[]): Axis[] {
  return sets.map((text) => {
    try {
      const p = parseSet(text);
      const valueText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
      return { key: p.key, values: p.values, sets: p.values.map((v) => `${p.key}=${valueText(v)}`) };
    } catch (e) {
      if (e instanceof OverrideError) throw new UsageError(e.message);
      throw e;
    }
  });
}

/** Every combination of one value per axis, first axis slowest. */
function grid(axes: Axis[]): { sets: string[]; values: unknown[] }[] {
  let points: { sets: string[]; values: unknown[] }[] = [{ sets: [], values: [] }];
  for (const a of axes) points = points.flatMap((p) => a.sets.map((s, i) => ({ sets: [...p.sets, s], values: [...p.values, a.values[i]] })));
  return points;
}

function parseShard(s: string | undefined): { i: number; n: number } {
  if (s === undefined) return { i: 1, n: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const i = Number(m?.[1]), n = Number(m?.[2]);
  if (m === null || n < 1 || i < 1 || i > n) throw new UsageError(`--shard: expected i/N with 1 ≤ i ≤ N, got ${JSON.stringify(s)}`);
  return { i, n };
}

export async function sweepCommand(a: SweepArgs): Promise<number> {
  if (a.set.length === 0) throw new UsageError("--set: name at least one field to sweep, e.g. --set 'LoadGenerator/users:spec.rate=[100,200]'");
  if (!(Number.isInteger(a.replications) && a.replications >= 1)) throw new UsageError("--replications: expected an integer ≥ 1");
  if (!(Number.isInteger(a.workers) && a.workers >= 1)) throw new UsageError("--workers: expected an integer ≥ 1");
  const shard = parseShard(a.shard);
  const axes = axesOf(a.set);
  const points = grid(axes);
  // Load every point here first: a bad value is an input error before any run starts.
  // Each point's scenario is kept, serialized, for its runs (cli/shared-scenario.ts), which then
  // read and parse no file.
  let seed = 0;
  let name = "";
  const loaded = shareScenarios(points, (p) => {
    const overrides: Override[] = p.sets.map((text) => {
      const q = parseSet(text);
      return { ...q.target, value: q.values[0], text };
    });
    const s = loadScenario(a.scenario, { overrides });
    seed = s.simulation.seed;
    name = s.simulation.metadata.name;
    return s;
  });
  if (a.jobShards !== undefined) {
    if (!(Number.isInteger(a.jobShards) && a.jobShards >= 1)) throw new UsageError("--job: expected the number of shards, an integer ≥ 1");
    if (a.image === undefined || a.image.trim() === "") {
      throw new UsageError("--job needs --image: a container image with meshsim on its PATH and the scenario under /work (docs/performance.md shows a Dockerfile)");
    }
    if (a.pvc === undefined || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(a.pvc) || a.pvc.length > 253) {
      throw new UsageError(`--job needs --pvc NAME: the PersistentVolumeClaim (ReadWriteMany) the shards and the merged sweep are written to${a.pvc === undefined ? "" : ` (got ${JSON.stringify(a.pvc)}, not a DNS-1123 name)`}`);
    }
    const sweepArgs = [a.scenario, ...a.set.flatMap((s) => ["--set", s]), "--replications", String(a.replications)];
    if (a.duration !== undefined) sweepArgs.push("--duration", a.duration);
    const jobName = `meshsim-sweep-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 57).replace(/-+$/, "");
    process.stdout.write(indexedJobManifest({ name: jobName, shards: a.jobShards, image: a.image, claimName: a.pvc, sweepArgs }));
    return 0;
  }
  const out = a.out ?? path.join("reports", `${name}-sweep`);
  const tasks: Task[] = [];
  points.forEach((p, k) => {
    const id = `p${String(k).padStart(3, "0")}`;
    const pointDir = path.join(out, id);
    fs.mkdirSync(pointDir, { recursive: true });
    const set = Object.fromEntries(axes.map((ax, j) => [ax.key, p.values[j]]));
    fs.writeFileSync(path.join(pointDir, "point.json"), `${JSON.stringify({ scenario: name, set }, null, 2)}\n`);
    for (let r = 0; r < a.replications; r++) {
      const t = k * a.replications + r;
      if (t % shard.n !== shard.i - 1) continue;
      const run = `${id}/seed-${seed + r}`;
      tasks.push({ id: tasks.length, point: id, run, seed: seed + r, sets: p.sets, out: path.join(out, run), scenario: a.scenario, duration: a.duration, loaded: loaded[k] });
    }
  });
  const axesOut = axes.map((x) => ({ key: x.key, values: x.values }));
  fs.writeFileSync(path.join(out, "axes.json"), `${JSON.stringify({ scenario: name, axes: axesOut }, null, 2)}\n`);
  // A previous manifest in a reused folder must not vouch for runs this sweep has not finished.
  fs.rmSync(path.join(out, "shard.json"), { force: true });
  let done = 0;
  const failures: string[] = [];
  const unmet: string[] = [];
  const progress = a.quiet ? undefined : progressLine(tasks.length);
  await runReplications(tasks, a.workers, (r) => {
    const t = tasks[r.id]!;
    done++;
    if (r.code === 1) unmet.push(`${t.point} seed ${t.seed}`);
    else if (r.code !== 0) failures.push(`${t.point} seed ${t.seed}: exit ${r.code}: ${r.message}`);
    progress?.(done);
  }, a.threads);
  if (failures.length > 0) {
    process.stderr.write(`meshsim sweep: ${failures.length} run(s) failed:\n${failures.join("\n")}\n`);
    return 3;
  }
  writeShardManifest(out, { scenario: name, axes: axesOut, replications: a.replications, shard: { index: shard.i, count: shard.n }, runs: tasks.map((t) => t.run) });
  if (shard.n > 1) {
    if (!a.quiet) {
      process.stderr.write(`meshsim sweep: shard ${shard.i}/${shard.n} done in ${out}/; join the shards with \`meshsim merge\`\n`);
      if (unmet.length > 0) process.stderr.write(`meshsim sweep: an expectation failed in ${unmet.length} of this shard's ${tasks.length} runs (${unmet.join(", ")})\n`);
    }
    return unmet.length > 0 ? 1 : 0;
  }
  return writeSweep(out, [out], a.quiet);
}

/**
 * Progress on standard error: a line redrawn with `\r` on a terminal; elsewhere (a log, CI) a plain
 * line at each tenth of the runs, so that no `\r` ends up in a file.
 */
function progressLine(total: number): (done: number) => void {
  const tty = process.stderr.isTTY === true;
  let shownTenth = 0;
  return (done) => {
    if (tty) {
      process.stderr.write(`\rmeshsim sweep: ${done}/${total} runs`);
      if (done === total) process.stderr.write("\n");
      return;
    }
    const tenth = Math.floor((10 * done) / total);
    if (tenth > shownTenth) {
      shownTenth = tenth;
      process.stderr.write(`meshsim sweep: ${done}/${total} runs\n`);
    }
  };
}

/**
 * Summarise a finished sweep — its own folder, or the folders of all its shards (`meshsim merge`) —
 * into `out`. Exit 1 when a run's `expect` failed, as for `meshsim run`.
 */
export function writeSweep(out: string, dirs: readonly string[], quiet: boolean): number {
  const { manifest, runs } = checkShards(dirs);
  const byPoint = new Map<string, { set: Record<string, unknown>; runs: Summary[] }>();
  let unmet = 0;
  for (const { dir, run } of runs) {
    const id = run.slice(0, run.indexOf("/"));
    let entry = byPoint.get(id);
    if (entry === undefined) {
      const { set } = JSON.parse(fs.readFileSync(path.join(dir, id, "point.json"), "utf8")) as { set: Record<string, unknown> };
      byPoint.set(id, (entry = { set, runs: [] }));
    }
    let s: Summary;
    try {
      s = readSummary(path.join(dir, run, "summary.json"));
    } catch (e) {
      if (e instanceof RunFolderError) throw new UsageError(e.message);
      throw e;
    }
    if (!s.expectations.every((x) => x.ok)) unmet++;
    entry.runs.push(s);
  }
  const summary: SweepSummary = {
    scenario: manifest.scenario, axes: manifest.axes,
    points: [...byPoint.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([id, p]) => sweepPoint(id, p.set, p.runs)),
  };
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "sweep.json"), `${JSON.stringify(summary, null, 2)}\n`);
  const md = renderSweepMarkdown(summary);
  fs.writeFileSync(path.join(out, "sweep.md"), md);
  if (!quiet) {
    process.stderr.write(`meshsim sweep: ${summary.points.length} points; summary in ${out}/sweep.json and sweep.md\n`);
    if (unmet > 0) process.stderr.write(`meshsim sweep: an expectation failed in ${unmet} of ${runs.length} runs (sweep.md's "expect met" column)\n`);
  }
  process.stdout.write(md);
  return unmet > 0 ? 1 : 0;
}
