// A sweep's replications on W long-lived threads: the sweep's own thread, which has meshsim loaded
// already, and W - 1 worker threads (cli/sweep-worker.ts). Each thread loads meshsim once and then
// runs replication after replication, so a short replication costs its simulation, not a Node start
// and a module load (≈ 1 s of CPU when each was a process); a worker thread still costs a module
// load and a JIT warm-up of its own (≈ 0.1-0.3 s of CPU), hence none when W = 1. Which thread runs
// which replication does not matter: each writes its own folder from its own seed.
import { Worker } from "node:worker_threads";
import { replicate, type ReplicationResult, type ReplicationTask } from "./replication.js";

/**
 * The worker's module beside this one: sweep-worker.ts when the sources run directly (npm run dev,
 * tests), sweep-worker.js in dist/ and in the bundle (esbuild.config.mjs writes this module's chunk
 * into dist/bin/, beside dist/bin/sweep-worker.js).
 */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(FROM_SOURCES ? "./sweep-worker.ts" : "./sweep-worker.js", import.meta.url);

/** tsx's loader hooks do not reach worker threads: a worker running the sources registers its own. */
function startWorker(): Worker {
  if (!FROM_SOURCES) return new Worker(WORKER_URL);
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(boot, { eval: true });
}

/**
 * Replications a worker holds at once: the next one is already queued in the thread when it finishes
 * one, so it does not wait for the sweep's own thread to finish a replication and hand it another.
 */
const IN_FLIGHT = 2;

/** Run every task on `threads` threads; `onDone` is called once per task as it finishes. */
export function runReplications(
  tasks: readonly ReplicationTask[], threads: number, onDone: (r: ReplicationResult) => void,
): Promise<void> {
  const queue = [...tasks];
  return new Promise((resolve) => {
    let live = 1;
    const finished = (): void => {
      if (--live === 0) resolve();
    };
    const start = (): void => {
      if (queue.length === 0) return;
      live++;
      const w = startWorker();
      const held: ReplicationTask[] = [];
      let ended = false;
      const give = (): void => {
        const t = queue.shift();
        if (t === undefined) return;
        held.push(t);
        w.postMessage(t);
      };
      const end = (): void => {
        if (ended) return;
        ended = true;
        void w.terminate();
        finished();
      };
      w.on("message", (r: ReplicationResult) => {
        held.splice(held.findIndex((t) => t.id === r.id), 1);
        onDone(r);
        give();
        if (held.length === 0) end();
      });
      // A crash of the thread itself (not a failed run, which replication.ts reports as a result):
      // the replications it held fail as internal errors, and a fresh thread takes the rest.
      const crashed = (why: string): void => {
        if (ended) return;
        for (const t of held.splice(0)) onDone({ id: t.id, code: 3, message: `internal error: ${why}` });
        start();
        end();
      };
      w.on("error", (e) => crashed(e.message));
      w.on("exit", (code) => crashed(`worker thread exited with code ${code}`));
      for (let i = 0; i < IN_FLIGHT; i++) give();
    };
    for (let i = 1; i < threads; i++) start();
    // The sweep's own thread: one replication at a time, letting the workers' messages in between.
    const own = (): void => {
      const t = queue.shift();
      if (t === undefined) return finished();
      void replicate(t).then((r) => {
        onDone(r);
        setImmediate(own);
      });
    };
    setImmediate(own);
  });
}
