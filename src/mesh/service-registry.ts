// Kubernetes Services and their endpoints: the ready, running pods their selector matches. This is
// the truth of the cluster; proxies may see it late (their own copy of endpoints).
import type { Service } from "../scenario/model.js";
import { selects, type Pod } from "./pod.js";

export class ServiceState {
  endpoints: Pod[] = [];
  /** kube-proxy's round-robin position, for clients without a sidecar. */
  private rr = 0;
  constructor(
    readonly spec: Service,
    readonly fqdn: string,
    /** Its ClusterIP (deterministic, from Kubernetes' default service range 10.96.0.0/12). */
    readonly clusterIp: string,
  ) {}

  /** The container port a service port forwards to (Kubernetes `targetPort`, defaulting to the port). */
  targetPort(port: number): number {
    for (const p of this.spec.ports) if (p.port === port) return p.targetPort;
    return port;
  }

  /** kube-proxy: round robin over ready endpoints; undefined when there is none (connection refused). */
  kubeProxyPick(): Pod | undefined {
    const eps = this.endpoints;
    if (eps.length === 0) return undefined;
    if (this.rr >= eps.length) this.rr = 0;
    return eps[this.rr++];
  }
}

export class ServiceRegistry {
  readonly byFqdn = new Map<string, ServiceState>();
  /** +1 whenever any service's endpoints change. */
  version = 0;

  constructor(services: readonly Service[], readonly domain = "cluster.local") {
    services.forEach((s, i) => {
      const fqdn = `${s.metadata.name}.${s.metadata.namespace}.svc.${domain}`;
      const n = i + 16;
      this.byFqdn.set(fqdn, new ServiceState(s, fqdn, `10.96.${(n >> 8) & 255}.${n & 255}`));
    });
  }

  /** Recompute every service's endpoints from the pods (after a pod starts, stops or changes readiness). */
  refresh(pods: Iterable<Pod>): void {
    const all = [...pods];
    this.version++;
    for (const svc of this.byFqdn.values()) {
      svc.endpoints = all.filter(
        (p) => p.alive && p.ready && p.namespace === svc.spec.metadata.namespace && selects(svc.spec.selector, p.labels),
      );
    }
  }
}
