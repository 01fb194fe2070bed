// What the HPA controller does with a metric's replica count before it scales: stabilisation windows
// over past recommendations, scale-rate policies over past scale events, and min/max, with the
// condition reasons `kubectl describe hpa` prints. Pure state, times in simulated ms, as
// kubernetes pkg/controller/podautoscaler/horizontal.go does it (the same from 1.27 to 1.35):
// - behavior set: stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate,
//   calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors, storeScaleEvent;
// - behavior unset: stabilizeRecommendation (max over --horizontal-pod-autoscaler-downscale-stabilization,
//   5 min) and convertDesiredReplicasWithRules (scale-up limit max(2 × current, 4) per sync).
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go
import type { HpaScalingRules } from "../../scenario/model.js";

/** --horizontal-pod-autoscaler-downscale-stabilization (default 5 min). */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
/** scaleUpLimitFactor, scaleUpLimitMinimum (horizontal.go). */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

export interface Condition {
  status: "True" | "False";
  reason: string;
  message: string;
}

interface Recommendation { replicas: number; atMs: number }
interface ScaleEvent { change: number; atMs: number; outdated: boolean }

export interface Normalized {
  replicas: number;
  ableToScale: Condition;
  scalingLimited: Condition;
}

export class HpaScalingState {
  private recommendations: Recommendation[] | null = null;
  private readonly upEvents: ScaleEvent[] = [];
  private readonly downEvents: ScaleEvent[] = [];

  constructor(
    private readonly behavior: { scaleUp: HpaScalingRules; scaleDown: HpaScalingRules } | null,
    private readonly downscaleStabilizationMs = DOWNSCALE_STABILIZATION_MS,
  ) {}

  /** recordInitialRecommendation: the first sync remembers the current scale. */
  recordInitial(currentReplicas: number, nowMs: number): void {
    if (this.recommendations === null) this.recommendations = [{ replicas: currentReplicas, atMs: nowMs }];
  }

  /** normalizeDesiredReplicas(WithBehaviors): the replica count the controller sets, and the conditions it reports. */
  normalize(currentReplicas: number, desired: number, minReplicas: number, maxReplicas: number, nowMs: number): Normalized {
    return this.behavior === null
      ? this.legacy(currentReplicas, desired, minReplicas, maxReplicas, nowMs)
      : this.withBehaviors(currentReplicas, desired, minReplicas, maxReplicas, nowMs);
  }

  private legacy(current: number, desired: number, min: number, max: number, now: number): Normalized {
    // stabilizeRecommendation: the highest recommendation of the window; the oldest stale one is replaced.
    const recs = (this.recommendations ??= []);
    let stabilized = desired;
    let old = -1;
    const cutoff = now - this.downscaleStabilizationMs;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      if (r.atMs < cutoff) old = i;
      else if (r.replicas > stabilized) stabilized = r.replicas;
    }
    if (old >= 0) recs[old] = { replicas: desired, atMs: now };
    else recs.push({ replicas: desired, atMs: now });
    const ableToScale: Condition = stabilized !== desired
      ? { status: "True", reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" }
      : { status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" };
    // convertDesiredReplicasWithRules
    const scaleUpLimit = Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM));
    let maximum: number;
    let reason: string;
    let message: string;
    if (max > scaleUpLimit) {
      maximum = scaleUpLimit;
      reason = "ScaleUpLimit";
      message = "the desired replica count is increasing faster than the maximum scale rate";
    } else {
      maximum = max;
      reason = "TooManyReplicas";
      message = "the desired replica count is more than the maximum replica count";
    }
    let replicas = stabilized;
    if (stabilized < min) {
      replicas = min;
      reason = "TooFewReplicas";
      message = "the desired replica count is less than the minimum replica count";
    } else if (stabilized > maximum) {
      replicas = maximum;
    } else {
      reason = "DesiredWithinRange";
      message = "the desired count is within the acceptable range";
    }
    return { replicas, ableToScale, scalingLimited: { status: replicas === stabilized ? "False" : "True", reason, message } };
  }

  private withBehaviors(current: number, desired: number, min: number, max: number, now: number): Normalized {
    const b = this.behavior!;
    // maybeInitScaleDownStabilizationWindow: an unset scaleDown window is the controller's flag.
    const downWindowMs = b.scaleDown.stabilizationWindowSeconds !== null ? b.scaleDown.stabilizationWindowSeconds * 1000 : this.downscaleStabilizationMs;
    const upWindowMs = (b.scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
    // stabilizeRecommendationWithBehaviors
    const recs = (this.recommendations ??= []);
    let up = desired;
    let down = desired;
    const upCutoff = now - upWindowMs;
    const downCutoff = now - downWindowMs;
    let old = -1;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      if (r.atMs > upCutoff) up = Math.min(r.replicas, up);
      if (r.atMs > downCutoff) down = Math.max(r.replicas, down);
      if (r.atMs < upCutoff && r.atMs < downCutoff) old = i;
    }
    let stabilized = current;
    if (stabilized < up) stabilized = up;
    if (stabilized > down) stabilized = down;
    if (old >= 0) recs[old] = { replicas: desired, atMs: now };
    else recs.push({ replicas: desired, atMs: now });
    let ableToScale: Condition;
    if (stabilized !== desired) {
      ableToScale = desired >= current
        ? { status: "True", reason: "ScaleUpStabilized", message: "recent recommendations were lower than current one, applying the lowest recent recommendation" }
        : { status: "True", reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" };
    } else ableToScale = { status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" };
    // convertDesiredReplicasWithBehaviorRate
    let replicas = stabilized;
    let reason = "DesiredWithinRange";
    let message = "the desired count is within the acceptable range";
    if (stabilized > current) {
      let limit = scaleUpLimit(current, this.upEvents, this.downEvents, b.scaleUp, now);
      if (limit < current) limit = current;
      let maximum = max;
      let r: string;
      let m: string;
      if (maximum > limit) {
        maximum = limit;
        r = "ScaleUpLimit";
        m = "the desired replica count is increasing faster than the maximum scale rate";
      } else {
        r = "TooManyReplicas";
        m = "the desired replica count is more than the maximum replica count";
      }
      if (stabilized > maximum) { replicas = maximum; reason = r; message = m; }
    } else if (stabilized < current) {
      let limit = scaleDownLimit(current, this.upEvents, this.downEvents, b.scaleDown, now);
      if (limit > current) limit = current;
      let minimum = min;
      let r: string;
      let m: string;
      if (minimum < limit) {
        minimum = limit;
        r = "ScaleDownLimit";
        m = "the desired replica count is decreasing faster than the maximum scale rate";
      } else {
        r = "TooFewReplicas";
        m = "the desired replica count is less than the minimum replica count";
      }
      if (stabilized < minimum) { replicas = minimum; reason = r; message = m; }
    }
    return { replicas, ableToScale, scalingLimited: { status: replicas === stabilized ? "False" : "True", reason, message } };
  }

  /** storeScaleEvent: remembered only with a behavior (its policies' periods read them). */
  stored(prev: number, next: number, nowMs: number): void {
    if (this.behavior === null) return;
    const up = next > prev;
    const events = up ? this.upEvents : this.downEvents;
    const rules = up ? this.behavior.scaleUp : this.behavior.scaleDown;
    let longest = 0;
    for (const p of rules.policies) if (p.periodSeconds > longest) longest = p.periodSeconds;
    const cutoff = nowMs - longest * 1000;
    let old = -1;
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.atMs < cutoff) events[i]!.outdated = true;
      if (events[i]!.outdated) old = i;
    }
    const e: ScaleEvent = { change: up ? next - prev : prev - next, atMs: nowMs, outdated: false };
    if (old >= 0) events[old] = e;
    else events.push(e);
  }
}

/** getReplicasChangePerPeriod: replicas added (or removed) by events newer than the period. */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let n = 0;
  for (const e of events) if (e.atMs > cutoff) n += e.change;
  return n;
}

/** calculateScaleUpLimitWithScalingRules */
export function scaleUpLimit(current: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: HpaScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pickMin = rules.selectPolicy === "Min";
  let result = pickMin ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, upEvents, now) + changeInPeriod(p.periodSeconds, downEvents, now);
    // Percent rounds up, or a small Deployment could never grow.
    const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors */
export function scaleDownLimit(current: number, upEvents: readonly ScaleEvent[], downEvents: readonly ScaleEvent[], rules: HpaScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pickMin = rules.selectPolicy === "Min";
  let result = pickMin ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, upEvents, now) + changeInPeriod(p.periodSeconds, downEvents, now);
    // int32(float64(start) * (1 - value/100)): truncation.
    const proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    // "Min" change on the way down is the highest remaining count.
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}
