// The sweep's thread pool (src/cli/replication-pool.ts): every task runs exactly once whatever the
// number of threads, threads started early and not needed are ended, and a worker thread that dies
// fails only the replication it had taken (an internal error) while the other threads run the rest.
import { Worker } from "node:worker_threads";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runReplications } from "../../src/cli/replication-pool.js";
import type { ReplicationResult, ReplicationTask } from "../../src/cli/replication.js";
import { startReplicationThreads } from "../../src/cli/replication-threads.js";
import { tmpDir } from "../support/cli.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Tasks that fail at once (no such scenario: exit 2), to test the pool and not the simulation. */
function failingTasks(n: number): ReplicationTask[] {
  return Array.from({ length: n }, (_, id) => ({ id, scenario: path.join(ROOT, "no-such-scenario.yaml"), seed: id, out: path.join(tmpDir(), "run"), sets: [] }));
}

async function run(tasks: readonly ReplicationTask[], threads: number, started: Worker[] = []): Promise<ReplicationResult[]> {
  const done: ReplicationResult[] = [];
  await runReplications(tasks, threads, (r) => done.push(r), started);
  return done;
}

describe("runReplications", () => {
  it.each([1, 2, 3])("runs each of 12 tasks exactly once on %i thread(s)", async (threads) => {
    const done = await run(failingTasks(12), threads);
    expect(done.map((r) => r.id).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(done.every((r) => r.code === 2 && r.message.includes("no-such-scenario.yaml"))).toBe(true);
  });

  it("ends the threads started early that it does not need, and finishes", async () => {
    const started = startReplicationThreads(3);
    const exited = started.map((w) => new Promise<void>((resolve) => w.once("exit", () => resolve())));
    // Two tasks on 4 threads: the sweep's own thread and one worker at most.
    const done = await run(failingTasks(2), 4, started);
    expect(done).toHaveLength(2);
    await Promise.all(exited);
    expect(started.every((w) => w.threadId === -1)).toBe(true);
  });

  it("fails only the task a dying worker had taken, as an internal error, and runs the others", async () => {
    // A stand-in worker: takes one task from the shared queue the way sweep-worker.ts does, then
    // exits with code 7 before finishing it.
    const took = new Int32Array(new SharedArrayBuffer(4)).fill(-1);
    const dying = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       parentPort.once("message", (q) => { workerData[0] = Atomics.add(q.next, 0, 1); process.exit(7); });`,
      { eval: true, workerData: took },
    );
    dying.unref();
    const tasks = [
      // A real run first: long enough that the stand-in takes the second task meanwhile.
      { id: 0, scenario: path.join(ROOT, "scenarios/mmc.yaml"), seed: 1, out: tmpDir(), sets: [], duration: "30s" },
      ...failingTasks(6).slice(1),
    ];
    const done = await run(tasks, 2, [dying]);
    expect(done.map((r) => r.id).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    const taken = took[0]!;
    expect(taken).toBeGreaterThanOrEqual(0);
    for (const r of done) {
      if (r.id === taken) expect(r).toEqual({ id: taken, code: 3, message: "internal error: worker thread exited with code 7" });
      // The real run ran (0, or 1 where 30 s miss mmc.yaml's `expect`); the others failed as input errors.
      else expect(r.id === 0 ? [0, 1] : [2]).toContain(r.code);
    }
  });
});
