// Kubernetes Services and their endpoints: the ready, running pods their selector matches. This is
// the truth of the cluster; proxies may see it late (their own copy of endpoints).
import type { Service } from "../../scenario/model.js";
import { selects, type Pod } from "./pod.js";
import { LabelSelectorIndex, labelPairKey } from "./label-selector-index.js";
import type { EndpointSnapshot } from "../sidecar/proxy-xds.js";

let snapshotVersion = 0;
const NO_PODS: Pod[] = [];

export class ServiceState {
  endpoints: Pod[] = [];
  /** Terminating pods that were Ready when their deletion began (EndpointSlice `serving` and
   *  `terminating`): not endpoints for Istio, which never sends terminating ones to Envoy. */
  terminating: Pod[] = [];
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

  /**
   * kube-proxy in iptables mode (Linux's default): a ready endpoint drawn at random with equal
   * probability, `u` a uniform [0, 1) draw; undefined when there is none (connection refused).
   * https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-iptables
   */
  kubeProxyPick(u: number): Pod | undefined {
    const eps = this.endpoints;
    // The fallback apart: with it (and its closure) inside, this function was compiled apart from
    // the direct path's send, a call per request; now it is inlined there (docs/performance.md,
    // Goal 2, session 19).
    const n = eps.length;
    // pickOf's index written out: the direct path's send inlines this function, and a call to pickOf
    // is one more candidate against TurboFan's inlining budget there (docs/performance.md, Goal 2, session 23).
    return n === 0 ? this.servingTerminatingPick(u) : eps[Math.min(n - 1, Math.floor(u * n))];
  }

  /** No ready endpoint: kube-proxy falls back to the serving terminating ones (KEP-1669,
   *  kubernetes pkg/proxy/topology.go CategorizeEndpoints). Serving: its app still listens. */
  private servingTerminatingPick(u: number): Pod | undefined {
    const eps = this.terminating.filter((p) => p.alive && p.terminating && p.appUp && !p.blackholed);
    return eps.length === 0 ? undefined : pickOf(eps, u);
  }
}

/** One of `eps` (not empty) with equal probability for a uniform [0, 1) `u`. */
function pickOf(eps: readonly Pod[], u: number): Pod {
  return eps[Math.min(eps.length - 1, Math.floor(u * eps.length))]!;
}

export class ServiceRegistry {
  readonly byFqdn = new Map<string, ServiceState>();
  /** +1 whenever any service's endpoints change. */
  version = 0;
  /** The endpoints of every service now (Kubernetes' truth, what kube-proxy and istiod read). */
  eds: EndpointSnapshot = { version: ++snapshotVersion, byFqdn: new Map() };

  /** Built at first use; the set of services is fixed at construction (only endpoints change). */
  private fqdnOrder: readonly ServiceState[] | undefined;
  private selectorIndex: LabelSelectorIndex<ServiceState> | undefined;

  constructor(services: readonly Service[], readonly domain = "cluster.local") {
    services.forEach((s, i) => {
      const fqdn = `${s.metadata.name}.${s.metadata.namespace}.svc.${domain}`;
      const n = i + 16;
      this.byFqdn.set(fqdn, new ServiceState(s, fqdn, `10.96.${(n >> 8) & 255}.${n & 255}`));
    });
  }

  /** Every service, by FQDN (code unit order): the order istiod's translation walks them in. */
  inFqdnOrder(): readonly ServiceState[] {
    return (this.fqdnOrder ??= [...this.byFqdn.values()].sort((a, b) => (a.fqdn < b.fqdn ? -1 : 1)));
  }

  /**
   * The services in `namespace` whose selector picks `labels`, by FQDN: one index lookup per label
   * instead of a scan of every service per proxy, which made the inbound clusters of 1,000 proxies
   * 10⁶ selector checks and 1,000 sorts (≈ 10 % of the 1,000-service chain's run).
   */
  selecting(namespace: string, labels: Readonly<Record<string, string>>): ServiceState[] {
    this.selectorIndex ??= new LabelSelectorIndex(this.inFqdnOrder(), (s) => s.spec.metadata.namespace, (s) => s.spec.selector);
    return this.selectorIndex.all(namespace, labels);
  }

  /**
   * Recompute every service's endpoints from the pods (after a pod starts, stops or changes
   * readiness); returns the services whose endpoints changed.
   */
  refresh(pods: Iterable<Pod>): string[] {
    // The ready pods filed by namespace and by each of their labels (in the pods' order), so that a
    // service looks only at the pods carrying its selector's first label: a scan of every pod per
    // service is quadratic in the mesh's size.
    const inNamespace = new Map<string, Pod[]>();
    const byLabel = new Map<string, Pod[]>();
    const file = (map: Map<string, Pod[]>, key: string, p: Pod): void => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [p]);
      else list.push(p);
    };
    const terminating: Pod[] = [];
    for (const p of pods) {
      if (p.terminating && p.servingWhenTerminated && p.alive) terminating.push(p);
      if (!(p.alive && p.ready)) continue;
      file(inNamespace, p.namespace, p);
      for (const k in p.labels) file(byLabel, labelPairKey(p.namespace, k, p.labels[k]!), p);
    }
    const changed: string[] = [];
    const byFqdn = new Map<string, readonly Pod[]>();
    for (const svc of this.byFqdn.values()) {
      const ns = svc.spec.metadata.namespace;
      const selector = svc.spec.selector;
      let candidates: readonly Pod[] | undefined = inNamespace.get(ns);
      for (const k in selector) {
        candidates = byLabel.get(labelPairKey(ns, k, selector[k]!));
        break;
      }
      const next = candidates === undefined ? [] : candidates.filter((p) => selects(selector, p.labels));
      svc.terminating = terminating.length === 0 ? NO_PODS : terminating.filter((p) => p.namespace === ns && selects(selector, p.labels));
      const prev = svc.endpoints;
      if (next.length !== prev.length || next.some((p, i) => p !== prev[i])) {
        changed.push(svc.fqdn);
        svc.endpoints = next;
      }
      byFqdn.set(svc.fqdn, svc.endpoints);
    }
    if (changed.length > 0 || this.version === 0) {
      this.version++;
      this.eds = { version: ++snapshotVersion, byFqdn };
    }
    return changed;
  }
}
