// Which connections a pod's iptables rules hand to its sidecar. Every pod with a sidecar has the
// nat chains istio-init writes (proxy/interception/iptables.ts); a connection the rules let pass goes
// straight out (or straight to the app) as if there were no mesh: no routing rules, no mTLS, no
// telemetry. Most pods carry no traffic.sidecar.istio.io annotation and capture everything, so the
// per-request question is answered without walking the chains.
import { buildChains, classify, type Chains, type Verdict } from "../../proxy/interception/iptables.js";
import type { CallTarget } from "../../scenario/model.js";
import type { Pod } from "../kube/pod.js";
import type { ServiceRegistry } from "../kube/service-registry.js";

/**
 * Cost of redirecting a new connection (NAT rule walk and conntrack entry on its first packet): a few
 * microseconds; later packets of the connection follow the conntrack entry.
 */
export const REDIRECT_COST_MS = 0.005;

/** The app's user: anything but the proxy's 1337. */
const APP_UID = 1000;

export class PodRules {
  readonly outbound = new Map<CallTarget, boolean>();
  readonly inbound = new Map<number, boolean>();
  constructor(readonly chains: Chains) {}
}

export class Interception {
  constructor(private readonly registry: ServiceRegistry) {}

  private of(pod: Pod): PodRules | null {
    // null: the pod captures every connection (no interception annotation). Kept on its sidecar;
    // a pod without one (only `explain` asks) is read afresh.
    const sidecar = pod.proxy;
    let r = sidecar?.interception;
    if (r === undefined) {
      const custom = Object.keys(pod.annotations).some((k) => k.startsWith("traffic.sidecar.istio.io/"));
      r = custom ? new PodRules(buildChains(pod.annotations)) : null;
      if (sidecar !== null) sidecar.interception = r;
    }
    return r;
  }

  /** The address the app dials: the Service's ClusterIP, a ServiceEntry address, or the external host's. */
  destinationIp(t: CallTarget): string {
    if (t.resolved.kind === "service") return this.registry.byFqdn.get(t.resolved.fqdn)?.clusterIp ?? "0.0.0.0";
    return externalIp(t.host);
  }

  /** OUTPUT → ISTIO_OUTPUT for a connection the app opens (false: it bypasses the sidecar). */
  outbound(pod: Pod, t: CallTarget): boolean {
    const r = this.of(pod);
    if (r === null) return true;
    let v = r.outbound.get(t);
    if (v === undefined) {
      v = this.explainOutbound(pod, t).redirectPort !== 0;
      r.outbound.set(t, v);
    }
    return v;
  }

  /** PREROUTING → ISTIO_INBOUND for a connection arriving on a container port (false: straight to the app). */
  inbound(pod: Pod, targetPort: number): boolean {
    // A sidecar whose pod has no interception annotation captures every port (`of` is null): said
    // in a few bytes, which TurboFan inlines into every inbound request's `receive` whatever its
    // budget (docs/performance.md, Goal 3, session 23 `inb10`).
    const sidecar = pod.proxy;
    if (sidecar !== null && sidecar.interception === null) return true;
    return this.inboundOf(pod, targetPort);
  }

  private inboundOf(pod: Pod, targetPort: number): boolean {
    const r = this.of(pod);
    if (r === null) return true;
    let v = r.inbound.get(targetPort);
    if (v === undefined) {
      v = this.explainInbound(pod, targetPort).redirectPort !== 0;
      r.inbound.set(targetPort, v);
    }
    return v;
  }

  explainOutbound(pod: Pod, t: CallTarget): Verdict {
    return classify(this.chainsOf(pod), "OUTPUT", { dstIp: this.destinationIp(t), dstPort: t.port, uid: APP_UID });
  }

  explainInbound(pod: Pod, targetPort: number): Verdict {
    return classify(this.chainsOf(pod), "PREROUTING", { dstIp: pod.ip, dstPort: targetPort });
  }

  chainsOf(pod: Pod): Chains {
    return this.of(pod)?.chains ?? buildChains({});
  }
}

/** A stable made-up public address for a host outside the cluster (198.18.0.0/15, the benchmarking range). */
export function externalIp(host: string): string {
  let h = 2166136261;
  for (let i = 0; i < host.length; i++) h = Math.imul(h ^ host.charCodeAt(i), 16777619) >>> 0;
  return `198.${18 + (h & 1)}.${(h >>> 8) & 255}.${((h >>> 16) & 253) + 1}`;
}
