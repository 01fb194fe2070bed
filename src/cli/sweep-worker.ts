// One long-lived worker thread of a sweep (cli/replication-pool.ts starts them): it runs replication
// after replication (cli/replication.ts) without paying a process start and a module load for each.
// https://nodejs.org/api/worker_threads.html
import { parentPort } from "node:worker_threads";
import { replicate, type ReplicationTask } from "./replication.js";

if (parentPort !== null) {
  const port = parentPort;
  port.on("message", (t: ReplicationTask) => void replicate(t).then((r) => port.postMessage(r)));
}
