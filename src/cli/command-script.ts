// The command line as one script (a CommonJS bundle, esbuild.config.mjs) that cli/script-cache.ts runs
// with V8's code cache: the command on the main thread, a sweep's replications in its worker threads
// (cli/replication-threads.ts starts them on the same script). One script, so that one cache, made after
// a sweep's replications ran, holds what a worker compiles too.
import { isMainThread } from "node:worker_threads";

void (isMainThread ? import("./main.js") : import("./sweep-worker.js"));
