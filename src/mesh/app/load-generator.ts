// Where requests come from. Open loop: arrivals at `rate` per simulated second (Poisson or evenly
// spaced), optionally following a piecewise-linear `profile`. Closed loop, as `fortio load -c C -n N
// -qps Q` behaves (https://github.com/fortio/fortio, read at commit 45e1871):
// - C connections ("threads"), each with its own share of calls: N/C each, the remainder N%C to the
//   first (periodic.go runMaxQPSSetup / runQPSSetup and Run's `leftOver` to thread 0); with Q > 0 at
//   least 2 calls in all and at most N/2 threads (runQPSSetup lowers NumThreads); every thread makes
//   at least one call (runOne calls before it checks its count). A thread sends its next call when
//   the previous answer arrives; with Q > 0 it keeps to its schedule (scenario/fortio-threads.ts
//   fortioTargetMs), sending at once when behind it (runOne sleeps target − elapsed, no sleep when late).
// - A connection is dialled lazily at its first call and kept while answers are OK; after any answer
//   that is not 2xx (or 418), or no answer at all, fortio closes the socket and the next call dials a
//   new one (fhttp/http_client.go FastClient.readResponse: keep only `if keepAlive && codeIsOK(code)`;
//   StreamFetch → connect, which counts socketCount). Each new connection reaches the client's sidecar
//   through a listener bound with SO_REUSEPORT (Envoy's default), so the kernel's hash of the new
//   4-tuple picks the Envoy worker anew: meshsim gives each dial a fresh random socket id, of which
//   the sidecar takes its worker (id mod workers).
// - A dial takes time before the call's request can leave: fortio times it inside the call (its
//   Fetch connects when it has no socket, and reports each dial's "connection timing";
//   fhttp/http_client.go FastClient.connect). From a pod with a sidecar it is a TCP handshake with
//   the sidecar over loopback, through the REDIRECT rule: FORTIO_DIAL_MS below.
// - Each call has fortio's -timeout (3 s by default) from when its socket is ready: StreamFetch sets
//   the socket's deadline after connect; past it the read fails, the call counts as a socket error
//   (-1, meshsim's code 0) and the socket is closed (http_client.go FastClient.StreamFetch,
//   readResponse's "Timeout error"); the sidecar sees the client go (DC).
// - Warm-up: only a run without -n (a duration run) first makes one uncounted call per connection, in
//   parallel, and starts its clock when all have answered (fhttp/httprunner.go RunHTTPTest:
//   `if o.Exactly <= 0 && !o.SequentialWarmup`); with -n there is none. (A failed warm-up call makes
//   fortio abort unless -allow-initial-errors; meshsim carries on.)
import type { Simulator } from "../../engine/simulator.js";
import type { LoadGenerator } from "../../scenario/model.js";
import type { AppCall, AppCalls, CallOwner } from "./app-call.js";
import type { Origin, OutgoingRequest } from "../transport.js";
import { callRequest } from "./call-request.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import { withContext } from "../request-records.js";
import { fortioCallsPerThread, fortioTargetMs } from "../../scenario/fortio-threads.js";
import { FORTIO_DIAL_MS, SOCKET_ID_SPAN } from "./sidecar-dial.js";
import { standardExponential } from "../../engine/distributions/ziggurat-exponential.js";

/** Where a finished request is counted (implemented by telemetry's client stats). */
export interface ClientSink {
  issued(now: number): void;
  /** Thread `thread` of a closed loop dialled a connection, taking `ms` (fortio's Sockets, ConnectionStats). */
  dialed?(now: number, thread: number, ms: number): void;
  /** The end and latency (ms) of the request `recordStored` counts, stored by the caller just before. */
  endMs: number;
  latencyMs: number;
  /** A request ended at `endMs` after `latencyMs`, as stored: in fields, not arguments, so that a call
   *  TurboFan does not inline boxes no double (docs/performance.md, Goal 2, session 29 `cli16`). */
  recordStored(code: number, flags: string, requestBytes?: number, responseBytes?: number): void;
  /** The request just recorded failed as fortio counts failures (its ErrorsDurationHistogram). */
  failed?(endMs: number, latencyMs: number): void;
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
  /** Uniform [0,1) draws for the kernel's choice of listener socket at each dial (default: `arrivals`,
   *  which a closed loop draws nothing else from). */
  dials?: () => number;
}

/** fortio's codeIsOK (fhttp/http_client.go): 2xx, and 418 (http.StatusTeapot). */
export function fortioCodeIsOk(code: number): boolean {
  return (code >= 200 && code <= 299) || code === 418;
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
  private readonly kDialled: number;
  private readonly requests: OutgoingRequest[];
  private readonly cumulative: number[];
  /** The request when there are no header slices (the common case), else null: `issue` reads it
   *  instead of calling `pickRequest`, whose loop was bytecode counted against TurboFan's inlining
   *  budget where `issue` is inlined, and a call of its own on Node 22 (docs/performance.md, Goal 2,
   *  session 25). */
  private readonly onlyRequest: OutgoingRequest | null;
  private readonly maxRate: number;
  /** Closed loop: when the connections started, and requests each has sent (its schedule's index). */
  private closedStartMs = 0;
  private readonly sentByConn: Float64Array;
  /** Closed loop: calls each thread makes (fortio's N/C split), its open socket (-1: none). */
  private readonly callsByConn: number[] = [];
  private readonly socketByConn: number[] = [];
  /** Open sockets → their thread, to find the thread of an answer (AppCall.conn is the socket). */
  private readonly threadOfSocket = new Map<number, number>();
  private readonly dials: () => number;
  /** Warm-up calls still out (duration runs only). */
  private warmingUp = 0;
  private readonly warmupOwner: CallOwner = { onCallDone: (call) => this.warmedUp(call) };
  // What each request reads, held here and not behind `d` (one load and map check less per use), and
  // the arrival process decided once: Poisson at a fixed rate is the common case (docs/performance.md,
  // Goal 2, session 20).
  private readonly sim: Simulator;
  private readonly sink: ClientSink;
  private readonly inflight: { n: number };
  private readonly stopMs: number;
  /** Open loop, Poisson arrivals at a fixed rate (no profile). */
  private readonly fixedPoisson: boolean;

  constructor(readonly spec: LoadGenerator, private readonly d: GeneratorDeps) {
    this.sim = d.sim;
    this.sink = d.sink;
    this.inflight = d.inflight;
    this.stopMs = d.stopMs;
    this.fixedPoisson = spec.open !== undefined && spec.open.arrival !== "constant" && !spec.open.profile;
    this.kArrive = d.sim.on(() => this.arrive());
    this.kNext = d.sim.on((conn: number) => this.closedNext(conn));
    this.kDialled = d.sim.on((x: DialledCall) => this.d.calls.start(x.origin, x.req, this.spec.closed?.timeoutMs, 0, x.owner, x.conn, x.startedMs));
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
    this.onlyRequest = this.cumulative.length === 0 ? this.requests[0]! : null;
    const o = spec.open;
    this.maxRate = o ? Math.max(o.profile ? o.profile.reduce((m, p) => Math.max(m, p.rate), 0) : o.rate, 0) : 0;
    const c = spec.closed;
    if (c) {
      // A duration run lasts from the generator's start to its stop (fortio's -t).
      this.callsByConn = fortioCallsPerThread(c.connections, c.requests, c.qps, d.stopMs - spec.startMs);
      this.socketByConn = this.callsByConn.map(() => -1);
    }
    this.sentByConn = new Float64Array(this.callsByConn.length);
    this.dials = d.dials ?? d.arrivals;
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
      if (this.spec.closed.requests === undefined) {
        // fortio's parallel warm-up (duration runs): one call per connection at `start`, uncounted.
        this.d.sim.at(start, this.d.sim.on(() => this.warmUp()), undefined);
      } else this.startThreads(start);
    }
  }

  private startThreads(at: number): void {
    this.closedStartMs = at;
    for (let k = 0; k < this.callsByConn.length; k++) this.d.sim.at(at, this.kNext, k);
  }

  private warmUp(): void {
    for (let k = 0; k < this.callsByConn.length; k++) {
      const origin = this.d.nextOrigin();
      if (origin === null) continue;
      this.warmingUp++;
      this.d.inflight.n++;
      this.startCall(origin, this.pickRequest(), this.warmupOwner, k);
    }
    if (this.warmingUp === 0) this.startThreads(this.d.sim.now);
  }

  private warmedUp(call: AppCall): void {
    this.d.inflight.n--;
    this.answered(call);
    if (--this.warmingUp === 0 && this.d.sim.now < this.d.stopMs) this.startThreads(this.d.sim.now);
  }

  /**
   * Thread k's open socket, dialled now if it has none (fortio connects lazily, at a call); the dial
   * takes `dialMs`.
   */
  private socketFor(k: number, dialMs: number): number {
    let id = this.socketByConn[k]!;
    if (id >= 0) return id;
    do id = Math.floor(this.dials() * SOCKET_ID_SPAN); while (this.threadOfSocket.has(id));
    this.socketByConn[k] = id;
    this.threadOfSocket.set(id, k);
    this.d.sink.dialed?.(this.d.sim.now, k, dialMs);
    return id;
  }

  /** An answer on a thread's socket: fortio keeps it only after an OK code. Returns the thread. */
  private answered(call: AppCall): number {
    const k = this.threadOfSocket.get(call.conn)!;
    if (!fortioCodeIsOk(call.status)) {
      this.threadOfSocket.delete(call.conn);
      this.d.calls.transport.closeConnection?.(call.origin, call.conn);
      this.socketByConn[k] = -1;
    }
    return k;
  }

  // --- open loop ---

  private scheduleArrival(from: number, first: boolean): void {
    if (this.maxRate <= 0) return;
    if (this.fixedPoisson) {
      // Poisson at a fixed rate, the common case, apart from the rest so that TurboFan's inlining
      // budget at `arrive` goes to it (docs/performance.md, Goal 2, session 19).
      const t = from + (standardExponential(this.d.arrivals) * 1000) / this.maxRate;
      if (t < this.stopMs && Number.isFinite(t)) this.sim.at(t, this.kArrive, undefined);
      return;
    }
    this.scheduleOther(this.spec.open!, from, first);
  }

  /** Evenly spaced arrivals, or Poisson ones following a profile. */
  private scheduleOther(o: NonNullable<LoadGenerator["open"]>, from: number, first: boolean): void {
    let t = from;
    if (o.arrival === "constant") {
      // Evenly spaced at the current rate; the first request goes at the start.
      if (!first) {
        const r = o.profile ? profileRate(o.profile, t) : o.rate;
        t += r > 0 ? 1000 / r : this.nextPositiveRate(t) - t;
      }
    } else {
      // Poisson following the profile (scheduleArrival draws a fixed rate's): a time-varying rate by
      // thinning a process at the highest rate.
      const profile = o.profile!;
      for (;;) {
        t += (standardExponential(this.d.arrivals) * 1000) / this.maxRate;
        if (t >= this.d.stopMs) return;
        if (this.d.arrivals() * this.maxRate < profileRate(profile, t)) break;
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
    this.scheduleArrival(this.sim.now, false);
  }

  // --- closed loop ---

  private closedNext(k: number): void {
    if (this.sim.now >= this.stopMs) return;
    if (this.sentByConn[k]! >= this.callsByConn[k]!) return;
    this.issue(k);
  }

  private issue(k = -1): void {
    const origin = this.d.nextOrigin();
    if (origin === null) return; // the `from` deployment has no running pod
    if (k >= 0) this.sentByConn[k]!++;
    this.d.inflight.n++;
    this.d.sink.issued(this.d.sim.now);
    let req = this.onlyRequest ?? this.pickRequest();
    const log = this.d.log;
    if (log) {
      // The edge of the mesh: x-request-id and the one sampling decision, carried to every hop.
      const ctx = log.begin();
      if (ctx !== null) req = withContext(req, ctx);
    }
    if (k >= 0) this.startCall(origin, req, this, k);
    else this.d.calls.start(origin, req, undefined, 0, this, -1);
  }

  /** A call on thread k's socket; a thread without one dials first (the call's time includes the dial). */
  private startCall(origin: Origin, req: OutgoingRequest, owner: CallOwner, k: number): void {
    const dialling = this.socketByConn[k]! < 0;
    const viaSidecar = origin.pod?.hasSidecar === true;
    const conn = this.socketFor(k, viaSidecar ? FORTIO_DIAL_MS : 0);
    if (dialling && viaSidecar) {
      this.d.sim.after(FORTIO_DIAL_MS, this.kDialled, { origin, req, owner, conn, startedMs: this.d.sim.now } satisfies DialledCall);
    } else this.d.calls.start(origin, req, this.spec.closed?.timeoutMs, 0, owner, conn);
  }

  private pickRequest(): OutgoingRequest {
    if (this.cumulative.length === 0) return this.requests[0]!;
    const u = this.d.headerDraw();
    for (let k = 0; k < this.cumulative.length; k++) if (u < this.cumulative[k]!) return this.requests[k]!;
    return this.requests[this.requests.length - 1]!;
  }

  /**
   * The record's end and latency go to the sink in its fields, not as arguments (no double handed to
   * a call TurboFan does not inline). Under 150 bytes of bytecode (V8's
   * `--bytecode-size-allowance-per-tick`: one tick more before TurboFan above it), so that Node 20
   * optimizes this, with the record inlined, before the app's answer (`complete`), which then calls it
   * rather than inlining its head and calling the record's tail (docs/performance.md, Goal 2, session
   * 29 `cli16`).
   */
  onCallDone(call: AppCall): void {
    const now = this.sim.now;
    this.inflight.n--;
    const status = call.status;
    const req = call.req;
    const sink = this.sink;
    sink.endMs = now;
    sink.latencyMs = now - call.startMs;
    sink.recordStored(status, call.flags, req.bytes, call.bytes);
    // A 2xx answer of an open loop's untraced call is done here; the rest in a method apart, as the
    // app's answer inlines this (TurboFan's inlining budget: docs/performance.md, Goal 2, session 24).
    if (status < 200 || status > 299 || this.spec.closed !== undefined || (req.ctx !== undefined && req.ctx !== null)) this.afterRecord(call, now);
  }

  /** A failed, traced or closed-loop call's answer, after its record. */
  private afterRecord(call: AppCall, now: number): void {
    // periodic.go runOne records a call whose Run returned false in errTimes too; httprunner.go Run
    // returns codeIsOK(code).
    if (!fortioCodeIsOk(call.status)) this.sink.failed?.(now, now - call.startMs);
    if (call.req.ctx) this.d.log!.end(call.req.ctx, now);
    const c = this.spec.closed;
    if (c) this.closedAnswered(c, call, now);
  }

  private closedAnswered(c: NonNullable<LoadGenerator["closed"]>, call: AppCall, now: number): void {
    const k = this.answered(call);
    // qps 0: as fast as answers come. Otherwise the thread's next slot on its schedule (each of
    // the threads run gets qps/threads), or now if the answer came after it (catching up, as
    // fortio does without -nocatchup).
    const threads = this.callsByConn.length;
    const target = c.qps > 0 ? this.closedStartMs + fortioTargetMs(this.sentByConn[k]!, this.callsByConn[k]!, c.qps / threads) : now;
    this.d.sim.at(target > now ? target : now, this.kNext, k);
  }
}

/** A call whose socket is being dialled: it starts when the dial is done. */
interface DialledCall {
  origin: Origin;
  req: OutgoingRequest;
  owner: CallOwner;
  conn: number;
  startedMs: number;
}
