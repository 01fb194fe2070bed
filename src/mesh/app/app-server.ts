// The application in a pod: `concurrency` slots, a FIFO waiting room of `queueLimit` beyond the
// requests being served (an arrival finding it full gets the app's own 503: M/M/c/K with
// K = concurrency + queueLimit), and the Workload's script. `blocking` threading holds a slot for the whole
// request, calls included (a thread per request); `async` holds one only while computing.
import { youngCopy } from "../../engine/young-copy.js";
import type { Simulator } from "../../engine/simulator.js";
import type { AppCall, AppCalls, CallOwner } from "./app-call.js";
import type { CompiledBehaviour, CompiledStep } from "./compiled-script.js";
import type { Origin, OutgoingRequest, Responder } from "../transport.js";
import type { ContainerCpu } from "../kube/container-cpu.js";
import { withForwardedHeaders } from "./call-request.js";
import { RequestLog, type RequestContext } from "../../telemetry/request-log.js";
import type { Span } from "../../telemetry/trace-recorder.js";
import { spanServiceName, withContext } from "../request-records.js";

/** What the pod's stats need to know (implemented by telemetry's per-pod stats). */
export interface AppObserver {
  /** The number of busy slots changed at the clock's time (PodStats.busyNow: the clock, not a boxed time). */
  busyNow(clock: Simulator, busy: number): void;
  served(now: number): void;
}

/** Shared machinery of all app servers in one world. */
export class Apps {
  readonly kComputeDone: number;
  constructor(readonly sim: Simulator, readonly calls: AppCalls, readonly log: RequestLog | null = null) {
    this.kComputeDone = sim.on((c: Cursor) => c.app.computeDone(c));
  }
}

/**
 * A request being served by the app, and its position in the Workload's script: the root cursor of
 * the script's walk. A parallel block's branches are cursors of the same class whose `sr` is the
 * request they belong to, so the one common case (a script without parallel blocks) makes one object
 * per request, not two, and every site sees one shape.
 */
export class ServedRequest implements CallOwner {
  done = false;
  holdsSlot = false;
  /** What the app's calls carry on (x-request-id, this request's span as parent); null when off. */
  ctx: RequestContext | null = null;
  /** The app's own work, in a sampled trace. */
  span: Span | null = null;
  /** The next step of `steps`. */
  i = 0;
  /**
   * Async threading: the CPU time this cursor waits in the queue to compute (for a slot to compute,
   * not to start); -1 when it is not waiting for one (a duration is never negative: Simulator.after
   * refuses one). One field for the flag and the time, and the
   * request's own found through its join: two fields less in an object made for every request
   * (docs/performance.md, Goal 2, session 27).
   */
  pendingMs = -1;
  constructor(
    readonly app: AppServer,
    readonly req: OutgoingRequest,
    readonly responder: Responder,
    readonly steps: CompiledStep[],
    /** A branch of a parallel block: the block waiting for it; null for the request itself. */
    readonly join: Join | null,
  ) {}
  /** The request this cursor walks the script of: itself, or for a branch, the request. */
  get sr(): ServedRequest {
    return this.join === null ? this : this.join.sr;
  }
  onCallDone(call: AppCall): void {
    this.app.callDone(this, call);
  }
  /** Its compute step had its CPU (mesh/kube/container-cpu.ts). */
  computeDone(): void {
    this.app.computeDone(this);
  }
}

/** A position in a script (a parallel block's branch, or the request itself). */
type Cursor = ServedRequest;

class Join {
  /** The request whose script the block is part of. */
  readonly sr: ServedRequest;
  constructor(public remaining: number, readonly parent: Cursor) {
    this.sr = parent.sr;
  }
}

/** A FIFO ring of waiting items that grows by doubling (no per-item allocation); its size is a power
 *  of two, so an index wraps with a mask, not a division. */
class Fifo<T> {
  // Arrays of objects from the start (`fill`), as in engine/event-queue.ts: the same map in every run.
  private buf: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  private mask = 15;
  private head = 0;
  /** Pushes until `buf` is copied into a fresh array (`renew`). */
  private pushesToRenew = 128;
  length = 0;
  push(x: T): void {
    if (this.length === this.buf.length) this.grow();
    if (--this.pushesToRenew === 0) this.renew();
    this.buf[(this.head + this.length) & this.mask] = x;
    this.length++;
  }
  /** A fresh copy of the ring every 128 pushes (or its length, if larger), so that a waiting request
   *  is stored without the write barrier's slow path (engine/young-copy.ts). A copy at every 16 pushes
   *  allocated enough to cost the collector what it saved. */
  private renew(): void {
    const n = this.buf.length;
    this.pushesToRenew = n > 128 ? n : 128;
    this.buf = youngCopy(this.buf);
  }
  private grow(): void {
    // Twice the size by concat, not `new Array(2n)`: once optimized, `new Array` follows its
    // allocation site's later kind, so the next run's grow would see another map and deoptimize.
    const n = this.buf.concat(this.buf);
    for (let k = 0; k < this.length; k++) n[k] = this.buf[(this.head + k) & this.mask];
    n.fill(undefined, this.length);
    this.buf = n;
    this.mask = n.length - 1;
    this.head = 0;
  }
  shift(): T {
    const x = this.buf[this.head] as T;
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return x;
  }
}

export class AppServer {
  /** The app container's CPU (set by the world; null: compute is a plain delay, not counted). */
  cpu: ContainerCpu | null = null;
  busy = 0;
  /** Blocking: requests waiting for a slot. Async: cursors waiting to compute. */
  private readonly queue = new Fifo<Cursor>();
  /** The world's clock, held here: `rt.sim` was a load and a map check more at each of a request's reads. */
  private readonly sim: Simulator;

  constructor(
    private readonly rt: Apps,
    public behaviour: CompiledBehaviour,
    /** Where the app's own calls come from (its pod). */
    readonly origin: Origin,
    private observer: AppObserver,
    /** Uniform draws deciding which requests the app fails (its `errorRate`). */
    readonly errorDraw: () => number,
  ) {
    this.sim = rt.sim;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** A request reaches the application (after the inbound sidecar, if any). */
  arrive(req: OutgoingRequest, responder: Responder): ServedRequest {
    const b = this.behaviour;
    const sr = new ServedRequest(this, req, responder, b.script, null);
    if (req.ctx) this.traceStart(sr, req.ctx);
    // A free slot for a blocking app here, every other case in a method apart: the direct path's send
    // inlines this function, and its bytecode counts against TurboFan's inlining budget there
    // (docs/performance.md, Goal 2, session 23).
    if (b.async !== true && this.busy < b.concurrency) this.take(sr);
    else this.notTaken(sr, b);
    return sr;
  }

  /** Async threading, or no free slot: the script's walk, the queue, or 503 when it is full. */
  private notTaken(sr: ServedRequest, b: CompiledBehaviour): void {
    if (b.async) this.run(sr);
    else if (this.queue.length < b.queueLimit) this.queue.push(sr);
    else this.finish(sr, 503);
  }

  /**
   * The app propagates the request's context to its calls (as Bookinfo's apps forward x-request-id
   * and the B3 headers); a sampled request gets a span for the app's work.
   */
  private traceStart(sr: ServedRequest, ctx: RequestContext): void {
    sr.ctx = ctx;
    const log = this.rt.log;
    if (ctx.trace === null || log === null) return;
    const pod = this.origin.pod;
    const local = pod !== null ? { serviceName: spanServiceName({ ...pod, workload: this.origin.workload }), ipv4: pod.ip } : { serviceName: this.origin.workload, ipv4: "" };
    sr.span = log.openSpan(ctx, "LOCAL", `${sr.req.method} ${sr.req.path}`, this.sim.now, local);
    sr.span.tags["component"] = "app";
    sr.ctx = RequestLog.child(ctx, sr.span);
  }

  /** The pod died: every request it holds is dropped without an answer (the caller sees a reset). */
  dropAll(): void {
    while (this.queue.length > 0) {
      this.queue.shift().sr.done = true;
    }
  }

  /**
   * The process died (a crash or a kill): its queue is dropped and its slots are free, and it reports
   * nothing more — what it still had in flight ends silently (a restart runs a new AppServer).
   */
  crash(): void {
    this.dropAll();
    this.observer.busyNow(this.sim, 0);
    this.observer = DETACHED;
  }

  private take(sr: ServedRequest): void {
    this.setBusy(this.busy + 1);
    this.begin(sr);
  }

  /** A request that has taken a slot starts its script. */
  private begin(sr: ServedRequest): void {
    sr.holdsSlot = true;
    // A script of one compute step (M/M/c's): its walk's first turn, decided when the script was
    // compiled. `steps`, not the app's behaviour: a `set` may have changed that since the request came.
    const one = sr.steps === this.behaviour.script ? this.behaviour.oneCompute : null;
    if (one !== null) {
      sr.i = 1;
      this.startCompute(sr, one());
    } else this.run(sr);
  }

  private setBusy(n: number): void {
    this.busy = n;
    this.observer.busyNow(this.sim, n);
  }

  /** Give a freed slot to the next waiter in FIFO order. The common case (nobody waits) here, the
   *  waiting room's loop apart: the answer's path inlines this (TurboFan's inlining budget,
   *  docs/performance.md, Goal 2, session 24). */
  private releaseSlot(): void {
    if (this.queue.length === 0) this.setBusy(this.busy - 1);
    else this.serveWaiting();
  }

  /**
   * A slot freed with requests waiting: the next ones in FIFO order take the free slots. The busy count
   * changes here all happen at one instant, so the observer is told once, of the count they end at:
   * a time integral (telemetry/pod-stats.ts `busyNow`) adds nothing between changes at the same
   * time, and a waiter taking the slot just freed leaves the count as it was. The report is made even
   * then: it closes the integral's term at this time as the two reports did, so the integral is
   * summed in the same steps and every summary stays byte-identical. One call instead of a
   * `setBusy` down and one up per waiter, on the path of the 37 % of M/M/5's requests that wait
   * (docs/performance.md, Goal 2, sessions 22 and 24).
   */
  private serveWaiting(): void {
    this.busy--;
    while (this.queue.length > 0 && this.busy < this.behaviour.concurrency) {
      const next = this.queue.shift();
      const ms = next.pendingMs;
      if (ms >= 0) {
        next.pendingMs = -1;
        if (next.sr.done) continue;
        this.busy++;
        this.startCompute(next, ms);
      } else {
        if (next.done) continue;
        this.busy++;
        this.begin(next);
      }
    }
    this.observer.busyNow(this.sim, this.busy);
  }

  /** Walk the script from the cursor until it must wait (compute, call) or ends. */
  private run(c: Cursor): void {
    const sr = c.sr;
    while (!sr.done) {
      if (c.i >= c.steps.length) {
        const join = c.join;
        if (join === null) {
          this.complete(sr);
          return;
        }
        if (--join.remaining > 0) return;
        c = join.parent;
        continue;
      }
      const step = c.steps[c.i++]!;
      // The walk itself stays small, each step's work in a method of its own: TurboFan inlines callees
      // into an optimized function only up to a budget of bytecode (V8 src/compiler/js-inlining-heuristic.cc
      // JSInliningHeuristic::Reduce), and bytecode of steps a request does not take spends it too
      // (docs/performance.md, Goal 2, sessions 18 and 19).
      switch (step.kind) {
        case "compute":
          if (this.behaviour.async) this.computeAsync(c, step.sample());
          else this.startCompute(c, step.sample());
          return;
        case "call":
          this.call(c, step);
          return;
        case "parallel":
          if (step.steps.length === 0) continue;
          this.parallel(c, step);
          return;
      }
    }
  }

  /** Async threading: a compute step takes a slot for its CPU, waits for one, or is refused. */
  private computeAsync(c: Cursor, ms: number): void {
    if (this.busy < this.behaviour.concurrency) {
      this.setBusy(this.busy + 1);
    } else if (this.queue.length < this.behaviour.queueLimit) {
      c.pendingMs = ms;
      this.queue.push(c);
      return;
    } else {
      this.finish(c.sr, 503);
      return;
    }
    this.startCompute(c, ms);
  }

  private call(c: Cursor, step: Extract<CompiledStep, { kind: "call" }>): void {
    const sr = c.sr;
    let req = withForwardedHeaders(step.request, sr.req.headers, step.forwardHeaders);
    if (sr.ctx !== null) req = withContext(req, sr.ctx);
    this.rt.calls.start(this.origin, req, step.timeoutMs, step.retries, c, step.conn);
  }

  /** A parallel block (not empty): each branch runs until it waits; the block's join resumes `c`. */
  private parallel(c: Cursor, step: Extract<CompiledStep, { kind: "parallel" }>): void {
    const sr = c.sr;
    const join = new Join(step.steps.length, c);
    for (const s of step.steps) {
      this.run(new ServedRequest(this, sr.req, sr.responder, [s], join));
      if (sr.done) return;
    }
  }

  /** A compute step: CPU of the app container when it is modelled, else a plain delay. */
  private startCompute(c: Cursor, ms: number): void {
    const cpu = this.cpu;
    if (cpu !== null && cpu.compute(this.sim.now, ms, c)) return;
    this.sim.after(ms, this.rt.kComputeDone, c);
  }

  computeDone(c: Cursor): void {
    if (this.behaviour.async) this.releaseSlot();
    if (!c.sr.done) this.run(c);
  }

  callDone(c: Cursor, call: AppCall): void {
    if (c.sr.done) return;
    const step = c.steps[c.i - 1] as Extract<CompiledStep, { kind: "call" }>;
    if (!call.ok && step.failOnError) {
      this.finish(c.sr, 500);
      return;
    }
    this.run(c);
  }

  /** The script ran to its end: the app answers, with its own error rate. */
  private complete(sr: ServedRequest): void {
    const e = this.behaviour.errorRate;
    this.finish(sr, e > 0 && this.errorDraw() < e ? 500 : 200);
  }

  private finish(sr: ServedRequest, status: number): void {
    sr.done = true;
    if (sr.holdsSlot) {
      sr.holdsSlot = false;
      this.releaseSlot();
    }
    this.observer.served(this.sim.now);
    // A body size to draw or a span to close in a method apart (the answer's path inlines this).
    if (this.behaviour.responseSize !== null || sr.span !== null) this.answerWithExtras(sr, status);
    else sr.responder.onResponse(status, "-", 0);
  }

  private answerWithExtras(sr: ServedRequest, status: number): void {
    const size = this.behaviour.responseSize;
    const bytes = size !== null ? size() : 0;
    if (sr.span !== null) this.closeSpan(sr.span, status);
    sr.responder.onResponse(status, "-", bytes);
  }

  private closeSpan(span: Span, status: number): void {
    span.tags["http.status_code"] = String(status);
    if (status >= 500) span.tags["error"] = "true";
    this.rt.log!.closeSpan(span, this.sim.now);
  }
}

/** The observer of a process that is gone. */
const DETACHED: AppObserver = { busyNow() {}, served() {} };
