// A sweep's replications as one queue that every thread of the sweep takes from: the task list (each
// thread has its own copy) and the index of the next task, in a SharedArrayBuffer that every thread
// sees. A thread that finishes a replication takes the next task itself (one atomic add), so no thread
// waits for the sweep's own thread to hand it work, none holds a task that another idle thread could
// run, and at the end no thread is left with more than the replication it is running.
// https://nodejs.org/api/worker_threads.html#portpostmessagevalue-transferlist (a SharedArrayBuffer
// is shared, not copied) · https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Atomics/add
import type { ReplicationTask } from "./replication.js";

export interface ReplicationQueue {
  readonly tasks: readonly ReplicationTask[];
  /** [0]: the index of the next task to take; past the end once all are taken. */
  readonly next: Int32Array;
}

export function replicationQueue(tasks: readonly ReplicationTask[]): ReplicationQueue {
  return { tasks, next: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) };
}

/** The next task, taken by this thread only; undefined once every task has been taken. */
export function takeTask(q: ReplicationQueue): ReplicationTask | undefined {
  const i = Atomics.add(q.next, 0, 1);
  return i < q.tasks.length ? q.tasks[i] : undefined;
}

/** How many tasks have been taken (by any thread). */
export function takenCount(q: ReplicationQueue): number {
  return Math.min(Atomics.load(q.next, 0), q.tasks.length);
}
