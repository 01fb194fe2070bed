// Sweep throughput (issue 18, goal 5): the README's M/M/c sweep (3 points × 5 replications) as one
// `meshsim run` process per replication (how `sweep` ran them before) and in one `meshsim sweep` on 1
// and 2 threads; then longer sweeps of the same grid (3 × 20 and 3 × 60), where a thread's fixed cost
// (module load, JIT warm-up, the optimising compiler's work for its own V8 isolate) weighs less; and
// the README's capacity sweep (4 points × 5 replications of a 3,000 rps mesh, ≈ 0.3 s CPU each).
// Replications per second of wall time and per second of CPU time (the whole process tree's), each
// the median of ROUNDS runs with 1 and 2 threads interleaved, and whether the summaries are
// byte-identical. Wall times stretch with the machine's load, so each sweep also reports where its
// CPU went (the sweep's own thread, the worker threads, V8's and libuv's background threads) and the
// least wall time an idle 2-core machine could take for it: the larger of the sweep thread's CPU and
// half the process's (docs/performance.md, "Goal 5").
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, measure, median } from "./whole-process.js";

/** A sweep's grid: one field over some values. */
interface Grid { scenario: string; field: string; values: readonly number[] }
const MMC: Grid = { scenario: "scenarios/mmc.yaml", field: "Workload/server:spec.concurrency", values: [5, 6, 8] };
const CAPACITY: Grid = { scenario: "scenarios/capacity/replicas.yaml", field: "Deployment/checkout:spec.replicas", values: [10, 11, 12, 14] };
/** Runs of each sweep, 1 and 2 threads alternating: a loaded machine's noise hits both alike. */
const ROUNDS = 3;

/**
 * At exit, each thread's CPU from /proc/self/task/<tid>/schedstat (its first field: nanoseconds on a
 * CPU): the sweep's own thread is the task whose id is the pid, the others still alive are V8's and
 * libuv's; the worker threads have ended by then, so theirs is the process's total minus both.
 * Linux only: elsewhere the hook prints nothing and the split is NaN.
 * https://docs.kernel.org/scheduler/sched-stats.html
 */
const THREADS_HOOK = `data:text/javascript,import fs from "node:fs";process.on("exit",()=>{let main=0,bg=0;try{for(const t of fs.readdirSync("/proc/self/task")){const ns=Number(fs.readFileSync("/proc/self/task/"+t+"/schedstat","utf8").split(" ")[0]);if(t===String(process.pid))main+=ns;else bg+=ns}}catch{return}process.stderr.write("\\nmeshsim-threads "+JSON.stringify({mainMs:main/1e6,bgMs:bg/1e6})+"\\n")})`;

export interface Rate {
  perS: number;
  perCpuS: number;
  /** Medians of the CPU (ms) of the sweep's own thread, of its worker threads, and of the background threads. */
  mainMs: number;
  workersMs: number;
  backgroundMs: number;
  /** Median of max(the sweep thread's CPU, half the process's CPU): no idle 2-core machine is faster. */
  twoCoreMs: number;
}
export interface ThreadPair { replications: number; one: Rate; two: Rate; identical: boolean }
interface SweepRun { wallMs: number; cpuMs: number; mainMs: number; bgMs: number; json: string }
export interface SweepFigures {
  replications: number;
  processPerRun: { perS: number; perCpuS: number };
  one: Rate;
  two: Rate;
  longReplications: number;
  longOne: Rate;
  longTwo: Rate;
  longer: ThreadPair;
  /** The README's capacity sweep, 5 replications a point. */
  capacity: ThreadPair;
  identical: boolean;
}

export function benchSweep(): SweepFigures {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  let k = 0;
  const sweep = (g: Grid, replications: number, w: number): SweepRun => {
    const out = path.join(tmp, `r${replications}-w${w}-${k++}`);
    const m = measure(["--import", THREADS_HOOK, BIN, "sweep", g.scenario, "--set", `${g.field}=[${g.values.join(",")}]`, "-r", String(replications), "-w", String(w), "--quiet", "--out", out]);
    const json = fs.readFileSync(path.join(out, "sweep.json"), "utf8");
    fs.rmSync(out, { recursive: true, force: true });
    const t = /^meshsim-threads (\{.*\})$/m.exec(m.stderr);
    const threads = t === null ? { mainMs: Number.NaN, bgMs: Number.NaN } : (JSON.parse(t[1]!) as { mainMs: number; bgMs: number });
    return { wallMs: m.wallMs, cpuMs: m.cpuMs, mainMs: threads.mainMs, bgMs: threads.bgMs, json };
  };
  const pair = (replications: number, g = MMC): ThreadPair => {
    const one: SweepRun[] = [], two: SweepRun[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      one.push(sweep(g, replications, 1));
      two.push(sweep(g, replications, 2));
    }
    const n = g.values.length * replications;
    const rate = (xs: SweepRun[]): Rate => ({
      perS: n / (median(xs.map((x) => x.wallMs)) / 1000),
      perCpuS: n / (median(xs.map((x) => x.cpuMs)) / 1000),
      mainMs: median(xs.map((x) => x.mainMs)),
      workersMs: median(xs.map((x) => Math.max(0, x.cpuMs - x.mainMs - x.bgMs))),
      backgroundMs: median(xs.map((x) => x.bgMs)),
      twoCoreMs: median(xs.map((x) => Math.max(x.mainMs, x.cpuMs / 2))),
    });
    return { replications: n, one: rate(one), two: rate(two), identical: [...one, ...two].every((x) => x.json === one[0]!.json) };
  };
  const n = MMC.values.length * 5;
  let wallMs = 0, cpuMs = 0;
  for (const v of MMC.values) {
    for (let r = 0; r < 5; r++) {
      const out = path.join(tmp, "processes", `${v}-${r}`);
      const m = measure([BIN, "run", MMC.scenario, "--seed", String(1 + r), "--set", `${MMC.field}=${v}`, "--format", "json", "--quiet", "--out", out]);
      wallMs += m.wallMs;
      cpuMs += m.cpuMs;
    }
  }
  const short = pair(5), long = pair(20), longer = pair(60), capacity = pair(5, CAPACITY);
  fs.rmSync(tmp, { recursive: true, force: true });
  return {
    replications: n, processPerRun: { perS: n / (wallMs / 1000), perCpuS: n / (cpuMs / 1000) }, one: short.one, two: short.two,
    longReplications: long.replications, longOne: long.one, longTwo: long.two, longer, capacity,
    identical: short.identical && long.identical && longer.identical && capacity.identical,
  };
}
