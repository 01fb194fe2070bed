// DestinationRule, Gateway, ServiceEntry and Sidecar specs:
// https://istio.io/latest/docs/reference/config/networking/
import type {
  ConnectionPoolSettings, DestinationRuleSpec, GatewaySpec, ServiceEntrySpec, SidecarSpec, Subset,
} from "../../proxy/api/networking.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { readHosts, readLabelsSelector, readMatchLabels } from "./istio-fields.js";
import { readConnectionPool, readTrafficPolicy } from "./traffic-policy.js";
import { parseDuration } from "../duration.js";

/** meshsim's label on a ServiceEntry endpoint: that endpoint's round trip (overrides the entry's annotation). */
export const LATENCY_LABEL = "meshsim.dev/latency";

export function readDestinationRuleSpec(spec: YamlMap): DestinationRuleSpec | undefined {
  const host = spec.req("host")?.nonEmptyStr();
  const out: DestinationRuleSpec = { host: host ?? "" };
  const tp = spec.get("trafficPolicy");
  if (tp) { const x = readTrafficPolicy(tp); if (x) out.trafficPolicy = x; }
  const subsV = spec.get("subsets")?.list();
  if (subsV) {
    out.subsets = [];
    const names = new Set<string>();
    for (const sv of subsV) {
      const sm = sv.map();
      if (!sm) continue;
      const nameV = sm.req("name");
      const name = nameV?.nonEmptyStr();
      if (name !== undefined && names.has(name)) nameV!.error(`duplicate subset name ${JSON.stringify(name)}`);
      if (name !== undefined) names.add(name);
      const labels = sm.get("labels")?.strMap();
      const stp = sm.get("trafficPolicy");
      const trafficPolicy = stp ? readTrafficPolicy(stp) : undefined;
      sm.done();
      if (name === undefined) continue;
      const s: Subset = { name };
      if (labels) s.labels = labels;
      if (trafficPolicy) s.trafficPolicy = trafficPolicy;
      out.subsets.push(s);
    }
  }
  const exportTo = spec.get("exportTo")?.strList();
  if (exportTo) out.exportTo = exportTo;
  const wsV = spec.get("workloadSelector");
  if (wsV) { const x = readMatchLabels(wsV); if (x) out.workloadSelector = x; }
  spec.done();
  return host === undefined ? undefined : out;
}

function readServerPort(v: YamlValue, needProtocol: boolean): { number: number; protocol: string; name?: string } | undefined {
  const m = v.map();
  if (!m) return undefined;
  const number = m.req("number")?.port();
  const protocol = (needProtocol ? m.req("protocol") : m.get("protocol"))?.str()?.toUpperCase();
  const name = m.get("name")?.str();
  m.ignore("targetPort");
  m.done();
  if (number === undefined || (needProtocol && protocol === undefined)) return undefined;
  const out: { number: number; protocol: string; name?: string } = { number, protocol: protocol ?? "" };
  if (name !== undefined) out.name = name;
  return out;
}

export function readGatewaySpec(spec: YamlMap): GatewaySpec | undefined {
  const selector = spec.get("selector")?.strMap() ?? {};
  const servers: GatewaySpec["servers"] = [];
  let ok = true;
  for (const sv of spec.req("servers")?.list() ?? []) {
    const sm = sv.map();
    if (!sm) { ok = false; continue; }
    const pV = sm.req("port");
    const port = pV ? readServerPort(pV, true) : undefined;
    const hosts = readHosts(sm, "hosts", true);
    const tlsV = sm.get("tls");
    const tls = tlsV?.map() ? tlsV.plain() : undefined;
    sm.ignore("bind", "defaultEndpoint", "name");
    sm.done();
    if (!port || !hosts) { ok = false; continue; }
    servers.push(tls === undefined ? { port, hosts } : { port, hosts, tls });
  }
  spec.done();
  return ok ? { selector, servers } : undefined;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const FQDN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;
const isIp = (a: string) => IPV4.test(a) || (a.includes(":") && /^[0-9a-f:.]+$/i.test(a));

/**
 * The checks of istiod's validation that depend on `resolution` (istio/istio pkg/config/validation/validation.go
 * ValidateServiceEntry and validateWorkloadEntry): the full wildcard host is refused; NONE takes no
 * endpoints; a STATIC endpoint's address is an IP; a DNS one's an IP or an FQDN; DNS_ROUND_ROBIN (a
 * LOGICAL_DNS cluster: one connection target) takes at most one endpoint; DYNAMIC_DNS needs wildcard
 * hosts and takes neither endpoints nor addresses.
 */
function checkResolution(spec: YamlMap, se: ServiceEntrySpec): void {
  const r = se.resolution ?? "NONE";
  se.hosts.forEach((h, i) => {
    if (h === "*") spec.get("hosts")?.list()?.[i]?.error("the full wildcard host \"*\" is not allowed in a ServiceEntry");
    else if (r === "DYNAMIC_DNS" && !h.startsWith("*.")) spec.get("hosts")?.list()?.[i]?.error("resolution DYNAMIC_DNS needs wildcard hosts (\"*.example.com\")");
  });
  const eps = se.endpoints ?? [];
  const epsV = spec.get("endpoints");
  if (eps.length > 0 && (r === "NONE" || r === "DYNAMIC_DNS")) epsV!.error(`no endpoints may be given with resolution ${r}`);
  if (r === "DNS_ROUND_ROBIN" && eps.length > 1) epsV!.error("resolution DNS_ROUND_ROBIN takes 0 or 1 endpoint (a LOGICAL_DNS cluster connects to one address)");
  if (r === "DYNAMIC_DNS" && (se.addresses?.length ?? 0) > 0) spec.get("addresses")!.error("addresses cannot be set for resolution DYNAMIC_DNS");
  if (r === "STATIC" || r === "DNS" || r === "DNS_ROUND_ROBIN") {
    const items = epsV?.list() ?? [];
    eps.forEach((ep, i) => {
      const a = ep.address;
      if (a === undefined || a.startsWith("unix://")) return;
      const ok = r === "STATIC" ? isIp(a) : isIp(a) || FQDN.test(a);
      if (!ok) items[i]?.map()?.get("address")?.error(r === "STATIC" ? `endpoint address ${JSON.stringify(a)} is not a valid IP address (resolution STATIC)` : `endpoint address ${JSON.stringify(a)} is not a valid FQDN or an IP address`);
    });
  }
}

export function readServiceEntrySpec(spec: YamlMap): ServiceEntrySpec | undefined {
  const hosts = readHosts(spec, "hosts", true);
  const out: ServiceEntrySpec = { hosts: hosts ?? [] };
  const addresses = spec.get("addresses")?.strList();
  if (addresses) out.addresses = addresses;
  const portsV = spec.get("ports")?.list();
  if (portsV) {
    out.ports = [];
    for (const pv of portsV) {
      const pm = pv.map();
      if (!pm) continue;
      const number = pm.req("number")?.port();
      const protocol = pm.get("protocol")?.str()?.toUpperCase();
      const name = pm.get("name")?.str();
      const targetPort = pm.get("targetPort")?.port();
      pm.done();
      if (number === undefined) continue;
      const p: NonNullable<ServiceEntrySpec["ports"]>[number] = { number };
      if (protocol !== undefined) p.protocol = protocol;
      if (name !== undefined) p.name = name;
      if (targetPort !== undefined) p.targetPort = targetPort;
      out.ports.push(p);
    }
  }
  const location = spec.get("location")?.oneOf(["MESH_EXTERNAL", "MESH_INTERNAL"] as const);
  if (location) out.location = location;
  const resolution = spec.get("resolution")?.oneOf(["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"] as const);
  if (resolution) out.resolution = resolution;
  const epsV = spec.get("endpoints")?.list();
  if (epsV) {
    out.endpoints = [];
    for (const ev of epsV) {
      const em = ev.map();
      if (!em) continue;
      const ep: NonNullable<ServiceEntrySpec["endpoints"]>[number] = {};
      // Istio's validation rejects an endpoint without an address (a workload on another network,
      // reached through its gateway, is not modelled).
      // https://istio.io/latest/docs/reference/config/networking/service-entry/#WorkloadEntry
      const address = em.req("address")?.nonEmptyStr();
      if (address !== undefined) ep.address = address;
      const pm = em.get("ports")?.map();
      if (pm) {
        ep.ports = {};
        for (const [k, val] of pm.entries()) { const n = val?.port(); if (n !== undefined) ep.ports[k] = n; }
      }
      const labelsV = em.get("labels");
      const labels = labelsV?.strMap();
      if (labels) ep.labels = labels;
      // meshsim's per-endpoint round trip rides in the endpoint's labels (Istio has no such field).
      const latV = labelsV?.map()?.get(LATENCY_LABEL);
      const lat = latV?.str();
      if (latV !== undefined && lat !== undefined) {
        try { parseDuration(lat); } catch (e) { latV.error((e as Error).message); }
      }
      const locality = em.get("locality")?.str();
      if (locality !== undefined) ep.locality = locality;
      const weight = em.get("weight")?.int({ min: 0 });
      if (weight !== undefined) ep.weight = weight;
      em.ignore("network", "serviceAccount");
      em.done();
      out.endpoints.push(ep);
    }
  }
  checkResolution(spec, out);
  // Istio's validation no longer requires STATIC to have endpoints (the cluster would be empty: 503 UH);
  // meshsim refuses it rather than simulate an entry that cannot answer (docs/model.md "Outside the cluster").
  if (resolution === "STATIC" && (out.endpoints === undefined || out.endpoints.length === 0) && spec.get("workloadSelector") === undefined) {
    (epsV !== undefined ? spec.get("endpoints")! : spec.get("resolution")!).error("resolution STATIC needs at least one endpoint (endpoints[].address)");
  }
  const ws = spec.get("workloadSelector");
  if (ws) {
    const x = readLabelsSelector(ws);
    if (x) out.workloadSelector = x;
    if (out.endpoints) ws.error("only one of workloadSelector and endpoints may be set");
  }
  const exportTo = spec.get("exportTo")?.strList();
  if (exportTo) out.exportTo = exportTo;
  spec.ignore("subjectAltNames");
  spec.done();
  return hosts ? out : undefined;
}

/**
 * A Sidecar's inbound connection pool: Istio rejects one with neither `tcp` nor `http`
 * (istio/istio pkg/config/validation/validation.go validateConnectionPool, called by ValidateSidecar).
 */
function readSidecarConnectionPool(v: YamlValue): ConnectionPoolSettings | undefined {
  const cp = readConnectionPool(v);
  if (cp !== undefined && cp.tcp === undefined && cp.http === undefined) {
    v.error("connection pool must have at least one field (tcp or http)");
    return undefined;
  }
  return cp;
}

export function readSidecarSpec(spec: YamlMap): SidecarSpec | undefined {
  const out: SidecarSpec = {};
  const ws = spec.get("workloadSelector");
  if (ws) { const x = readLabelsSelector(ws); if (x) out.workloadSelector = x; }
  const ingV = spec.get("ingress")?.list();
  if (ingV) {
    out.ingress = [];
    for (const iv of ingV) {
      const im = iv.map();
      if (!im) continue;
      const pV = im.req("port");
      const port = pV ? readServerPort(pV, false) : undefined;
      const de = im.get("defaultEndpoint")?.str();
      const cpV = im.get("connectionPool");
      const cp = cpV ? readSidecarConnectionPool(cpV) : undefined;
      im.ignore("bind", "captureMode", "tls");
      im.done();
      if (!port) continue;
      const entry: NonNullable<SidecarSpec["ingress"]>[number] = { port };
      if (de !== undefined) entry.defaultEndpoint = de;
      if (cp) entry.connectionPool = cp;
      out.ingress.push(entry);
    }
  }
  const egV = spec.get("egress")?.list();
  if (egV) {
    out.egress = [];
    for (const ev of egV) {
      const em = ev.map();
      if (!em) continue;
      const pV = em.get("port");
      const port = pV ? readServerPort(pV, false) : undefined;
      const hosts = readHosts(em, "hosts", true);
      em.ignore("bind", "captureMode");
      em.done();
      if (!hosts) continue;
      out.egress.push(port ? { port, hosts } : { hosts });
    }
  }
  const otp = spec.get("outboundTrafficPolicy")?.map();
  if (otp) {
    const mode = otp.req("mode")?.oneOf(["ALLOW_ANY", "REGISTRY_ONLY"] as const);
    // istiod sends unknown hosts to the egressProxy's cluster instead of PassthroughCluster (ALLOW_ANY's
    // allow_any route and the catch-all TCP chain: httproute.go buildCatchAllVirtualHost, listener_builder.go).
    otp.get("egressProxy")?.warn("egressProxy is not modelled: unknown hosts still go out through PassthroughCluster");
    otp.ignore("egressProxy");
    otp.done();
    if (mode) out.outboundTrafficPolicy = { mode };
  }
  // Overrides the DestinationRule's connectionPool on every inbound cluster of the workload
  // (istio/istio pilot/pkg/model/sidecar.go InboundConnectionPoolForPort).
  const icpV = spec.get("inboundConnectionPool");
  if (icpV) {
    const icp = readSidecarConnectionPool(icpV);
    if (icp) out.inboundConnectionPool = icp;
  }
  spec.done();
  return out;
}
