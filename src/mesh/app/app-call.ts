// One call an application (or a load generator) makes, with the app's OWN timeout and retries —
// like Bookinfo's hard-coded `requests.get(url, timeout=3)` loops — separate from the mesh's.
//
// A call step with `connection: perCall` opens a new TCP connection for every attempt, as Python
// `requests.get` without a Session does (Bookinfo's productpage: istio/istio
// samples/bookinfo/src/productpage/productpage.py `send_request`, `getProductDetails`,
// `getProductReviews`; its retry loop calls `requests.get` again). From a pod with a sidecar the
// connection is REDIRECTed to the outbound listener (15001), bound with SO_REUSEPORT: the kernel
// picks the Envoy worker by a hash of the 4-tuple, whose ephemeral source port is new
// (torvalds/linux net/core/sock_reuseport.c `reuseport_select_sock`), so each attempt gets a random
// socket id from its own stream and the sidecar takes its worker from it, as for fortio's redials
// (load-generator.ts `socketFor`). The attempt's request leaves after the loopback dial (the same
// FORTIO_DIAL_MS); the app's timeout runs from before the dial (requests' timeout covers connect).
// Without a sidecar (direct, kube-proxy picks per request) and in ambient (ztunnel already takes an
// unnamed caller's request as a connection of its own) nothing changes: their first hop's handshake
// is not modelled, as for fortio.
import type { Simulator } from "../../engine/simulator.js";
import { TimersByDelay, type FixedDelayTimers } from "../../engine/fixed-delay-timers.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "../transport.js";
import { FORTIO_DIAL_MS, SOCKET_ID_SPAN } from "./sidecar-dial.js";

export interface CallOwner {
  onCallDone(call: AppCall): void;
}

/** `AppCall.status` while an attempt waits for its answer. */
const ATTEMPTING = -1;

/** `conn` for a call that opens a new connection for every attempt (`connection: perCall`). */
export const NEW_CONNECTION_PER_ATTEMPT = -2;

/** App timeout durations found by a scan before TimersByDelay's Map. */
const SCANNED_TIMEOUTS = 8;

/** Shared machinery of all calls in one world: the app-side timeouts, one FIFO per duration. */
export class AppCalls {
  readonly timeouts: TimersByDelay;
  /** A per-call connection's dial is done: its attempt's request leaves. */
  readonly kDialled: number;
  constructor(
    readonly sim: Simulator,
    readonly transport: Transport,
    /** Uniform [0,1) draws for the socket of each per-call connection (the kernel's worker choice). */
    readonly connectionDraw: () => number,
  ) {
    this.timeouts = new TimersByDelay(sim, (c: AppCall) => c.timedOut());
    this.kDialled = sim.on((c: AppCall) => c.dialled());
  }

  /**
   * The FIFO of an app timeout. An app's calls have one or two durations between them, so the first
   * few are found by a scan: TimersByDelay.for's Map lookup of a double was ≈ 2.6 per Bookinfo page
   * (docs/performance.md, Goal 3, sessions 15 and 17). Created through `for` in the same order as
   * before, so the simulator's handler kinds are numbered alike.
   */
  timersFor(ms: number): FixedDelayTimers {
    const ks = this.knownMs;
    for (let i = 0; i < ks.length; i++) if (ks[i] === ms) return this.knownTimers[i]!;
    const t = this.timeouts.for(ms);
    if (ks.length < SCANNED_TIMEOUTS) {
      ks.push(ms);
      this.knownTimers.push(t);
    }
    return t;
  }
  private readonly knownMs: number[] = [];
  private readonly knownTimers: FixedDelayTimers[] = [];

  /**
   * `startedMs`: when the app began the call, if before now (fortio's dial to its sidecar comes first).
   * `conn`: the connection it is pinned to, -1 none, NEW_CONNECTION_PER_ATTEMPT a new one each attempt.
   */
  start(origin: Origin, req: OutgoingRequest, timeoutMs: number | undefined, retries: number, owner: CallOwner, conn = -1, startedMs = this.sim.now): AppCall {
    // The `new` through a factory small enough for TurboFan to inline at once (≤ 27 bytes of bytecode),
    // with what only some calls have set after it: on Node 22 a `new` with more arguments was the
    // inlining's last candidate and fell out of the budget, through V8's generic construct stub
    // (docs/performance.md, Goal 2, session 24, `lts`).
    const call = AppCall.of(this, origin, req, owner, startedMs);
    if (retries !== 0 || conn !== -1 || timeoutMs !== undefined) call.x = this.extras(timeoutMs, retries, conn);
    call.attempt();
    return call;
  }

  /** The rare state of a call with a timeout, retries or a connection of its own. */
  private extras(timeoutMs: number | undefined, retries: number, conn: number): AppCallExtras {
    const x = new AppCallExtras();
    x.retriesLeft = retries;
    if (conn === NEW_CONNECTION_PER_ATTEMPT) x.perAttempt = true;
    else x.conn = conn;
    if (timeoutMs !== undefined && timeoutMs !== Infinity) x.timers = this.timersFor(timeoutMs);
    return x;
  }
}

/**
 * What only a call with a timeout, retries or a connection of its own holds (Bookinfo's app calls; a
 * closed loop's), in an object made for those calls alone: an open loop's call (M/M/c's every request)
 * is 64 bytes smaller without them (docs/performance.md, Goal 2, session 27, `mmc14`).
 */
class AppCallExtras {
  /** Attempts made so far. */
  attempts = 0;
  /** The app's own timeout ended the last attempt. */
  timedOutAtApp = false;
  /** The attempt under way, for the timeout to abandon (null: none, or no timeout). */
  exchange: Exchange | null = null;
  timer = -1;
  /** The call's timeout timers (null: no timeout). */
  timers: FixedDelayTimers | null = null;
  /** Opens a new connection for every attempt (`connection: perCall`). */
  perAttempt = false;
  /** Dials still under way (one of an attempt given up during its dial may still be pending). */
  dialsPending = 0;
  /** Retries the app may still make. */
  retriesLeft = 0;
  /** The client connection it goes out on (-1: not pinned; a per-attempt call: the last attempt's). */
  conn = -1;
}

export class AppCall implements Responder {
  readonly startMs: number;
  /**
   * Status of the last attempt; 0 when it timed out at the app or got no HTTP response; ATTEMPTING
   * while an attempt waits for its answer (a flag of its own was one field more in an object made for
   * every request: docs/performance.md, Goal 2, session 27).
   */
  status = 0;
  flags = "-";
  /** Response body bytes of the last attempt. */
  bytes = 0;
  /** Its timeout, retries and connection (AppCallExtras); null for a call with none (set by AppCalls.start). */
  x: AppCallExtras | null = null;

  constructor(
    private readonly rt: AppCalls,
    readonly origin: Origin,
    readonly req: OutgoingRequest,
    readonly owner: CallOwner,
    startedMs: number,
  ) {
    this.startMs = startedMs;
  }

  /** `new this`: ≤ 27 bytes of bytecode, so TurboFan inlines it at once (AppCalls.start says why). */
  static of(rt: AppCalls, origin: Origin, req: OutgoingRequest, owner: CallOwner, startedMs: number): AppCall {
    return new this(rt, origin, req, owner, startedMs);
  }

  /** 2xx and 3xx succeed; anything else (including "no response") is a failure the app may retry. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 400;
  }

  /** Attempts made so far (a call without retries makes one). */
  get attempts(): number {
    return this.x === null ? 1 : this.x.attempts;
  }

  /** The app's own timeout ended the last attempt. */
  get timedOutAtApp(): boolean {
    return this.x !== null && this.x.timedOutAtApp;
  }

  /** The client connection it goes out on (-1: not pinned; a per-attempt call: the last attempt's). */
  get conn(): number {
    return this.x === null ? -1 : this.x.conn;
  }

  attempt(): void {
    this.status = ATTEMPTING;
    const x = this.x;
    // The request's way out in a method of its own, as before the extras: `attempt` stays small enough
    // to be inlined where a call starts, and `send` is compiled on its own with the transport's path
    // inlined (docs/performance.md, Goal 2, session 27).
    if (x === null) this.send();
    else this.attemptWith(x);
  }

  private send(): void {
    this.rt.transport.send(this.origin, this.req, this, -1);
  }

  private attemptWith(x: AppCallExtras): void {
    x.attempts++;
    x.timedOutAtApp = false;
    if (x.timers !== null) x.timer = x.timers.add(this);
    if (x.perAttempt && this.origin.pod?.hasSidecar === true) {
      x.conn = Math.floor(this.rt.connectionDraw() * SOCKET_ID_SPAN);
      x.dialsPending++;
      this.rt.sim.after(FORTIO_DIAL_MS, this.rt.kDialled, this);
      return;
    }
    this.sendWith(x);
  }

  /** The per-attempt connection is up: the request leaves (unless the attempt was given up). */
  dialled(): void {
    const x = this.x!;
    if (--x.dialsPending === 0 && this.status === ATTEMPTING) this.sendWith(x);
  }

  private sendWith(x: AppCallExtras): void {
    const n = x.attempts;
    const ex = this.rt.transport.send(this.origin, this.req, this, x.conn);
    // Kept only for the app's timeout to abandon (`timedOut`, the one reader). The answer may have
    // come back synchronously (a local reply with no delay), even retried.
    if (x.timers !== null && this.status === ATTEMPTING && x.attempts === n) x.exchange = ex;
  }

  onResponse(status: number, flags: string, bytes = 0): void {
    if (this.status !== ATTEMPTING) return;
    const x = this.x;
    if (x !== null) {
      x.exchange = null;
      if (x.timer >= 0) {
        x.timers!.cancel(x.timer);
        x.timer = -1;
      }
    }
    this.status = status;
    this.flags = flags;
    this.bytes = bytes;
    // `settle` written out for an answer that ends the call (an `ok` one, or no retry left): the app's
    // answer inlines this, and TurboFan's inlining budget there is short (docs/performance.md, Goal 2,
    // session 24).
    if ((status >= 200 && status < 400) || x === null || x.retriesLeft <= 0) this.owner.onCallDone(this);
    else this.settle();
  }

  timedOut(): void {
    if (this.status !== ATTEMPTING) return;
    // Only a call with a timeout has its timer running (AppCalls.start gave it its extras).
    const x = this.x!;
    x.timer = -1;
    // The status before `abandon`: an answer it may give at once is no longer awaited.
    this.status = 0;
    x.exchange?.abandon();
    x.exchange = null;
    this.flags = "-";
    this.bytes = 0;
    x.timedOutAtApp = true;
    this.settle();
  }

  private settle(): void {
    const x = this.x;
    if (!this.ok && x !== null && x.retriesLeft > 0) {
      x.retriesLeft--;
      this.attempt();
      return;
    }
    this.owner.onCallDone(this);
  }
}
