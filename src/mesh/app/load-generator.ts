// Where requests come from. Open loop: arrivals at `rate` per simulated second (Poisson or evenly
// spaced), optionally following a piecewise-linear `profile`. Closed loop, like `fortio load -c C -n N
// -qps Q`: C connections each send their next request when the previous answer arrives; with Q > 0
// each connection keeps to fortio's schedule, its request i at start + i·C/Q, sending at once when
// behind it (fortio catches up: periodic.go's runOne sleeps target − elapsed, no sleep when late;
// https://github.com/fortio/fortio/blob/master/periodic/periodic.go).
import type { Simulator } from "../../engine/simulator.js";
import type { LoadGenerator } from "../../scenario/model.js";
import type { AppCall, AppCalls, CallOwner } from "./app-call.js";
import type { Origin, OutgoingRequest } from "../transport.js";
import { callRequest } from "./call-request.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import { withContext } from "../request-records.js";

/** Where a finished request is counted (implemented by telemetry's client stats). */
export interface ClientSink {
  issued(now: number): void;
  record(endMs: number, latencyMs: number, code: number, flags: string, requestBytes?: number, responseBytes?: number): void;
}

export interface GeneratorDeps {
  sim: Simulator;
  calls: AppCalls;
  /** Uniform [0,1) draws for arrivals and for header slices. */
  arrivals: () => number;
  headerDraw: () => number;
  /** The origin of the next request (a pod of the `from` deployment, or outside). */
  nextOrigin: () => Origin | null;
  sink: ClientSink;
  /** Load stops at this simulated time (the run's duration or the generator's `stop`). */
  stopMs: number;
  /** Counts requests in flight, so the run can drain them after the load stops. */
  inflight: { n: number };
  /** Access log and traces; null when both are off. */
  log?: RequestLog | null;
}

/** The rate (per second) at time t of a piecewise-linear profile. */
export function profileRate(profile: readonly { atMs: number; rate: number }[], t: number): number {
  const first = profile[0]!;
  if (t <= first.atMs) return first.rate;
  for (let i = 1; i < profile.length; i++) {
    const b = profile[i]!;
    if (t <= b.atMs) {
      const a = profile[i - 1]!;
      return a.rate + ((b.rate - a.rate) * (t - a.atMs)) / (b.atMs - a.atMs);
    }
  }
  return profile[profile.length - 1]!.rate;
}

export class LoadGeneratorRunner implements CallOwner {
  private readonly kArrive: number;
  private readonly kNext: number;
  private readonly requests: OutgoingRequest[];
  private readonly cumulative: number[];
  private sent = 0;
  private readonly maxRate: number;
  /** Closed loop: when the connections started, and requests each has sent (its schedule's index). */
  private closedStartMs = 0;
  private readonly sentByConn: Float64Array;

  constructor(readonly spec: LoadGenerator, private readonly d: GeneratorDeps) {
    this.kArrive = d.sim.on(() => this.arrive());
    this.kNext = d.sim.on((conn: number) => this.closedNext(conn));
    // One prepared request per header slice (the last one: no extra headers).
    this.requests = [];
    this.cumulative = [];
    let acc = 0;
    for (const h of spec.headers) {
      acc += h.fraction;
      this.cumulative.push(acc);
      this.requests.push(this.prepare(h.set));
    }
    this.requests.push(this.prepare({}));
    const o = spec.open;
    this.maxRate = o ? Math.max(o.profile ? Math.max(...o.profile.map((p) => p.rate)) : o.rate, 0) : 0;
    this.sentByConn = new Float64Array(spec.closed?.connections ?? 0);
  }

  private prepare(set: Record<string, string>): OutgoingRequest {
    const req = callRequest(this.spec.target, this.spec.method, this.spec.requestSize ?? 0);
    return Object.keys(set).length === 0 ? req : { ...req, headers: Object.freeze({ ...set }) };
  }

  start(): void {
    const start = Math.max(this.spec.startMs, this.d.sim.now);
    if (start >= this.d.stopMs) return;
    if (this.spec.open) {
      this.scheduleArrival(start, true);
    } else if (this.spec.closed) {
      this.closedStartMs = start;
      for (let k = 0; k < this.spec.closed.connections; k++) this.d.sim.at(start, this.kNext, k);
    }
  }

  // --- open loop ---

  private scheduleArrival(from: number, first: boolean): void {
    const o = this.spec.open!;
    if (this.maxRate <= 0) return;
    let t = from;
    if (o.arrival === "constant") {
      // Evenly spaced at the current rate; the first request goes at the start.
      if (!first) {
        const r = o.profile ? profileRate(o.profile, t) : o.rate;
        t += r > 0 ? 1000 / r : this.nextPositiveRate(t) - t;
      }
    } else {
      // Poisson; a time-varying rate by thinning a process at the highest rate.
      for (;;) {
        t += (-Math.log(1 - this.d.arrivals()) * 1000) / this.maxRate;
        if (t >= this.d.stopMs) return;
        if (!o.profile || this.d.arrivals() * this.maxRate < profileRate(o.profile, t)) break;
      }
    }
    if (t < this.d.stopMs && Number.isFinite(t)) this.d.sim.at(t, this.kArrive, undefined);
  }

  private nextPositiveRate(t: number): number {
    for (const p of this.spec.open!.profile ?? []) if (p.atMs > t && p.rate > 0) return p.atMs;
    return Infinity;
  }

  private arrive(): void {
    this.issue();
    this.scheduleArrival(this.d.sim.now, false);
  }

  // --- closed loop ---

  private closedNext(conn: number): void {
    const c = this.spec.closed!;
    if (this.d.sim.now >= this.d.stopMs) return;
    if (c.requests !== undefined && this.sent >= c.requests) return;
    this.issue(conn);
  }

  private issue(conn = -1): void {
    const origin = this.d.nextOrigin();
    if (origin === null) return; // the `from` deployment has no running pod
    this.sent++;
    if (conn >= 0) this.sentByConn[conn]!++;
    this.d.inflight.n++;
    this.d.sink.issued(this.d.sim.now);
    let req = this.pickRequest();
    const log = this.d.log;
    if (log) {
      // The edge of the mesh: x-request-id and the one sampling decision, carried to every hop.
      const ctx = log.begin();
      if (ctx !== null) req = withContext(req, ctx);
    }
    this.d.calls.start(origin, req, undefined, 0, this, conn);
  }

  private pickRequest(): OutgoingRequest {
    if (this.cumulative.length === 0) return this.requests[0]!;
    const u = this.d.headerDraw();
    for (let k = 0; k < this.cumulative.length; k++) if (u < this.cumulative[k]!) return this.requests[k]!;
    return this.requests[this.requests.length - 1]!;
  }

  onCallDone(call: AppCall): void {
    const now = this.d.sim.now;
    this.d.inflight.n--;
    this.d.sink.record(now, now - call.startMs, call.status, call.flags, call.req.bytes ?? 0, call.bytes);
    if (call.req.ctx) this.d.log!.end(call.req.ctx, now);
    const c = this.spec.closed;
    if (c) {
      // qps 0: as fast as answers come. Otherwise the connection's next slot on its schedule, or
      // now if the answer came after it (catching up, as fortio does without -nocatchup).
      const target = c.qps > 0 ? this.closedStartMs + (this.sentByConn[call.conn]! * 1000 * c.connections) / c.qps : now;
      this.d.sim.at(target > now ? target : now, this.kNext, call.conn);
    }
  }
}
