// Scale (issue 18, goal 4): the generated 10- and 1,000-service meshes (bench/mesh-generator.ts) run
// through the bin with every default report; peak RSS, and the cost per event at 1,000 services
// against 10 at equal work.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SHAPES, scenarioFile, type MeshShape } from "./mesh-generator.js";
import { BIN, measure } from "./whole-process.js";

export interface ScaleFigures { shape: MeshShape; services: number; peakRssMb: number; eventsPerS: number; cpuMs: number }

export function benchScale(sizes: readonly number[] = [10, 1000]): ScaleFigures[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const out: ScaleFigures[] = [];
  for (const shape of SHAPES) {
    for (const n of sizes) {
      const dir = path.join(tmp, `${shape}-${n}`);
      const m = measure([BIN, "run", scenarioFile(shape, n), "--quiet", "--out", dir]);
      const run = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8")) as { events: number; wallMs: number };
      out.push({ shape, services: n, peakRssMb: m.peakRssMb, eventsPerS: run.events / (run.wallMs / 1000), cpuMs: m.cpuMs });
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return out;
}
