// Start-up (issue 18, goal 1): `meshsim --version` and a trivial run against Node's own start
// (`node -e 0`), whole processes, interleaved so that a change in the machine's load hits all alike.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, measure, median } from "./whole-process.js";

export interface StartupFigures { nodeMs: number; versionMs: number; trivialRunMs: number }

export function benchStartup(rounds = 11): StartupFigures {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const node: number[] = [], version: number[] = [], run: number[] = [];
  for (let i = 0; i < rounds; i++) {
    node.push(measure(["-e", "0"], { hook: false }).wallMs);
    version.push(measure([BIN, "--version"], { hook: false }).wallMs);
    run.push(measure([BIN, "run", "scenarios/mmc.yaml", "--duration", "1s", "--format", "json", "--quiet", "--out", out], { hook: false }).wallMs);
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { nodeMs: median(node), versionMs: median(version), trivialRunMs: median(run) };
}
