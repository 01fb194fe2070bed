// A client proxy's upstream cluster (`outbound|port|subset|host`): its endpoints as this proxy
// knows them, filtered by the subset's labels, and its load balancer with per-host active requests.
import type { MeshConfig } from "../config/mesh-config.js";
import type { RandomStreams } from "../engine/rng.js";
import type { TrafficPolicy } from "../proxy/api/networking.js";
import { destinationRuleFor, effectivePolicy, subsetLabels } from "../proxy/destination-rule.js";
import { createLoadBalancer } from "../proxy/lb/create-load-balancer.js";
import { HostSet } from "../proxy/lb/host-set.js";
import type { LoadBalancer } from "../proxy/lb/load-balancer.js";
import type { AttemptOutcome } from "../proxy/route/retry-policy.js";
import type { CompiledDestination } from "../proxy/route/destination.js";
import { selects, type Pod } from "./pod.js";
import type { ServiceRegistry, ServiceState } from "./service-registry.js";

/** Envoy's default panic threshold; Istio sets 0 (off) when the DR has outlier detection. */
const ENVOY_PANIC_THRESHOLD = 50;

export class UpstreamCluster {
  private hosts: Pod[] = [];
  private index = new Map<Pod, number>();
  private set = new HostSet([]);
  private lb: LoadBalancer;
  private seenVersion = -1;
  private readonly panic: number;

  constructor(
    readonly name: string,
    private readonly service: ServiceState,
    private readonly labels: Readonly<Record<string, string>>,
    readonly policy: TrafficPolicy,
    private readonly registry: ServiceRegistry,
    private readonly source: () => number,
  ) {
    this.panic = policy.outlierDetection ? (policy.outlierDetection.minHealthPercent ?? 0) : ENVOY_PANIC_THRESHOLD;
    this.lb = createLoadBalancer(policy.loadBalancer, this.set, source, this.panic);
  }

  /** Rebuild the host list when the endpoints this proxy knows have changed. */
  private refresh(): void {
    if (this.seenVersion === this.registry.version) return;
    this.seenVersion = this.registry.version;
    const hosts = this.service.endpoints.filter((p) => selects(this.labels, p.labels));
    const old = this.set;
    const oldIndex = this.index;
    this.hosts = hosts;
    this.index = new Map(hosts.map((p, i) => [p, i]));
    this.set = new HostSet(hosts.map(() => 1));
    for (const [p, i] of this.index) {
      const j = oldIndex.get(p);
      if (j !== undefined) this.set.active[i] = old.active[j]!;
    }
    this.lb = createLoadBalancer(this.policy.loadBalancer, this.set, this.source, this.panic);
  }

  /** A host for this request, avoiding `avoid` (previous hosts) when possible; undefined = none (UH). */
  pick(avoid: readonly Pod[] | null): Pod | undefined {
    this.refresh();
    const i = this.lb.pick(avoid === null ? undefined : { avoid: (h) => avoid.includes(this.hosts[h]!) });
    return i < 0 ? undefined : this.hosts[i];
  }

  started(pod: Pod): void {
    const i = this.index.get(pod);
    if (i !== undefined) this.set.active[i]!++;
  }

  finished(pod: Pod, _outcome: AttemptOutcome, _now: number): void {
    const i = this.index.get(pod);
    if (i !== undefined && this.set.active[i]! > 0) this.set.active[i]!--;
  }
}

/** One proxy's clusters for the config version it holds, created on first use. */
export class UpstreamClusters {
  private readonly byName = new Map<string, UpstreamCluster | null>();

  constructor(
    private readonly pod: Pod,
    private readonly config: MeshConfig,
    private readonly registry: ServiceRegistry,
    private readonly rng: RandomStreams,
  ) {}

  /** The cluster a route destination names, or undefined when the proxy has no such cluster (NC). */
  get(d: CompiledDestination): UpstreamCluster | undefined {
    let c = this.byName.get(d.cluster);
    if (c === undefined) {
      c = this.build(d);
      this.byName.set(d.cluster, c);
    }
    return c ?? undefined;
  }

  private build(d: CompiledDestination): UpstreamCluster | null {
    const svc = this.registry.byFqdn.get(d.host);
    if (svc === undefined) return null;
    const dr = destinationRuleFor(this.config.destinationRules, d.host, this.pod.namespace, this.pod.labels, svc.spec.metadata.namespace);
    let labels: Readonly<Record<string, string>> = {};
    if (d.subset !== undefined) {
      const l = subsetLabels(dr, d.subset);
      if (l === undefined) return null;
      labels = l;
    }
    const port = d.port ?? svc.spec.ports[0]?.port ?? 0;
    return new UpstreamCluster(
      d.cluster, svc, labels, effectivePolicy(dr, d.subset, port), this.registry,
      this.rng.stream(`lb:${this.pod.name}:${d.cluster}`),
    );
  }
}
