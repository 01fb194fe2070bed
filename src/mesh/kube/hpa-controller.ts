// kube-controller-manager's horizontal-pod-autoscaler controller for the scenario's HPAs: every
// --horizontal-pod-autoscaler-sync-period (15 s) each HPA reads its Deployment's scale and pods,
// the pods' metrics from metrics-server (metrics-server.ts), computes a replica count per metric
// (replica-calculator.ts), takes the largest, applies stabilisation and rate policies
// (hpa-scaling-rules.ts) and sets the Deployment's replicas. New pods go through the pods' own
// lifecycle (scheduling, startup, readiness, istiod's pushes); removed ones drain gracefully.
// Conditions, events and their texts are those of kubernetes pkg/controller/podautoscaler/horizontal.go
// as of 1.35 (reconcileAutoscaler, computeReplicasForMetrics, computeReplicasForMetric,
// computeStatusForResourceMetricGeneric, tolerancesForHpa), so the report reads like `kubectl describe hpa`.
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go
// https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
import type { Simulator } from "../../engine/simulator.js";
import type { Deployment, HorizontalPodAutoscaler, HpaMetric, Workload } from "../../scenario/model.js";
import { containerRequests, ISTIO_PROXY, type ContainerRequests } from "./container-requests.js";
import { compareForDeletion, type RankedPod } from "./active-pods-with-ranks.js";
import { HpaScalingState, type Condition } from "./hpa-scaling-rules.js";
import { MetricsServer, type MeasuredContainer, type PodMetrics } from "./metrics-server.js";
import type { Pod } from "./pod.js";
import {
  DEFAULT_CALC, DEFAULT_TOLERANCE, rawResourceReplicas, resourceReplicas, type Calc, type CalcOptions, type PodMetric, type PodView, type Tolerances,
} from "./replica-calculator.js";

/** --horizontal-pod-autoscaler-sync-period default. */
export const HPA_SYNC_PERIOD_MS = 15_000;

/** What the controller needs from the world. */
export interface AutoscalerHost {
  readonly sim: Simulator;
  /** The Deployment's pods (every one ever created; the controller filters). */
  podsOf(dep: Deployment): readonly Pod[];
  /** A new replica (it starts, is scheduled or stays Pending, as any new pod). */
  addPod(dep: Deployment): Pod;
  /** Remove a replica: graceful termination, or a Pending pod that never binds. */
  removePod(pod: Pod): void;
  /** Pods were added or removed: endpoints follow. */
  podsChanged(): void;
  event(tMs: number, kind: string, detail: Record<string, string | number>): void;
  /** The Workload serving the Deployment's pods (the app's memory), if any. */
  workloadOf(dep: Deployment): Workload | undefined;
  /** A sidecar's working set, bytes (its profile's base memory). */
  readonly proxyMemoryBytes: number;
  /** A named seeded random stream (engine/rng.ts). */
  stream(name: string): () => number;
}

export interface HpaSample {
  t: number;
  desired: number;
  current: number;
  ready: number;
  /** Per metric: its current value (percent for Utilization, milli-units for AverageValue); null when unknown. */
  metrics: (number | null)[];
}

export interface HpaEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  firstMs: number;
  lastMs: number;
  count: number;
}

export interface HpaConditionState extends Condition {
  type: "AbleToScale" | "ScalingActive" | "ScalingLimited";
  lastTransitionMs: number;
}

/** One HPA's controller state and record. */
export class HpaState {
  readonly samples: HpaSample[] = [];
  readonly decisions: { t: number; from: number; to: number; reason: string }[] = [];
  readonly events: HpaEvent[] = [];
  readonly conditions: HpaConditionState[] = [];
  desiredReplicas = 0;
  currentReplicas = 0;
  /** The last metric statuses (per metric: value, null when it failed). */
  current: (number | null)[];
  readonly rules: HpaScalingState;

  /** What the replica calculator uses for this HPA: the defaults, with its own tolerances. */
  readonly calc: CalcOptions;

  constructor(readonly spec: HorizontalPodAutoscaler, readonly dep: Deployment) {
    this.rules = new HpaScalingState(spec.behavior);
    this.current = spec.metrics.map(() => null);
    this.calc = { ...DEFAULT_CALC, tolerances: tolerancesFor(spec) };
  }

  /** Record an event; repeats of the last one of its reason and message are counted, as kubectl aggregates them. */
  record(type: "Normal" | "Warning", reason: string, message: string, nowMs: number): void {
    const same = this.events.find((e) => e.reason === reason && e.message === message && e.type === type);
    if (same !== undefined) {
      same.count++;
      same.lastMs = nowMs;
      return;
    }
    this.events.push({ type, reason, message, firstMs: nowMs, lastMs: nowMs, count: 1 });
  }

  setCondition(type: HpaConditionState["type"], c: Condition, nowMs: number): void {
    const existing = this.conditions.find((x) => x.type === type);
    if (existing === undefined) {
      this.conditions.push({ type, ...c, lastTransitionMs: nowMs });
      return;
    }
    if (existing.status !== c.status) existing.lastTransitionMs = nowMs;
    existing.status = c.status;
    existing.reason = c.reason;
    existing.message = c.message;
  }
}

/**
 * horizontal.go tolerancesForHpa: the controller's --horizontal-pod-autoscaler-tolerance both ways,
 * unless the HPA's behavior sets scaleUp/scaleDown.tolerance (HPAConfigurableTolerance, on from 1.35).
 */
export function tolerancesFor(spec: HorizontalPodAutoscaler): Tolerances {
  const b = spec.behavior;
  return {
    scaleDown: b?.scaleDown.tolerance ?? DEFAULT_TOLERANCE,
    scaleUp: b?.scaleUp.tolerance ?? DEFAULT_TOLERANCE,
  };
}

/** A metric's name as horizontal.go's proposals name it (in "<metric> above target"). */
export function metricName(m: HpaMetric): string {
  if (m.target.type === "AverageValue") return `${m.resource} resource`;
  return m.type === "ContainerResource" ? `${m.resource} container resource utilization (percentage of request)` : `${m.resource} resource utilization (percentage of request)`;
}

export class HpaControllers {
  readonly states: HpaState[];
  private readonly metricsServer = new MetricsServer();
  /** Per pod the HPA created: its creationTimestamp (others: their start). */
  private readonly created = new WeakMap<Pod, number>();
  /** Per pod: its UID (a draw from the Deployment's seeded stream), compared by the ReplicaSet's ranking. */
  private readonly uids = new WeakMap<Pod, number>();
  /** Per pod: its Ready condition's status and lastTransitionTime as the kubelet reported it. */
  private readonly readiness = new Map<Pod, { ready: boolean; sinceMs: number }>();
  private readonly targets: Set<Deployment>;
  private readonly kSync: number;

  constructor(private readonly host: AutoscalerHost, hpas: readonly { spec: HorizontalPodAutoscaler; dep: Deployment }[], private readonly stopMs: number) {
    this.states = hpas.map((h) => new HpaState(h.spec, h.dep));
    this.targets = new Set(hpas.map((h) => h.dep));
    this.kSync = host.sim.on(() => this.syncAll());
    // The first sync comes one period in: enqueueHPA adds the HPA with AddRateLimited, and the
    // controller's FixedItemIntervalRateLimiter (rate_limiters.go) delays every item by the sync
    // period, the first included. metrics-server has its first window then.
    if (HPA_SYNC_PERIOD_MS <= stopMs) host.sim.at(HPA_SYNC_PERIOD_MS, this.kSync);
  }

  /** Pods started, stopped or changed readiness: note when each target pod's Ready condition changed. */
  podsChanged(): void {
    const now = this.host.sim.now;
    for (const dep of this.targets) {
      for (const pod of this.host.podsOf(dep)) {
        const r = this.readiness.get(pod);
        const ready = pod.alive && pod.ready;
        if (r === undefined) this.readiness.set(pod, { ready, sinceMs: pod.startedAtMs === -Infinity && ready ? -Infinity : now });
        else if (r.ready !== ready) { r.ready = ready; r.sinceMs = now; }
      }
    }
  }

  private syncAll(): void {
    this.podsChanged();
    for (const s of this.states) this.reconcile(s);
    const next = this.host.sim.now + HPA_SYNC_PERIOD_MS;
    if (next <= this.stopMs) this.host.sim.at(next, this.kSync);
  }

  /** The Deployment's replicas: its pods not being deleted and not gone (Pending ones count). */
  private replicaPods(dep: Deployment): Pod[] {
    return this.host.podsOf(dep).filter((p) => !p.terminating && (p.alive || p.pending !== undefined));
  }

  private reconcile(s: HpaState): void {
    const now = this.host.sim.now;
    const spec = s.spec;
    const replicaPods = this.replicaPods(s.dep);
    const current = replicaPods.length;
    s.setCondition("AbleToScale", { status: "True", reason: "SucceededGetScale", message: "the HPA controller was able to get the target's current scale" }, now);
    s.rules.recordInitial(current, now);
    let desired = 0;
    let rescaleReason = "";
    let rescale = true;
    if (current === 0 && spec.minReplicas !== 0) {
      rescale = false;
      s.setCondition("ScalingActive", { status: "False", reason: "ScalingDisabled", message: "scaling is disabled since the replica count of the target is zero" }, now);
    } else if (current > spec.maxReplicas) {
      rescaleReason = "Current number of replicas above Spec.MaxReplicas";
      desired = spec.maxReplicas;
    } else if (current < spec.minReplicas) {
      rescaleReason = "Current number of replicas below Spec.MinReplicas";
      desired = spec.minReplicas;
    } else {
      const r = this.computeReplicasForMetrics(s, current, now);
      if (r === null) {
        // Nothing computed: no scaling, the status keeps its desired count.
        s.currentReplicas = current;
        this.sample(s, current);
        return;
      }
      desired = r.replicas;
      if (desired > current) rescaleReason = `${r.metric} above target`;
      if (desired < current) rescaleReason = "All metrics below target";
      const n = s.rules.normalize(current, desired, spec.minReplicas, spec.maxReplicas, now);
      s.setCondition("AbleToScale", n.ableToScale, now);
      s.setCondition("ScalingLimited", n.scalingLimited, now);
      desired = n.replicas;
      rescale = desired !== current;
    }
    if (rescale) {
      this.scaleTo(s.dep, replicaPods, desired);
      s.setCondition("AbleToScale", { status: "True", reason: "SucceededRescale", message: `the HPA controller was able to update the target scale to ${desired}` }, now);
      s.record("Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${rescaleReason}`, now);
      s.decisions.push({ t: now, from: current, to: desired, reason: rescaleReason });
      s.rules.stored(current, desired, now);
      this.host.event(now, "rescale", { hpa: spec.metadata.name, from: current, to: desired, reason: rescaleReason });
    } else desired = current;
    s.currentReplicas = current;
    s.desiredReplicas = desired;
    // The series shows the Deployment as this sync left it (status.currentReplicas is the count before).
    this.sample(s, rescale ? desired : current);
  }

  private sample(s: HpaState, replicas: number): void {
    const ready = this.host.podsOf(s.dep).filter((p) => p.alive && p.ready && !p.terminating).length;
    s.samples.push({ t: this.host.sim.now, desired: s.desiredReplicas, current: replicas, ready, metrics: s.current.slice() });
  }

  /** computeReplicasForMetrics: the largest proposal; null when the HPA cannot scale (all invalid, or some invalid on a scale-down). */
  private computeReplicasForMetrics(s: HpaState, specReplicas: number, now: number): { replicas: number; metric: string } | null {
    let replicas = 0;
    let metric = "";
    let invalid = 0;
    let firstError = "";
    let firstCondition: Condition | null = null;
    const pods = this.podViews(s.dep, now);
    for (let i = 0; i < s.spec.metrics.length; i++) {
      const m = s.spec.metrics[i]!;
      const r = this.computeMetric(s.dep, m, specReplicas, pods, now, s.calc);
      if (!r.ok) {
        s.current[i] = null;
        // getUnableComputeReplicaCountCondition: an event per failure, the condition of the first.
        // computeStatusForResourceMetricGeneric names a Utilization failure "utilization", an
        // AverageValue one "usage"; computeReplicasForMetric wraps it per source type.
        const reason = m.type === "ContainerResource" ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
        const err = `failed to get ${m.resource} ${m.target.type === "Utilization" ? "utilization" : "usage"}: ${r.error}`;
        s.record("Warning", reason, err, now);
        if (invalid === 0) {
          firstCondition = { status: "False", reason, message: `the HPA was unable to compute the replica count: ${err}` };
          firstError = m.type === "ContainerResource" ? `failed to get ${m.container} container metric value: ${err}` : `failed to get ${m.resource} resource metric value: ${err}`;
        }
        invalid++;
        continue;
      }
      s.current[i] = r.usage;
      if (replicas === 0 || r.replicas > replicas) {
        replicas = r.replicas;
        metric = metricName(m);
      }
    }
    const total = s.spec.metrics.length;
    if (total === 0) return null;
    if (invalid >= total || (invalid > 0 && replicas < specReplicas)) {
      s.setCondition("ScalingActive", firstCondition!, now);
      const err = `invalid metrics (${invalid} invalid out of ${total}), first error is: ${firstError}`;
      // reconcileAutoscaler records the error itself; the "failed to compute desired number of replicas
      // based on listed metrics for Deployment/…" wrapper is only what it returns (logged).
      s.record("Warning", "FailedComputeMetricsReplicas", err, now);
      return null;
    }
    s.setCondition("ScalingActive", { status: "True", reason: "ValidMetricFound", message: `the HPA was able to successfully calculate a replica count from ${metric}` }, now);
    return { replicas, metric };
  }

  private computeMetric(dep: Deployment, m: HpaMetric, specReplicas: number, pods: PodSnapshot[], now: number, calc: CalcOptions): Calc {
    const metrics = new Map<string, PodMetric>();
    for (const p of pods) {
      if (p.metrics === null) continue;
      let value = 0;
      if (m.type === "ContainerResource") {
        const c = p.metrics.containers.find((x) => x.name === m.container);
        // getContainerMetrics: a pod without the container fails the whole metric.
        if (c === undefined) return { ok: false, error: `unable to get metrics for resource ${m.resource}: failed to get container metrics: container ${m.container} not present in metrics for pod ${dep.metadata.namespace}/${p.view.name}` };
        value = m.resource === "cpu" ? c.cpuMilli : c.memoryMilli;
      } else {
        for (const c of p.metrics.containers) value += m.resource === "cpu" ? c.cpuMilli : c.memoryMilli;
      }
      metrics.set(p.view.name, { value, timestampMs: p.metrics.timestampMs, windowMs: p.metrics.windowMs });
    }
    if (metrics.size === 0) return { ok: false, error: `unable to get metrics for resource ${m.resource}: no metrics returned from resource metrics API` };
    const views = pods.map((p) => (m.resource === "cpu" ? p.view : p.memoryView));
    return m.target.type === "Utilization"
      ? resourceReplicas(specReplicas, m.target.averageUtilization, m.resource, m.container ?? "", views, metrics, now, calc)
      : rawResourceReplicas(specReplicas, m.target.averageValueMilli, m.resource, views, metrics, now, calc);
  }

  /** The pods the HPA's lister returns for the target, with their metrics from metrics-server. */
  private podViews(dep: Deployment, now: number): PodSnapshot[] {
    const out: PodSnapshot[] = [];
    const w = this.host.workloadOf(dep);
    for (const pod of this.host.podsOf(dep)) {
      const pendingPod = !pod.alive && pod.pending !== undefined;
      // Gone (killed, or terminated and its grace period over): no longer listed.
      if (!pod.alive && !pendingPod) continue;
      const reqs = requestsOf(dep, pod);
      const r = this.readiness.get(pod);
      const view: PodView = {
        name: pod.name,
        phase: pendingPod ? "Pending" : "Running",
        deleting: pod.terminating,
        ready: pendingPod ? null : pod.ready,
        readyTransitionMs: r?.sinceMs ?? pod.startedAtMs,
        startMs: pendingPod ? null : pod.startedAtMs,
        containers: reqs.map((c) => ({ name: c.name, requestMilli: c.cpuMilli })),
      };
      const memoryView: PodView = { ...view, containers: reqs.map((c) => ({ name: c.name, requestMilli: c.memoryMilli })) };
      // An unreachable node's kubelet cannot be scraped.
      const metrics = pendingPod || pod.blackholed ? null : this.metricsServer.podMetrics(pod.startedAtMs, this.measured(pod, reqs, w), now);
      out.push({ view, memoryView, metrics });
    }
    return out;
  }

  private measured(pod: Pod, reqs: readonly ContainerRequests[], w: Workload | undefined): MeasuredContainer[] {
    const out: MeasuredContainer[] = [];
    for (let i = 0; i < reqs.length; i++) {
      const c = reqs[i]!;
      if (c.name === ISTIO_PROXY) {
        const bytes = this.host.proxyMemoryBytes;
        out.push({ name: c.name, cpu: pod.proxy?.cpu?.usage ?? null, memoryBytes: () => bytes });
      } else if (i === 0) {
        // The first container runs the Workload's compute steps (mesh/kube/pod-resources.ts).
        const mem = w?.memory;
        out.push({
          name: c.name, cpu: pod.appCpu?.usage ?? null,
          memoryBytes: mem === undefined ? () => 0 : () => mem.baseBytes + mem.perRequestBytes * (pod.app.busy + pod.app.queued),
        });
      } else out.push({ name: c.name, cpu: null, memoryBytes: () => 0 });
    }
    return out;
  }

  /**
   * Set the Deployment's replicas. Removing, the ReplicaSet controller deletes the pods
   * ActivePodsWithRanks puts first (active-pods-with-ranks.ts): unbound, not Ready, doubled up on a
   * node, Ready most recently (in powers of two), restarted most, newest.
   */
  private scaleTo(dep: Deployment, replicaPods: Pod[], desired: number): void {
    const current = replicaPods.length;
    const now = this.host.sim.now;
    if (desired > current) {
      for (let k = current; k < desired; k++) this.created.set(this.host.addPod(dep), now);
      return;
    }
    // getPodsRankedByRelatedPodsOnSameNode: the Deployment's active pods per node.
    const onNode = new Map<string, number>();
    for (const p of replicaPods) onNode.set(p.node ?? "", (onNode.get(p.node ?? "") ?? 0) + 1);
    const uids = this.host.stream(`replicaset-uid:${dep.metadata.namespace}/${dep.metadata.name}`);
    const ranked = replicaPods.map((p) => {
      let uid = this.uids.get(p);
      if (uid === undefined) this.uids.set(p, (uid = uids()));
      const ready = p.alive && p.ready;
      const r: RankedPod = {
        bound: p.alive, pending: !p.alive, ready,
        readySinceMs: this.readiness.get(p)?.sinceMs ?? p.startedAtMs,
        restarts: p.restarts,
        createdMs: this.created.get(p) ?? p.startedAtMs,
        colocated: onNode.get(p.node ?? "")!,
        uid,
      };
      return { p, r };
    });
    ranked.sort((a, b) => compareForDeletion(a.r, b.r, now));
    for (let k = 0; k < current - desired; k++) this.host.removePod(ranked[k]!.p);
    this.host.podsChanged();
  }
}

interface PodSnapshot {
  view: PodView;
  memoryView: PodView;
  metrics: PodMetrics | null;
}

const requestCache = new WeakMap<Deployment, { sidecar: ContainerRequests[]; plain: ContainerRequests[] }>();
function requestsOf(dep: Deployment, pod: Pod): ContainerRequests[] {
  let c = requestCache.get(dep);
  if (c === undefined) {
    c = { sidecar: containerRequests(dep, true), plain: containerRequests(dep, false) };
    requestCache.set(dep, c);
  }
  return pod.hasSidecar ? c.sidecar : c.plain;
}
