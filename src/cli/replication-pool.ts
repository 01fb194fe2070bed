// A sweep's replications on W long-lived worker threads (cli/sweep-worker.ts): each thread loads
// meshsim once and then runs replication after replication, so a short replication costs its
// simulation, not a Node start and a module load (≈ 1 s of CPU when each was a process). Which thread
// runs which replication does not matter: each writes its own folder from its own seed.
import { Worker } from "node:worker_threads";
import type { ReplicationResult, ReplicationTask } from "./sweep-worker.js";

/**
 * The worker's module beside this one: sweep-worker.ts when the sources run directly (npm run dev,
 * tests), sweep-worker.js in dist/ and in the bundle (esbuild.config.mjs keeps this module in the
 * entry file dist/bin/meshsim.js, beside dist/bin/sweep-worker.js).
 */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(FROM_SOURCES ? "./sweep-worker.ts" : "./sweep-worker.js", import.meta.url);

/** tsx's loader hooks do not reach worker threads: a worker running the sources registers its own. */
function startWorker(): Worker {
  if (!FROM_SOURCES) return new Worker(WORKER_URL);
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(boot, { eval: true });
}

/** Run every task on `workers` threads; `onDone` is called once per task as it finishes. */
export function runReplications(
  tasks: readonly ReplicationTask[], workers: number, onDone: (r: ReplicationResult) => void,
): Promise<void> {
  const queue = [...tasks];
  const threads = Math.min(workers, queue.length);
  return new Promise((resolve) => {
    let live = 0;
    const start = (): void => {
      const first = queue.shift();
      if (first === undefined) return;
      live++;
      const w = startWorker();
      let current: ReplicationTask = first;
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        void w.terminate();
        if (--live === 0) resolve();
      };
      w.on("message", (r: ReplicationResult) => {
        onDone(r);
        const next = queue.shift();
        if (next === undefined) return end();
        current = next;
        w.postMessage(next);
      });
      // A crash of the thread itself (not a failed run, which sweep-worker.ts reports as a result):
      // the replication it held fails as an internal error, and a fresh thread takes the rest.
      const crashed = (why: string): void => {
        if (ended) return;
        onDone({ id: current.id, code: 3, message: `internal error: ${why}` });
        start();
        end();
      };
      w.on("error", (e) => crashed(e.message));
      w.on("exit", (code) => crashed(`worker thread exited with code ${code}`));
      w.postMessage(first);
    };
    if (threads === 0) return resolve();
    for (let i = 0; i < threads; i++) start();
  });
}
