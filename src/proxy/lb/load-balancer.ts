// One interface for every load-balancing policy, like Envoy's: choose a host of the cluster for this
// request. Shared here once: the panic threshold and the retry host predicate.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers
import type { HostSet } from "./host-set.js";

export type UniformSource = () => number;

export interface PickOptions {
  /** Retry host predicate (Envoy previous_hosts): reject these hosts and pick again. */
  avoid?: ((host: number) => boolean) | undefined;
  /** host_selection_retry_max_attempts: how many re-picks before a rejected host is accepted (Istio: 5). */
  maxAttempts?: number;
  /** Consistent-hash key of the request, for ring hash and Maglev. */
  hash?: number | undefined;
}

export interface LoadBalancer {
  /** A host index, or -1 when there is no host to choose (503 UH). */
  pick(opts?: PickOptions): number;
}

export abstract class BaseLoadBalancer implements LoadBalancer {
  constructor(
    protected readonly set: HostSet,
    protected readonly source: UniformSource,
    /** Envoy's healthy_panic_threshold in percent (Istio: 0 with outlier detection, else Envoy's 50). */
    protected readonly panicThresholdPercent: number,
  ) {}

  pick(opts?: PickOptions): number {
    const set = this.set;
    if (set.size === 0) return -1;
    // Panic: with too few healthy hosts Envoy balances over all of them.
    const panic = set.healthy < set.size && 100 * set.healthy < this.panicThresholdPercent * set.size;
    const count = panic ? set.size : set.healthy;
    if (count === 0) return -1;
    const avoid = opts?.avoid;
    const tries = avoid ? Math.max(1, (opts?.maxAttempts ?? 5) + 1) : 1;
    let host = -1;
    for (let t = 0; t < tries; t++) {
      host = this.choose(count, panic, opts?.hash);
      if (!avoid || !avoid(host)) return host;
    }
    return host;
  }

  /** The k-th candidate: any host in panic mode, else the k-th healthy one. */
  protected candidate(k: number, panic: boolean): number {
    return panic ? k : this.set.healthyAt(k);
  }

  /** Choose among `count` candidates. */
  protected abstract choose(count: number, panic: boolean, hash: number | undefined): number;
}
