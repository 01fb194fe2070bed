// The summary's view of the HPAs (summary.json `autoscalers`): per HPA its replicas and metrics at
// every sync, its rescale decisions, events and conditions, read from the controller at the end.
import type { World } from "../mesh/world.js";
import { DOWNSCALE_STABILIZATION_MS } from "../mesh/kube/hpa-scaling-rules.js";
import { metricName, type HpaState } from "../mesh/kube/hpa-controller.js";
import type { AutoscalerSummary, HpaRulesSummary, Summary } from "../report/summary-types.js";
import type { HpaScalingRules } from "../scenario/model.js";

const sec = (ms: number): number => Math.round(ms) / 1000;

export function addAutoscalers(summary: Summary, world: World): void {
  const a = world.autoscalers;
  if (a === null) return;
  const out: Record<string, AutoscalerSummary> = {};
  for (const s of a.states) {
    const m = s.spec.metadata;
    out[m.namespace === "default" ? m.name : `${m.name}.${m.namespace}`] = autoscalerSummary(s);
  }
  summary.autoscalers = out;
}

function rules(r: HpaScalingRules): HpaRulesSummary {
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? DOWNSCALE_STABILIZATION_MS / 1000,
    selectPolicy: r.selectPolicy,
    policies: r.policies.map((p) => ({ ...p })),
    ...(r.tolerance !== null ? { tolerance: r.tolerance } : {}),
  };
}

function autoscalerSummary(s: HpaState): AutoscalerSummary {
  const spec = s.spec;
  // AverageValue memory is held in milli-units (bytes × 1000): reported in bytes.
  const perMetric = spec.metrics.map((m) => (m.target.type === "AverageValue" && m.resource === "memory" ? 1000 : 1));
  const replicas = s.samples.map((x) => ({ t: sec(x.t), desired: x.desired, current: x.current, ready: x.ready, metrics: x.metrics.map((v, i) => (v === null ? null : v / perMetric[i]!)) }));
  let peak = 0;
  for (const r of replicas) peak = Math.max(peak, r.current);
  // How long the first scale-up took to become Ready pods (sampled at the syncs).
  let firstReady: number | null = null;
  const up = s.decisions.find((d) => d.to > d.from);
  if (up !== undefined) {
    const hit = s.samples.find((x) => x.t > up.t && x.ready >= up.to);
    if (hit !== undefined) firstReady = sec(hit.t - up.t);
  }
  return {
    namespace: spec.metadata.namespace,
    reference: `Deployment/${spec.target}`,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    metrics: spec.metrics.map((m) => ({
      name: metricName(m), type: m.type, resource: m.resource, ...(m.container !== undefined ? { container: m.container } : {}),
      target: m.target.type === "Utilization" ? m.target.averageUtilization : m.resource === "cpu" ? m.target.averageValueMilli : m.target.averageValueMilli / 1000,
      unit: m.target.type === "Utilization" ? "percent" : m.resource === "cpu" ? "millicores" : "bytes",
    })),
    behavior: spec.behavior === null ? "default" : { scaleUp: rules(spec.behavior.scaleUp), scaleDown: rules(spec.behavior.scaleDown) },
    replicas,
    decisions: s.decisions.map((d) => ({ t: sec(d.t), from: d.from, to: d.to, reason: d.reason })),
    events: s.events.map((e) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count, firstT: sec(e.firstMs), lastT: sec(e.lastMs) })),
    conditions: s.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionT: sec(c.lastTransitionMs) })),
    currentReplicas: s.currentReplicas,
    desiredReplicas: s.desiredReplicas,
    lastScaleTime: s.decisions.length > 0 ? sec(s.decisions[s.decisions.length - 1]!.t) : null,
    peakReplicas: peak,
    firstScaleUpReadySeconds: firstReady,
  };
}
