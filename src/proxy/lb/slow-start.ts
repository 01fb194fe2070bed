// Envoy slow start (Istio `warmupDurationSecs`): during the window after a host became available its
// weight is scaled by max(minWeightPercent, timeFactor^(1/aggression)), timeFactor =
// max(elapsed, 1 ms) / window (Envoy's source, applySlowStartFactor; its docs write
// max(TimeSinceStartInSeconds, 1) / window, a floor of a second). Istio sets aggression 1.0 and min
// weight 10 % (Envoy defaults). A host "became available" when the balancer first saw it: the
// cluster's first hosts at its creation, later ones when added (mesh/sidecar/upstream-cluster.ts).
// Only ROUND_ROBIN and LEAST_REQUEST honour it.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/slow_start
import type { HostSet } from "./host-set.js";

export class SlowStart {
  constructor(
    readonly windowMs: number,
    readonly aggression = 1,
    readonly minWeightPercent = 10,
  ) {}

  /** Is any host of the set within its window at `now`? (Envoy noHostsAreInSlowStart: `<=` the window.) */
  active(set: HostSet, now: number | undefined): boolean {
    return this.windowMs > 0 && now !== undefined && now - set.latestAvailableSince <= this.windowMs;
  }

  /** Weight multiplier of host h at `now` (1 outside the window). */
  factor(set: HostSet, h: number, now: number | undefined): number {
    if (!(this.windowMs > 0) || now === undefined) return 1;
    const elapsed = now - set.availableSince[h]!;
    if (elapsed >= this.windowMs) return 1;
    const t = Math.max(elapsed, 1) / this.windowMs;
    const f = this.aggression === 1 ? t : Math.pow(t, 1 / this.aggression);
    return Math.max(this.minWeightPercent / 100, f);
  }
}

/** A SlowStart that never applies (no warmup configured). */
export const NO_SLOW_START = new SlowStart(0);
