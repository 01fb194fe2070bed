// One request inside a pod that has a sidecar (Envoy's downstream stream at the inbound listener): its
// arrival, its place in the pod's list (mesh/sidecar/inbound.ts), the inbound cluster's pool when one
// acts, and its end — answered, refused, reset or dropped — with the server-side telemetry, access
// log line and SERVER span.
import type { ServedRequest } from "../app/app-server.js";
import type { RequestSink } from "../mesh-telemetry.js";
import type { Pod } from "../kube/pod.js";
import { HEAD_RESPONDER, type Origin, type OutgoingRequest, type Responder } from "../transport.js";
import { RequestLog } from "../../telemetry/request-log.js";
import type { Span } from "../../telemetry/trace-recorder.js";
import { spanServiceName, tagProxySpan, withContext } from "../request-records.js";
import { REFUSED, type PoolPlace, type PooledLeg } from "./inbound-router.js";
import type { Inbound, PodLeg, PooledConnection } from "./inbound.js";

/**
 * What the destination ztunnel counts of a request that came through it (ambient). Its own object,
 * not fields of every InboundLeg: each field of the leg is a store at every request, and the leg's
 * constructor is inlined into `receive` only while its bytecode fits TurboFan's budget there
 * (docs/performance.md, Goal 3, session 23 `inb10`).
 */
export class ZtunnelLeg {
  /** Its TCP connection is counted here (opened on arrival, closed with the answer). */
  ownConnection = false;
  /** The client proxy's pooled connection it came on, as the destination ztunnel counts it. */
  pooled: PooledConnection | null = null;
  /** The FQDN the client addressed (kept for ztunnel's log line of a connection it counted). */
  service = "";
}

/**
 * InboundLeg.state's bits: the connection is Istio mTLS; iptables handed it to the sidecar. A const
 * enum: esbuild writes each use as a literal, where a module's `const` is a load from its context and
 * a check (src/telemetry/hdr-counts.ts, Hdr).
 */
const enum Leg {
  Mtls = 1,
  ViaSidecar = 2,
  /** The worker's multiplier (the bits above the two flags). */
  Worker = 4,
}

/**
 * What a request inside the pod needs only on a rare path: the destination ztunnel's counts
 * (ambient), a place in an acting inbound cluster's pool, the inbound route's retries of a refused
 * connect, the sidecar's own denial details, a sampled request's SERVER span. Its own object, made at
 * the first need, not fields of every InboundLeg: each field is 8 bytes and a store per request, and
 * the chain-1000's legs in flight and the young generation they fill were the largest per-hop objects
 * after hop12's (docs/performance.md, Goal 4, session 24 `hop12`; Goal 3, session 25 `inb11`).
 */
class InboundLegExtras {
  /** Arrived through the pod's node's ztunnel (ambient): what it counts. */
  zt: ZtunnelLeg | null = null;
  /** Its place in the inbound cluster's pool (null: none, straight to the app). */
  place: PoolPlace | null = null;
  /** The inbound route's retries so far. */
  retries = 0;
  /** %RESPONSE_CODE_DETAILS% of the sidecar's own denial (RBAC, JWT); "" otherwise. */
  details = "";
  /** A sampled request's SERVER span at this sidecar. */
  span: Span | null = null;
  constructor(
    /** What the app receives: the request, or a copy carrying this sidecar's span as parent. */
    public appReq: OutgoingRequest,
  ) {}
}

export class InboundLeg implements PooledLeg, PodLeg {
  closed = false;
  prev: PodLeg | null = null;
  next: PodLeg | null = null;
  served: ServedRequest | null = null;
  /** Its rare state (InboundLegExtras); null for most requests. */
  x: InboundLegExtras | null = null;

  constructor(
    private readonly rt: Inbound,
    readonly pod: Pod,
    readonly req: OutgoingRequest,
    private readonly responder: Responder,
    private readonly sink: RequestSink | null,
    private readonly startMs: number,
    readonly origin: Origin,
    /** The container port it arrived on. */
    readonly port: number,
    /**
     * Leg.Mtls (the caller's identity is known) | Leg.ViaSidecar (iptables handed it to port 15006) |
     * the server sidecar's worker times Leg.Worker: one small integer, not three fields (8 bytes each;
     * docs/performance.md, Goal 3, sessions 25 `inb11` and 27 `hop13`).
     */
    private readonly state: number,
  ) {}

  /** A leg's `state` from its connection's kind, its way in and its worker (0 without a sidecar). */
  static stateOf(mtls: boolean, viaSidecar: boolean, worker: number): number {
    return (mtls ? Leg.Mtls : 0) | (viaSidecar ? Leg.ViaSidecar : 0) | (worker * Leg.Worker);
  }

  /** The server sidecar's worker it is pinned to. */
  get worker(): number {
    return this.state >>> 2;
  }

  /** The connection it came on is Istio mTLS (the caller's identity is known). */
  get mtls(): boolean {
    return (this.state & Leg.Mtls) !== 0;
  }

  /** iptables handed it to the inbound sidecar (15006). */
  get viaSidecar(): boolean {
    return (this.state & Leg.ViaSidecar) !== 0;
  }

  /** What the app receives: `req`, or a copy carrying this sidecar's span as parent. */
  get appReq(): OutgoingRequest {
    const x = this.x;
    return x === null ? this.req : x.appReq;
  }

  /** Its rare state, made at the first need. */
  extras(): InboundLegExtras {
    return this.x ?? (this.x = new InboundLegExtras(this.req));
  }

  get zt(): ZtunnelLeg | null {
    return this.x?.zt ?? null;
  }

  get place(): PoolPlace | null {
    return this.x?.place ?? null;
  }

  set place(p: PoolPlace | null) {
    this.extras().place = p;
  }

  get retries(): number {
    return this.x?.retries ?? 0;
  }

  set retries(n: number) {
    this.extras().retries = n;
  }

  private get span(): Span | null {
    return this.x?.span ?? null;
  }

  emptyHead(): InboundLeg {
    return new InboundLeg(this.rt, this.pod, this.req, HEAD_RESPONDER, null, 0, this.origin, 0, 0);
  }

  /** A sampled request: the server sidecar's SERVER span, from its arrival at the pod. */
  traceStart(log: RequestLog, service: string): void {
    const ctx = this.req.ctx!;
    if (ctx.trace === null) return;
    // Istio names the inbound span after the service and port the client addressed.
    const name = `${service === "unknown" ? this.req.target.host : service}:${this.req.target.port}/*`;
    const x = this.extras();
    const span = (x.span = log.openSpan(ctx, "SERVER", name, this.startMs, { serviceName: spanServiceName(this.pod), ipv4: this.pod.ip }));
    x.appReq = withContext(this.req, RequestLog.child(ctx, span));
  }

  /** The access-log line and SERVER span (access log or tracing on; only at a sidecar). */
  private logged(log: RequestLog, now: number, status: number, flags: string, bytes: number): void {
    const req = this.req;
    if (!req.ctx || !this.viaSidecar) return;
    const cluster = `inbound|${this.port}||`;
    const app = `${this.pod.ip}:${this.port}`;
    if (log.accessLog !== null) {
      const answered = this.served !== null && status !== 0;
      log.log({
        startMs: this.startMs, endMs: now, method: req.method, path: req.path, authority: req.authority,
        code: status, flags, bytesReceived: req.bytes ?? 0, bytesSent: bytes, upstreamServiceMs: answered ? now - this.startMs : -1,
        requestId: req.ctx!.requestId, upstreamHost: answered ? app : "", upstreamCluster: cluster,
        downstreamLocal: app, downstreamRemote: "", routeName: "default", details: this.x?.details ?? "",
      });
    }
    this.endSpan(log, now, status, flags);
  }

  private endSpan(log: RequestLog, now: number, status: number, flags: string): void {
    const s = this.span;
    if (s === null) return;
    const o = this.origin.pod;
    if (o !== null) s.remote = { serviceName: spanServiceName(o), ipv4: o.ip };
    tagProxySpan(s, this.pod, this.req, status, flags, `inbound|${this.port}||`);
    log.closeSpan(s, now);
  }

  /** The request ended without an answer (refused, closed, reset): its spans end with it. */
  private unanswered(): void {
    const log = this.rt.log;
    if (log === null || !this.req.ctx) return;
    const now = this.rt.sim.now;
    const app = this.served?.span;
    if (app) log.closeSpan(app, now);
    this.endSpan(log, now, 0, "-");
  }

  /**
   * The request leaves the pod with its rare state: out of the inbound cluster's pool (`reset`: its
   * connection to the app died with it), its span ended if it ends unanswered.
   */
  private leaveRare(x: InboundLegExtras, reset: boolean, unanswered: boolean): void {
    const place = x.place;
    if (place !== null) {
      place.connReset = reset;
      this.rt.router.leavePool(this);
    }
    if (unanswered && x.span !== null) this.unanswered();
  }

  onResponse(status: number, flags: string, bytes = 0): void {
    if (this.closed) return;
    this.closed = true;
    this.rt.left(this);
    const x = this.x;
    if (x !== null && x.place !== null) this.rt.router.leavePool(this);
    const now = this.rt.sim.now;
    if ((this.state & Leg.ViaSidecar) !== 0) {
      // The time in the CPU's field, not an argument: no HeapNumber for the call (SidecarCpu.at).
      const cpu = this.pod.proxy!.cpu;
      if (cpu !== null) {
        cpu.at = now;
        cpu.responded(this.worker, bytes);
      }
    }
    if (this.sink !== null) {
      this.sink.record(now, now - this.startMs, status, flags, this.req.bytes ?? 0, bytes);
      if (x !== null && x.zt !== null) this.ztunnelCounts(x.zt, now, bytes);
      const log = this.rt.log;
      if (log !== null) this.logged(log, now, status, flags, bytes);
    }
    this.responder.onResponse(status, flags, bytes);
  }

  /** The destination ztunnel's counts of the answered request: the bytes, or its own connection's close. */
  private ztunnelCounts(zt: ZtunnelLeg, now: number, bytes: number): void {
    const pooled = zt.pooled;
    if (pooled !== null) {
      pooled.received += this.req.bytes ?? 0;
      pooled.sent += bytes;
    }
    if (zt.ownConnection) {
      this.sink!.connection?.(false, now);
      if (this.rt.log !== null) this.rt.ztunnel!.closed(this.origin, this.pod, zt.service, this.mtls, this.port, this.startMs, now, this.req.bytes ?? 0, bytes);
    }
  }

  /** Nothing listens any more: connection refused (no HTTP status; Envoy would log UF). */
  refuse(): void {
    if (this.closed) return;
    this.closed = true;
    this.rt.left(this);
    if (this.x !== null) this.leaveRare(this.x, false, true);
    this.responder.onResponse(0, REFUSED);
  }

  /** The server sidecar closed the connection before any HTTP exchange (no status, nothing recorded). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rt.left(this);
    if (this.x !== null) this.leaveRare(this.x, false, true);
    this.responder.onResponse(0, "-");
  }

  /** The app's end of the connection died: see Inbound.appCrashed. */
  appReset(): void {
    if (this.closed) return;
    if (this.served !== null) this.served.done = true;
    if (this.viaSidecar) {
      // Its connection to the app died with it (closed, not kept alive in the inbound cluster's pool).
      const place = this.place;
      if (place !== null) place.connReset = true;
      this.onResponse(503, "UC");
      return;
    }
    this.closed = true;
    this.rt.left(this);
    this.responder.onResponse(0, "-");
  }

  /** Lost without a trace: nobody is told. */
  drop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.served !== null) this.served.done = true;
    this.rt.left(this);
    if (this.x !== null) this.leaveRare(this.x, true, false);
    this.responder.silenced?.();
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.prev = this.next = null;
    if (this.served !== null) this.served.done = true;
    if (this.x !== null) this.leaveRare(this.x, true, false);
    if (this.rt.log !== null) this.unanswered();
    this.responder.onResponse(0, "-");
  }
}
