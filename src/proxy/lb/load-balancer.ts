// One interface for every load-balancing policy, like Envoy's (choose a host for this request's
// context), with the shared mechanics once (Envoy LoadBalancerBase / ZoneAwareLoadBalancerBase):
// priority choice with spill-over, panic mode, locality-weighted choice, and the retry host
// predicate (previous_hosts, host_selection_retry_max_attempts).
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers
import { EdfScheduler, type EdfWeights } from "./edf-scheduler.js";
import { allHostsSource, healthyHostsSource, type HostSet } from "./host-set.js";
import { OVERPROVISIONING_FACTOR, PriorityLoad } from "./priority-load.js";

/**
 * A uniform draw in [0, 1). `skip`, where the stream has one (owed-draws.ts), owes n draws instead
 * of making them: for a balancer whose draws cannot change its pick.
 */
export interface UniformSource {
  (): number;
  readonly skip?: (n: number) => void;
}

/** What pick() returns when there is no host to choose: the caller answers 503 UH. */
export const NO_HOST = -1;

/** Istio's retry host predicate allows this many re-picks (Envoy host_selection_retry_max_attempts). */
export const HOST_SELECTION_RETRY_MAX_ATTEMPTS = 5;

export type LbPolicy = "ROUND_ROBIN" | "LEAST_REQUEST" | "RANDOM" | "RING_HASH" | "MAGLEV" | "PASSTHROUGH";

export interface PickContext {
  /**
   * Retry host predicate (Envoy previous_hosts): a host for which this returns true is rejected and
   * another is drawn, up to maxAttempts re-picks; the last draw is then accepted anyway. Keep one
   * predicate object per request rather than a fresh closure per pick.
   */
  avoid?: ((host: number) => boolean) | undefined;
  /** Re-picks allowed by the predicate (Istio: 5). */
  maxAttempts?: number | undefined;
  /** Request hash for RING_HASH/MAGLEV (see consistent-hash-key.ts); absent ⇒ a random hash. */
  hash?: number | undefined;
  /** Simulated time in ms, for slow start; absent ⇒ no slow start. */
  now?: number | undefined;
  /** PASSTHROUGH: index of the host the application dialled (ORIGINAL_DST). */
  originalHost?: number | undefined;
  /**
   * Envoy previous_priorities retry priority (Istio's retryRemoteLocalities, update_frequency 2):
   * priorities to treat as unhealthy for this pick (1 = excluded); see PriorityLoad.excluding.
   */
  excludedPriorities?: Uint8Array | undefined;
}

/** @deprecated name kept for existing callers; same as PickContext. */
export type PickOptions = PickContext;

export interface LoadBalancer {
  readonly policy: LbPolicy;
  /** A host index of the set, or NO_HOST (-1) when none can be chosen (503 UH). */
  pick(ctx?: PickContext): number;
}

export abstract class BaseLoadBalancer implements LoadBalancer {
  abstract readonly policy: LbPolicy;
  protected readonly priorities: PriorityLoad;

  constructor(
    protected readonly set: HostSet,
    protected readonly source: UniformSource,
    /** Envoy healthy_panic_threshold in percent (Istio: minHealthPercent with outlier detection, else 50). */
    panicThresholdPercent = 50,
  ) {
    this.priorities = new PriorityLoad(set, panicThresholdPercent);
  }

  pick(ctx?: PickContext): number {
    if (this.set.size === 0) return NO_HOST;
    this.beginPick(ctx);
    const avoid = ctx?.avoid;
    const tries = avoid === undefined ? 1 : Math.max(1, (ctx?.maxAttempts ?? HOST_SELECTION_RETRY_MAX_ATTEMPTS) + 1);
    let h = NO_HOST;
    for (let t = 0; t < tries; t++) {
      h = this.pickOnce(ctx, t);
      if (h < 0 || avoid === undefined || !avoid(h)) return h;
    }
    return h;
  }

  /** Per-request preparation (hash balancers fix the request hash here). */
  protected beginPick(_ctx: PickContext | undefined): void {}

  /** A draw in 1..100 for the priority choice (hash balancers use the request hash). */
  protected priorityDraw(): number {
    return Math.floor(this.source() * 100) + 1;
  }

  /**
   * The host list and count the last pick chose from, valid while the set's version stays
   * `readyVersion` and its choice involved no draw (one priority, no locality weighting): every pick
   * until the next health change makes the same choice, so it skips the priority load, the panic
   * flags and the list lookup — fewer cache lines per pick, which matters when thousands of
   * clusters take turns (docs/performance.md, "Goal 4").
   */
  private readyVersion = -1;
  private readySource = 0;
  private readyCount = 0;

  private pickOnce(ctx: PickContext | undefined, attempt: number): number {
    const set = this.set;
    if (set.version === this.readyVersion) return this.choose(this.readySource, this.readyCount, ctx, attempt);
    const pl = this.priorities;
    pl.refresh();
    const ex = ctx?.excludedPriorities;
    const p = set.priorityCount > 1 ? pl.choose(this.priorityDraw(), ex === undefined ? null : pl.excluding(ex)) : 0;
    let src: number;
    if (pl.panic[p] === 1) src = allHostsSource(p);
    else if (set.localityWeighted) {
      const g = this.chooseLocality(p);
      src = g < 0 ? healthyHostsSource(p) : set.groupSource(g);
    } else src = healthyHostsSource(p);
    const count = set.priorityCount === 0 ? 0 : set.count(src);
    if (count === 0) return NO_HOST;
    if (set.priorityCount === 1 && !set.localityWeighted) {
      this.readyVersion = set.version;
      this.readySource = src;
      this.readyCount = count;
    }
    return this.choose(src, count, ctx, attempt);
  }

  /**
   * Locality-weighted choice within a priority, as Envoy's LocalityWrr::chooseHealthyLocality: an
   * EDF schedule over the priority's localities, each weighing weight · min(1, 1.4 · healthy share)
   * (effectiveLocalityWeight), rebuilt from scratch on every health change
   * (rebuildLocalityScheduler) with a random number of pre-picks, `createWithPicks(entries, weight,
   * random())`, so that it starts anywhere in its cycle (Envoy ≥ 1.30; the guard
   * edf_lb_locality_scheduler_init_fix, on by default, was removed in 1.33). One draw per priority at
   * each rebuild, as ZoneAwareLoadBalancerBase::rebuildLocalityWrrForPriority draws.
   * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/locality_weight
   * envoyproxy/envoy source/extensions/load_balancing_policies/common/locality_wrr.cc,
   * source/common/upstream/edf_scheduler.h
   */
  private chooseLocality(p: number): number {
    const set = this.set;
    if (this.localityEdfVersion !== set.version) this.rebuildLocalityEdf();
    const s = this.localityEdf[p];
    return s === undefined ? -1 : s.pickAndAdd(this.localityEdfWeights, 0);
  }

  private localityEdfVersion = -1;
  private localityEdf: (EdfScheduler | undefined)[] = [];
  private localityEdfWeights: EdfWeights = { edfWeight: () => 1 };

  private rebuildLocalityEdf(): void {
    const set = this.set;
    const n = set.groupWeights.length;
    this.localityEdfVersion = set.version;
    const weight = new Float64Array(n);
    for (let g = 0; g < n; g++) weight[g] = this.localityWeight(g);
    this.localityEdfWeights = { edfWeight: (g) => weight[g]! };
    this.localityEdf = [];
    for (let p = 0; p < set.priorityCount; p++) {
      const seed = Math.floor(this.source() * 2 ** 32);
      const entries: number[] = [];
      for (let g = 0; g < n; g++) if (set.groupPriority[g] === p && weight[g]! > 0) entries.push(g);
      if (entries.length > 0) this.localityEdf[p] = EdfScheduler.withPicks(entries, this.localityEdfWeights, 0, seed);
    }
  }

  private localityWeight(g: number): number {
    const set = this.set;
    if (set.groupHosts[g] === 0) return 0;
    const share = Math.min(1, (OVERPROVISIONING_FACTOR / 100) * (set.groupHealthy[g]! / set.groupHosts[g]!));
    return set.groupWeights[g]! * share;
  }

  /** Choose among the `count` hosts of `source` (see HostSet.at). */
  protected abstract choose(source: number, count: number, ctx: PickContext | undefined, attempt: number): number;
}
