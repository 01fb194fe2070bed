// One long-lived worker thread of a sweep (cli/replication-pool.ts starts them): it runs replication
// after replication exactly as `meshsim run SCENARIO --seed S --out DIR --format json --quiet` would,
// without paying a process start and a module load for each. A replication's summary.json depends
// only on the scenario, the overrides and the seed (every draw comes from a stream seeded per run),
// so it is byte-identical to the one a separate process writes.
// https://nodejs.org/api/worker_threads.html
import { parentPort } from "node:worker_threads";
import { ScenarioError } from "../scenario/index.js";
import { UsageError } from "./exit.js";
import { runCommand } from "./run-command.js";

export interface ReplicationTask {
  readonly id: number;
  readonly scenario: string;
  readonly seed: number;
  readonly out: string;
  readonly sets: readonly string[];
  readonly duration?: string | undefined;
}

export interface ReplicationResult {
  readonly id: number;
  /** `meshsim run`'s exit code: 0, 1 (an expectation failed), 2 (invalid input), 3 (internal error). */
  readonly code: number;
  readonly message: string;
}

function replicate(t: ReplicationTask): ReplicationResult {
  try {
    const code = runCommand({ scenario: t.scenario, seed: t.seed, duration: t.duration, out: t.out, format: "json", json: false, quiet: true, set: t.sets });
    return { id: t.id, code, message: "" };
  } catch (e) {
    // The same mapping as cli/exit.ts, without ending the thread.
    if (e instanceof ScenarioError || e instanceof UsageError) return { id: t.id, code: 2, message: e.message };
    return { id: t.id, code: 3, message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  port.on("message", (t: ReplicationTask) => port.postMessage(replicate(t)));
}
