// One replication of a sweep: exactly `meshsim run SCENARIO --seed S --out DIR --format json --quiet
// [--set ...] [--duration D]`, as a function returning run's exit code instead of ending a process.
// A replication's summary.json depends only on the scenario, the overrides and the seed (every draw
// comes from a stream seeded per run), so it is byte-identical wherever it runs: in the sweep's own
// thread, in a worker thread after other replications, or in a process of its own.
import { ScenarioError } from "../scenario/index.js";
import { sharedScenario } from "./shared-scenario.js";
import { UsageError } from "./exit.js";
import { runCommand } from "./run-command.js";

export interface ReplicationTask {
  readonly id: number;
  readonly scenario: string;
  readonly seed: number;
  readonly out: string;
  readonly sets: readonly string[];
  readonly duration?: string | undefined;
  /**
   * `scenario` with `sets` as the sweep loaded it when it checked its grid, serialized in memory all
   * threads share (cli/shared-scenario.ts): a run deserializes a copy of its own instead of reading
   * and parsing the files again. Parsing was ≈ 6 % of a short replication's CPU, and the optimising
   * compiler's work on the YAML parser's large functions (made hot by one parse per replication)
   * over half of the background compiler's, which a second thread has no core to spare for
   * (docs/performance.md, "Goal 5").
   */
  readonly loaded?: Uint8Array | undefined;
}

export interface ReplicationResult {
  readonly id: number;
  /** `meshsim run`'s exit code: 0, 1 (an expectation failed), 2 (invalid input), 3 (internal error). */
  readonly code: number;
  readonly message: string;
}

export async function replicate(t: ReplicationTask): Promise<ReplicationResult> {
  try {
    const loaded = t.loaded === undefined ? undefined : sharedScenario(t.loaded);
    const code = await runCommand({ scenario: t.scenario, seed: t.seed, duration: t.duration, out: t.out, format: "json", json: false, quiet: true, set: t.sets, signals: false, loaded });
    return { id: t.id, code, message: "" };
  } catch (e) {
    // The same mapping as cli/exit.ts, without ending the thread.
    if (e instanceof ScenarioError || e instanceof UsageError) return { id: t.id, code: 2, message: e.message };
    return { id: t.id, code: 3, message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
  }
}
