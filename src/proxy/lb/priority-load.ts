// Envoy's priority load and panic computation (LoadBalancerBase::recalculatePerPriorityState and
// recalculatePerPriorityPanic): each priority's health is min(100, 140·healthy/hosts)
// (overprovisioning factor 1.4); load goes to the first priorities until it is used up, scaled so it
// sums to 100. Only when that normalized total health is under 100 does a priority whose healthy
// share is below the panic threshold balance over all its hosts ("panic"); when every priority is in
// panic, load follows host counts ("total panic") — unless the threshold is 0 and nothing is
// healthy, when nothing is chosen (UH).
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/priority
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold
// envoyproxy/envoy source/extensions/load_balancing_policies/common/load_balancer_impl.cc
// (recalculatePerPriorityPanic: "Never set panic mode if normalized total health is 100%";
// recalculateLoadInTotalPanic)
import type { OutlierDetection } from "../api/networking.js";
import type { HostSet } from "./host-set.js";

export const OVERPROVISIONING_FACTOR = 140;
export const ENVOY_DEFAULT_PANIC_THRESHOLD = 50;

/**
 * The healthy_panic_threshold Istio gives a cluster: minHealthPercent (default 0 = panic off) when
 * the policy has outlier detection, else Envoy's 50 %.
 * istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (applyOutlierDetection)
 */
export function istioPanicThresholdPercent(outlier: OutlierDetection | undefined): number {
  return outlier === undefined ? ENVOY_DEFAULT_PANIC_THRESHOLD : (outlier.minHealthPercent ?? 0);
}

export class PriorityLoad {
  /** Percent of traffic each priority receives (integers summing to 100). */
  readonly load: Int32Array;
  /** 1 when the priority is in panic (choose among all its hosts). */
  readonly panic: Uint8Array;
  private seen = -1;

  constructor(private readonly set: HostSet, private readonly panicThresholdPercent: number) {
    this.load = new Int32Array(Math.max(1, set.priorityCount));
    this.panic = new Uint8Array(Math.max(1, set.priorityCount));
  }

  /** Recompute when the host set's health changed. */
  refresh(): void {
    const set = this.set;
    if (this.seen === set.version) return;
    this.seen = set.version;
    const n = set.priorityCount;
    const load = this.load;
    const panic = this.panic;
    load.fill(0);
    panic.fill(0);
    if (n === 0) {
      load[0] = 100;
      return;
    }
    const threshold = Math.min(100, this.panicThresholdPercent);
    let sum = 0;
    const health = new Int32Array(n);
    for (let p = 0; p < n; p++) {
      const hosts = set.priorityHosts[p]!;
      health[p] = hosts === 0 ? 0 : Math.min(100, Math.floor((OVERPROVISIONING_FACTOR * set.priorityHealthy[p]!) / hosts));
      sum += health[p]!;
    }
    const normalized = Math.min(100, sum);
    if (normalized === 0 && threshold === 0) {
      load[0] = 100; // panic disabled and no healthy host: nothing will be chosen (503 UH)
      return;
    }
    if (normalized > 0) spillLoad(health, normalized, load);
    // Enough health overall: no priority is in panic, however few of its own hosts are healthy.
    if (normalized === 100) return;
    let total = true;
    for (let p = 0; p < n; p++) {
      const hosts = set.priorityHosts[p]!;
      const healthyPercent = hosts === 0 ? 0 : (100 * set.priorityHealthy[p]!) / hosts;
      panic[p] = healthyPercent < threshold ? 1 : 0;
      if (panic[p] === 0) total = false;
    }
    if (total) totalPanicLoad(set, load);
  }

  /**
   * The load with some priorities treated as having no healthy host (Envoy's previous_priorities
   * retry priority: the priorities already attempted are excluded, then the usual spill-over
   * applies). Null when nothing healthy is left outside them: Envoy then keeps the original load.
   * envoyproxy/envoy source/extensions/retry/priority/previous_priorities/previous_priorities.cc
   */
  excluding(excluded: Uint8Array): Int32Array | null {
    const set = this.set;
    const n = set.priorityCount;
    const health = new Int32Array(n);
    let sum = 0;
    for (let p = 0; p < n; p++) {
      const hosts = set.priorityHosts[p]!;
      health[p] = excluded[p] === 1 || hosts === 0 ? 0 : Math.min(100, Math.floor((OVERPROVISIONING_FACTOR * set.priorityHealthy[p]!) / hosts));
      sum += health[p]!;
    }
    const normalized = Math.min(100, sum);
    if (normalized === 0) return null;
    const load = new Int32Array(n);
    spillLoad(health, normalized, load);
    return load;
  }

  /** The priority for a draw r in 1..100 (Envoy: hash % 100 + 1 against cumulative loads). */
  choose(r: number, loads?: Int32Array | null): number {
    const load = loads ?? this.load;
    let acc = 0;
    for (let p = 0; p < load.length; p++) {
      acc += load[p]!;
      if (r <= acc) return p;
    }
    return 0;
  }
}

/**
 * Envoy's spill-over: each priority takes its normalized health of the load, in priority order, and
 * the rounding remainder goes to the first priority with any health (load_balancer_impl.cc
 * recalculatePriorityLoad / distributeLoad).
 */
function spillLoad(health: Int32Array, normalized: number, load: Int32Array): void {
  let remaining = 100;
  let first = -1;
  for (let p = 0; p < health.length; p++) {
    if (first < 0 && health[p]! > 0) first = p;
    load[p] = Math.min(remaining, Math.floor((health[p]! * 100) / normalized));
    remaining -= load[p]!;
  }
  if (remaining > 0) load[first]! += remaining;
}

/**
 * Every priority in panic: load in proportion to host counts, whatever their health; the rounding
 * remainder goes to the first priority with hosts (load_balancer_impl.cc recalculateLoadInTotalPanic).
 */
function totalPanicLoad(set: HostSet, load: Int32Array): void {
  const n = set.priorityCount;
  let total = 0;
  for (let p = 0; p < n; p++) total += set.priorityHosts[p]!;
  load.fill(0);
  if (total === 0) {
    load[0] = 100;
    return;
  }
  let remaining = 100;
  let first = -1;
  for (let p = 0; p < n; p++) {
    if (first < 0 && set.priorityHosts[p]! > 0) first = p;
    load[p] = Math.floor((100 * set.priorityHosts[p]!) / total);
    remaining -= load[p]!;
  }
  load[first]! += remaining;
}
