// A request from an ambient pod: istio-cni's in-pod rules send every TCP connection the app opens to
// its node's ztunnel (port 15001), which picks the destination endpoint ONCE per connection (weighted
// random over ready endpoints, locality tiers from the Service's traffic distribution; no retries,
// no outlier detection, no per-request balancing), opens an HBONE stream (HTTP/2 CONNECT over mTLS to
// port 15008) from its pool for (source pod, destination pod), and forwards bytes. The
// destination's ztunnel (mesh/ztunnel/ztunnel-inbound.ts, via Inbound) enforces policy and hands the
// connection to the app. Same-node traffic still passes both. A destination with a sidecar gets
// HBONE too; one outside the mesh gets the connection in plaintext. ztunnel parses no HTTP: the
// Istio config's L7 routing, retries, timeouts and faults do not apply (that is a waypoint's job).
// https://istio.io/latest/docs/ambient/architecture/data-plane/
// https://istio.io/latest/docs/ambient/architecture/hbone/
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy/outbound.rs
// https://github.com/istio/ztunnel/blob/62d82653/src/state.rs#L375-L509
//
// A TCP connection: a caller that names its connection (a closed-loop load generator's socket) keeps
// it, and every request on it goes to the same pod, until the caller drops it or the pod goes away
// (then the request is reset). A caller that names none (open-loop load, apps calling apps) opens
// one per request, as Bookinfo's productpage does (Python `requests` without a Session).
import type { Simulator } from "../../engine/simulator.js";
import { tunnelDeadAt, ZTUNNEL_CONNECT_TIMEOUT_MS, type HboneConnection } from "../../proxy/ztunnel/hbone-pool.js";
import { chooseEndpoint, routingPreference, type RoutingPreference, type WorkloadLocality } from "../../proxy/ztunnel/endpoint-choice.js";
import type { Pod } from "../kube/pod.js";
import type { ServiceRegistry, ServiceState } from "../kube/service-registry.js";
import type { Network } from "../network.js";
import type { Inbound } from "../sidecar/inbound.js";
import type { RequestSink } from "../mesh-telemetry.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import type { Namespace } from "../../scenario/model.js";
import { trafficDistributionOf } from "../../config/ambient/traffic-distribution.js";
import { workloadLocality } from "./workload-locality.js";
import type { L4Sinks } from "./l4-sinks.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import type { Ztunnel } from "./ztunnel.js";
import type { ZtunnelDaemonSet } from "./ztunnel-daemonset.js";


/** One TCP connection through ztunnel: its pinned destination and its HBONE stream. */
export class ZtunnelConnection {
  /** Requests sent on it (tests read this). */
  requests = 0;
  open = true;
  /** When it opened, and the bytes it carried each way (ztunnel's access log). */
  startMs = 0;
  sent = 0;
  received = 0;
  /** The container port it reaches (the HBONE target's port). */
  port = 0;
  constructor(
    readonly id: number,
    readonly from: Pod,
    readonly dest: Pod,
    readonly service: string,
    readonly mtls: boolean,
    readonly stream: HboneConnection | null,
    readonly sourceSink: RequestSink,
    readonly destSink: RequestSink,
    /** Dropped after one request (the caller named no connection). */
    readonly perRequest: boolean,
    /** `dest` is the Service's waypoint (an Envoy), not one of its pods. */
    readonly toWaypoint: boolean,
  ) {}
}

/**
 * The ambient waypoints as ztunnel sees them (mesh/waypoint/): which waypoint Service serves a
 * Service, and the waypoint's Envoy taking a request that arrived over HBONE.
 */
export interface WaypointHop {
  /** The FQDN of the waypoint Service bound to this Service, or undefined. */
  waypointFor(serviceFqdn: string): string | undefined;
  /** The request reached waypoint pod `pod` (its Envoy routes it on). */
  arrive(pod: Pod, origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange;
}

/** A request on its way to a waypoint pod. */
class WaypointArrival {
  constructor(readonly pod: Pod, readonly origin: Origin, readonly req: OutgoingRequest, readonly x: ZtunnelExchange, readonly conn: number) {}
}

export interface ZtunnelPathDeps {
  sim: Simulator;
  network: Network;
  registry: ServiceRegistry;
  inbound: Inbound;
  ztunnels: ZtunnelDaemonSet;
  sinks: L4Sinks;
  namespaces: readonly Namespace[];
  /** Uniform draws for ztunnel's weighted random endpoint choice. */
  draw: () => number;
  /** The waypoints; null: none modelled. */
  waypoints: WaypointHop | null;
  /** Access log and traces; null when both are off. */
  log: RequestLog | null;
}

export class ZtunnelPath {
  readonly kBack: number;
  /** Open kept connections: origin pod → the caller's connection id → service → connection. */
  private readonly kept = new Map<Pod, Map<number, Map<string, ZtunnelConnection>>>();
  private readonly prefs = new Map<ServiceState, RoutingPreference | null>();
  private readonly localities = new WeakMap<Pod, WorkloadLocality>();
  private nextConn = 0;
  /** Observers of every new connection's choice (tests). */
  onConnection: ((c: ZtunnelConnection) => void) | null = null;

  private readonly kWaypoint: number;

  /** The waypoints (set once the sidecars' path exists; null: none). */
  waypoints: WaypointHop | null;

  constructor(private readonly d: ZtunnelPathDeps) {
    this.waypoints = d.waypoints;
    this.kBack = d.sim.on((x: ZtunnelExchange) => x.deliver());
    this.kWaypoint = d.sim.on((a: WaypointArrival) => {
      if (a.x.abandoned) return;
      a.x.inner = this.waypoints!.arrive(a.pod, a.origin, a.req, a.x, a.conn);
    });
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    const from = origin.pod as Pod;
    const zt = this.d.ztunnels.of(from);
    const x = new ZtunnelExchange(this, responder, this.d.sim.now, req.bytes ?? 0);
    const t = req.target.resolved;
    const now = this.d.sim.now;
    // The node's ztunnel is down (killed, its replacement not up): the app's connection to the
    // in-pod redirect is refused.
    if (!zt.pod.alive) {
      x.answer(0, "UF", 0);
      return x;
    }
    if (t.kind !== "service") {
      // Out of the cluster: ztunnel passes the connection through (no HBONE, no policy).
      const cpu = zt.cpu;
      x.answer(200, "-", cpu.pass(cpu.worker(conn), now, false) + this.d.network.externalRoundTrip());
      return x;
    }
    // A Service with a waypoint: ztunnel sends the connection to the waypoint instead (HBONE to its
    // pod's 15008), choosing one of its pods per connection like any endpoint.
    // https://istio.io/latest/docs/ambient/architecture/data-plane/
    const wp = this.waypoints?.waypointFor(t.fqdn);
    const svc = this.d.registry.byFqdn.get(wp ?? t.fqdn);
    let c = conn >= 0 ? this.kept.get(from)?.get(conn)?.get(t.fqdn) : undefined;
    if (c !== undefined && (!c.dest.alive || c.dest.blackholed)) {
      // The pinned pod is gone: the connection is reset; the caller dials again.
      this.close(c, now);
      if (c.dest.blackholed) {
        // Nothing answers. Over HBONE the tunnel's keepalive notices: the connection is reset when
        // the tunnel's unanswered PING times out; a plaintext connection waits for the caller's timeout.
        if (c.stream === null) return x;
        const dead = tunnelDeadAt(c.stream.openedMs, c.dest.blackholedAtMs);
        if (dead <= now) zt.pool.discard(from, c.dest, c.stream);
        x.answer(0, "-", Math.max(0, dead - now));
        return x;
      }
      x.answer(0, "-", 0);
      return x;
    }
    let setupMs = 0;
    if (c === undefined) {
      const dest = svc === undefined ? undefined : this.pick(from, svc);
      // No ready endpoint: ztunnel has nowhere to connect; the app's connection is reset.
      if (dest === undefined) {
        x.answer(0, "UF", 0);
        return x;
      }
      const zDest = this.d.ztunnels.of(dest);
      const mtls = wp !== undefined || dest.ambient || dest.hasSidecar;
      if (dest.blackholed) return this.toSilentPod(x, zt, from, dest, mtls, now);
      let stream: HboneConnection | null = null;
      if (mtls) {
        // ztunnel's WorkloadKey: source (identity, IP) and destination (identities, pod IP:15008) —
        // one Pod object each (pool.rs, h2/client.rs WorkloadKey).
        stream = zt.pool.stream(from, dest, now);
        if (zt.pool.justDialled) setupMs += this.dial(zt, zDest, from, dest, now);
      }
      // The app's TCP handshake with its own ztunnel (in-pod redirect) costs no extra round trip here.
      c = new ZtunnelConnection(
        this.nextConn++, from, dest, t.fqdn, mtls, stream,
        this.d.sinks.get("source", mtls, origin, dest, t.fqdn),
        this.d.sinks.get("destination", mtls, origin, dest, t.fqdn),
        conn < 0, wp !== undefined,
      );
      c.startMs = now;
      c.port = svc!.targetPort(req.target.port);
      c.sourceSink.connection?.(true, now);
      c.destSink.connection?.(true, now);
      if (conn >= 0) {
        let byConn = this.kept.get(from);
        if (byConn === undefined) this.kept.set(from, (byConn = new Map()));
        let bySvc = byConn.get(conn);
        if (bySvc === undefined) byConn.set(conn, (bySvc = new Map()));
        bySvc.set(t.fqdn, c);
      }
      this.onConnection?.(c);
    }
    c.requests++;
    x.conn = c;
    x.ends = [c.dest, from];
    // The source ztunnel's pass (outbound, on the worker its connection is pinned to).
    const cpu = zt.cpu;
    const key = c.id;
    const outMs = cpu.pass(cpu.worker(key), now + setupMs, c.mtls);
    const wire = this.d.network.between(from, c.dest);
    if (c.toWaypoint) this.d.sim.after(setupMs + outMs + wire, this.kWaypoint, new WaypointArrival(c.dest, origin, req, x, key));
    else this.d.inbound.receive(c.dest, req, origin, t.fqdn, c.mtls, x, setupMs + outMs + wire, key);
    return x;
  }

  /**
   * A new connection to a pod that went silent (its node vanished; still an endpoint until the node
   * controller notices): ztunnel's TCP connect — a new tunnel's, or a plaintext one — times out after
   * 10 s and the app's connection is closed (flag UF, as for no endpoint); a stream on a tunnel already
   * open to the pod is reset when that tunnel's keepalive PING times out.
   */
  private toSilentPod(x: ZtunnelExchange, zt: Ztunnel, from: Pod, dest: Pod, mtls: boolean, now: number): ZtunnelExchange {
    if (mtls) {
      const stream = zt.pool.stream(from, dest, now);
      const dialled = zt.pool.justDialled;
      const dead = dialled ? now : tunnelDeadAt(stream.openedMs, dest.blackholedAtMs);
      zt.pool.release(stream, now);
      if (dead > now) {
        x.answer(0, "-", dead - now);
        return x;
      }
      // The dial in vain, or a tunnel already dropped by its keepalive (then dialled again in vain).
      zt.pool.discard(from, dest, stream);
    }
    x.answer(0, "UF", ZTUNNEL_CONNECT_TIMEOUT_MS);
    return x;
  }

  /**
   * A new HBONE tunnel: TCP and TLS 1.3 handshakes with the destination (two round trips) and each
   * ztunnel's handshake CPU. Its delay.
   */
  private dial(src: Ztunnel, dst: Ztunnel, from: Pod, dest: Pod, now: number): number {
    const net = this.d.network;
    const rtt = net.between(from, dest) + net.between(dest, from);
    src.cpu.handshake(src.cpu.worker(-1), now);
    dst.cpu.handshake(dst.cpu.worker(-1), now);
    return 2 * rtt;
  }

  /** ztunnel's choice for a new connection to a Service (proxy/ztunnel/endpoint-choice.ts). */
  private pick(from: Pod, svc: ServiceState): Pod | undefined {
    const eps = svc.endpoints;
    if (eps.length === 0) return undefined;
    let pref = this.prefs.get(svc);
    if (pref === undefined) {
      pref = routingPreference(trafficDistributionOf(svc.spec, this.d.namespaces));
      this.prefs.set(svc, pref);
    }
    const u = this.d.draw();
    if (pref === null) return eps[Math.min(eps.length - 1, Math.floor(u * eps.length))];
    return chooseEndpoint(eps, capacityOne, (p) => this.localityOf(p), this.localityOf(from), pref, u);
  }

  private localityOf(pod: Pod): WorkloadLocality {
    let l = this.localities.get(pod);
    if (l === undefined || l.node !== pod.node) {
      l = workloadLocality(pod);
      this.localities.set(pod, l);
    }
    return l;
  }

  /** A ztunnel went down: every kept connection it carried (as source or destination) is reset. */
  resetThrough(z: Ztunnel): void {
    const now = this.d.sim.now;
    const hit: ZtunnelConnection[] = [];
    for (const byConn of this.kept.values()) for (const bySvc of byConn.values()) for (const c of bySvc.values()) {
      if (this.d.ztunnels.of(c.from) === z || (!c.toWaypoint && c.dest.ambient && this.d.ztunnels.of(c.dest) === z)) hit.push(c);
    }
    for (const c of hit) this.close(c, now);
  }

  /** The caller dropped its connection `conn` (fortio after a non-2xx answer). */
  closeCaller(from: Pod, conn: number): void {
    const byConn = this.kept.get(from);
    const bySvc = byConn?.get(conn);
    if (bySvc === undefined) return;
    byConn!.delete(conn);
    const now = this.d.sim.now;
    for (const c of bySvc.values()) this.close(c, now);
  }

  close(c: ZtunnelConnection, now: number): void {
    if (!c.open) return;
    c.open = false;
    if (!c.perRequest) this.kept.get(c.from)?.forEach((bySvc, id) => {
      if (bySvc.get(c.service) === c) {
        bySvc.delete(c.service);
        if (bySvc.size === 0) this.kept.get(c.from)!.delete(id);
      }
    });
    if (c.stream !== null) this.d.ztunnels.of(c.from).pool.release(c.stream, now);
    c.sourceSink.connection?.(false, now);
    c.destSink.connection?.(false, now);
    if (this.d.log?.accessLog != null) this.logClosed(c, now);
  }

  /**
   * ztunnel's access-log lines of a closed connection: the source ztunnel's, and the destination
   * ztunnel's when the destination is an ambient pod (a waypoint or sidecar pod has no ztunnel inbound).
   */
  private logClosed(c: ZtunnelConnection, now: number): void {
    const log = this.d.log!;
    const src = c.from;
    const dst = c.dest;
    const srcAddr = `${src.ip}:${EPHEMERAL_BASE + (c.id % EPHEMERAL_RANGE)}`;
    const dstIdentity = c.mtls ? `spiffe://${dst.identity.principal}` : "";
    const base = {
      startMs: c.startMs, endMs: now, srcAddr,
      srcWorkload: src.id, srcNamespace: src.namespace, srcIdentity: c.mtls ? `spiffe://${src.identity.principal}` : "",
      dstAddr: c.mtls ? `${dst.ip}:${HBONE_PORT}` : `${dst.ip}:${c.port}`,
      dstHboneAddr: c.mtls && !c.toWaypoint ? `${dst.ip}:${c.port}` : "",
      dstService: c.service, dstWorkload: dst.id, dstNamespace: dst.namespace, dstIdentity,
    };
    log.ztunnelLine({ ...base, direction: "outbound", bytesSent: c.sent, bytesRecv: c.received });
    if (dst.ambient) log.ztunnelLine({ ...base, direction: "inbound", bytesSent: c.received, bytesRecv: c.sent });
  }

  back(delay: number, x: ZtunnelExchange): void {
    if (delay > 0) this.d.sim.after(delay, this.kBack, x);
    else x.deliver();
  }

  get network(): Network {
    return this.d.network;
  }

  get now(): number {
    return this.d.sim.now;
  }
}

const capacityOne = (): number => 1;

/** ztunnel's HBONE port, and the ephemeral source ports the log shows (deterministic, from the connection id). */
export const HBONE_PORT = 15008;
const EPHEMERAL_BASE = 40000;
const EPHEMERAL_RANGE = 20000;

export class ZtunnelExchange implements Exchange, Responder {
  ends: [object | null, object | null] = [null, null];
  conn: ZtunnelConnection | null = null;
  /** The waypoint's own exchange, once the request reached it. */
  inner: Exchange | null = null;
  abandoned = false;
  private status = 0;
  private flags = "-";
  private bytes = 0;

  constructor(
    private readonly path: ZtunnelPath,
    private readonly responder: Responder,
    private readonly startMs: number,
    private readonly requestBytes: number,
  ) {}

  abandon(): void {
    this.abandoned = true;
    this.inner?.abandon();
  }

  /** The answer reached the source ztunnel side: it reports the edge (TCP) and the bytes go back. */
  onResponse(status: number, flags: string, bytes = 0): void {
    this.bytes = bytes;
    const back = status === 0 ? 0 : this.path.network.between(this.ends[0], this.ends[1]);
    this.answer(status, flags, back);
  }

  /**
   * The pod went silent with this request inside: over HBONE the tunnel's keepalive resets the
   * connection when its unanswered PING times out; a plaintext connection waits for the caller.
   */
  silenced(): void {
    const c = this.conn;
    if (c === null || c.stream === null || c.toWaypoint) return;
    const now = this.path.now;
    this.answer(0, "-", Math.max(0, tunnelDeadAt(c.stream.openedMs, c.dest.blackholedAtMs) - now));
  }

  answer(status: number, flags: string, delay: number): void {
    this.status = status;
    this.flags = flags;
    this.path.back(delay, this);
  }

  deliver(): void {
    const c = this.conn;
    if (c !== null) {
      const now = this.path.now;
      c.sent += this.requestBytes;
      c.received += this.bytes;
      c.sourceSink.record(now, now - this.startMs, this.status, this.flags, this.requestBytes, this.bytes);
      // No HTTP answer: the connection was closed or reset under it.
      if (c.perRequest || this.status === 0) this.path.close(c, now);
    }
    if (!this.abandoned) this.responder.onResponse(this.status, this.flags, this.bytes);
  }
}
