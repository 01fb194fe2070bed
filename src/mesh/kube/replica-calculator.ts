// The HPA's replica calculation for resource metrics, as kube-controller-manager computes it
// (kubernetes pkg/controller/podautoscaler/replica_calculator.go as of 1.35: GetResourceReplicas,
// GetRawResourceReplicas → calcPlainMetricReplicas, groupPods, calculatePodRequests; and
// metrics/utilization.go: GetResourceUtilizationRatio, GetMetricUsageRatio). Pure: pods and metrics
// in, a replica count (or Kubernetes' error text) out. Values are Kubernetes milli-values (int64):
// millicores for cpu, bytes × 1000 for memory; utilization is an integer percent (Go's int division).
// Where 1.27 (the release first modelled) differs, the comment says so.
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/replica_calculator.go
// https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details

/** --horizontal-pod-autoscaler-tolerance (default 0.1). */
export const DEFAULT_TOLERANCE = 0.1;

/**
 * The usage ratio's dead band, per direction: the controller's flag for both, unless the HPA's
 * `behavior.scaleUp/scaleDown.tolerance` says otherwise (HPAConfigurableTolerance: alpha in 1.33,
 * beta and on by default in 1.35). replica_calculator.go `Tolerances.isWithin` (1.33 and later):
 * 1 − scaleDown ≤ ratio ≤ 1 + scaleUp, both ends included. Before 1.33 the test was
 * |1 − ratio| ≤ tolerance, which floating point makes exclusive at 1.1 (|1 − 66/60| = 0.10000000000000009).
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/replica_calculator.go
 */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

export function isWithin(t: Tolerances, usageRatio: number): boolean {
  return 1 - t.scaleDown <= usageRatio && usageRatio <= 1 + t.scaleUp;
}
/** --horizontal-pod-autoscaler-cpu-initialization-period (default 5 min). */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay (default 30 s). */
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** What the HPA's pod lister sees of one pod of the target. */
export interface PodView {
  name: string;
  phase: "Pending" | "Running" | "Failed";
  /** metadata.deletionTimestamp set (terminating). */
  deleting: boolean;
  /** The Ready condition: its status (null: no condition yet) and lastTransitionTime. */
  ready: boolean | null;
  readyTransitionMs: number;
  /** status.startTime (null: not started). */
  startMs: number | null;
  /** spec.containers: name and resources.requests of the resource in milli-units (undefined: no request). */
  containers: readonly { name: string; requestMilli: number | undefined }[];
}

/** metrics-server's value for a pod (or one of its containers): milli-units, its timestamp and window. */
export interface PodMetric {
  value: number;
  timestampMs: number;
  windowMs: number;
}

export interface CalcOptions {
  tolerances: Tolerances;
  cpuInitializationPeriodMs: number;
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_CALC: CalcOptions = {
  tolerances: { scaleDown: DEFAULT_TOLERANCE, scaleUp: DEFAULT_TOLERANCE },
  cpuInitializationPeriodMs: CPU_INITIALIZATION_PERIOD_MS,
  delayOfInitialReadinessStatusMs: INITIAL_READINESS_DELAY_MS,
};

/** GetResourceReplicas / calcPlainMetricReplicas when no counted pod has a metric (1.27: "did not receive metrics for any ready pods"). */
export const NO_METRICS = "did not receive metrics for targeted pods (pods might be unready)";

export type Calc =
  | { ok: true; replicas: number; /** Utilization: percent; AverageValue: the average milli-value. */ usage: number; /** Utilization: the average milli-value per pod. */ raw: number }
  | { ok: false; error: string };

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods: which pods count, which are unready (pending, or CPU not yet trustworthy), missing metrics or ignored (deleted, failed). */
export function groupPods(pods: readonly PodView[], metrics: ReadonlyMap<string, PodMetric>, resource: string, nowMs: number, o: CalcOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === "Failed") { g.ignored.add(pod.name); continue; }
    if (pod.phase === "Pending") { g.unready.add(pod.name); continue; }
    const metric = metrics.get(pod.name);
    if (metric === undefined) { g.missing.add(pod.name); continue; }
    if (resource === "cpu") {
      let unready: boolean;
      if (pod.ready === null || pod.startMs === null) unready = true;
      else if (pod.startMs + o.cpuInitializationPeriodMs > nowMs) {
        // Within the initialisation period: unready, or no full metric window since it became Ready.
        unready = pod.ready === false || metric.timestampMs < pod.readyTransitionMs + metric.windowMs;
      } else {
        // Later: only a pod that went unready soon after it started and never became Ready.
        unready = pod.ready === false && pod.startMs + o.delayOfInitialReadinessStatusMs > pod.readyTransitionMs;
      }
      if (unready) { g.unready.add(pod.name); continue; }
    }
    g.readyPodCount++;
  }
  return g;
}

/** calculatePodRequests: the sum of the containers' requests (one container's for ContainerResource). */
export function calculatePodRequests(pods: readonly PodView[], container: string, resource: string): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    let found = false;
    for (const c of pod.containers) {
      if (container !== "" && container !== c.name) continue;
      if (c.requestMilli === undefined) return `missing request for ${resource} in container ${c.name} of Pod ${pod.name}`;
      sum += c.requestMilli;
      found = true;
    }
    // calculatePodRequestsFromContainers: a named container the pod lacks is an error (1.27 counted 0).
    if (container !== "" && !found) return `container ${container} not found in Pod ${pod.name}`;
    out.set(pod.name, sum);
  }
  return out;
}

/** GetResourceUtilizationRatio: Σ usage × 100 / Σ requests (integer percent) over the pods with both. */
export function resourceUtilizationRatio(metrics: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, targetUtilization: number): { ratio: number; utilization: number; raw: number } | string {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [name, value] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += value;
    requestsTotal += request;
    n++;
  }
  if (requestsTotal === 0) return "no metrics returned matched known pods";
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, raw: Math.trunc(metricsTotal / n) };
}

/** GetMetricUsageRatio: the average value (integer) over the target. */
export function metricUsageRatio(metrics: ReadonlyMap<string, number>, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const v of metrics.values()) total += v;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

function values(metrics: ReadonlyMap<string, PodMetric>, drop: readonly Set<string>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, m] of metrics) if (!drop.some((s) => s.has(name))) out.set(name, m.value);
  return out;
}

/** GetResourceReplicas: a Utilization target (percent of the requests). */
export function resourceReplicas(
  currentReplicas: number, targetUtilization: number, resource: string, container: string,
  pods: readonly PodView[], podMetrics: ReadonlyMap<string, PodMetric>, nowMs: number, o: CalcOptions = DEFAULT_CALC,
): Calc {
  if (pods.length === 0) return { ok: false, error: "no pods returned by selector while calculating replica count" };
  const g = groupPods(pods, podMetrics, resource, nowMs, o);
  const metrics = values(podMetrics, [g.ignored, g.unready]);
  // No metrics is reported before a missing request (the order of the current source; 1.27 had it after).
  if (metrics.size === 0) return { ok: false, error: NO_METRICS };
  const requests = calculatePodRequests(pods, container, resource);
  if (typeof requests === "string") return { ok: false, error: requests };
  const first = resourceUtilizationRatio(metrics, requests, targetUtilization);
  if (typeof first === "string") return { ok: false, error: first };
  const { ratio, utilization, raw } = first;
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (isWithin(o.tolerances, ratio)) return { ok: true, replicas: currentReplicas, usage: utilization, raw };
    return { ok: true, replicas: Math.ceil(ratio * g.readyPodCount), usage: utilization, raw };
  }
  if (g.missing.size > 0) {
    if (ratio < 1) {
      // Scale-down: missing pods use 100 % of their request (or the target, when it is above 100 %).
      const fallback = Math.max(100, targetUtilization);
      for (const name of g.missing) metrics.set(name, Math.trunc((requests.get(name)! * fallback) / 100));
    } else if (ratio > 1) {
      for (const name of g.missing) metrics.set(name, 0);
    }
  }
  // Scale-up: unready pods use 0 %.
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, 0);
  const again = resourceUtilizationRatio(metrics, requests, targetUtilization);
  if (typeof again === "string") return { ok: false, error: again };
  const newRatio = again.ratio;
  if (isWithin(o.tolerances, newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return { ok: true, replicas: currentReplicas, usage: utilization, raw };
  }
  const newReplicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && newReplicas > currentReplicas) || (newRatio > 1 && newReplicas < currentReplicas)) {
    return { ok: true, replicas: currentReplicas, usage: utilization, raw };
  }
  return { ok: true, replicas: newReplicas, usage: utilization, raw };
}

/** GetRawResourceReplicas → calcPlainMetricReplicas: an AverageValue target (milli-units per pod). */
export function rawResourceReplicas(
  currentReplicas: number, targetUsage: number, resource: string,
  pods: readonly PodView[], podMetrics: ReadonlyMap<string, PodMetric>, nowMs: number, o: CalcOptions = DEFAULT_CALC,
): Calc {
  if (pods.length === 0) return { ok: false, error: "no pods returned by selector while calculating replica count" };
  const g = groupPods(pods, podMetrics, resource, nowMs, o);
  const metrics = values(podMetrics, [g.ignored, g.unready]);
  if (metrics.size === 0) return { ok: false, error: NO_METRICS };
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (isWithin(o.tolerances, ratio)) return { ok: true, replicas: currentReplicas, usage, raw: usage };
    return { ok: true, replicas: Math.ceil(ratio * g.readyPodCount), usage, raw: usage };
  }
  if (g.missing.size > 0) {
    if (ratio < 1) for (const name of g.missing) metrics.set(name, targetUsage);
    else if (ratio > 1) for (const name of g.missing) metrics.set(name, 0);
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, 0);
  const newRatio = metricUsageRatio(metrics, targetUsage).ratio;
  if (isWithin(o.tolerances, newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return { ok: true, replicas: currentReplicas, usage, raw: usage };
  }
  const newReplicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && newReplicas > currentReplicas) || (newRatio > 1 && newReplicas < currentReplicas)) {
    return { ok: true, replicas: currentReplicas, usage, raw: usage };
  }
  return { ok: true, replicas: newReplicas, usage, raw: usage };
}
