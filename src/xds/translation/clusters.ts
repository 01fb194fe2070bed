// CDS: the clusters istiod gives one proxy — for each service port in its Sidecar scope, the service's
// cluster and one per DestinationRule subset (`outbound|9080|v2|reviews.default.svc.cluster.local`),
// each carrying the DestinationRule's policy for that port and subset; one per ServiceEntry host and
// port; the inbound clusters of the services that select the pod; and Istio's fixed
// BlackHoleCluster, PassthroughCluster and InboundPassthroughCluster.
// istio/istio pilot/pkg/networking/core/cluster.go (buildOutboundClusters, buildInboundClusters),
// cluster_builder.go; https://istio.io/latest/docs/reference/config/networking/destination-rule/
import type { DestinationRule, MeshDefaultTrafficPolicy, ServiceEntry, TrafficPolicy } from "../../proxy/api/networking.js";
import type { Cluster, ClusterDiscoveryType } from "../../proxy/config/cluster.js";
import { destinationRuleFor, effectivePolicy, inboundDestinationRule, subsetLabels } from "../../proxy/destination-rule.js";
import { inboundConnectionPoolForPort } from "../../config/sidecar-scope.js";
import { clusterName } from "../../proxy/route/destination.js";
import type { ServiceState } from "../../mesh/kube/service-registry.js";
import type { ProxyInput } from "./proxy-input.js";
import { outboundHttp2 } from "./h2-upgrade.js";
import { isGrpcProtocol, isHttp2Protocol, parseProtocol, servicePortProtocol, type PortProtocol } from "./port-protocol.js";

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});
/** PassthroughCluster: plaintext to the dialled address; no DestinationRule applies. */
export const PASSTHROUGH_POLICY: TrafficPolicy = Object.freeze({ tls: { mode: "DISABLE" } }) as TrafficPolicy;

function drName(dr: DestinationRule | undefined): string {
  return dr === undefined ? "" : `${dr.metadata.name}.${dr.metadata.namespace}`;
}

/** Istio's protocol of a service port (appProtocol, else the port name's prefix). */
function protocolOf(svc: ServiceState, port: number): PortProtocol {
  const sp = svc.spec.ports.find((p) => p.port === port);
  return sp === undefined ? "UnsupportedProtocol" : servicePortProtocol(sp);
}

/** The blocks of `policy` that are MeshConfig defaultTrafficPolicy's (withMeshDefault seeds them by reference). */
function meshBlocks(policy: TrafficPolicy, md: MeshDefaultTrafficPolicy | undefined): { fromMeshConfig?: ("connectionPool" | "outlierDetection")[] } {
  if (md === undefined) return {};
  const out: ("connectionPool" | "outlierDetection")[] = [];
  if (md.connectionPool !== undefined && policy.connectionPool === md.connectionPool) out.push("connectionPool");
  if (md.outlierDetection !== undefined && policy.outlierDetection === md.outlierDetection) out.push("outlierDetection");
  return out.length === 0 ? {} : { fromMeshConfig: out };
}

/** meshBlocks set on a cluster (its last field, as the spread put it). */
function addMeshBlocks(c: { fromMeshConfig?: Cluster["fromMeshConfig"] }, policy: TrafficPolicy, md: MeshDefaultTrafficPolicy): void {
  const from = meshBlocks(policy, md).fromMeshConfig;
  if (from !== undefined) c.fromMeshConfig = from;
}

/**
 * The cluster a route destination names in this proxy's CDS (undefined: the proxy has no such
 * cluster — the host is no service in its scope, the service has no such port, or no DestinationRule
 * defines the subset ⇒ 503 NC). The port: the destination's, else the service's only port when it has
 * one, else the listener's (the port in `name`, "outbound|<listener port>||host") — istio/istio
 * pilot/pkg/networking/core/route/route.go GetDestinationCluster; the cluster is named after it.
 */
export function serviceCluster(p: ProxyInput, host: string, subset: string | undefined, destPort: number | undefined, name: string): Cluster | undefined {
  const svc = p.registry.byFqdn.get(host);
  if (svc === undefined || !p.scope.hosts.has(host)) return undefined;
  const ports = svc.spec.ports;
  const port = destPort ?? (ports.length === 1 ? ports[0]!.port : Number(name.split("|")[1]));
  // CDS has a cluster per service port: a port the service does not have names no cluster.
  if (!ports.some((sp) => sp.port === port)) return undefined;
  const dr = destinationRuleFor(p.config.destinationRules, host, p.pod.namespace, p.pod.labels, svc.spec.metadata.namespace);
  let labels = NO_LABELS;
  if (subset !== undefined) {
    const l = subsetLabels(dr, subset);
    if (l === undefined) return undefined;
    labels = l;
  }
  const policy = effectivePolicy(dr, subset, port, p.meshDefaultPolicy);
  // `name` is the cluster's name already: clusterName(host, subset, port) with the port found as above
  // (route/destination.ts compileDestination names it with the registry's only port, the route's
  // port or the listener's; `clusters` below with the service port), so it is not built again.
  const c: { -readonly [K in keyof Cluster]: Cluster[K] } = {
    name, type: "EDS", direction: "outbound", host, port, subset: subset ?? "", subsetLabels: labels,
    policy, destinationRule: drName(dr),
    http2: outboundHttp2(protocolOf(svc, port), p.pod.gateway !== undefined, p.meshH2UpgradePolicy, policy.connectionPool),
    targetPort: svc.targetPort(port), serviceEntry: undefined,
  };
  // Set after the literal, not spread into it: a spread at the end copies the object field by field.
  if (p.meshDefaultPolicy !== undefined) addMeshBlocks(c, policy, p.meshDefaultPolicy);
  return c;
}

/** Envoy's discovery type for a ServiceEntry's cluster (istio/istio pilot/pkg/networking/core/cluster_builder.go). */
function serviceEntryType(se: ServiceEntry): ClusterDiscoveryType {
  switch (se.spec.resolution) {
    case "STATIC": return "EDS";
    case "DNS": case "DNS_ROUND_ROBIN": return "STRICT_DNS";
    default: return "ORIGINAL_DST";
  }
}

/** The cluster of a ServiceEntry host and port (`outbound|443||api.example.com`), with its DestinationRule's policy. */
export function serviceEntryCluster(p: ProxyInput, se: ServiceEntry, host: string, port: number): Cluster {
  const dr = destinationRuleFor(p.config.destinationRules, host, p.pod.namespace, p.pod.labels, se.metadata.namespace);
  const sp = se.spec.ports?.find((x) => x.number === port);
  const policy = effectivePolicy(dr, undefined, port, p.meshDefaultPolicy);
  return {
    name: clusterName(host, undefined, port), type: serviceEntryType(se), direction: "outbound", host, port, subset: "",
    subsetLabels: NO_LABELS, policy, destinationRule: drName(dr),
    http2: outboundHttp2(parseProtocol(sp?.protocol ?? ""), p.pod.gateway !== undefined, p.meshH2UpgradePolicy, policy.connectionPool), targetPort: sp?.targetPort ?? port, serviceEntry: se,
    ...meshBlocks(policy, p.meshDefaultPolicy),
  };
}

function fixed(name: string, type: ClusterDiscoveryType, policy: TrafficPolicy): Cluster {
  return { name, type, direction: "", host: "", port: 0, subset: "", subsetLabels: NO_LABELS, policy, destinationRule: "", http2: false, targetPort: 0, serviceEntry: undefined };
}

/** Every cluster of the proxy, in istioctl's order (by host, port, subset; then inbound; then the fixed ones). */
export function clusters(p: ProxyInput): Cluster[] {
  const out: Cluster[] = [];
  const services = p.registry.inFqdnOrder().filter((s) => p.scope.hosts.has(s.fqdn));
  for (const s of services) {
    const dr = destinationRuleFor(p.config.destinationRules, s.fqdn, p.pod.namespace, p.pod.labels, s.spec.metadata.namespace);
    for (const sp of s.spec.ports) {
      out.push(serviceCluster(p, s.fqdn, undefined, sp.port, clusterName(s.fqdn, undefined, sp.port))!);
      for (const sub of dr?.spec.subsets ?? []) out.push(serviceCluster(p, s.fqdn, sub.name, sp.port, clusterName(s.fqdn, sub.name, sp.port))!);
    }
  }
  for (const se of p.config.serviceEntries) {
    for (const h of se.spec.hosts) {
      if (!p.scope.hosts.has(h)) continue;
      for (const port of se.spec.ports ?? []) out.push(serviceEntryCluster(p, se, h, port.number));
    }
  }
  out.push(...inboundClusters(p));
  out.push(fixed("BlackHoleCluster", "STATIC", {}), fixed("InboundPassthroughCluster", "ORIGINAL_DST", PASSTHROUGH_POLICY), fixed("PassthroughCluster", "ORIGINAL_DST", PASSTHROUGH_POLICY));
  return out;
}

/**
 * The proxy's inbound clusters (`inbound|<container port>||`, STATIC to the app on loopback): one per
 * container port of the services that select the pod, whatever the egress scope (the oldest service,
 * then the first by FQDN, decides a port shared by several, as istiod's "arbitrary" choice of
 * inboundServices[0]);
 * none for a gateway. Each carries the connection pool istiod writes on it, and nothing else of a
 * DestinationRule (TLS, outlier detection and load balancing are outbound only).
 * istio/istio pilot/pkg/networking/core/cluster_builder.go (buildInboundCluster),
 * cluster_traffic_policy.go (applyTrafficPolicy: "only connection pool will be applied to inbound cluster")
 */
export function inboundClusters(p: ProxyInput): Cluster[] {
  if (p.pod.gateway !== undefined) return [];
  // istiod's order of the proxy's services: creation time, then hostname (pilot/pkg/model/context.go
  // SetServiceTargets); meshsim's creation order is the scenario's document order.
  const found = p.registry.selecting(p.pod.namespace, p.pod.labels);
  // Most pods have one service of one port: its cluster, the port's only service in its telemetry
  // metadata. This runs at each proxy's first inbound request, a thousand times in a 1,000-service
  // mesh, enough for V8 to compile it with everything it calls inlined for nothing (docs/performance.md,
  // Goal 4, sessions 18 and 20): the general case is a function of its own.
  if (found.length === 1 && found[0]!.spec.ports.length === 1) {
    const s = found[0]!;
    const sp = s.spec.ports[0]!;
    return [inboundCluster(p, s, sp.port, sp.targetPort, [s.fqdn], servicePortProtocol(sp))];
  }
  return inboundClustersOf(p, found);
}

/** inboundClusters of a pod that several services (or a service of several ports) select. */
function inboundClustersOf(p: ProxyInput, found: readonly ServiceState[]): Cluster[] {
  const out: Cluster[] = [];
  const seen = new Set<number>();
  const selecting = found.length < 2 ? found : [...found]
    .sort((a, b) => a.spec.metadata.creationIndex - b.spec.metadata.creationIndex || (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0));
  for (const s of selecting) {
    for (const sp of s.spec.ports) {
      if (seen.has(sp.targetPort)) continue;
      seen.add(sp.targetPort);
      // istiod's telemetry metadata: every service on the cluster's port whose service port is the
      // first one's (cluster_builder.go buildCluster, "For inbound cluster, add all services on the
      // cluster port"), in the same order.
      const statsServices = selecting.length === 1 ? [s.fqdn]
        : selecting.filter((o) => o.spec.ports.some((q) => q.targetPort === sp.targetPort && q.port === sp.port)).map((o) => o.fqdn);
      out.push(inboundCluster(p, s, sp.port, sp.targetPort, statsServices, protocolOf(s, sp.port)));
    }
  }
  return out;
}

/**
 * One inbound cluster. Its connection pool: the service's DestinationRule's (port-level settings for
 * the service port replace the top level's, as outbound), which istiod applies on the server side too
 * ("When users specify circuit breakers, they need to be set on the receiver end (server side) as well
 * as client side"), unless the proxy's Sidecar sets one for the port (`ingress[].connectionPool`, else
 * `inboundConnectionPool`): that one replaces it whole, field by field nothing is merged. The DR is
 * found through the proxy's SidecarScope, so a Sidecar whose egress hosts leave out the pod's own
 * service leaves its inbound cluster without the DR's pool. Under both, MeshConfig defaultTrafficPolicy's
 * connectionPool (Istio ≥ 1.31) fills in when neither sets one (its outlierDetection is inert inbound).
 * No h2 upgrade inbound: the cluster is HTTP/2 when the port is (`protocol`: the service port's own, istiod
 * never upgrades an inbound cluster: applyTrafficPolicy).
 * istio/istio pilot/pkg/networking/core/cluster_builder.go (buildInboundCluster),
 * pilot/pkg/model/sidecar.go (DestinationRule, InboundConnectionPoolForPort),
 * cluster_traffic_policy.go (applyDefaultTrafficPolicy)
 * https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioIngressListener
 */
function inboundCluster(p: ProxyInput, s: ServiceState, servicePort: number, targetPort: number, statsServices: readonly string[], protocol: PortProtocol): Cluster {
  const dr = p.scope.hosts.has(s.fqdn) ? inboundDestinationRule(p.config.destinationRules, s.fqdn, p.pod.namespace) : undefined;
  const fromDr = dr?.spec.trafficPolicy !== undefined ? effectivePolicy(dr, undefined, servicePort).connectionPool : undefined;
  const fromSidecar = inboundConnectionPoolForPort(p.scope, targetPort);
  const fromMesh = fromSidecar === undefined && fromDr === undefined ? p.meshDefaultPolicy?.connectionPool : undefined;
  const cp = fromSidecar ?? fromDr ?? fromMesh;
  // One literal and the optional fields after it, in the order the spreads of `fixed` gave them: a
  // spread copies every field into a new object and then grows its property store for each field
  // added (about 1 MB allocated at 1,000 proxies; docs/performance.md, Goal 4, session 18).
  const c: { -readonly [K in keyof Cluster]: Cluster[K] } = {
    name: `inbound|${targetPort}||`, type: "STATIC", direction: "inbound", host: "", port: targetPort, subset: "",
    subsetLabels: NO_LABELS, policy: cp === undefined ? {} : { connectionPool: cp },
    destinationRule: dr?.spec.trafficPolicy !== undefined ? drName(dr) : "", http2: isHttp2Protocol(protocol), targetPort,
    serviceEntry: undefined,
  };
  if (isGrpcProtocol(protocol)) c.grpc = true;
  if (cp !== undefined) c.poolFrom = fromSidecar !== undefined ? "Sidecar" : fromDr !== undefined ? "DestinationRule" : "MeshConfig";
  c.statsServices = statsServices;
  return c;
}
