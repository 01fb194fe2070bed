// What istiod sends every ztunnel over WDS (workload discovery), as data: the workloads (each pod's
// address, identity, node, locality, waypoint and the protocol to reach it — HBONE for a pod in the
// mesh, TCP for one outside), the services (VIP, ports, endpoints, waypoint, load-balancing
// preference) and the authorization policies converted for ztunnel; plus the certificates a node's
// ztunnel holds (one per identity of the mesh pods on its node). Built from the rules the run uses:
// config/ambient/ambient-index.ts (waypoint bindings), ztunnel-authorization.ts (ztunnelPolicies),
// proxy/ztunnel/endpoint-choice.ts (routingPreference). Field names are ztunnel's config_dump ones as
// istioctl reads them (istioctl/pkg/writer/ztunnel/configdump/api.go: ZtunnelWorkload, ZtunnelService,
// ZtunnelPolicy, CertsDump), produced by ztunnel's admin endpoint (src/admin.rs ConfigDump).
// https://github.com/istio/istio/blob/master/istioctl/pkg/writer/ztunnel/configdump/api.go
// https://github.com/istio/istio/blob/master/pilot/pkg/serviceregistry/ambient/ (workloads.go, services.go, authorization.go)
import type { MeshConfig } from "../../config/mesh-config.js";
import { sharedAmbientIndex, type AmbientIndex } from "../../config/ambient/ambient-index.js";
import { ztunnelPolicies } from "../../config/ambient/ztunnel-authorization.js";
import type { WaypointBinding } from "../../config/ambient/waypoint-binding.js";
import type { AuthorizationPolicy, AuthzRule } from "../../proxy/api/security.js";
import { routingPreference, type RoutingPreference } from "../../proxy/ztunnel/endpoint-choice.js";
import { hasL7Fields, isDryRunForZtunnel } from "../../proxy/ztunnel/l4-authorization.js";
import { DEFAULT_ROOT_NAMESPACE } from "../../proxy/security/policy-scope.js";
import type { Deployment, MeshSettings, Namespace, Service } from "../../scenario/model.js";
import type { Pod } from "../../mesh/kube/pod.js";
import type { ServiceRegistry, ServiceState } from "../../mesh/kube/service-registry.js";
import { isWaypointPod } from "../../mesh/waypoint/waypoint-workloads.js";
import { trafficDistributionOf } from "../../config/ambient/traffic-distribution.js";


export interface ZtunnelWorkload {
  readonly uid: string;
  readonly workloadIps: readonly string[];
  /** "namespace/hostname" of the waypoint Service for traffic to the pod's own IP. */
  readonly waypoint?: { readonly destination: string };
  readonly protocol: "HBONE" | "TCP";
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly workloadName: string;
  readonly workloadType: "deployment" | "pod";
  readonly canonicalName: string;
  readonly canonicalRevision: string;
  readonly clusterId: string;
  readonly trustDomain: string;
  readonly locality: { readonly region?: string; readonly zone?: string; readonly subzone?: string };
  readonly node: string;
  readonly status: "Healthy" | "Unhealthy";
  /** AuthorizationPolicies ztunnel enforces for it ("namespace/name"). */
  readonly authorizationPolicies?: readonly string[];
}

export interface ZtunnelEndpoint {
  readonly workloadUid: string;
  readonly service: string;
  readonly port: Readonly<Record<string, number>>;
}

export interface ZtunnelService {
  readonly name: string;
  readonly namespace: string;
  readonly hostname: string;
  /** "network/ip" (meshsim has one, unnamed, network). */
  readonly vips: readonly string[];
  /** Service port ⇒ target port. */
  readonly ports: Readonly<Record<string, number>>;
  readonly loadBalancer?: { readonly mode: "Failover" | "Strict"; readonly routingPreferences: readonly string[]; readonly healthPolicy: "OnlyHealthy" };
  readonly waypoint?: { readonly destination: string };
  /** By workload uid: the ready pods. */
  readonly endpoints: Readonly<Record<string, ZtunnelEndpoint>>;
  readonly ipFamilies: "IPv4";
}

/** ztunnel's StringMatch as its config_dump writes it (src/rbac.rs `StringMatch`, serde's enum form). */
export type ZtunnelStringMatch = { Exact: string } | { Prefix: string } | { Suffix: string } | { Presence: [] };

/** One match of a rule's clause (a clause is an OR of them), after istiod dropped what is HTTP; `{}` is skipped by ztunnel. */
export interface ZtunnelPolicyMatch {
  readonly namespaces?: readonly ZtunnelStringMatch[];
  readonly notNamespaces?: readonly ZtunnelStringMatch[];
  readonly principals?: readonly ZtunnelStringMatch[];
  readonly notPrincipals?: readonly ZtunnelStringMatch[];
  readonly sourceIps?: readonly string[];
  readonly notSourceIps?: readonly string[];
  readonly destinationIps?: readonly string[];
  readonly notDestinationIps?: readonly string[];
  readonly destinationPorts?: readonly number[];
  readonly notDestinationPorts?: readonly number[];
}

export interface ZtunnelPolicy {
  readonly name: string;
  readonly namespace: string;
  readonly scope: "Global" | "Namespace" | "WorkloadSelector";
  readonly action: "Allow" | "Deny";
  /** rules ⇒ clauses (all must match) ⇒ matches (any may match). */
  readonly rules: readonly (readonly (readonly ZtunnelPolicyMatch[])[])[];
}

export interface ZtunnelCertificate {
  /** The SPIFFE ID ztunnel holds a certificate for. */
  readonly identity: string;
  readonly state: "Available";
  readonly node: string;
}

export interface ZtunnelConfig {
  readonly workloads: readonly ZtunnelWorkload[];
  readonly services: readonly ZtunnelService[];
  readonly policies: readonly ZtunnelPolicy[];
  readonly certificates: readonly ZtunnelCertificate[];
}

/** What the translation reads: the cluster's pods and services now, and the config istiod holds. */
export interface ZtunnelConfigInput {
  readonly mesh: Pick<MeshSettings, "mode" | "injection">;
  readonly namespaces: readonly Namespace[];
  readonly deployments: readonly Deployment[];
  /** The Services as the scenario declares them (the registry's specs, the same array the run indexes). */
  readonly services: readonly Service[];
  readonly registry: ServiceRegistry;
  readonly pods: Iterable<Pod>;
  readonly config: MeshConfig;
  readonly deploymentOf: (pod: Pod) => Deployment | undefined;
}

/** ztunnel's workload uid: "cluster//Pod/namespace/name" (pilot/pkg/serviceregistry/kube/controller/ambient). */
export function workloadUid(pod: Pod): string {
  return `Kubernetes//Pod/${pod.namespace}/${pod.name}`;
}

/**
 * The protocol ztunnel uses to reach a pod: HBONE when it has a proxy that takes it (ztunnel or a
 * sidecar). A waypoint's own pod is not captured (its Deployment is labelled dataplane-mode none):
 * TCP, as `istioctl ztunnel-config workloads` shows waypoints.
 */
export function workloadProtocol(pod: Pod): "HBONE" | "TCP" {
  return pod.ambient || (pod.hasSidecar && !isWaypointPod(pod.labels)) ? "HBONE" : "TCP";
}


/** The routing preference ztunnel gets for a Service: its trafficDistribution, else the annotation on it or its namespace. */
export function serviceRoutingPreference(svc: ServiceState, namespaces: readonly Namespace[]): RoutingPreference | null {
  return routingPreference(trafficDistributionOf(svc.spec, namespaces));
}

const destination = (b: WaypointBinding): { destination: string } | undefined =>
  b.waypoint === undefined ? undefined : { destination: `${b.waypoint.namespace}/${b.waypoint.address}` };

/** istiod's ambient index under a config version: the one the run's waypoint hop reads (config/ambient/ambient-index.ts). */
export function ambientIndexOf(i: Pick<ZtunnelConfigInput, "mesh" | "namespaces" | "deployments" | "services" | "config">): AmbientIndex {
  return sharedAmbientIndex({ mesh: i.mesh, namespaces: i.namespaces, deployments: i.deployments, services: i.services, gatewayApi: i.config.gatewayApi });
}

/** WDS for the whole mesh (every ztunnel gets the same), with the certificates of each node's ztunnel. */
export function ztunnelConfig(i: ZtunnelConfigInput): ZtunnelConfig {
  const index = ambientIndexOf(i);
  const pods = [...i.pods].filter((p) => p.alive && p.ambientProxy === undefined);
  const policies = ztunnelPolicies(i.config).filter((p) => !isDryRunForZtunnel(p));
  const workloads: ZtunnelWorkload[] = [];
  for (const pod of pods) {
    const dep = i.deploymentOf(pod);
    const w = dep === undefined ? undefined : index.workloads.get(`${dep.metadata.namespace}/${dep.metadata.name}`);
    const [region, zone, subzone] = (pod.locality ?? "").split("/");
    const wp = pod.ambient && w !== undefined ? destination(w.binding) : undefined;
    const applied = pod.ambient ? policies.filter((p) => appliesTo(p, pod)).map((p) => `${p.metadata.namespace}/${p.metadata.name}`) : [];
    workloads.push({
      uid: workloadUid(pod), workloadIps: [pod.ip], ...(wp !== undefined ? { waypoint: wp } : {}),
      protocol: workloadProtocol(pod), name: pod.name, namespace: pod.namespace, serviceAccount: pod.serviceAccount,
      workloadName: pod.workload, workloadType: dep !== undefined ? "deployment" : "pod",
      canonicalName: pod.labels["service.istio.io/canonical-name"] ?? pod.labels["app.kubernetes.io/name"] ?? pod.labels["app"] ?? pod.workload,
      canonicalRevision: pod.labels["service.istio.io/canonical-revision"] ?? pod.labels["app.kubernetes.io/version"] ?? pod.labels["version"] ?? "latest",
      clusterId: "Kubernetes", trustDomain: "cluster.local",
      locality: { ...(region ? { region } : {}), ...(zone ? { zone } : {}), ...(subzone ? { subzone } : {}) },
      node: pod.node ?? "", status: pod.ready ? "Healthy" : "Unhealthy",
      ...(applied.length > 0 ? { authorizationPolicies: applied } : {}),
    });
  }
  const services: ZtunnelService[] = [];
  for (const s of i.registry.byFqdn.values()) {
    const ns = s.spec.metadata.namespace;
    const entry = index.services.get(s.fqdn);
    const wp = entry === undefined ? undefined : destination(entry.binding);
    const pref = serviceRoutingPreference(s, i.namespaces);
    const ports = Object.fromEntries(s.spec.ports.map((p) => [String(p.port), p.targetPort]));
    const endpoints: Record<string, ZtunnelEndpoint> = {};
    for (const pod of s.endpoints) endpoints[workloadUid(pod)] = { workloadUid: workloadUid(pod), service: `${ns}/${s.fqdn}`, port: ports };
    services.push({
      name: s.spec.metadata.name, namespace: ns, hostname: s.fqdn, vips: [`/${s.clusterIp}`], ports,
      ...(pref !== null ? { loadBalancer: { mode: pref.mode === "strict" ? "Strict" as const : "Failover" as const, routingPreferences: pref.scopes.map(scopeName), healthPolicy: "OnlyHealthy" as const } } : {}),
      ...(wp !== undefined ? { waypoint: wp } : {}),
      endpoints, ipFamilies: "IPv4",
    });
  }
  const certificates: ZtunnelCertificate[] = [];
  const seen = new Set<string>();
  for (const pod of pods) {
    if (!pod.ambient) continue;
    const id = `spiffe://${pod.identity.principal}`;
    const key = `${pod.node ?? ""}\u0000${id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    certificates.push({ identity: id, state: "Available", node: pod.node ?? "" });
  }
  return {
    workloads: workloads.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
    services: services.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
    policies: policies.map(convertPolicy),
    certificates: certificates.sort((a, b) => a.node.localeCompare(b.node) || a.identity.localeCompare(b.identity)),
  };
}

const scopeName = (s: string): string => s === "subzone" ? "SUBZONE" : s.toUpperCase();

function appliesTo(p: AuthorizationPolicy, pod: Pod): boolean {
  if (p.metadata.namespace !== DEFAULT_ROOT_NAMESPACE && p.metadata.namespace !== pod.namespace) return false;
  const sel = p.spec.selector?.matchLabels;
  return sel === undefined || Object.entries(sel).every(([k, v]) => pod.labels[k] === v);
}

/**
 * istiod's conversion (authorization.go convertAuthorizationPolicy, handleRule): scope from the
 * selector and namespace; in an ALLOW policy a rule with an HTTP attribute is dropped (it could never
 * match at L4); in a DENY policy its L4 part is kept, and an HTTP-only entry or `when` leaves an empty
 * match `{}` that ztunnel skips. https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/serviceregistry/ambient/authorization.go#L584-L700
 */
export function convertPolicy(p: AuthorizationPolicy): ZtunnelPolicy {
  const action = (p.spec.action ?? "ALLOW") === "DENY" ? "Deny" : "Allow";
  const scope = p.metadata.namespace === DEFAULT_ROOT_NAMESPACE && p.spec.selector === undefined ? "Global"
    : p.spec.selector !== undefined ? "WorkloadSelector" : "Namespace";
  // A null rule is an empty rule (match everything).
  const rules = (p.spec.rules ?? []).map((r: AuthzRule | null) => r ?? {}).filter((r) => action === "Deny" || !hasL7Fields(r)).map(convertRule);
  return { name: p.metadata.name, namespace: p.metadata.namespace, scope, action, rules };
}

/** istiod's stringToMatch: `*` any non-empty value, `*x` a suffix, `x*` a prefix, else exact. */
function stringMatches(xs: readonly string[] | undefined): ZtunnelStringMatch[] | undefined {
  if (xs === undefined || xs.length === 0) return undefined;
  return xs.map((v): ZtunnelStringMatch => (v === "*" ? { Presence: [] } : v.startsWith("*") ? { Suffix: v.slice(1) } : v.endsWith("*") ? { Prefix: v.slice(0, -1) } : { Exact: v }));
}

function convertRule(r: AuthzRule): ZtunnelPolicyMatch[][] {
  const clauses: ZtunnelPolicyMatch[][] = [];
  const num = (xs: readonly string[] | undefined) => (xs === undefined || xs.length === 0 ? undefined : xs.map(Number));
  const some = (m: Record<string, unknown>): ZtunnelPolicyMatch => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as ZtunnelPolicyMatch;
  if ((r.to?.length ?? 0) > 0) clauses.push(r.to!.map(({ operation: o }) => some({ destinationPorts: num(o.ports), notDestinationPorts: num(o.notPorts) })));
  if ((r.from?.length ?? 0) > 0) {
    clauses.push(r.from!.map(({ source: s }) => some({
      sourceIps: s.ipBlocks, notSourceIps: s.notIpBlocks,
      namespaces: stringMatches(s.namespaces), notNamespaces: stringMatches(s.notNamespaces),
      principals: stringMatches(s.principals), notPrincipals: stringMatches(s.notPrincipals),
    })));
  }
  for (const w of r.when ?? []) {
    const v = w.values, nv = w.notValues;
    // Any other key (remote.ip, connection.sni, request.*) is HTTP for ztunnel: an empty match.
    clauses.push([w.key === "source.namespace" ? some({ namespaces: stringMatches(v), notNamespaces: stringMatches(nv) })
      : w.key === "source.principal" ? some({ principals: stringMatches(v), notPrincipals: stringMatches(nv) })
      : w.key === "source.ip" ? some({ sourceIps: v, notSourceIps: nv })
      : w.key === "destination.ip" ? some({ destinationIps: v, notDestinationIps: nv })
      : w.key === "destination.port" ? some({ destinationPorts: num(v), notDestinationPorts: num(nv) })
      : {}]);
  }
  return clauses;
}
