// The worker threads of a sweep (cli/sweep-worker.ts), started apart from the pool that uses them
// (cli/replication-pool.ts): the sweep command starts them before it loads its own modules and checks
// its grid, so that a thread's module load (≈ 0.1 s of CPU) runs on the other core meanwhile. This
// module imports nothing of meshsim, so that starting threads waits for nothing.
import { Worker } from "node:worker_threads";

/**
 * The worker's module beside this one: sweep-worker.ts when the sources run directly (npm run dev,
 * tests), sweep-worker.js in tsc's dist/cli/ (`npm run build`). In the script the bin runs
 * (dist/bin/command-script.cjs, whose URL stands for import.meta.url there: cli/script-cache.ts) the
 * worker runs that same script through its entry, command-script-entry.cjs (CommonJS: no ES module
 * loader to set up in the worker), with the sweep's cache.
 */
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const FROM_SCRIPT = import.meta.url.endsWith(".cjs");
const WORKER_URL = new URL(FROM_SOURCES ? "./sweep-worker.ts" : FROM_SCRIPT ? "./command-script-entry.cjs" : "./sweep-worker.js", import.meta.url);

/** Why a thread failed before a pool listened to it (its 'error' event came and went). */
const earlyFailures = new WeakMap<Worker, string>();

/**
 * One worker thread, not yet holding the process open (unref'd): a sweep that ends before it runs a
 * replication (bad input) exits as if the thread were not there. The pool refs it.
 */
export function startReplicationThread(): Worker {
  // tsx's loader hooks do not reach worker threads: a worker running the sources registers its own.
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  const w = FROM_SOURCES ? new Worker(boot, { eval: true }) : new Worker(WORKER_URL);
  // An 'error' with no listener would be thrown in this thread; the pool reads it with earlyFailureOf.
  w.on("error", (e) => earlyFailures.set(w, e.message));
  w.unref();
  return w;
}

export function startReplicationThreads(count: number): Worker[] {
  return Array.from({ length: count }, startReplicationThread);
}

export function earlyFailureOf(w: Worker): string | undefined {
  return earlyFailures.get(w);
}
