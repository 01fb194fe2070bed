// Sweep throughput (issue 18, goal 5): the README's M/M/c sweep (3 points × 5 replications) as one
// `meshsim run` process per replication (how `sweep` ran them before) and in one `meshsim sweep` on 1
// and 2 threads; then a longer sweep (3 × 20) on 1 and 2 threads, where a thread's fixed cost (module
// load, JIT warm-up) weighs less. Replications per second of wall time and per second of CPU time
// (the whole process tree's), and whether the summaries are byte-identical.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, measure } from "./whole-process.js";

const SCENARIO = "scenarios/mmc.yaml";
const FIELD = "Workload/server:spec.concurrency";
const VALUES = [5, 6, 8];

export interface Rate { perS: number; perCpuS: number }
export interface SweepFigures {
  replications: number;
  processPerRun: Rate;
  one: Rate;
  two: Rate;
  longReplications: number;
  longOne: Rate;
  longTwo: Rate;
  identical: boolean;
}

export function benchSweep(): SweepFigures {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const sweep = (replications: number, w: number): Rate & { json: string } => {
    const out = path.join(tmp, `r${replications}-w${w}`);
    const m = measure([BIN, "sweep", SCENARIO, "--set", `${FIELD}=[${VALUES.join(",")}]`, "-r", String(replications), "-w", String(w), "--quiet", "--out", out]);
    const n = VALUES.length * replications;
    return { perS: n / (m.wallMs / 1000), perCpuS: n / (m.cpuMs / 1000), json: fs.readFileSync(path.join(out, "sweep.json"), "utf8") };
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
  const one = sweep(5, 1), two = sweep(5, 2), longOne = sweep(20, 1), longTwo = sweep(20, 2);
  fs.rmSync(tmp, { recursive: true, force: true });
  return {
    replications: n, processPerRun: { perS: n / (wallMs / 1000), perCpuS: n / (cpuMs / 1000) }, one, two,
    longReplications: VALUES.length * 20, longOne, longTwo, identical: one.json === two.json && longOne.json === longTwo.json,
  };
}
