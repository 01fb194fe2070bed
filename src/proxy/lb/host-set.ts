// The hosts of one upstream cluster as a client proxy's load balancer sees them (Envoy's
// PrioritySet): static facts (weights, priority, locality group) and the mutable per-host state the
// simulated world updates cheaply — active requests (an Int32Array slot), healthy/ejected, and when
// the host became available (slow start). Host indices are stable for the life of the set.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/priority
import type { LbHost } from "./host.js";
import { planLocalities, type LocalityOptions, type LocalityPlan } from "./locality.js";

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
  constructor(hosts: readonly LbHost[] | readonly number[], opts?: LocalityOptions) {
    // A cluster's set is built at its first pick, once per cluster of every proxy (thousands in a
    // large mesh): plain loops, no array for groups when there are none, and the work in short
    // functions — a constructor this long (849 bytes of bytecode) run 1,000 times is compiled by
    // TurboFan for nothing (docs/performance.md, Goal 4, sessions 20 `scale7` and 21 `scale9`).
    const list = lbHosts(hosts);
    const n = list.length;
    const weights = weightsOf(list);
    this.hosts = list;
    this.size = n;
    this.weights = weights;
    this.active = new Int32Array(n);
    this.availableSince = longAgo(n);
    this.unhealthy = new Uint8Array(n);
    this.equalWeights = allEqual(weights);
    const plan = planLocalities(list, opts);
    const pc = plan.priorityCount;
    const groups = plan.groupWeights.length;
    this.priorityCount = pc;
    this.priorityOf = plan.priorityOf;
    this.groupOf = plan.groupOf;
    this.groupWeights = plan.groupWeights;
    this.localityWeighted = groups > 0;
    this.groupPriority = groupPriorities(plan, groups);
    this.lists = [];
    this.counts = new Int32Array(2 * pc + groups);
    // Every host starts healthy: the healthy counts start as the host counts.
    const perPriority = hostsPerPriority(plan.priorityOf, pc);
    this.priorityHosts = perPriority;
    this.priorityHealthy = perPriority.slice();
    const perGroup = hostsPerGroup(plan, groups);
    this.groupHosts = perGroup;
    this.groupHealthy = copyOf(perGroup);
    this.healthyTotal = makeLists(this.lists, perPriority, perGroup);
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

/** The hosts of a set; bare weights become hosts "0", "1", ... without labels. */
function lbHosts(hosts: readonly LbHost[] | readonly number[]): LbHost[] {
  const n = hosts.length;
  const list: LbHost[] = new Array<LbHost>(n);
  for (let i = 0; i < n; i++) {
    const x = hosts[i]!;
    list[i] = typeof x === "number" ? { id: String(i), weight: x, labels: {} } : x;
  }
  return list;
}

function weightsOf(list: readonly LbHost[]): Float64Array {
  const weights = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) weights[i] = list[i]!.weight;
  return weights;
}

/** Every weight equals the first (as stored: a Float64Array). */
function allEqual(weights: Float64Array): boolean {
  for (let i = 0; i < weights.length; i++) if (weights[i] !== weights[0]) return false;
  return true;
}

/** Each host available since long ago (-Infinity): none in slow start. */
function longAgo(n: number): Float64Array {
  return new Float64Array(n).fill(-Infinity);
}

/** A copy of a per-group array (none made for no group). */
function copyOf(perGroup: Int32Array): Int32Array {
  return perGroup.length === 0 ? NO_GROUPS : perGroup.slice();
}

/** The priority of each weighted locality group (the priority of its hosts). */
function groupPriorities(plan: LocalityPlan, groups: number): Int32Array {
  if (groups === 0) return NO_GROUPS;
  const out = new Int32Array(groups);
  for (let i = 0; i < plan.groupOf.length; i++) if (plan.groupOf[i]! >= 0) out[plan.groupOf[i]!] = plan.priorityOf[i]!;
  return out;
}

/** Hosts of each priority (a host `distribute` removed, priority -1, is in none). */
function hostsPerPriority(priorityOf: Int32Array, priorities: number): Int32Array {
  const out = new Int32Array(priorities);
  for (let i = 0; i < priorityOf.length; i++) if (priorityOf[i]! >= 0) out[priorityOf[i]!]!++;
  return out;
}

/** Hosts of each weighted locality group, among those with a priority. */
function hostsPerGroup(plan: LocalityPlan, groups: number): Int32Array {
  if (groups === 0) return NO_GROUPS;
  const out = new Int32Array(groups);
  for (let i = 0; i < plan.groupOf.length; i++) if (plan.priorityOf[i]! >= 0 && plan.groupOf[i]! >= 0) out[plan.groupOf[i]!]!++;
  return out;
}

/**
 * One host list per source (all and healthy hosts of each priority, then each group's healthy
 * hosts), as long as its hosts; filled at the first count (HostSet.rebuild). Returns the hosts of
 * all priorities (all healthy at first).
 */
function makeLists(lists: Int32Array[], perPriority: Int32Array, perGroup: Int32Array): number {
  let total = 0;
  for (let s = 0; s < 2 * perPriority.length; s++) lists.push(new Int32Array(perPriority[s >> 1]!));
  for (let g = 0; g < perGroup.length; g++) lists.push(new Int32Array(perGroup[g]!));
  for (let p = 0; p < perPriority.length; p++) total += perPriority[p]!;
  return total;
}
