// The destination side of ztunnel: every connection to an ambient pod, HBONE on 15008 from another
// ztunnel or a sidecar, or plaintext on 15006 from a client outside the mesh, passes through the
// pod's node's ztunnel (even from the same node), which enforces STRICT mTLS (PeerAuthentication
// DISABLE is ignored: HBONE is always mTLS) and L4 AuthorizationPolicy, then hands the connection to
// the app in plaintext inside the pod's network namespace.
// https://istio.io/latest/docs/ambient/usage/l4-policy/
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy/inbound.rs (HBONE) and inbound_passthrough.rs (15006)
import type { MeshConfig } from "../../config/mesh-config.js";
import { effectivePeerAuthentication, mtlsForPort, type EffectivePeerAuthentication } from "../../proxy/security/index.js";
import { DEFAULT_ROOT_NAMESPACE } from "../../proxy/security/policy-scope.js";
import { checkConnection, compileZtunnelAuthorization, type ZtunnelAuthz } from "../../proxy/ztunnel/l4-authorization.js";
import { ztunnelPolicies } from "../../config/ambient/ztunnel-authorization.js";
import type { Pod } from "../kube/pod.js";
import { OUTSIDE_IP } from "../sidecar/inbound-policy.js";
import type { PooledConnection, ZtunnelInboundHook } from "../sidecar/inbound.js";
import type { RequestSink } from "../mesh-telemetry.js";
import type { Origin } from "../transport.js";
import type { L4Sinks } from "./l4-sinks.js";
import type { ZtunnelDaemonSet } from "./ztunnel-daemonset.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import { HBONE_PORT } from "./ztunnel-path.js";

/** The source port the log shows for a connection from a client ztunnel does not track (one per request here). */
const EPHEMERAL_PORT = 40000;

/** A client proxy's connection open at a destination ztunnel. */
interface OpenPooled extends PooledConnection {
  readonly pod: Pod;
  readonly service: string;
  readonly mtls: boolean;
  readonly port: number;
  readonly sink: RequestSink;
  readonly startMs: number;
}

interface PodL4Policy {
  config: MeshConfig;
  peerAuthn: EffectivePeerAuthentication;
  authz: ZtunnelAuthz;
  /** No authorization policy applies: nothing to check per connection. */
  open: boolean;
}

export class ZtunnelInbound implements ZtunnelInboundHook {
  private readonly policies = new WeakMap<Pod, PodL4Policy>();
  /** Connections the destination ztunnels closed, by reason (summary events). */
  denied = 0;

  constructor(
    private readonly ztunnels: ZtunnelDaemonSet,
    private readonly sinks: L4Sinks,
    /** The config ztunnel enforces (istiod's current: its WDS/authorization push is not delayed here). */
    private readonly config: () => MeshConfig,
    /** Access log and traces; null when both are off. */
    private readonly log: RequestLog | null,
    /** A denial, for the run's event log. */
    private readonly onDeny: (pod: Pod, reason: string) => void,
  ) {}

  sink(origin: Origin, pod: Pod, service: string, mtls: boolean): RequestSink {
    return this.sinks.get("destination", mtls, origin, pod, service);
  }

  pass(pod: Pod, at: number, connKey: number, mtls: boolean): number {
    const cpu = this.ztunnels.of(pod).cpu;
    return cpu.pass(cpu.worker(connKey), at, mtls);
  }

  /** Client proxies' pooled connections open at the destination ztunnels: client pod → destination pod → connection key. */
  private readonly pooledOpen = new Map<Pod, Map<Pod, Map<number, OpenPooled>>>();

  pooled(from: Pod, pod: Pod, service: string, mtls: boolean, port: number, connKey: number, sink: RequestSink, at: number): PooledConnection {
    let byDest = this.pooledOpen.get(from);
    if (byDest === undefined) this.pooledOpen.set(from, (byDest = new Map()));
    let byKey = byDest.get(pod);
    if (byKey === undefined) byDest.set(pod, (byKey = new Map()));
    let c = byKey.get(connKey);
    if (c === undefined) {
      c = { sent: 0, received: 0, pod, service, mtls, port, sink, startMs: at };
      byKey.set(connKey, c);
      sink.connection?.(true, at);
    }
    return c;
  }

  /** The client proxy's pool closed its connection `connKey` (idle, drained or failed). */
  pooledClosed(from: Pod, host: Pod, connKey: number, now: number): void {
    const byKey = this.pooledOpen.get(from)?.get(host);
    const c = byKey?.get(connKey);
    if (c === undefined) return;
    byKey!.delete(connKey);
    c.sink.connection?.(false, now);
    this.closed({ pod: from, workload: from.workload, namespace: from.namespace }, c.pod, c.service, c.mtls, c.port, c.startMs, now, c.received, c.sent);
  }

  /**
   * A connection this ztunnel counted on its own (from a client whose connections no ztunnel tracks:
   * a sidecar, a waypoint, outside the mesh) closed: its access-log line (direction inbound).
   */
  closed(origin: Origin, pod: Pod, service: string, mtls: boolean, port: number, startMs: number, endMs: number, received: number, sent: number): void {
    if (this.log?.accessLog == null) return;
    const from = origin.pod as Pod | null;
    this.log.ztunnelLine({
      startMs, endMs, direction: "inbound",
      srcAddr: `${from?.ip ?? OUTSIDE_IP}:${EPHEMERAL_PORT}`,
      srcWorkload: from?.id ?? "", srcNamespace: from?.namespace ?? "", srcIdentity: mtls && from !== null ? `spiffe://${from.identity.principal}` : "",
      dstAddr: `${pod.ip}:${mtls ? HBONE_PORT : port}`, dstHboneAddr: mtls ? `${pod.ip}:${port}` : "",
      dstService: service, dstWorkload: pod.id, dstNamespace: pod.namespace, dstIdentity: mtls ? `spiffe://${pod.identity.principal}` : "",
      bytesSent: sent, bytesRecv: received,
    });
  }

  private of(pod: Pod): PodL4Policy {
    const config = this.config();
    let p = this.policies.get(pod);
    if (p === undefined || p.config !== config) {
      const ref = { namespace: pod.namespace, labels: pod.labels };
      const authz = compileZtunnelAuthorization(ztunnelPolicies(config), ref, DEFAULT_ROOT_NAMESPACE);
      const a = authz.compiled.applied;
      p = {
        config, authz,
        peerAuthn: effectivePeerAuthentication(config.peerAuthentications, ref, DEFAULT_ROOT_NAMESPACE),
        open: a.ALLOW.length + a.DENY.length + a.CUSTOM.length === 0,
      };
      this.policies.set(pod, p);
    }
    return p;
  }

  admit(pod: Pod, origin: Origin, mtls: boolean, port: number): boolean {
    // The pod's node's ztunnel is down: nothing takes the connection.
    if (!this.ztunnels.of(pod).pod.alive) {
      this.deny(pod, "ztunnel-down");
      return false;
    }
    const p = this.of(pod);
    // STRICT: ztunnel refuses plaintext on 15006. DISABLE cannot turn HBONE off (it is PERMISSIVE here).
    if (!mtls && mtlsForPort(p.peerAuthn, port).mode === "STRICT") {
      this.deny(pod, "strict-mtls");
      return false;
    }
    if (p.open) return true;
    const from = origin.pod as Pod | null;
    const r = checkConnection(p.authz, {
      peer: mtls && from !== null ? from.identity : undefined,
      sourceIp: from?.ip ?? OUTSIDE_IP, destinationIp: pod.ip, port,
    });
    if (r.allowed) return true;
    this.deny(pod, r.l7WithoutWaypoint ? `l7-policy-without-waypoint:${r.policy}` : `policy:${r.policy}`);
    return false;
  }

  private deny(pod: Pod, reason: string): void {
    this.denied++;
    this.onDeny(pod, reason);
  }
}
