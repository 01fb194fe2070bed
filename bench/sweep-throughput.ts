// Sweep throughput (issue 18, goal 5): the README's M/M/c sweep (3 points × 5 replications) as one
// `meshsim run` process per replication (how `sweep` ran them before) and on 1 and 2 long-lived
// worker threads; replications per second, and whether the summaries are byte-identical.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, measure } from "./whole-process.js";

const SCENARIO = "scenarios/mmc.yaml";
const FIELD = "Workload/server:spec.concurrency";
const VALUES = [5, 6, 8];
const REPLICATIONS = 5;

export interface SweepFigures {
  replications: number;
  processPerRunPerS: number;
  oneWorkerPerS: number;
  twoWorkersPerS: number;
  identical: boolean;
}

export function benchSweep(): SweepFigures {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const n = VALUES.length * REPLICATIONS;
  let processMs = 0;
  for (const v of VALUES) {
    for (let r = 0; r < REPLICATIONS; r++) {
      const out = path.join(tmp, "processes", `${v}-${r}`);
      processMs += measure([BIN, "run", SCENARIO, "--seed", String(1 + r), "--set", `${FIELD}=${v}`, "--format", "json", "--quiet", "--out", out], { hook: false }).wallMs;
    }
  }
  const sweep = (w: number) => {
    const out = path.join(tmp, `w${w}`);
    const m = measure([BIN, "sweep", SCENARIO, "--set", `${FIELD}=[${VALUES.join(",")}]`, "-r", String(REPLICATIONS), "-w", String(w), "--quiet", "--out", out], { hook: false });
    return { perS: n / (m.wallMs / 1000), json: fs.readFileSync(path.join(out, "sweep.json"), "utf8") };
  };
  const one = sweep(1);
  const two = sweep(2);
  fs.rmSync(tmp, { recursive: true, force: true });
  return { replications: n, processPerRunPerS: n / (processMs / 1000), oneWorkerPerS: one.perS, twoWorkersPerS: two.perS, identical: one.json === two.json };
}
