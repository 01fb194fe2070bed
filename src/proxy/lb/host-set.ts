// The hosts of one upstream cluster as a client proxy's load balancer sees them (Envoy's
// PrioritySet): static facts (weights, priority, locality group) and the mutable per-host state the
// simulated world updates cheaply — active requests (an Int32Array slot), healthy/ejected, and when
// the host became available (slow start). Host indices are stable for the life of the set.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/priority
import type { LbHost } from "./host.js";
import { planLocalities, type LocalityOptions } from "./locality.js";

/**
 * A host list a balancer chooses from is a "source" (Envoy HostsSource): all hosts of priority p
 * (panic), the healthy hosts of priority p, or the healthy hosts of one weighted locality group.
 */
export function allHostsSource(priority: number): number {
  return 2 * priority;
}
export function healthyHostsSource(priority: number): number {
  return 2 * priority + 1;
}

/** The per-group arrays of a set without locality weighting (no group: nothing is ever written). */
const NO_GROUPS = new Int32Array(0);

export class HostSet {
  readonly hosts: readonly LbHost[];
  readonly size: number;
  readonly weights: Float64Array;
  /** Requests in flight to each host from this proxy: the caller (or the connection pool) increments and decrements. */
  readonly active: Int32Array;
  /** When each host became available (ms; -Infinity = long ago): slow start reads it. Set it with markAvailable. */
  readonly availableSince: Float64Array;
  /** Latest availableSince of any host: "is any host in slow start?" in O(1). */
  latestAvailableSince = -Infinity;
  /** All hosts have the same weight (balancers then use their unweighted fast paths). */
  readonly equalWeights: boolean;
  readonly priorityCount: number;
  /** Priority of each host; -1 when locality `distribute` removed it. */
  readonly priorityOf: Int32Array;
  /** Weighted locality group of each host (-1 when locality weighting is off). */
  readonly groupOf: Int32Array;
  readonly groupWeights: readonly number[];
  /** Priority of each locality group. */
  readonly groupPriority: Int32Array;
  readonly localityWeighted: boolean;
  /** Bumped on every health change; balancers rebuild derived state (schedulers, rings) when it moves. */
  version = 0;

  private readonly unhealthy: Uint8Array;
  private readonly lists: Int32Array[];
  private readonly counts: Int32Array;
  /** Hosts per priority (all, healthy), and per group (all, healthy) — kept current on every change. */
  readonly priorityHosts: Int32Array;
  readonly priorityHealthy: Int32Array;
  readonly groupHosts: Int32Array;
  readonly groupHealthy: Int32Array;
  private healthyTotal: number;
  private dirty = true;

  /** Hosts (or, for convenience, bare weights: hosts "0", "1", ... without locality). */
  constructor(hosts: readonly LbHost[] | readonly number[], opts: LocalityOptions = {}) {
    // A cluster's set is built at its first pick, once per cluster of every proxy (thousands in a
    // large mesh): plain loops, and no array for groups when there are none (docs/performance.md, "Goal 4").
    const n = hosts.length;
    const list: LbHost[] = new Array<LbHost>(n);
    const weights = new Float64Array(n);
    let equal = true;
    for (let i = 0; i < n; i++) {
      const x = hosts[i]!;
      const h = typeof x === "number" ? { id: String(i), weight: x, labels: {} } : x;
      list[i] = h;
      weights[i] = h.weight;
      if (h.weight !== weights[0]) equal = false;
    }
    this.hosts = list;
    this.size = n;
    this.weights = weights;
    this.active = new Int32Array(n);
    this.availableSince = new Float64Array(n).fill(-Infinity);
    this.unhealthy = new Uint8Array(n);
    this.equalWeights = equal;
    const plan = planLocalities(list, opts);
    this.priorityCount = plan.priorityCount;
    this.priorityOf = plan.priorityOf;
    this.groupOf = plan.groupOf;
    this.groupWeights = plan.groupWeights;
    this.localityWeighted = plan.groupWeights.length > 0;
    const groups = plan.groupWeights.length;
    this.groupPriority = groups === 0 ? NO_GROUPS : new Int32Array(groups);
    if (groups > 0) for (let i = 0; i < n; i++) if (plan.groupOf[i]! >= 0) this.groupPriority[plan.groupOf[i]!] = plan.priorityOf[i]!;
    const sources = 2 * this.priorityCount + groups;
    this.lists = [];
    this.counts = new Int32Array(sources);
    this.priorityHosts = new Int32Array(this.priorityCount);
    this.priorityHealthy = new Int32Array(this.priorityCount);
    this.groupHosts = groups === 0 ? NO_GROUPS : new Int32Array(groups);
    this.groupHealthy = groups === 0 ? NO_GROUPS : new Int32Array(groups);
    for (let i = 0; i < n; i++) {
      const p = this.priorityOf[i]!;
      if (p < 0) continue;
      this.priorityHosts[p]!++;
      this.priorityHealthy[p]!++;
      const g = this.groupOf[i]!;
      if (g >= 0) {
        this.groupHosts[g]!++;
        this.groupHealthy[g]!++;
      }
    }
    for (let s = 0; s < sources; s++) {
      const cap = s < 2 * this.priorityCount ? this.priorityHosts[s >> 1]! : this.groupHosts[s - 2 * this.priorityCount]!;
      this.lists.push(new Int32Array(cap));
    }
    let total = 0;
    for (let p = 0; p < this.priorityCount; p++) total += this.priorityHosts[p]!;
    this.healthyTotal = total;
  }

  isHealthy(i: number): boolean {
    return this.unhealthy[i] === 0;
  }

  /** Mark a host healthy or not (outlier ejection, failed health). O(1); lists are rebuilt lazily. */
  setHealthy(i: number, healthy: boolean): void {
    const v = healthy ? 0 : 1;
    if (this.unhealthy[i] === v) return;
    this.unhealthy[i] = v;
    const p = this.priorityOf[i]!;
    if (p >= 0) {
      const d = healthy ? 1 : -1;
      this.priorityHealthy[p]! += d;
      this.healthyTotal += d;
      const g = this.groupOf[i]!;
      if (g >= 0) this.groupHealthy[g]! += d;
    }
    this.version++;
    this.dirty = true;
  }

  /** Record that host i became available at `now` (new endpoint): it enters slow start if configured. */
  markAvailable(i: number, now: number): void {
    this.availableSince[i] = now;
    if (now > this.latestAvailableSince) this.latestAvailableSince = now;
  }

  /** Healthy hosts in the set (all priorities). */
  get healthy(): number {
    return this.healthyTotal;
  }

  /** Source id of locality group g's healthy hosts. */
  groupSource(g: number): number {
    return 2 * this.priorityCount + g;
  }

  /** Number of hosts in a source. */
  count(source: number): number {
    if (this.dirty) this.rebuild();
    return this.counts[source]!;
  }

  /** The k-th host index of a source (call count() first in the same pick). */
  at(source: number, k: number): number {
    return this.lists[source]![k]!;
  }

  private rebuild(): void {
    this.dirty = false;
    const counts = this.counts;
    counts.fill(0);
    const base = 2 * this.priorityCount;
    for (let i = 0; i < this.size; i++) {
      const p = this.priorityOf[i]!;
      if (p < 0) continue;
      this.lists[2 * p]![counts[2 * p]!++] = i;
      if (this.unhealthy[i] === 0) {
        this.lists[2 * p + 1]![counts[2 * p + 1]!++] = i;
        const g = this.groupOf[i]!;
        if (g >= 0) this.lists[base + g]![counts[base + g]!++] = i;
      }
    }
  }

  /** The k-th healthy host (all priorities, index order). Kept for simple callers and tests. */
  healthyAt(k: number): number {
    let seen = 0;
    for (let i = 0; i < this.size; i++) if (this.unhealthy[i] === 0 && this.priorityOf[i]! >= 0 && seen++ === k) return i;
    return -1;
  }
}
