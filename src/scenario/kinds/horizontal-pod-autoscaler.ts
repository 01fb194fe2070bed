// autoscaling/v2 HorizontalPodAutoscaler, read unmodified and validated as the API server does
// (kubernetes pkg/apis/autoscaling/validation/validation.go), with its defaults
// (pkg/apis/autoscaling/v2/defaults.go):
// - minReplicas 1; no metrics ⇒ one Resource metric, cpu at 80 % Utilization;
// - behavior: left unset when not written (the controller then applies its legacy rules); when
//   written, each missing part filled from the defaults: scaleUp {stabilizationWindowSeconds 0,
//   selectPolicy Max, policies [Pods 4 / 15 s, Percent 100 / 15 s]}, scaleDown {selectPolicy Max,
//   policies [Percent 100 / 15 s], window from the controller's --horizontal-pod-autoscaler-downscale-stabilization}.
// https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#default-behavior
// Pods, Object and External metrics need a custom metrics API meshsim does not model: warned about
// and left out.
import type { ObjectMeta } from "../../proxy/api/networking.js";
import type { HorizontalPodAutoscaler, HpaMetric, HpaScalingRules, SourcePos } from "../model.js";
import type { LoadState } from "../load-state.js";
import { parseCpuMillis, parseQuantity } from "../quantity.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";

/** The API server's default target when spec.metrics is empty (autoscaling.DefaultCPUUtilization). */
export const DEFAULT_CPU_UTILIZATION = 80;
/** MaxPeriodSeconds and MaxStabilizationWindowSeconds in validation.go. */
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

export const DEFAULT_SCALE_UP: HpaScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }],
  tolerance: null,
};
export const DEFAULT_SCALE_DOWN: HpaScalingRules = {
  stabilizationWindowSeconds: null,
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
  tolerance: null,
};

export function readHorizontalPodAutoscaler(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos, state: LoadState): HorizontalPodAutoscaler | undefined {
  const spec = doc.req("spec")?.map();
  if (!spec) return undefined;
  let ok = true;
  const refV = spec.req("scaleTargetRef");
  const ref = refV?.map();
  let target: string | undefined;
  if (ref) {
    const kind = ref.req("kind")?.nonEmptyStr();
    target = ref.req("name")?.nonEmptyStr();
    const apiVersion = ref.get("apiVersion")?.str();
    ref.done();
    if (kind !== undefined && kind !== "Deployment") { ref.get("kind")!.error(`meshsim scales Deployments only; got ${JSON.stringify(kind)}`); ok = false; }
    if (apiVersion !== undefined && apiVersion !== "apps/v1") ref.get("apiVersion")!.warn(`a Deployment is apps/v1; got ${JSON.stringify(apiVersion)}`);
  }
  if (target === undefined) ok = false;
  const minV = spec.get("minReplicas");
  // minReplicas 0 needs the HPAScaleToZero feature gate (alpha, off by default).
  const minReplicas = minV ? minV.int({ min: 1 }) : 1;
  const maxV = spec.req("maxReplicas");
  const maxReplicas = maxV?.int({ min: 1 });
  if (minReplicas === undefined || maxReplicas === undefined) ok = false;
  else if (maxReplicas < minReplicas) { maxV!.error(`must be greater than or equal to \`minReplicas\` (${minReplicas})`); ok = false; }

  const metrics: HpaMetric[] = [];
  const metricsV = spec.get("metrics");
  if (metricsV) {
    for (const mv of metricsV.list() ?? []) {
      const r = readMetric(mv);
      if (r === null) ok = false;
      else if (r !== undefined) metrics.push(r);
    }
  }
  if (!metricsV || (metricsV.list()?.length ?? 0) === 0) {
    metrics.push({ type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION }, path: "spec.metrics" });
  } else if (metrics.length === 0 && ok) {
    metricsV.warn("no metric meshsim models (Resource or ContainerResource on cpu or memory): this HPA never scales");
  }

  let behavior: HorizontalPodAutoscaler["behavior"] = null;
  const bV = spec.get("behavior");
  if (bV) {
    const b = bV.map();
    if (!b) ok = false;
    else {
      const up = readRules(b.get("scaleUp"), DEFAULT_SCALE_UP);
      const down = readRules(b.get("scaleDown"), DEFAULT_SCALE_DOWN);
      b.done();
      if (up === undefined || down === undefined) ok = false;
      else behavior = { scaleUp: up, scaleDown: down };
    }
  }
  spec.done();
  if (!ok || target === undefined) return undefined;
  const hpa: HorizontalPodAutoscaler = { kind: "HorizontalPodAutoscaler", metadata, target, minReplicas: minReplicas!, maxReplicas: maxReplicas!, metrics, behavior, pos };
  // The target must exist (Kubernetes would report FailedGetScale for ever; a scenario means a typo).
  state.defer(() => {
    if (state.find("Deployment", target!, metadata.namespace) === undefined) {
      ref!.get("name")?.error(`no Deployment ${JSON.stringify(target)} in namespace ${JSON.stringify(metadata.namespace)}`);
      return;
    }
    checkMemoryModelled(hpa, spec, state);
  });
  return hpa;
}

/** One spec.metrics entry: a modelled metric, undefined (not modelled, warned) or null (invalid, reported). */
function readMetric(mv: YamlValue): HpaMetric | null | undefined {
  const m = mv.map();
  if (!m) return null;
  const type = m.req("type")?.str();
  if (type === undefined) { m.ignore(...m.keys()); return null; }
  if (type === "Pods" || type === "Object" || type === "External") {
    m.ignore(...m.keys());
    m.get("type")!.warn(`${type} metrics come from a custom or external metrics API meshsim does not model; this metric is left out`);
    return undefined;
  }
  if (type !== "Resource" && type !== "ContainerResource") {
    m.ignore(...m.keys());
    m.get("type")!.error(`must be one of Resource, ContainerResource, Pods, Object, External; got ${JSON.stringify(type)}`);
    return null;
  }
  const key = type === "Resource" ? "resource" : "containerResource";
  // The source's field must match the type and be the only one set (validateMetricSpec).
  for (const other of ["resource", "containerResource", "pods", "object", "external"]) {
    if (other !== key && m.has(other)) { m.get(other)!.error(`must not be set when type is ${type}`); m.ignore(...m.keys()); return null; }
  }
  const src = m.req(key)?.map();
  m.done();
  if (!src) return null;
  const nameV = src.req("name");
  const name = nameV?.str();
  const container = type === "ContainerResource" ? src.req("container")?.nonEmptyStr() : undefined;
  const tm = src.req("target")?.map();
  src.done();
  if (name === undefined || tm === undefined || (type === "ContainerResource" && container === undefined)) { tm?.ignore(...tm.keys()); return null; }
  if (name !== "cpu" && name !== "memory") {
    tm.ignore(...tm.keys());
    nameV!.warn(`meshsim models cpu and memory; ${JSON.stringify(name)} is left out`);
    return undefined;
  }
  const ttV = tm.req("type");
  const tt = ttV?.str();
  let target: HpaMetric["target"] | undefined;
  if (tt === "Utilization") {
    const u = tm.req("averageUtilization")?.int({ min: 1 });
    if (u !== undefined) target = { type: "Utilization", averageUtilization: u };
  } else if (tt === "AverageValue") {
    const av = tm.req("averageValue");
    const milli = av ? quantityMilli(av, name) : undefined;
    if (milli !== undefined && milli <= 0) av!.error("must be positive");
    else if (milli !== undefined) target = { type: "AverageValue", averageValueMilli: milli, text: av!.isString ? av!.str()! : String(av!.plain()) };
  } else if (tt !== undefined) {
    // validateMetricTarget for Resource sources: "must be either Utilization or AverageValue".
    ttV!.error(`must be either Utilization or AverageValue; got ${JSON.stringify(tt)}`);
  }
  tm.ignore("value", "averageValue", "averageUtilization");
  if (tt === "Utilization" && tm.has("averageValue")) tm.get("averageValue")!.error("may not be set when type is Utilization");
  if (tt === "AverageValue" && tm.has("averageUtilization")) tm.get("averageUtilization")!.error("may not be set when type is AverageValue");
  tm.done();
  if (target === undefined) return null;
  const out: HpaMetric = { type, resource: name, target, path: mv.path };
  if (container !== undefined) out.container = container;
  return out;
}

/** A Kubernetes quantity as milli-units (Quantity.MilliValue): millicores for cpu, bytes × 1000 for memory. */
function quantityMilli(v: YamlValue, resource: "cpu" | "memory"): number | undefined {
  if (v.isNumber) {
    const n = v.num({ min: 0 });
    return n === undefined ? undefined : Math.ceil(n * 1000);
  }
  const s = v.str();
  if (s === undefined) return undefined;
  try {
    return resource === "cpu" ? Math.ceil(parseCpuMillis(s)) : Math.ceil(parseQuantity(s) * 1000);
  } catch (e) {
    return v.error((e as Error).message);
  }
}

/** A dimensionless Quantity ("0.05", "50m") as a number. */
function quantity(v: YamlValue): number | undefined {
  const s = v.str()!;
  // A negative quantity parses in Kubernetes; validation then refuses it (the caller's message).
  if (/^\s*-/.test(s)) return -1;
  try {
    return /m\s*$/.test(s) ? parseCpuMillis(s) / 1000 : parseQuantity(s);
  } catch (e) {
    return v.error((e as Error).message);
  }
}

function readRules(v: YamlValue | undefined, defaults: HpaScalingRules): HpaScalingRules | undefined {
  if (!v) return { ...defaults, policies: defaults.policies.map((p) => ({ ...p })) };
  const m = v.map();
  if (!m) return undefined;
  let ok = true;
  const out: HpaScalingRules = { ...defaults, policies: defaults.policies.map((p) => ({ ...p })) };
  const swV = m.get("stabilizationWindowSeconds");
  if (swV) {
    const sw = swV.int({ min: 0, max: MAX_STABILIZATION_WINDOW_SECONDS });
    if (sw === undefined) ok = false; else out.stabilizationWindowSeconds = sw;
  }
  const spV = m.get("selectPolicy");
  if (spV) {
    const sp = spV.oneOf(["Max", "Min", "Disabled"] as const);
    if (sp === undefined) ok = false; else out.selectPolicy = sp;
  }
  const plV = m.get("policies");
  if (plV) {
    const items = plV.list();
    if (!items) ok = false;
    else {
      // validateScalingRules: "must specify at least one Policy".
      if (items.length === 0) { plV.error("must specify at least one Policy"); ok = false; }
      out.policies = [];
      for (const it of items) {
        const p = it.map();
        if (!p) { ok = false; continue; }
        const type = p.req("type")?.oneOf(["Pods", "Percent"] as const);
        const value = p.req("value")?.int({ min: 1 });
        const periodSeconds = p.req("periodSeconds")?.int({ min: 1, max: MAX_PERIOD_SECONDS });
        p.done();
        if (type === undefined || value === undefined || periodSeconds === undefined) ok = false;
        else out.policies.push({ type, value, periodSeconds });
      }
    }
  }
  // `tolerance`: a Quantity ≥ 0 (validateScalingRules), read as AsApproximateFloat64 by the
  // controller (horizontal.go tolerancesForHpa). The HPAConfigurableTolerance gate is alpha (off) in
  // 1.33–1.34 and beta (on) from 1.35; meshsim follows 1.35. Unset: the controller's flag, 0.1.
  const tolV = m.get("tolerance");
  if (tolV) {
    const t = tolV.isString ? quantity(tolV) : tolV.num();
    if (t === undefined) ok = false;
    else if (t < 0) { tolV.error("must be greater than or equal to 0"); ok = false; }
    else out.tolerance = t;
  }
  m.done();
  return ok ? out : undefined;
}

/**
 * A memory metric needs the app containers' working set, which meshsim knows only from the Workload's
 * `memory` (a sidecar's comes from its profile). Checked once every resource is read.
 */
function checkMemoryModelled(hpa: HorizontalPodAutoscaler, spec: YamlMap, state: LoadState): void {
  const dep = state.find("Deployment", hpa.target, hpa.metadata.namespace);
  if (dep === undefined) return;
  for (const m of hpa.metrics) {
    if (m.resource !== "memory" || m.container === "istio-proxy") continue;
    const w = state.ofKind("Workload").find((x) => x.metadata.namespace === dep.metadata.namespace && Object.entries(x.selector).every(([k, v]) => dep.podLabels[k] === v));
    if (w?.memory === undefined) {
      spec.ctx.sink.error(hpa.pos, `${m.path}`, `a memory metric needs the app's working set, which meshsim does not model unless the Workload of Deployment ${JSON.stringify(hpa.target)} sets spec.memory {workingSet, perRequest}`);
    }
  }
}
