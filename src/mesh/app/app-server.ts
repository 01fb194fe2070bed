// The application in a pod: `concurrency` slots, a FIFO waiting room of `queueLimit` beyond the
// requests being served (an arrival finding it full gets the app's own 503: M/M/c/K with
// K = concurrency + queueLimit), and the Workload's script. `blocking` threading holds a slot for the whole
// request, calls included (a thread per request); `async` holds one only while computing.
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
  /** The number of busy slots changed at `now`. */
  busyChanged(now: number, busy: number): void;
  served(now: number): void;
}

/** Shared machinery of all app servers in one world. */
export class Apps {
  readonly kComputeDone: number;
  constructor(readonly sim: Simulator, readonly calls: AppCalls, readonly log: RequestLog | null = null) {
    this.kComputeDone = sim.on((c: Cursor) => c.app.computeDone(c));
  }
}

/** A request being served by the app. */
export class ServedRequest {
  done = false;
  holdsSlot = false;
  /** What the app's calls carry on (x-request-id, this request's span as parent); null when off. */
  ctx: RequestContext | null = null;
  /** The app's own work, in a sampled trace. */
  span: Span | null = null;
  constructor(
    readonly app: AppServer,
    readonly req: OutgoingRequest,
    readonly responder: Responder,
  ) {}
}

/** A position in a script: the steps of one sequence and the parallel block waiting for it. */
class Cursor implements CallOwner {
  i = 0;
  /** For async threading: this cursor waits in the queue for a slot to compute `pendingMs`. */
  pendingMs = 0;
  constructor(
    readonly app: AppServer,
    readonly sr: ServedRequest,
    readonly steps: CompiledStep[],
    readonly join: Join | null,
  ) {}
  onCallDone(call: AppCall): void {
    this.app.callDone(this, call);
  }
  /** Its compute step had its CPU (mesh/kube/container-cpu.ts). */
  computeDone(): void {
    this.app.computeDone(this);
  }
}

class Join {
  constructor(public remaining: number, readonly parent: Cursor) {}
}

/** A FIFO ring of waiting items that grows by doubling (no per-item allocation). */
class Fifo<T> {
  private buf: (T | undefined)[] = new Array(16);
  private head = 0;
  length = 0;
  push(x: T): void {
    if (this.length === this.buf.length) {
      const n: (T | undefined)[] = new Array(this.buf.length * 2);
      for (let k = 0; k < this.length; k++) n[k] = this.buf[(this.head + k) % this.buf.length];
      this.buf = n;
      this.head = 0;
    }
    this.buf[(this.head + this.length) % this.buf.length] = x;
    this.length++;
  }
  shift(): T {
    const x = this.buf[this.head] as T;
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.length--;
    return x;
  }
}

export class AppServer {
  /** The app container's CPU (set by the world; null: compute is a plain delay, not counted). */
  cpu: ContainerCpu | null = null;
  busy = 0;
  /** Blocking: requests waiting for a slot. Async: cursors waiting to compute. */
  private readonly queue = new Fifo<ServedRequest | Cursor>();

  constructor(
    private readonly rt: Apps,
    public behaviour: CompiledBehaviour,
    /** Where the app's own calls come from (its pod). */
    readonly origin: Origin,
    private observer: AppObserver,
    /** Uniform draws deciding which requests the app fails (its `errorRate`). */
    readonly errorDraw: () => number,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  /** A request reaches the application (after the inbound sidecar, if any). */
  arrive(req: OutgoingRequest, responder: Responder): ServedRequest {
    const sr = new ServedRequest(this, req, responder);
    if (req.ctx) this.traceStart(sr, req.ctx);
    const b = this.behaviour;
    if (b.threading === "async") {
      this.run(new Cursor(this, sr, b.script, null));
    } else if (this.busy < b.concurrency) {
      this.take(sr);
    } else if (this.queue.length < b.queueLimit) {
      this.queue.push(sr);
    } else {
      this.finish(sr, 503);
    }
    return sr;
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
    sr.span = log.openSpan(ctx, "LOCAL", `${sr.req.method} ${sr.req.path}`, this.rt.sim.now, local);
    sr.span.tags["component"] = "app";
    sr.ctx = RequestLog.child(ctx, sr.span);
  }

  /** The pod died: every request it holds is dropped without an answer (the caller sees a reset). */
  dropAll(): void {
    while (this.queue.length > 0) {
      const x = this.queue.shift();
      const sr = x instanceof Cursor ? x.sr : x;
      sr.done = true;
    }
  }

  /**
   * The process died (a crash or a kill): its queue is dropped and its slots are free, and it reports
   * nothing more — what it still had in flight ends silently (a restart runs a new AppServer).
   */
  crash(): void {
    this.dropAll();
    this.observer.busyChanged(this.rt.sim.now, 0);
    this.observer = DETACHED;
  }

  private take(sr: ServedRequest): void {
    this.setBusy(this.busy + 1);
    sr.holdsSlot = true;
    this.run(new Cursor(this, sr, this.behaviour.script, null));
  }

  private setBusy(n: number): void {
    this.busy = n;
    this.observer.busyChanged(this.rt.sim.now, n);
  }

  /** Give a freed slot to the next waiter in FIFO order. */
  private releaseSlot(): void {
    this.setBusy(this.busy - 1);
    while (this.queue.length > 0 && this.busy < this.behaviour.concurrency) {
      const next = this.queue.shift();
      if (next instanceof Cursor) {
        if (next.sr.done) continue;
        this.setBusy(this.busy + 1);
        this.startCompute(next, next.pendingMs);
      } else {
        if (next.done) continue;
        this.take(next);
      }
    }
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
      switch (step.kind) {
        case "compute": {
          const ms = step.sample();
          if (this.behaviour.threading === "async") {
            if (this.busy < this.behaviour.concurrency) {
              this.setBusy(this.busy + 1);
            } else if (this.queue.length < this.behaviour.queueLimit) {
              c.pendingMs = ms;
              this.queue.push(c);
              return;
            } else {
              this.finish(sr, 503);
              return;
            }
          }
          this.startCompute(c, ms);
          return;
        }
        case "call": {
          const spec = step.call;
          let req = withForwardedHeaders(step.request, sr.req.headers, spec.forwardHeaders);
          if (sr.ctx !== null) req = withContext(req, sr.ctx);
          this.rt.calls.start(this.origin, req, spec.timeoutMs, spec.retries, c);
          return;
        }
        case "parallel": {
          if (step.steps.length === 0) continue;
          const join = new Join(step.steps.length, c);
          for (const s of step.steps) {
            this.run(new Cursor(this, sr, [s], join));
            if (sr.done) return;
          }
          return;
        }
      }
    }
  }

  /** A compute step: CPU of the app container when it is modelled, else a plain delay. */
  private startCompute(c: Cursor, ms: number): void {
    const cpu = this.cpu;
    if (cpu !== null && cpu.compute(this.rt.sim.now, ms, c)) return;
    this.rt.sim.after(ms, this.rt.kComputeDone, c);
  }

  computeDone(c: Cursor): void {
    if (this.behaviour.threading === "async") this.releaseSlot();
    if (!c.sr.done) this.run(c);
  }

  callDone(c: Cursor, call: AppCall): void {
    if (c.sr.done) return;
    const spec = (c.steps[c.i - 1] as Extract<CompiledStep, { kind: "call" }>).call;
    if (!call.ok && spec.onError === "fail") {
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
    this.observer.served(this.rt.sim.now);
    const size = this.behaviour.responseSize;
    const bytes = size !== null ? size() : 0;
    if (sr.span !== null) {
      sr.span.tags["http.status_code"] = String(status);
      if (status >= 500) sr.span.tags["error"] = "true";
      this.rt.log!.closeSpan(sr.span, this.rt.sim.now);
    }
    sr.responder.onResponse(status, "-", bytes);
  }
}

/** The observer of a process that is gone. */
const DETACHED: AppObserver = { busyChanged() {}, served() {} };
