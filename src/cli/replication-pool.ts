// A sweep's replications on W long-lived threads: the sweep's own thread, which has meshsim loaded
// already, and W - 1 worker threads (cli/sweep-worker.ts, started by cli/replication-threads.ts,
// usually before the sweep's own modules load). Each thread loads meshsim once and then runs
// replication after replication, taking each from one shared queue (cli/replication-queue.ts), so a
// short replication costs its simulation, not a Node start and a module load (≈ 1 s of CPU when each
// was a process); a worker thread still costs a module load and a JIT warm-up of its own (≈ 0.1-0.3 s
// of CPU), hence none when W = 1. Which thread runs which replication does not matter: each writes
// its own folder from its own seed.
import type { Worker } from "node:worker_threads";
import { replicate, type ReplicationResult, type ReplicationTask } from "./replication.js";
import { replicationQueue, takeTask, takenCount } from "./replication-queue.js";
import { earlyFailureOf, startReplicationThread } from "./replication-threads.js";

/** What a worker thread posts: a replication's result, or null once the queue is empty. */
export type WorkerMessage = ReplicationResult | null;

/**
 * Run every task on `threads` threads; `onDone` is called once per task as it finishes. `started`:
 * worker threads already started (startReplicationThreads); the pool starts any more it needs, and
 * ends those it does not need.
 */
export function runReplications(
  tasks: readonly ReplicationTask[], threads: number, onDone: (r: ReplicationResult) => void,
  started: readonly Worker[] = [],
): Promise<void> {
  const queue = replicationQueue(tasks);
  const reported = new Uint8Array(tasks.length);
  const report = (r: ReplicationResult): void => {
    if (reported[r.id] === 1) return;
    reported[r.id] = 1;
    onDone(r);
  };
  let crash = "";
  // The sweep's own thread runs one replication at least: a worker for each of the others, at most.
  const workers = Math.min(threads - 1, Math.max(0, tasks.length - 1));
  for (const w of started.slice(workers)) void w.terminate();
  return new Promise((resolve) => {
    let live = 1;
    const finished = (): void => {
      if (--live > 0) return;
      // A task a crashed thread had taken and not finished fails as an internal error (no other
      // thread takes it: the queue only moves forward).
      for (let id = 0; id < takenCount(queue); id++) {
        if (reported[id] === 0) report({ id, code: 3, message: `internal error: ${crash}` });
      }
      resolve();
    };
    const adopt = (w: Worker): void => {
      live++;
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        void w.terminate();
        finished();
      };
      // A crash of the thread itself (not a failed run, which replication.ts reports as a result):
      // the replication it held fails, and a fresh thread takes its place while tasks remain.
      const crashed = (why: string): void => {
        if (ended) return;
        crash = why;
        if (takenCount(queue) < tasks.length) adopt(startReplicationThread());
        end();
      };
      // A thread that ended before this pool listened to it (threadId is -1 once it has exited).
      if (w.threadId === -1) return crashed(earlyFailureOf(w) ?? "worker thread exited before its first replication");
      w.ref();
      w.on("message", (m: WorkerMessage) => (m === null ? end() : report(m)));
      w.on("error", (e) => crashed(e.message));
      w.on("exit", (code) => crashed(earlyFailureOf(w) ?? `worker thread exited with code ${code}`));
      w.postMessage(queue);
    };
    for (let i = 0; i < workers; i++) adopt(started[i] ?? startReplicationThread());
    // The sweep's own thread: one replication at a time, letting the workers' messages in between.
    const own = (): void => {
      const t = takeTask(queue);
      if (t === undefined) return finished();
      void replicate(t).then((r) => {
        report(r);
        setImmediate(own);
      });
    };
    setImmediate(own);
  });
}
