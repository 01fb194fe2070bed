// The Simulation document: run settings, mesh costs, network, timeline, expectations, report.
import type { MeshDefaultTrafficPolicy, ObjectMeta } from "../proxy/api/networking.js";
import type { DistributionSpec } from "../engine/distributions/spec.js";
import type { Expectation, MeshSettings, NetworkTopology, Simulation, SourcePos } from "./model.js";
import { readNodeShorthand } from "./kinds/node.js";
import { readNetworkTopology } from "./network-topology.js";
import { DEFAULTS } from "./defaults.js";
import { DEFAULT_PROXY_PROFILE, PROXY_PROFILES, type ProxyCalibration } from "../proxy/resources/calibration-profile.js";
import { DEFAULT_PRICES } from "../telemetry/resource-cost.js";
import { readDistribution } from "./distribution.js";
import { readExpectation } from "./expectation.js";
import type { LoadState } from "./load-state.js";
import { readServedJwks } from "./served-jwks.js";
import { readTimeline } from "./timeline.js";
import { readConnectionPool, readOutlierDetection } from "./kinds/traffic-policy.js";
import type { YamlMap, YamlValue } from "./yaml-value.js";
import type { LabelSelector } from "../proxy/api/gateway-api.js";
import { requirementError } from "../proxy/label-selector.js";

function dist(v: YamlValue | undefined, fallback: DistributionSpec): DistributionSpec {
  return (v && readDistribution(v)) ?? fallback;
}

/**
 * `mesh.proxy`: a calibration profile (`profile`, default istio-1.24) and any of its coefficients
 * overridden; `latency`, `cpuPerRequest` and `memory` keep their old meaning (the non-CPU part of a
 * pass, CPU per request, the base memory) and override the profile's.
 */
function readProxy(proxy: YamlMap | undefined): MeshSettings["proxy"] {
  const d = DEFAULTS.mesh;
  const profV = proxy?.get("profile");
  let base = PROXY_PROFILES[DEFAULT_PROXY_PROFILE]!;
  if (profV) {
    const name = profV.str();
    if (name !== undefined) {
      const p = PROXY_PROFILES[name];
      if (p === undefined) profV.error(`unknown proxy profile "${name}" (known: ${Object.keys(PROXY_PROFILES).join(", ")})`);
      else base = p;
    }
  }
  const share = (key: string): number | undefined => proxy?.get(key)?.num({ min: 0, max: 1 });
  const filters = proxy?.get("filterCpu")?.map();
  const memoryBytes = proxy?.get("memory")?.bytes();
  const calibration: ProxyCalibration = {
    ...base,
    latency: dist(proxy?.get("latency"), base.latency),
    cpuPerRequestMs: proxy?.get("cpuPerRequest")?.duration() ?? base.cpuPerRequestMs,
    afterResponseShare: share("afterResponseShare") ?? base.afterResponseShare,
    mainThreadShare: share("mainThreadShare") ?? base.mainThreadShare,
    tlsHandshakeMs: proxy?.get("tlsHandshake")?.duration() ?? base.tlsHandshakeMs,
    tlsResumptionMs: proxy?.get("tlsResumption")?.duration() ?? base.tlsResumptionMs,
    cpuPerKiBMs: proxy?.get("cpuPerKiB")?.duration() ?? base.cpuPerKiBMs,
    plaintextFactor: proxy?.get("plaintextFactor")?.num({ min: 0 }) ?? base.plaintextFactor,
    filterCpuMs: {
      rbac: filters?.get("rbac")?.duration() ?? base.filterCpuMs.rbac,
      jwt: filters?.get("jwt")?.duration() ?? base.filterCpuMs.jwt,
      accessLog: filters?.get("accessLog")?.duration() ?? base.filterCpuMs.accessLog,
      tracing: filters?.get("tracing")?.duration() ?? base.filterCpuMs.tracing,
    },
    memoryBaseMB: memoryBytes !== undefined ? memoryBytes / 1e6 : base.memoryBaseMB,
  };
  filters?.done();
  if (calibration.afterResponseShare + calibration.mainThreadShare > 1) {
    proxy?.get("afterResponseShare")?.error("afterResponseShare + mainThreadShare must not exceed 1");
  }
  const concurrency = proxy?.get("concurrency")?.int({ min: 0 });
  return {
    latency: calibration.latency,
    cpuPerRequestMs: calibration.cpuPerRequestMs,
    memoryBytes: calibration.memoryBaseMB * 1e6,
    startupTime: dist(proxy?.get("startupTime"), d.proxy.startupTime),
    calibration,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(proxy !== undefined ? { declared: true as const } : {}),
  };
}

/** `mesh.cost`: prices per vCPU-hour and GB-hour for the monthly cost. */
function readCost(v: YamlValue | undefined): MeshSettings["cost"] {
  const m = v?.map();
  const out = {
    perVcpuHour: m?.get("vcpuHour")?.num({ min: 0 }) ?? DEFAULT_PRICES.perVcpuHour,
    perGbHour: m?.get("gbHour")?.num({ min: 0 }) ?? DEFAULT_PRICES.perGbHour,
    currency: m?.get("currency")?.str() ?? DEFAULT_PRICES.currency,
  };
  m?.done();
  return out;
}

/**
 * MeshConfig defaultTrafficPolicy: `connectionPool` and `outlierDetection`, read as a DestinationRule's;
 * istiod rejects a connectionPool with neither tcp nor http.
 * istio/istio pkg/config/validation/agent/validation.go (validateMeshConfigDefaultTrafficPolicy)
 */
function readDefaultTrafficPolicy(v: YamlValue | undefined): MeshDefaultTrafficPolicy | undefined {
  const m = v?.map();
  if (!m) return undefined;
  const out: MeshDefaultTrafficPolicy = {};
  const cpV = m.get("connectionPool");
  if (cpV) {
    const cp = readConnectionPool(cpV);
    if (cp !== undefined && cp.tcp === undefined && cp.http === undefined) cpV.error("connection pool must have at least one field (tcp or http)");
    else if (cp !== undefined) out.connectionPool = cp;
  }
  const odV = m.get("outlierDetection");
  if (odV) {
    const od = readOutlierDetection(odV);
    if (od !== undefined) out.outlierDetection = od;
  }
  m.done();
  return out;
}

function readMesh(v: YamlValue | undefined): MeshSettings {
  const d = DEFAULTS.mesh;
  const m = v?.map();
  const proxy = m?.get("proxy")?.map();
  const cp = m?.get("controlPlane")?.map();
  const certs = m?.get("certificates")?.map();
  let outboundTrafficPolicy: MeshSettings["outboundTrafficPolicy"] = d.outboundTrafficPolicy;
  const otpV = m?.get("outboundTrafficPolicy");
  if (otpV) {
    // Accepts the short form and MeshConfig's `{mode: REGISTRY_ONLY}`.
    const modes = ["ALLOW_ANY", "REGISTRY_ONLY"] as const;
    if (otpV.isMap) {
      const om = otpV.map()!;
      outboundTrafficPolicy = om.req("mode")?.oneOf(modes) ?? outboundTrafficPolicy;
      om.done();
    } else outboundTrafficPolicy = otpV.oneOf(modes) ?? outboundTrafficPolicy;
  }
  const defaultTrafficPolicy = readDefaultTrafficPolicy(m?.get("defaultTrafficPolicy"));
  // MeshConfig.h2UpgradePolicy: the enum's two values (istio/api mesh/v1alpha1/config.proto H2UpgradePolicy).
  const h2UpgradePolicy = m?.get("h2UpgradePolicy")?.oneOf(["DO_NOT_UPGRADE", "UPGRADE"] as const);
  const modeV = m?.get("mode");
  const mode = modeV?.oneOf(["sidecar", "ambient", "none"] as const) ?? d.mode;
  // Ambient's ztunnel and waypoints are not modelled: say so rather than quietly run another mesh.
  const out: MeshSettings = {
    mode,
    outboundTrafficPolicy,
    ...(defaultTrafficPolicy !== undefined ? { defaultTrafficPolicy } : {}),
    ...(h2UpgradePolicy !== undefined ? { h2UpgradePolicy } : {}),
    proxy: readProxy(proxy),
    controlPlane: {
      debounceAfterMs: cp?.get("debounceAfter")?.duration() ?? d.controlPlane.debounceAfterMs,
      debounceMaxMs: cp?.get("debounceMax")?.duration() ?? d.controlPlane.debounceMaxMs,
      pushThrottle: cp?.get("pushThrottle")?.int({ min: 1 }) ?? d.controlPlane.pushThrottle,
      maxRequestsPerSecond: cp?.get("maxRequestsPerSecond")?.num({ minExclusive: 0 }) ?? d.controlPlane.maxRequestsPerSecond,
      pushTime: dist(cp?.get("pushTime"), d.controlPlane.pushTime),
      pushTimePerResourceMs: cp?.get("pushTimePerResource")?.duration() ?? d.controlPlane.pushTimePerResourceMs,
    },
    cost: readCost(m?.get("cost")),
    certificates: { workloadTTLMs: certs?.get("workloadTTL")?.duration({ positive: true }) ?? d.certificates.workloadTTLMs },
    injection: {},
  };
  const inj = m?.get("injection")?.map();
  const byDefault = inj?.get("enableNamespacesByDefault")?.bool();
  if (byDefault !== undefined) out.injection.enableNamespacesByDefault = byDefault;
  const never = readInjectSelectors(inj?.get("neverInjectSelector"));
  if (never) out.injection.neverInjectSelector = never;
  const always = readInjectSelectors(inj?.get("alwaysInjectSelector"));
  if (always) out.injection.alwaysInjectSelector = always;
  const autoInject = inj?.get("autoInject")?.oneOf(["enabled", "disabled"] as const);
  if (autoInject) out.injection.autoInject = autoInject;
  for (const x of [proxy, cp, certs, inj, m]) x?.done();
  return out;
}

/**
 * sidecarInjectorWebhook.neverInjectSelector / alwaysInjectSelector: a list of LabelSelectors. One
 * that LabelSelectorAsSelector refuses is only logged and skipped by istiod (inject.go
 * injectRequired); meshsim refuses it as input instead of silently ignoring it.
 */
function readInjectSelectors(v: YamlValue | undefined): LabelSelector[] | undefined {
  const list = v?.list();
  if (!list) return undefined;
  const out: LabelSelector[] = [];
  for (const sv of list) {
    const sm = sv.map();
    if (!sm) continue;
    const sel: LabelSelector = { matchLabels: sm.get("matchLabels")?.strMap() ?? {} };
    const exprs = sm.get("matchExpressions")?.list();
    if (exprs) {
      sel.matchExpressions = [];
      for (const ev of exprs) {
        const em = ev.map();
        if (!em) continue;
        const key = em.req("key")?.str();
        const operator = em.req("operator")?.str();
        const values = em.get("values")?.strList() ?? [];
        em.done();
        if (key === undefined || operator === undefined) continue;
        const r = { key, operator, values };
        const err = requirementError(r);
        if (err !== undefined) { ev.error(err); continue; }
        sel.matchExpressions.push(r);
      }
    }
    sm.done();
    out.push(sel);
  }
  return out;
}

function readNetwork(v: YamlValue | undefined, file: string, state: LoadState): { network: Simulation["network"]; topology: NetworkTopology } {
  const m = v?.map();
  const jwksV = m?.get("jwks");
  if (jwksV) readServedJwks(jwksV, file, state);
  const ext = m?.get("external")?.map();
  const out = {
    latency: dist(m?.get("latency"), DEFAULTS.network.latency),
    external: { latency: dist(ext?.get("latency"), DEFAULTS.network.externalLatency) },
  };
  const topology = readNetworkTopology(m, out.latency);
  ext?.done();
  m?.done();
  return { network: out, topology };
}

function readReport(v: YamlValue | undefined): Simulation["report"] {
  const d = DEFAULTS.report;
  const m = v?.map();
  const traces = m?.get("traces")?.map();
  const out = {
    windowMs: m?.get("window")?.duration({ positive: true }) ?? d.windowMs,
    accessLog: m?.get("accessLog")?.bool() ?? d.accessLog,
    // Present (even empty) turns tracing on: traces.json with `sample` of the requests (default 1%).
    traces: { enabled: traces !== undefined, sample: traces?.get("sample")?.num({ min: 0, max: 1 }) ?? d.tracesSample },
  };
  traces?.done();
  m?.done();
  return out;
}

/** Reads the Simulation's spec (its `include` was already consumed by the loader). */
export function readSimulation(
  doc: YamlMap, metadata: ObjectMeta, pos: SourcePos, file: string, state: LoadState,
): Simulation {
  const spec = doc.get("spec")?.map();
  const seed = spec?.get("seed")?.int() ?? DEFAULTS.simulation.seed;
  const durV = spec?.get("duration");
  const durationMs = durV?.duration({ positive: true }) ?? DEFAULTS.simulation.durationMs;
  const warmV = spec?.get("warmup");
  const warmupMs = warmV?.duration() ?? DEFAULTS.simulation.warmupMs;
  if (warmupMs >= durationMs) (warmV ?? durV ?? doc.value).error(`warmup (${warmupMs} ms) must be shorter than the duration (${durationMs} ms)`);
  const mesh = readMesh(spec?.get("mesh"));
  const { network, topology } = readNetwork(spec?.get("network"), file, state);
  const nodesV = spec?.get("nodes");
  const nodes = nodesV ? readNodeShorthand(nodesV, state) : [];
  for (const n of nodes) state.resources.push(n);
  const report = readReport(spec?.get("report"));
  const expect: Expectation[] = [];
  for (const e of spec?.get("expect")?.list() ?? []) {
    const x = readExpectation(e, state);
    if (x) expect.push(x);
  }
  const tlV = spec?.get("timeline");
  const timeline = tlV ? readTimeline(tlV, { state, simulationFile: file, namespace: metadata.namespace, durationMs }) : [];
  spec?.ignore("include");
  spec?.done();
  doc.done();
  return { kind: "Simulation", metadata, seed, durationMs, warmupMs, mesh, network, timeline, expect, report, nodes, topology, pos };
}
