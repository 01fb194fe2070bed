// Envoy's worker threads as FIFO single servers. "Once a connection is accepted by a listener, the
// connection spends the rest of its lifetime bound to a single worker thread"; workers do not
// coordinate and "rely on the kernel to perform adequate balancing"
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/intro/threading_model).
// With SO_REUSEPORT (Envoy's listener `enable_reuse_port`, on by default on Linux) the kernel hashes
// each connection's 4-tuple to one worker's socket: to the simulator, a uniform pick per connection.
//
// Each worker is one event loop: the CPU work of a pass (parsing, filters, routing, TLS) runs in
// arrival order, and the telemetry Envoy records after the response is sent occupies the worker
// too, delaying its next request ("since the worker is busy handling the request, the worker won't
// start handling the next request immediately", Istio performance page,
// https://istio.io/latest/docs/ops/deployment/performance-and-scalability/).
// A single server with FIFO order needs no event of its own: Lindley's recursion
// (start = max(arrival, previous end)) gives each pass's end at the moment it is queued, so the
// caller schedules one event for "the pass is done". Pure: the caller passes the clock.
// With a CPU limit the container's CFS quota (cfs-bandwidth.ts) may stall a worker until the next
// period: the pass then ends later than start + work.
import type { CfsBandwidth } from "./cfs-bandwidth.js";

export class WorkerThreads {
  /** When each worker has finished the work queued on it so far (ms). */
  readonly freeAt: Float64Array;
  /** CPU time queued on each worker so far (ms), including work after responses. */
  readonly busyMs: Float64Array;
  /** Passes queued, and their total and largest wait before their worker started them (ms). */
  passes = 0;
  /** When the last pass queued by `run` started (after its wait for the worker). */
  lastStart: number;
  waitMs: number;
  maxWaitMs: number;

  constructor(
    readonly concurrency: number,
    /** The container's CFS quota (proxy/resources/cfs-bandwidth.ts); null without a CPU limit. */
    readonly bandwidth: CfsBandwidth | null = null,
  ) {
    if (!(concurrency >= 1) || !Number.isInteger(concurrency)) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
    // Fields of fractional ms, doubles from their first store: V8 gives a field first set to 0 the
    // small-integer representation, and the first fraction stored then replaces the map of every such
    // object and deoptimizes the code optimized against it (docs/performance.md, Goal 4, session 17).
    this.lastStart = this.waitMs = this.maxWaitMs = 0.5;
    this.lastStart = this.waitMs = this.maxWaitMs = 0;
    this.freeAt = new Float64Array(concurrency);
    this.busyMs = new Float64Array(concurrency);
  }

  /** The worker a new connection is bound to, from a uniform draw u in [0, 1) (the kernel's hash). */
  pin(u: number): number {
    return Math.min(this.concurrency - 1, Math.floor(u * this.concurrency));
  }

  /**
   * Queue a pass's `workMs` of CPU on worker `w` at time `now`; returns when the pass ends. `mainMs`:
   * the main thread's share of the pass, which delays no worker but uses the CFS quota when the pass
   * starts (CfsBandwidth.runCharging).
   */
  run(w: number, now: number, workMs: number, mainMs: number): number {
    const free = this.freeAt[w]!;
    // Math.max, not `free > now ? free : now` (the same value: times are never NaN or -0): the
    // conditional merged a double with the caller's tagged `now`, and TurboFan boxed `start` in a
    // new HeapNumber at every pass (docs/performance.md, Goal 3, session 21).
    const start = Math.max(free, now);
    this.lastStart = start;
    const end = this.bandwidth === null ? start + workMs : this.bandwidth.runCharging(start, workMs, mainMs);
    this.freeAt[w] = end;
    this.busyMs[w]! += workMs;
    // A stall on the CFS quota is waiting too.
    const wait = (this.bandwidth === null ? start : end - workMs) - now;
    this.passes++;
    this.waitMs += wait;
    if (wait > this.maxWaitMs) this.maxWaitMs = wait;
    return end;
  }

  /** Work done after the response left (telemetry): it delays only later passes on that worker; returns its end. */
  runAfter(w: number, now: number, workMs: number): number {
    const free = this.freeAt[w]!;
    const start = Math.max(free, now); // (see run)
    const end = this.bandwidth === null ? start + workMs : this.bandwidth.run(start, workMs);
    this.freeAt[w] = end;
    this.busyMs[w]! += workMs;
    return end;
  }

  /** CPU milliseconds queued on all workers. */
  totalBusyMs(): number {
    let s = 0;
    for (let i = 0; i < this.concurrency; i++) s += this.busyMs[i]!;
    return s;
  }
}
