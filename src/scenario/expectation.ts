// `spec.expect` of the Simulation: assertions on a client's or an edge's figures, each "OP VALUE".
import { waypointDeploymentName } from "../config/ambient/waypoint-gateway.js";
import { gatewayDeploymentName } from "../config/gateway-api/gateway-deployment.js";
import type { Comparison, ExpectCheck, Expectation } from "./model.js";
import { parseDuration } from "./duration.js";
import type { LoadState } from "./load-state.js";
import type { YamlMap, YamlValue } from "./yaml-value.js";

/** The workload name of the ingress gateway meshsim runs for Gateway resources (Istio's default). */
export const INGRESS_GATEWAY_WORKLOAD = "istio-ingressgateway";

const LATENCY = new Set(["mean", "p50", "p90", "p99", "p999", "max"]);
const COUNT = new Set(["requests", "rps"]);
/**
 * A client's figure plus the half-width of its 95 % interval from the run (summary.json's
 * clients.<name>.ci95, docs/reports.md "Confidence intervals of one run"): `p99Upper: "< 200ms"` holds
 * when the p99 is below 200 ms with 95 % confidence. Clients only (edges have no intervals).
 */
export const CLIENT_UPPER = new Set(["meanUpper", "p99Upper", "errorRateUpper"]);
const OPS: readonly Comparison[] = ["<=", ">=", "==", "!=", "<", ">"];

export type MetricUnit = "latency" | "fraction" | "count";

/** Control-plane figures a `mesh:` expectation can check (summary.json's `mesh`). */
const MESH_LATENCY = new Set(["mesh.convergenceP50", "mesh.convergenceMax"]);
const MESH_COUNT = new Set(["mesh.xdsPushes", "mesh.xdsRejects", "mesh.staleProxiesMax", "mesh.certificatesIssued",
  // With nodes (summary.json's `locality.crossZone`): requests that crossed a zone, dollars per month.
  "mesh.crossZoneRequests", "mesh.crossZoneCostPerMonth",
  // The CPU model (summary.json's mesh.proxyCpuSeconds and mesh.cost): proxy CPU seconds, mean cores,
  // cores per 1,000 rps, memory (MB), monthly cost.
  "mesh.proxyCpuSeconds", "mesh.proxyCores", "mesh.proxyCoresPer1000Rps", "mesh.proxyMemoryMB", "mesh.costPerMonth"]);
/** Share of requests between placed pods that crossed a zone (0..1 or a percentage). */
const MESH_FRACTION = new Set(["mesh.crossZoneShare"]);

/**
 * An HPA's figures (summary.json's `autoscalers.<name>`): replica counts, rescale counts, and times in
 * simulated time (the first scale-up, the last scale-down, from the first scale-up until that many
 * pods were Ready); scalingActive is 1 while its ScalingActive condition is True, else 0.
 */
const AUTOSCALER_COUNT = new Set(["autoscaler.peakReplicas", "autoscaler.currentReplicas", "autoscaler.desiredReplicas", "autoscaler.readyReplicas",
  "autoscaler.scaleUps", "autoscaler.scaleDowns", "autoscaler.scalingActive", "autoscaler.warnings"]);
const AUTOSCALER_TIME = new Set(["autoscaler.firstScaleUpAt", "autoscaler.lastScaleDownAt", "autoscaler.firstScaleUpReady"]);

export function metricUnit(metric: string): MetricUnit | undefined {
  if (AUTOSCALER_COUNT.has(metric)) return "count";
  if (AUTOSCALER_TIME.has(metric)) return "latency";
  if (metric.startsWith("autoscaler.")) return undefined;
  if (MESH_LATENCY.has(metric)) return "latency";
  if (MESH_COUNT.has(metric)) return "count";
  if (MESH_FRACTION.has(metric)) return "fraction";
  if (metric.startsWith("mesh.")) return undefined;
  if (LATENCY.has(metric) || metric === "meanUpper" || metric === "p99Upper") return "latency";
  if (metric === "errorRate" || metric === "errorRateUpper") return "fraction";
  if (COUNT.has(metric) || /^codes\.\d{1,3}$/.test(metric) || /^flags\.(-|[A-Z]+(,[A-Z]+)*)$/.test(metric)) return "count";
  return undefined;
}

/** Parses "< 300ms", ">= 99.5%", "== 0" for a metric; throws an Error with a readable message. */
export function parseCheck(metric: string, text: string): ExpectCheck {
  const unit = metricUnit(metric);
  if (!unit) throw new Error(`unknown metric ${JSON.stringify(metric)}`);
  const t = text.trim();
  const op = OPS.find((o) => t.startsWith(o));
  if (!op) throw new Error(`expected "OP VALUE" with OP one of < <= > >= == !=, got ${JSON.stringify(text)}`);
  const raw = t.slice(op.length).trim();
  if (raw === "") throw new Error(`missing value after ${op}`);
  let value: number;
  if (raw.endsWith("%")) {
    if (unit !== "fraction") throw new Error(`a percentage only applies to errorRate and crossZoneShare, not ${metric}`);
    value = Number(raw.slice(0, -1)) / 100;
    if (!Number.isFinite(value)) throw new Error(`invalid percentage ${JSON.stringify(raw)}`);
  } else if (/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(raw)) {
    if (unit === "latency") throw new Error(`${metric} is a latency: write a duration such as ${raw}ms`);
    value = Number(raw);
  } else {
    if (unit !== "latency") throw new Error(`${metric} is not a latency; expected a number${unit === "fraction" ? " or a percentage" : ""}, got ${JSON.stringify(raw)}`);
    value = parseDuration(raw);
  }
  return { metric, op, value, text: t };
}

/** Reads `keys` of `m` as checks on `prefix + key`. */
function readChecks(m: YamlMap, keys: string[], prefix: string, checks: ExpectCheck[]): boolean {
  let ok = true;
  for (const key of keys) {
    const v = m.get(key);
    const metric = prefix + key;
    if (!v) { m.ctx.sink.error(m.keyPos(key), `${m.path}.${key}`, "needs a condition such as \"< 300ms\""); ok = false; continue; }
    if (metricUnit(metric) === undefined) {
      m.ctx.sink.error(m.keyPos(key), v.path, prefix === "codes."
        ? "expected an HTTP status code (or 0 for no response)"
        : prefix === "flags."
          ? "expected an Envoy response flag such as UO, or -"
          : prefix === "autoscaler."
            ? `unknown autoscaler figure ${JSON.stringify(key)} (peakReplicas, currentReplicas, desiredReplicas, readyReplicas, scaleUps, scaleDowns, scalingActive, warnings, firstScaleUpAt, lastScaleDownAt, firstScaleUpReady)`
          : prefix === "mesh."
            ? `unknown mesh metric ${JSON.stringify(key)} (convergenceP50, convergenceMax, xdsPushes, xdsRejects, staleProxiesMax, certificatesIssued, crossZoneRequests, crossZoneShare, crossZoneCostPerMonth, proxyCpuSeconds, proxyCores, proxyCoresPer1000Rps, proxyMemoryMB, costPerMonth)`
            : `unknown metric ${JSON.stringify(key)} (requests, errorRate, mean, p50, p90, p99, p999, max, rps, codes, flags)`);
      ok = false;
      continue;
    }
    if (v.isNumber) { v.error(`expected a string such as "== ${String(v.plain())}"`); ok = false; continue; }
    const text = v.str();
    if (text === undefined) { ok = false; continue; }
    try { checks.push(parseCheck(metric, text)); } catch (e) { v.error((e as Error).message); ok = false; }
  }
  return ok;
}

export function readExpectation(v: YamlValue, state: LoadState): Expectation | undefined {
  const m = v.map();
  if (!m) return undefined;
  const which = m.exclusive(["client", "edge", "mesh", "autoscaler"], true);
  let subject: Expectation["subject"] | undefined;
  if (which === "client") {
    const cv = m.get("client")!;
    const name = cv.nonEmptyStr();
    if (name !== undefined) {
      subject = { kind: "client", name };
      state.defer(() => {
        if (!state.ofKind("LoadGenerator").some((g) => g.metadata.name === name)) cv.error(`no LoadGenerator named ${JSON.stringify(name)}`);
      });
    }
  } else if (which === "autoscaler") {
    const av = m.get("autoscaler")!;
    const name = av.nonEmptyStr();
    if (name !== undefined) {
      subject = { kind: "autoscaler", name };
      state.defer(() => {
        if (!state.ofKind("HorizontalPodAutoscaler").some((h) => h.metadata.name === name)) av.error(`no HorizontalPodAutoscaler named ${JSON.stringify(name)}`);
      });
    }
  } else if (which === "edge") {
    const em = m.get("edge")!.map();
    const sV = em?.req("source");
    const dV = em?.req("destination");
    const source = sV?.nonEmptyStr();
    const destination = dV?.nonEmptyStr();
    em?.done();
    if (source !== undefined && destination !== undefined) {
      subject = { kind: "edge", source, destination };
      state.defer(() => {
        const deps = new Set(state.ofKind("Deployment").map((d) => d.metadata.name));
        // Traffic entering through a Gateway leaves the ingress gateway's own workload.
        if (state.ofKind("Gateway").length > 0) deps.add(INGRESS_GATEWAY_WORKLOAD);
        // A Gateway API Gateway's Envoy is the `<gateway>-istio` Deployment Istio creates for it.
        // An ambient waypoint (class istio-waypoint) is the Deployment named after its Gateway
        // (mesh/waypoint/waypoint-workloads.ts); other classes are `<gateway>-<class>` (gateway-deployment.ts).
        for (const g of state.ofKind("KubernetesGateway")) deps.add((g as { spec?: { gatewayClassName?: string } }).spec?.gatewayClassName === "istio-waypoint" ? waypointDeploymentName(g as never) : gatewayDeploymentName(g as never));
        const gens = new Set(state.ofKind("LoadGenerator").map((g) => g.metadata.name));
        if (!deps.has(source) && !gens.has(source)) sV!.warn(`no Deployment or LoadGenerator named ${JSON.stringify(source)}; this edge may never carry traffic`);
        if (!deps.has(destination) && destination !== "unknown") dV!.warn(`no Deployment named ${JSON.stringify(destination)}; this edge may never carry traffic`);
      });
    }
  }
  const checks: ExpectCheck[] = [];
  let ok = true;
  if (which === "mesh") {
    // `mesh: {convergenceMax: "< 1s", xdsRejects: "> 0"}`: the control plane's figures.
    const sub = m.get("mesh")!.map();
    if (sub) {
      subject = { kind: "mesh" };
      ok = readChecks(sub, sub.keys(), "mesh.", checks) && ok;
      sub.done();
    } else ok = false;
  }
  // Checks keep the order they are written in.
  for (const key of m.keys()) {
    if (key === "client" || key === "edge" || key === "mesh" || key === "autoscaler") continue;
    if (CLIENT_UPPER.has(key) && which !== "client") {
      m.get(key);
      m.ctx.sink.error(m.keyPos(key), `${m.path}.${key}`, `${key} is a client's figure plus its confidence half-width: only a client: subject has one`);
      ok = false;
    } else if (key === "codes" || key === "flags") {
      const sv = m.get(key);
      const sub = sv?.map();
      if (!sv) m.ctx.sink.error(m.keyPos(key), `${m.path}.${key}`, `expected a map such as {"503": "> 0"}`);
      if (sub) ok = readChecks(sub, sub.keys(), `${key}.`, checks) && ok;
      else ok = false;
    } else ok = readChecks(m, [key], which === "autoscaler" ? "autoscaler." : "", checks) && ok;
  }
  if (checks.length === 0 && ok) { m.error("an expectation needs at least one check, e.g. p99: \"< 300ms\""); ok = false; }
  m.done();
  return ok && subject ? { subject, checks, pos: v.pos } : undefined;
}
