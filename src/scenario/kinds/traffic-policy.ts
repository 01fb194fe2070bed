// DestinationRule TrafficPolicy: https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
import type {
  ClientTLSSettings, ConnectionPoolSettings, ConsistentHashLB, LoadBalancerSettings, LocalityLoadBalancerSetting,
  OutlierDetection, RetryBudget, TrafficPolicy,
} from "../../proxy/api/networking.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { readPortSelector } from "./istio-fields.js";

const SIMPLE = ["UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"] as const;

export function readTrafficPolicy(v: YamlValue): TrafficPolicy | undefined {
  const m = v.map();
  return m ? readTrafficPolicyFields(m, true) : undefined;
}

function readTrafficPolicyFields(m: YamlMap, allowPortLevel: boolean): TrafficPolicy {
  const out: TrafficPolicy = {};
  const lb = m.get("loadBalancer");
  if (lb) { const x = readLoadBalancer(lb); if (x) out.loadBalancer = x; }
  const cp = m.get("connectionPool");
  if (cp) { const x = readConnectionPool(cp); if (x) out.connectionPool = x; }
  const od = m.get("outlierDetection");
  if (od) { const x = readOutlierDetection(od); if (x) out.outlierDetection = x; }
  const tls = m.get("tls");
  if (tls) { const x = readClientTls(tls); if (x) out.tls = x; }
  const loc = out.loadBalancer?.localityLbSetting;
  if (loc !== undefined && ((loc.failover?.length ?? 0) > 0 || (loc.failoverPriority?.length ?? 0) > 0) && out.outlierDetection === undefined) {
    // Istio accepts this with a warning (validation.go: "outlier detection policy must be provided for failover").
    m.get("loadBalancer")?.warn("outlier detection policy must be provided for failover (without it istiod applies no failover priorities)");
  }
  if (allowPortLevel) {
    const pls = m.get("portLevelSettings")?.list();
    if (pls) {
      out.portLevelSettings = [];
      for (const pv of pls) {
        const pm = pv.map();
        if (!pm) continue;
        const portV = pm.req("port");
        const port = portV ? readPortSelector(portV) : undefined;
        const rest = readTrafficPolicyFields(pm, false);
        if (port) out.portLevelSettings.push({ ...rest, port });
      }
    }
  }
  if (allowPortLevel) {
    const rb = m.get("retryBudget");
    if (rb) { const x = readRetryBudget(rb); if (x) out.retryBudget = x; }
  }
  m.ignore("tunnel", "proxyProtocol");
  m.done();
  return out;
}

function readLoadBalancer(v: YamlValue): LoadBalancerSettings | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: LoadBalancerSettings = {};
  m.exclusive(["simple", "consistentHash"]);
  const simple = m.get("simple")?.oneOf(SIMPLE);
  if (simple) out.simple = simple;
  const ch = m.get("consistentHash");
  if (ch) { const x = readConsistentHash(ch); if (x) out.consistentHash = x; }
  const loc = m.get("localityLbSetting");
  if (loc) { const x = readLocality(loc); if (x) out.localityLbSetting = x; }
  // `warmup` wins over the deprecated `warmupDurationSecs` when both are set, and carries its
  // aggression and minimum weight to Envoy's slow_start_config: istio/istio
  // pilot/pkg/networking/core/cluster_traffic_policy.go (applyRoundRobinLoadBalancer /
  // applyLeastRequestLoadBalancer test GetWarmup() first; setWarmup); validation as
  // pkg/config/validation/validation.go (duration required, minimumPercent ≤ 100, aggression > 0).
  const warm = m.get("warmupDurationSecs")?.duration();
  if (warm !== undefined) out.warmupDurationSecs = warm / 1000;
  const warmup = m.get("warmup")?.map();
  if (warmup) {
    const d = warmup.req("duration")?.duration();
    if (d !== undefined) out.warmupDurationSecs = d / 1000;
    const mp = warmup.get("minimumPercent")?.num({ min: 0, max: 100 });
    if (mp !== undefined) out.warmupMinimumPercent = mp;
    const ag = warmup.get("aggression")?.num({ minExclusive: 0 });
    if (ag !== undefined) out.warmupAggression = ag;
    warmup.done();
  }
  m.done();
  return out;
}

function readConsistentHash(v: YamlValue): ConsistentHashLB | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: ConsistentHashLB = {};
  m.exclusive(["httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"], true);
  const h = m.get("httpHeaderName")?.nonEmptyStr();
  if (h !== undefined) out.httpHeaderName = h;
  const cm = m.get("httpCookie")?.map();
  if (cm) {
    const name = cm.req("name")?.nonEmptyStr();
    const path = cm.get("path")?.str();
    const ttl = cm.get("ttl")?.duration();
    cm.ignore("attributes");
    cm.done();
    if (name !== undefined) {
      out.httpCookie = { name };
      if (path !== undefined) out.httpCookie.path = path;
      if (ttl !== undefined) out.httpCookie.ttlMs = ttl;
    }
  }
  const sip = m.get("useSourceIp")?.bool();
  if (sip !== undefined) out.useSourceIp = sip;
  const q = m.get("httpQueryParameterName")?.nonEmptyStr();
  if (q !== undefined) out.httpQueryParameterName = q;
  m.exclusive(["ringHash", "maglev"]);
  const rh = m.get("ringHash")?.map();
  if (rh) {
    const size = rh.get("minimumRingSize")?.int({ min: 0 });
    rh.done();
    out.ringHash = size === undefined ? {} : { minimumRingSize: size };
  }
  const mg = m.get("maglev")?.map();
  if (mg) {
    const size = mg.get("tableSize")?.int({ min: 0 });
    mg.done();
    out.maglev = size === undefined ? {} : { tableSize: size };
  }
  const mrs = m.get("minimumRingSize")?.int({ min: 0 });
  if (mrs !== undefined) out.minimumRingSize = mrs;
  m.done();
  return out;
}

const TOPOLOGY_LABELS = ["topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"];

function readLocality(v: YamlValue): LocalityLoadBalancerSetting | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: LocalityLoadBalancerSetting = {};
  const dist = m.get("distribute")?.list();
  if (dist) {
    out.distribute = [];
    for (const dv of dist) {
      const dm = dv.map();
      if (!dm) continue;
      const from = dm.req("from")?.str();
      const toM = dm.req("to")?.map();
      const to: Record<string, number> = {};
      let total = 0;
      for (const [k, val] of toM?.entries() ?? []) {
        // Istio's validation: each weight in [1, 100], their sum exactly 100
        // (istio/istio pkg/config/validation/agent/validation.go ValidateLocalityLbSetting).
        const w = val?.int({ min: 1, max: 100 });
        if (w !== undefined) { to[k] = w; total += w; }
      }
      if (toM && total !== 100 && Object.keys(to).length === toM.entries().length) dm.get("to")!.error(`total locality weight ${total} != 100`);
      else if (toM) {
        const bad = localityListError(Object.keys(to));
        if (bad !== undefined) dm.get("to")!.error(bad);
      }
      dm.done();
      if (from !== undefined) out.distribute.push({ from, to });
    }
  }
  if (out.distribute !== undefined && out.distribute.length > 0) {
    const bad = localityListError(out.distribute.map((d) => d.from));
    if (bad !== undefined) m.get("distribute")!.error(bad);
  }
  const fo = m.get("failover")?.list();
  if (fo) {
    out.failover = [];
    for (const fv of fo) {
      const fm = fv.map();
      if (!fm) continue;
      const from = fm.req("from")?.str();
      const to = fm.req("to")?.str();
      fm.done();
      if (from !== undefined && to !== undefined) {
        if (from === to) fv.error("locality lb failover settings must specify different regions");
        else if (from.includes("/") || to.includes("/")) fv.error("locality lb failover only specify region");
        else if (from.includes("*") || to.includes("*")) fv.error("locality lb failover region should not contain '*' wildcard");
      }
      if (from !== undefined && to !== undefined) out.failover.push({ from, to });
    }
  }
  const fp = m.get("failoverPriority")?.strList();
  if (fp) out.failoverPriority = fp;
  if ((out.distribute?.length ?? 0) > 0 && (out.failover?.length ?? 0) > 0) v.error("can not simultaneously specify 'distribute' and 'failover'");
  const topo = fp?.find((l) => TOPOLOGY_LABELS.includes(l));
  if ((out.failover?.length ?? 0) > 0 && topo !== undefined) m.get("failoverPriority")!.error(`can not simultaneously set 'failover' and topology label '${topo}' in 'failover_priority'`);
  const enabled = m.get("enabled")?.bool();
  if (enabled !== undefined) out.enabled = enabled;
  m.done();
  return out;
}

/**
 * Istio's check of a list of locality rules (each `distribute` entry's `to` keys, and the `from`s):
 * at most one `*`, and only at the end; no empty region/zone/subzone; no rule overlapping an earlier
 * one (the same locality twice, or one inside an earlier wildcard). The first error, or undefined.
 * istio/istio pkg/config/validation/agent/validation.go (validateLocalities, getLocalityParam)
 */
export function localityListError(localities: readonly string[]): string | undefined {
  // region → zone → subzones; "*" at a level covers everything below it.
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const locality of localities) {
    const stars = locality.split("*").length - 1;
    if (stars > 1 || (stars === 1 && !locality.endsWith("*"))) return `locality ${locality} wildcard '*' number can not exceed 1 and must be in the end`;
    const overlap = `locality ${locality} overlap with previous specified ones`;
    if (seen.has("*")) return overlap;
    // Go SplitN(_, "/", 3): the subzone keeps any further slashes.
    const first = locality.indexOf("/");
    const second = first < 0 ? -1 : locality.indexOf("/", first + 1);
    const items = first < 0 ? [locality] : second < 0 ? [locality.slice(0, first), locality.slice(first + 1)] : [locality.slice(0, first), locality.slice(first + 1, second), locality.slice(second + 1)];
    if (items.some((x) => x === "")) return `locality ${locality} must not contain empty region/zone/subzone info`;
    const [region = "", zone = "", subzone = ""] = items;
    const zones = seen.get(region);
    if (items.length === 1) {
      if (zones !== undefined) return overlap;
      seen.set(region, new Map([["*", new Set(["*"])]]));
    } else if (items.length === 2) {
      if (zones === undefined) seen.set(region, new Map([[zone, new Set(["*"])]]));
      else {
        if (zones.has("*") || zones.has(zone)) return overlap;
        zones.set(zone, new Set(["*"]));
      }
    } else if (zones === undefined) seen.set(region, new Map([[zone, new Set([subzone])]]));
    else {
      if (zones.has("*")) return overlap;
      const subzones = zones.get(zone);
      if (subzones === undefined) zones.set(zone, new Set([subzone]));
      else {
        if (subzones.has("*") || subzones.has(subzone)) return overlap;
        subzones.add(subzone);
      }
    }
  }
  return undefined;
}

export function readConnectionPool(v: YamlValue): ConnectionPoolSettings | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: ConnectionPoolSettings = {};
  const tcp = m.get("tcp")?.map();
  if (tcp) {
    const t: NonNullable<ConnectionPoolSettings["tcp"]> = {};
    const mc = tcp.get("maxConnections")?.int({ min: 0 });
    if (mc !== undefined) t.maxConnections = mc;
    const ct = tcp.get("connectTimeout")?.duration({ positive: true });
    if (ct !== undefined) t.connectTimeoutMs = ct;
    const mcd = tcp.get("maxConnectionDuration")?.duration();
    if (mcd !== undefined) t.maxConnectionDurationMs = mcd;
    const it = tcp.get("idleTimeout")?.duration();
    if (it !== undefined) t.idleTimeoutMs = it;
    tcp.ignore("tcpKeepalive");
    tcp.done();
    out.tcp = t;
  }
  const http = m.get("http")?.map();
  if (http) {
    const h: NonNullable<ConnectionPoolSettings["http"]> = {};
    for (const key of ["http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries", "maxConcurrentStreams"] as const) {
      const n = http.get(key)?.int({ min: 0 });
      if (n !== undefined) h[key] = n;
    }
    const it = http.get("idleTimeout")?.duration();
    if (it !== undefined) h.idleTimeoutMs = it;
    const up = http.get("h2UpgradePolicy")?.oneOf(["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"] as const);
    if (up) h.h2UpgradePolicy = up;
    const ucp = http.get("useClientProtocol")?.bool();
    if (ucp !== undefined) h.useClientProtocol = ucp;
    http.done();
    out.http = h;
  }
  m.done();
  return out;
}

// TrafficPolicy.RetryBudget → Envoy circuit_breakers.thresholds.retry_budget.
function readRetryBudget(v: YamlValue): RetryBudget | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: RetryBudget = {};
  const pct = m.get("percent")?.num({ min: 0, max: 100 });
  if (pct !== undefined) out.percent = pct;
  const min = m.get("minRetryConcurrency")?.int({ min: 0 });
  if (min !== undefined) out.minRetryConcurrency = min;
  if (m.has("budgetInterval")) m.get("budgetInterval")!.warn("budgetInterval is not simulated: the budget counts only the requests active and pending now");
  m.done();
  return out;
}

/**
 * Outlier detection's `interval` and `baseEjectionTime` as Istio's webhook accepts them
 * (validateOutlierDetection → agent.ValidateDuration, istio/istio
 * pkg/config/validation/agent/validation.go): at least 1 ms, in whole milliseconds.
 */
function webhookDuration(v: YamlValue | undefined): number | undefined {
  const ms = v?.duration();
  if (v === undefined || ms === undefined) return undefined;
  if (ms < 1) return v.error("duration must be greater than 1ms");
  if (!Number.isInteger(ms)) return v.error("only durations to ms precision are supported");
  return ms;
}

export function readOutlierDetection(v: YamlValue): OutlierDetection | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: OutlierDetection = {};
  for (const key of ["consecutive5xxErrors", "consecutiveGatewayErrors", "consecutiveLocalOriginFailures"] as const) {
    const n = m.get(key)?.int({ min: 0 });
    if (n !== undefined) out[key] = n;
  }
  const split = m.get("splitExternalLocalOriginErrors")?.bool();
  if (split !== undefined) out.splitExternalLocalOriginErrors = split;
  const interval = webhookDuration(m.get("interval"));
  if (interval !== undefined) out.intervalMs = interval;
  const bet = webhookDuration(m.get("baseEjectionTime"));
  if (bet !== undefined) out.baseEjectionTimeMs = bet;
  const mep = m.get("maxEjectionPercent")?.int({ min: 0, max: 100 });
  if (mep !== undefined) out.maxEjectionPercent = mep;
  const mhp = m.get("minHealthPercent")?.int({ min: 0, max: 100 });
  if (mhp !== undefined) out.minHealthPercent = mhp;
  if (m.has("consecutiveErrors")) m.get("consecutiveErrors")!.warn("consecutiveErrors is deprecated and not simulated; use consecutive5xxErrors");
  // Istio's webhook rejects this (validateOutlierDetection, istio/istio pkg/config/validation/
  // validation.go); istiod would drop the field anyway (applyOutlierDetection reads it only in split mode).
  if (out.splitExternalLocalOriginErrors !== true && (out.consecutiveLocalOriginFailures ?? 0) > 0) {
    m.get("consecutiveLocalOriginFailures")!.error("outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false");
  }
  m.done();
  return out;
}

function readClientTls(v: YamlValue): ClientTLSSettings | undefined {
  const m = v.map();
  if (!m) return undefined;
  const mode = m.req("mode")?.oneOf(["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"] as const);
  const sni = m.get("sni")?.str();
  const sans = m.get("subjectAltNames")?.strList();
  m.ignore("clientCertificate", "privateKey", "caCertificates", "credentialName", "insecureSkipVerify", "caCrl");
  m.done();
  if (!mode) return undefined;
  const out: ClientTLSSettings = { mode };
  if (sni !== undefined) out.sni = sni;
  if (sans) out.subjectAltNames = sans;
  return out;
}
