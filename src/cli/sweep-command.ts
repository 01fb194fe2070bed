// `meshsim sweep SCENARIO --set 'path=[a,b,c]' ...`: run the scenario at every point of the grid the
// swept fields make, R times each with seeds seed, seed+1, ..., as independent `meshsim run`
// processes (W at a time), then summarise each point with 95% confidence intervals (sweep.json,
// sweep.md). `--shard i/N` runs every N-th run only (for several machines); `meshsim merge` joins
// the shards' folders. Results do not depend on W or on the sharding: each run is its own process
// with its own seed, and the summary is built from the folders in a fixed order.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenario } from "../scenario/index.js";
import { OverrideError, parseSet, type Override } from "../scenario/overrides.js";
import { renderSweepMarkdown, sweepPoint, type SweepSummary } from "../report/sweep-summary.js";
import type { Summary } from "../report/summary-types.js";
import { readSummary, RunFolderError } from "../report/read-run.js";
import { UsageError } from "./exit.js";
import { indexedJobManifest } from "./indexed-job.js";

const BIN = fileURLToPath(new URL("../../bin/meshsim.js", import.meta.url));

export interface SweepArgs {
  scenario: string;
  set: readonly string[];
  replications: number;
  workers: number;
  shard?: string | undefined;
  out?: string | undefined;
  duration?: string | undefined;
  quiet: boolean;
  /** Print a Kubernetes Indexed Job running this many shards instead of running anything. */
  jobShards?: number | undefined;
  image?: string | undefined;
}

interface Axis { key: string; sets: string[]; values: unknown[] }

interface Task { point: string; seed: number; sets: string[]; dir: string }

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
  let seed = 0;
  let name = "";
  for (const p of points) {
    const overrides: Override[] = p.sets.map((text) => {
      const q = parseSet(text);
      return { ...q.target, value: q.values[0], text };
    });
    const s = loadScenario(a.scenario, { overrides });
    seed = s.simulation.seed;
    name = s.simulation.metadata.name;
  }
  if (a.jobShards !== undefined) {
    if (!(Number.isInteger(a.jobShards) && a.jobShards >= 1)) throw new UsageError("--job: expected the number of shards, an integer ≥ 1");
    const sweepArgs = [a.scenario, ...a.set.flatMap((s) => ["--set", s]), "--replications", String(a.replications)];
    if (a.duration !== undefined) sweepArgs.push("--duration", a.duration);
    const jobName = `meshsim-sweep-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 63).replace(/-+$/, "");
    process.stdout.write(indexedJobManifest({ name: jobName, shards: a.jobShards, image: a.image ?? "node:20", sweepArgs }));
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
      tasks.push({ point: id, seed: seed + r, sets: p.sets, dir: path.join(pointDir, `seed-${seed + r}`) });
    }
  });
  fs.writeFileSync(path.join(out, "axes.json"), `${JSON.stringify({ scenario: name, axes: axes.map((x) => ({ key: x.key, values: x.values })) }, null, 2)}\n`);
  let done = 0;
  const failures: string[] = [];
  const runOne = (t: Task): Promise<void> =>
    new Promise((resolve) => {
      const args = [BIN, "run", a.scenario, "--seed", String(t.seed), "--out", t.dir, "--format", "json", "--quiet", ...t.sets.flatMap((s) => ["--set", s])];
      if (a.duration !== undefined) args.push("--duration", a.duration);
      const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("close", (code) => {
        done++;
        if (code !== 0 && code !== 1) failures.push(`${t.point} seed ${t.seed}: exit ${code}: ${err.trim()}`);
        if (!a.quiet) process.stderr.write(`\rmeshsim sweep: ${done}/${tasks.length} runs`);
        resolve();
      });
    });
  const queue = [...tasks];
  await Promise.all(Array.from({ length: Math.min(a.workers, queue.length) }, async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) await runOne(t);
  }));
  if (!a.quiet && tasks.length > 0) process.stderr.write("\n");
  if (failures.length > 0) {
    process.stderr.write(`meshsim sweep: ${failures.length} run(s) failed:\n${failures.join("\n")}\n`);
    return 3;
  }
  if (shard.n > 1) {
    if (!a.quiet) process.stderr.write(`meshsim sweep: shard ${shard.i}/${shard.n} done in ${out}/; join the shards with \`meshsim merge\`\n`);
    return 0;
  }
  return writeSweep(out, [out], a.quiet);
}

/** Summarise the runs found in `dirs` (a sweep's folder, or several shards of one) into `out`. */
export function writeSweep(out: string, dirs: readonly string[], quiet: boolean): number {
  const byPoint = new Map<string, { set: Record<string, unknown>; runs: Map<number, Summary> }>();
  let axes: SweepSummary["axes"] = [];
  let scenario = "";
  for (const dir of dirs) {
    if (!fs.existsSync(path.join(dir, "axes.json"))) throw new UsageError(`${dir}: not a sweep folder (no axes.json)`);
    const ax = JSON.parse(fs.readFileSync(path.join(dir, "axes.json"), "utf8")) as { scenario: string; axes: SweepSummary["axes"] };
    if (scenario !== "" && (ax.scenario !== scenario || JSON.stringify(ax.axes) !== JSON.stringify(axes))) {
      throw new UsageError(`${dir}: a sweep of another scenario or grid than ${dirs[0]}`);
    }
    scenario = ax.scenario;
    axes = ax.axes;
    for (const id of fs.readdirSync(dir).filter((f) => /^p\d+$/.test(f)).sort()) {
      const pointDir = path.join(dir, id);
      const { set } = JSON.parse(fs.readFileSync(path.join(pointDir, "point.json"), "utf8")) as { set: Record<string, unknown> };
      let entry = byPoint.get(id);
      if (entry === undefined) byPoint.set(id, (entry = { set, runs: new Map() }));
      for (const runDir of fs.readdirSync(pointDir).filter((f) => f.startsWith("seed-"))) {
        const file = path.join(pointDir, runDir, "summary.json");
        if (!fs.existsSync(file)) continue;
        let s: Summary;
        try {
          s = readSummary(file);
        } catch (e) {
          if (e instanceof RunFolderError) throw new UsageError(e.message);
          throw e;
        }
        entry.runs.set(s.seed, s);
      }
    }
  }
  const summary: SweepSummary = {
    scenario, axes,
    points: [...byPoint.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([id, p]) => sweepPoint(id, p.set, [...p.runs.values()])),
  };
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "sweep.json"), `${JSON.stringify(summary, null, 2)}\n`);
  const md = renderSweepMarkdown(summary);
  fs.writeFileSync(path.join(out, "sweep.md"), md);
  if (!quiet) process.stderr.write(`meshsim sweep: ${summary.points.length} points; summary in ${out}/sweep.json and sweep.md\n`);
  process.stdout.write(md);
  return 0;
}
