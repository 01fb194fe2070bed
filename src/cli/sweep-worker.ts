// One long-lived worker thread of a sweep (cli/replication-threads.ts starts it, cli/replication-pool.ts
// hands it the sweep's queue): it takes replication after replication from the queue it is sent
// (cli/replication-queue.ts) and runs each (cli/replication.ts) without paying a process start and a
// module load for each, posting each result, then null once the queue is empty.
// https://nodejs.org/api/worker_threads.html
import { parentPort } from "node:worker_threads";
import { replicate } from "./replication.js";
import { takeTask, type ReplicationQueue } from "./replication-queue.js";
import type { WorkerMessage } from "./replication-pool.js";

if (parentPort !== null) {
  const port = parentPort;
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const drain = async (q: ReplicationQueue): Promise<void> => {
    for (let t = takeTask(q); t !== undefined; t = takeTask(q)) post(await replicate(t));
    post(null);
  };
  port.on("message", (q: ReplicationQueue) => void drain(q));
}
