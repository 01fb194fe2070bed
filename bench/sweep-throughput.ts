// Sweep throughput (issue 18, goal 5): the README's M/M/c sweep (3 points × 5 replications) as one
// `meshsim run` process per replication (how `sweep` ran them before) and in one `meshsim sweep` on 1
// and 2 threads; then longer sweeps of the same grid (3 × 20 and 3 × 60), where a thread's fixed cost
// (module load, JIT warm-up, the optimising compiler's work for its own V8 isolate) weighs less.
// Replications per second of wall time and per second of CPU time (the whole process tree's), each
// the median of ROUNDS runs with 1 and 2 threads interleaved, and whether the summaries are
// byte-identical.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, measure, median } from "./whole-process.js";

const SCENARIO = "scenarios/mmc.yaml";
const FIELD = "Workload/server:spec.concurrency";
const VALUES = [5, 6, 8];
/** Runs of each sweep, 1 and 2 threads alternating: a loaded machine's noise hits both alike. */
const ROUNDS = 3;

export interface Rate { perS: number; perCpuS: number }
export interface ThreadPair { replications: number; one: Rate; two: Rate; identical: boolean }
export interface SweepFigures {
  replications: number;
  processPerRun: Rate;
  one: Rate;
  two: Rate;
  longReplications: number;
  longOne: Rate;
  longTwo: Rate;
  longer: ThreadPair;
  identical: boolean;
}

export function benchSweep(): SweepFigures {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  let k = 0;
  const sweep = (replications: number, w: number): { wallMs: number; cpuMs: number; json: string } => {
    const out = path.join(tmp, `r${replications}-w${w}-${k++}`);
    const m = measure([BIN, "sweep", SCENARIO, "--set", `${FIELD}=[${VALUES.join(",")}]`, "-r", String(replications), "-w", String(w), "--quiet", "--out", out]);
    const json = fs.readFileSync(path.join(out, "sweep.json"), "utf8");
    fs.rmSync(out, { recursive: true, force: true });
    return { wallMs: m.wallMs, cpuMs: m.cpuMs, json };
  };
  const pair = (replications: number): ThreadPair => {
    const one: ReturnType<typeof sweep>[] = [], two: ReturnType<typeof sweep>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      one.push(sweep(replications, 1));
      two.push(sweep(replications, 2));
    }
    const n = VALUES.length * replications;
    const rate = (xs: ReturnType<typeof sweep>[]): Rate => ({ perS: n / (median(xs.map((x) => x.wallMs)) / 1000), perCpuS: n / (median(xs.map((x) => x.cpuMs)) / 1000) });
    return { replications: n, one: rate(one), two: rate(two), identical: [...one, ...two].every((x) => x.json === one[0]!.json) };
  };
  const n = VALUES.length * 5;
  let wallMs = 0, cpuMs = 0;
  for (const v of VALUES) {
    for (let r = 0; r < 5; r++) {
      const out = path.join(tmp, "processes", `${v}-${r}`);
      const m = measure([BIN, "run", SCENARIO, "--seed", String(1 + r), "--set", `${FIELD}=${v}`, "--format", "json", "--quiet", "--out", out]);
      wallMs += m.wallMs;
      cpuMs += m.cpuMs;
    }
  }
  const short = pair(5), long = pair(20), longer = pair(60);
  fs.rmSync(tmp, { recursive: true, force: true });
  return {
    replications: n, processPerRun: { perS: n / (wallMs / 1000), perCpuS: n / (cpuMs / 1000) }, one: short.one, two: short.two,
    longReplications: long.replications, longOne: long.one, longTwo: long.two, longer,
    identical: short.identical && long.identical && longer.identical,
  };
}
