// What one sidecar holds, shaped like `istioctl proxy-config`: listeners, route tables, clusters and
// endpoints, built from the config version the proxy has and the endpoints it knows — with the same
// functions the simulation routes by. Names follow Istio's: `virtualOutbound`, `0.0.0.0_9080`,
// route table "9080", `outbound|9080|v2|reviews.default.svc.cluster.local`, `inbound|9080||`.
// https://istio.io/latest/docs/reference/commands/istioctl/#istioctl-proxy-config
import type { MeshConfig } from "../config/mesh-config.js";
import type { SourceContext } from "../proxy/http-request.js";
import { destinationRuleFor, effectivePolicy, usesConsistentHash } from "../proxy/destination-rule.js";
import { clusterName, compileRoutes, defaultServiceRoutes, selectVirtualService, type CompiledRoute } from "../proxy/route/index.js";
import { selects, type Pod } from "../mesh/pod.js";
import type { ServiceRegistry, ServiceState } from "../mesh/service-registry.js";
import type { EndpointSnapshot } from "../mesh/proxy-xds.js";
import type { SidecarScope } from "../config/sidecar-scope.js";

import type { Verdict } from "../proxy/interception/iptables.js";

export interface ProxyView {
  pod: Pod;
  /** The config its routes and listeners were built from (RDS/LDS). */
  config: MeshConfig;
  registry: ServiceRegistry;
  /** The config its clusters were built from (CDS); defaults to `config`. */
  clusterConfig?: MeshConfig;
  /** The endpoints it was last pushed (EDS); defaults to the registry's. */
  eds?: EndpointSnapshot;
  /** Its Sidecar scope (the services it has config for); defaults to all. */
  scope?: SidecarScope;
  /** xDS types (bits, xds/push-request.ts) whose latest push this proxy NACKed. */
  rejected?: number;
  /** The config another pod's inbound listener was built from (its LDS); defaults to `config`. */
  listenerConfigOf?: (pod: Pod) => MeshConfig;
  /** iptables' PREROUTING verdict in a server pod for a container port; defaults to captured. */
  inboundVerdict?: (pod: Pod, targetPort: number) => Verdict;
  /** Simulated time of the view in ms (JWT exp/nbf are checked against it); defaults to 0. */
  nowMs?: number;
}

export function sourceOf(pod: Pod): SourceContext {
  return { namespace: pod.namespace, labels: pod.labels };
}

function services(v: ProxyView): ServiceState[] {
  return [...v.registry.byFqdn.values()].filter((s) => v.scope === undefined || v.scope.hosts.has(s.fqdn)).sort((a, b) => (a.fqdn < b.fqdn ? -1 : 1));
}

export interface ListenerRow { name: string; address: string; port: number; match: string; destination: string }

export function listeners(v: ProxyView): ListenerRow[] {
  const rows: ListenerRow[] = [
    { name: "virtualOutbound", address: "0.0.0.0", port: 15001, match: "ALL", destination: "PassthroughCluster (or the listener for the original destination port)" },
    { name: "virtualInbound", address: "0.0.0.0", port: 15006, match: "ALL", destination: "inbound|<port>|| by destination port" },
  ];
  const ports = new Set<number>();
  for (const s of services(v)) for (const p of s.spec.ports) ports.add(p.port);
  for (const port of [...ports].sort((a, b) => a - b)) {
    rows.push({ name: `0.0.0.0_${port}`, address: "0.0.0.0", port, match: "ALL (HTTP)", destination: `Route: ${port}` });
  }
  return rows;
}

export interface VirtualHostView { routeTable: string; virtualHost: string; domains: string[]; virtualService: string; routes: CompiledRoute[] }

/** The virtual host a proxy uses for a service host and port, with its compiled routes. */
export function virtualHost(v: ProxyView, fqdn: string, port: number): VirtualHostView {
  const src = sourceOf(v.pod);
  const vs = selectVirtualService(v.config.virtualServices, fqdn, src);
  const hashOptions = {
    consistentHash: (host: string, subset: string | undefined, p: number) =>
      usesConsistentHash(v.config.destinationRules, host, subset, p, src.namespace, src.labels),
  };
  const short = fqdn.split(".");
  const domains = [fqdn, `${fqdn}:${port}`, short[0]!, `${short[0]}:${port}`, `${short[0]}.${short[1]}`, `${short[0]}.${short[1]}:${port}`];
  return {
    routeTable: String(port),
    virtualHost: `${fqdn}:${port}`,
    domains,
    virtualService: vs ? `${vs.metadata.name}.${vs.metadata.namespace}` : "(none: default route)",
    routes: vs ? compileRoutes(vs, src, port, hashOptions) : defaultServiceRoutes(fqdn, port, hashOptions),
  };
}

export function routes(v: ProxyView): VirtualHostView[] {
  const out: VirtualHostView[] = [];
  for (const s of services(v)) for (const p of s.spec.ports) out.push(virtualHost(v, s.fqdn, p.port));
  return out.sort((a, b) => Number(a.routeTable) - Number(b.routeTable) || (a.virtualHost < b.virtualHost ? -1 : 1));
}

export interface ClusterRow { name: string; fqdn: string; port: number | string; subset: string; direction: string; type: string; destinationRule: string }

export function clusters(v: ProxyView): ClusterRow[] {
  const rows: ClusterRow[] = [];
  const cfg = v.clusterConfig ?? v.config;
  for (const s of services(v)) {
    const dr = destinationRuleFor(cfg.destinationRules, s.fqdn, v.pod.namespace, v.pod.labels, s.spec.metadata.namespace);
    const drName = dr ? `${dr.metadata.name}.${dr.metadata.namespace}` : "";
    for (const p of s.spec.ports) {
      rows.push({ name: clusterName(s.fqdn, undefined, p.port), fqdn: s.fqdn, port: p.port, subset: "-", direction: "outbound", type: "EDS", destinationRule: drName });
      for (const sub of dr?.spec.subsets ?? []) {
        rows.push({ name: clusterName(s.fqdn, sub.name, p.port), fqdn: s.fqdn, port: p.port, subset: sub.name, direction: "outbound", type: "EDS", destinationRule: drName });
      }
    }
  }
  // Inbound clusters: one per port of the services that select this pod, whatever the egress scope.
  const inbound = new Set<number>();
  for (const s of [...v.registry.byFqdn.values()].sort((a, b) => (a.fqdn < b.fqdn ? -1 : 1))) {
    if (s.spec.metadata.namespace === v.pod.namespace && selects(s.spec.selector, v.pod.labels)) {
      for (const p of s.spec.ports) if (!inbound.has(p.targetPort) && inbound.add(p.targetPort)) rows.push({ name: `inbound|${p.targetPort}||`, fqdn: "", port: p.targetPort, subset: "-", direction: "inbound", type: "ORIGINAL_DST", destinationRule: "" });
    }
  }
  rows.push(
    { name: "BlackHoleCluster", fqdn: "", port: "-", subset: "-", direction: "-", type: "STATIC", destinationRule: "" },
    { name: "InboundPassthroughCluster", fqdn: "", port: "-", subset: "-", direction: "-", type: "ORIGINAL_DST", destinationRule: "" },
    { name: "PassthroughCluster", fqdn: "", port: "-", subset: "-", direction: "-", type: "ORIGINAL_DST", destinationRule: "" },
  );
  return rows;
}

export interface EndpointRow { endpoint: string; status: string; cluster: string; pod: string; locality?: string }

/** The endpoints of each outbound cluster as this proxy knows them. */
export function endpoints(v: ProxyView): EndpointRow[] {
  const rows: EndpointRow[] = [];
  for (const c of clusters(v)) {
    if (c.direction !== "outbound") continue;
    const s = v.registry.byFqdn.get(c.fqdn)!;
    const dr = destinationRuleFor((v.clusterConfig ?? v.config).destinationRules, c.fqdn, v.pod.namespace, v.pod.labels, s.spec.metadata.namespace);
    const labels = c.subset === "-" ? {} : (dr?.spec.subsets?.find((x) => x.name === c.subset)?.labels ?? {});
    const target = s.spec.ports.find((p) => p.port === c.port)?.targetPort ?? c.port;
    for (const pod of (v.eds ?? v.registry.eds).byFqdn.get(c.fqdn) ?? []) {
      // With nodes, the endpoint's locality as Envoy's LocalityLbEndpoints carry it (region/zone/subzone).
      if (selects(labels, pod.labels)) rows.push({ endpoint: `${pod.ip}:${target}`, status: "HEALTHY", cluster: c.name, pod: pod.name, ...(pod.locality !== undefined ? { locality: pod.locality } : {}) });
    }
  }
  return rows;
}

/** The load-balancing policy of a cluster as a short phrase. */
export function lbPolicy(v: ProxyView, s: ServiceState, subset: string | undefined, port: number): string {
  const dr = destinationRuleFor(v.config.destinationRules, s.fqdn, v.pod.namespace, v.pod.labels, s.spec.metadata.namespace);
  const lb = effectivePolicy(dr, subset, port).loadBalancer;
  if (lb?.consistentHash) return "consistent hash";
  return lb?.simple && lb.simple !== "UNSPECIFIED" ? lb.simple : "LEAST_REQUEST (Istio's default)";
}
