// Start-up (issue 18, goal 1): `meshsim --version` and a trivial run against Node's own start
// (`node -e 0`), whole processes, interleaved so that a change in the machine's load hits all alike.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, envWithoutExtraCaCerts, measure, median } from "./whole-process.js";

export interface StartupTimes { nodeMs: number; versionMs: number; trivialRunMs: number }
export interface StartupFigures extends StartupTimes {
  /** The same without NODE_EXTRA_CA_CERTS, when this process has it (whole-process.ts says why). */
  withoutExtraCaCerts: StartupTimes | null;
}

export function benchStartup(rounds = 11): StartupFigures {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const plain = envWithoutExtraCaCerts();
  const times = (env: NodeJS.ProcessEnv | undefined) => {
    const node: number[] = [], version: number[] = [], run: number[] = [];
    return {
      round(): void {
        node.push(measure(["-e", "0"], { hook: false, env }).wallMs);
        version.push(measure([BIN, "--version"], { hook: false, env }).wallMs);
        run.push(measure([BIN, "run", "scenarios/mmc.yaml", "--duration", "1s", "--format", "json", "--quiet", "--out", out], { hook: false, env }).wallMs);
      },
      medians: (): StartupTimes => ({ nodeMs: median(node), versionMs: median(version), trivialRunMs: median(run) }),
    };
  };
  const asIs = times(undefined), without = plain !== null ? times(plain) : null;
  for (let i = 0; i < rounds; i++) {
    asIs.round();
    without?.round();
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { ...asIs.medians(), withoutExtraCaCerts: without?.medians() ?? null };
}
