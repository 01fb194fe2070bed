// `analyze` for ambient mode: the config that stops working, or changes meaning, when workloads are
// served by ztunnel (L4) and waypoints instead of sidecars. Istio's own messages where its analyzers
// have them — IST0167 IneffectivePolicy (a Sidecar resource on ambient workloads:
// pkg/config/analysis/analyzers/sidecar/selector.go) and IST0171 NegativeConditionStatus (the
// conditions istiod writes: AuthorizationPolicy ZtunnelAccepted / WaypointAccepted, Service
// istio.io/WaypointBound: pkg/config/analysis/analyzers/conditions/conditions.go) — and meshsim's
// MSH016x codes where Istio writes only an accepted-with-warning status or nothing at all
// (docs/ambient-config.md lists which and why). Codes and texts: pkg/config/analysis/msg/messages.yaml.
import type { Deployment, MeshSettings, Namespace, Service } from "../../scenario/model.js";
import type { AuthorizationPolicy } from "../../proxy/api/security.js";
import type { HTTPRoute as GatewayHTTPRoute, KubernetesGateway } from "../../proxy/api/gateway-api.js";
import { resolveHostName } from "../../proxy/route/host-name.js";
import { DEFAULT_ROOT_NAMESPACE, selectorMatches } from "../../proxy/security/policy-scope.js";
import { isGenerated, type MeshConfig } from "../mesh-config.js";
import type { AnalysisMessage } from "../analyze.js";
import { ambientIndex } from "./ambient-index.js";
import { DATAPLANE_MODE_AMBIENT, DATAPLANE_MODE_LABEL, USE_WAYPOINT_LABEL } from "./ambient-labels.js";
import { ingressUseWaypoint, waypointBoundCondition, type WaypointBinding } from "./waypoint-binding.js";
import { isWaypointGateway, waypointGatewayStatus, type Waypoint } from "./waypoint-gateway.js";
import { hasTargetRefs, ztunnelAuthorization } from "./ztunnel-authorization.js";

/** What the ambient analyzers read of the cluster besides the Istio config. */
export interface AmbientClusterView {
  readonly mesh: Pick<MeshSettings, "mode" | "injection">;
  readonly namespaces: readonly Namespace[];
  readonly services: readonly Service[];
  readonly deployments: readonly Deployment[];
}

const ref = (kind: string, m: { name: string; namespace: string }): string => `${kind} ${m.name}.${m.namespace}`;
const names = (deps: readonly Deployment[]): string => deps.map((d) => `${d.metadata.name}.${d.metadata.namespace}`).join(", ");

function negativeCondition(resource: string, type: string, reason: string, message: string): AnalysisMessage {
  return { level: "Warning", code: "IST0171", resource, message: `A condition with a negative status is present: type=${type}, reason=${reason}, message=${message}.` };
}

interface ServiceInfo { readonly svc: Service; readonly host: string; readonly binding: WaypointBinding; readonly ambientPods: readonly Deployment[] }

/** The ambient messages for one config version (empty unless spec.mesh.mode is ambient). */
export function analyzeAmbient(config: MeshConfig, view: AmbientClusterView): AnalysisMessage[] {
  if (view.mesh.mode !== "ambient") return [];
  const out: AnalysisMessage[] = [];
  const nsLabels = (ns: string) => view.namespaces.find((n) => n.metadata.name === ns)?.metadata.labels ?? {};
  const index = ambientIndex({ ...view, gatewayApi: config.gatewayApi });
  const ambient = [...index.workloads.values()].filter((w) => w.dataplane.mode === "ambient").map((w) => w.deployment);
  const waypoints = index.waypoints;
  const services = new Map<string, ServiceInfo>();
  for (const e of index.services.values()) {
    const svc = e.service;
    const ambientPods = ambient.filter((d) => d.metadata.namespace === svc.metadata.namespace && Object.keys(svc.selector).length > 0 && selectorMatches({ matchLabels: svc.selector }, d.podLabels));
    services.set(e.host, { svc, host: e.host, binding: e.binding, ambientPods });
  }
  const selected = (meta: { namespace: string }, selector: { matchLabels?: Record<string, string> } | undefined): Deployment[] =>
    ambient.filter((d) => (meta.namespace === DEFAULT_ROOT_NAMESPACE || d.metadata.namespace === meta.namespace) && selectorMatches(selector, d.podLabels));

  // Waypoint Gateways: a listener istiod refuses. Istio's condition analyzer reads only the Gateway's
  // own conditions (which stay True), so meshsim reports the listener's.
  for (const gw of config.gatewayApi) {
    if (gw.kind !== "KubernetesGateway" || !isWaypointGateway(gw, config.gatewayApi)) continue;
    for (const l of waypointGatewayStatus(gw).listeners) {
      for (const c of l.conditions) {
        if (c.status !== "False") continue;
        out.push({ level: "Error", code: "MSH0168", resource: ref("Gateway", gw.metadata), message: `listener ${l.name}: ${c.type} False, reason ${c.reason}: ${c.message} (ztunnel cannot reach the waypoint through it)` });
      }
    }
  }

  // Services: the istio.io/WaypointBound condition when the binding fails.
  for (const info of services.values()) {
    const c = waypointBoundCondition(info.binding, ingressUseWaypoint(info.svc.metadata.labels, nsLabels(info.svc.metadata.namespace)));
    if (c?.status === "False") out.push(negativeCondition(ref("Service", info.svc.metadata), "istio.io/WaypointBound", c.reason, c.message));
  }

  // Sidecar resources: no sidecar to configure (IST0167, sidecar/selector.go).
  for (const sc of config.sidecars) {
    const sel = sc.spec.workloadSelector?.labels;
    if (sel !== undefined && Object.keys(sel).length > 0) {
      if (selected(sc.metadata, { matchLabels: sel }).some((d) => d.metadata.namespace === sc.metadata.namespace)) {
        out.push({ level: "Warning", code: "IST0167", resource: ref("Sidecar", sc.metadata), message: "The policy has no impact: selected workload is in ambient mode, the policy has no impact." });
      }
    } else {
      // NamespaceInAmbientMode: labelled ambient and not labelled for injection.
      const l = nsLabels(sc.metadata.namespace);
      const labelled = l[DATAPLANE_MODE_LABEL] === DATAPLANE_MODE_AMBIENT && l["istio-injection"] === undefined;
      if (labelled) out.push({ level: "Warning", code: "IST0167", resource: ref("Sidecar", sc.metadata), message: "The policy has no impact: namespace is in ambient mode, the policy has no impact." });
    }
  }

  for (const ap of config.authorizationPolicies) out.push(...authorizationMessages(ap, selected(ap.metadata, ap.spec.selector), services, waypoints, config.gatewayApi));

  for (const ra of config.requestAuthentications) {
    const deps = selected(ra.metadata, ra.spec.selector);
    if (hasTargetRefs(ra as unknown as AuthorizationPolicy) || deps.length === 0) continue;
    out.push({
      level: "Warning", code: "MSH0161", resource: ref("RequestAuthentication", ra.metadata),
      message: `selects ambient workloads (${names(deps)}), where no proxy validates JWTs: ztunnel is L4 only. In ambient mode a RequestAuthentication is enforced by a waypoint, attached with targetRefs`,
    });
  }

  for (const pa of config.peerAuthentications) {
    const modes = [pa.spec.mtls?.mode, ...Object.values(pa.spec.portLevelMtls ?? {}).map((p) => p.mode)];
    if (!modes.includes("DISABLE")) continue;
    const deps = selected(pa.metadata, pa.spec.selector);
    if (deps.length === 0) continue;
    out.push({
      level: "Warning", code: "MSH0162", resource: ref("PeerAuthentication", pa.metadata),
      message: `mTLS mode DISABLE is ignored for ambient workloads (${names(deps)}): ztunnel always carries their traffic over HBONE (mTLS) between mesh workloads. The ambient migration guide lists PeerAuthentication DISABLE as a blocker`,
    });
  }

  for (const vs of config.virtualServices) {
    if (isGenerated(vs)) continue;
    if (vs.spec.gateways !== undefined && vs.spec.gateways.length > 0 && !vs.spec.gateways.includes("mesh")) continue;
    const http = vs.spec.http ?? [];
    for (const h of vs.spec.hosts) {
      const info = services.get(resolveHostName(h, vs.metadata.namespace));
      if (info === undefined || info.ambientPods.length === 0) continue;
      const features = [
        http.some((r) => (r.route?.length ?? 0) > 1 || (r.match?.length ?? 0) > 0) ? "HTTP routing and weights" : "",
        http.some((r) => r.fault !== undefined) ? "fault injection" : "",
        http.some((r) => r.retries !== undefined) ? "retries" : "",
        http.some((r) => r.timeoutMs !== undefined) ? "timeouts" : "",
        http.some((r) => r.mirror !== undefined || r.mirrors !== undefined) ? "mirroring" : "",
      ].filter((f) => f !== "");
      const what = features.length > 0 ? features.join(", ") : "its HTTP rules";
      if (info.binding.waypoint === undefined) {
        out.push({
          level: "Warning", code: "MSH0163", resource: ref("VirtualService", vs.metadata),
          message: `routes ${info.host}, whose Service has no waypoint: ztunnel does not parse HTTP, so ${what} no longer apply to ambient clients (sidecar clients still apply them). Add a waypoint (istio.io/use-waypoint) to keep them`,
        });
      } else {
        const fault = features.includes("fault injection") ? "; Gateway API has no fault-injection field, so this VirtualService is the only way to keep it" : "; migrating to HTTPRoute is strongly recommended";
        out.push({
          level: "Info", code: "MSH0164", resource: ref("VirtualService", vs.metadata),
          message: `routes ${info.host} on waypoint ${info.binding.waypoint.namespace}/${info.binding.waypoint.name}: VirtualService on a waypoint is Alpha in ambient mode${fault}`,
        });
      }
    }
  }

  // HTTPRoutes with a Service parent: istiod's ResolvedWaypoints condition (conditions.go), which
  // istioctl analyze does not read.
  for (const r of config.gatewayApi) {
    if (r.kind !== "HTTPRoute" && r.kind !== "GRPCRoute") continue;
    for (const p of r.spec.parentRefs) {
      if (p.group !== "" || p.kind !== "Service") continue;
      const ns = p.namespace ?? r.metadata.namespace;
      const info = services.get(`${p.name}.${ns}.svc.cluster.local`);
      if (info === undefined) continue;
      const labelled = (l: Readonly<Record<string, string>>) => (l[USE_WAYPOINT_LABEL] ?? "").length > 0 && l[USE_WAYPOINT_LABEL]!.toLowerCase() !== "none";
      if (labelled(info.svc.metadata.labels) || labelled(nsLabels(ns))) continue;
      out.push({
        level: "Warning", code: "MSH0165", resource: ref(r.kind, r.metadata),
        message: `parent Service/${p.name}: ResolvedWaypoints False, reason MissingUseWaypointLabel: istio.io/use-waypoint label missing from parent and parent namespace; in ambient mode, route will not be respected`,
      });
    }
  }

  for (const dr of config.destinationRules) {
    const info = services.get(resolveHostName(dr.spec.host, dr.metadata.namespace));
    if (info === undefined || info.ambientPods.length === 0) continue;
    const subsets = dr.spec.subsets ?? [];
    const routed = config.gatewayApi.filter((r): r is GatewayHTTPRoute => r.kind === "HTTPRoute" && routesService(r, info.svc));
    if (subsets.length > 0 && info.binding.waypoint !== undefined && routed.length > 0) {
      out.push({
        level: "Warning", code: "MSH0166", resource: ref("DestinationRule", dr.metadata),
        message: `subsets ${subsets.map((s) => s.name).join(", ")} of ${info.host} cannot be selected by HTTPRoute (${routed.map((r) => `${r.metadata.name}.${r.metadata.namespace}`).join(", ")}), which the waypoint applies: subsets are not supported by waypoints with HTTPRoute; create one Service per version`,
      });
    }
    if (info.binding.waypoint === undefined) {
      const parts = [
        subsets.length > 0 ? "subsets" : "",
        dr.spec.trafficPolicy?.connectionPool !== undefined ? "connectionPool" : "",
        dr.spec.trafficPolicy?.outlierDetection !== undefined ? "outlierDetection" : "",
        dr.spec.trafficPolicy?.loadBalancer !== undefined ? "loadBalancer" : "",
        dr.spec.trafficPolicy?.tls !== undefined ? "tls" : "",
      ].filter((x) => x !== "");
      if (parts.length === 0) continue;
      out.push({
        level: "Warning", code: "MSH0167", resource: ref("DestinationRule", dr.metadata),
        message: `${parts.join(", ")} for ${info.host} apply only in an Envoy (sidecar clients, or a waypoint): ${info.host} has no waypoint, so ambient clients reach it through ztunnel, which balances each connection at random over ready endpoints, without outlier detection or HTTP pool limits`,
      });
    }
  }
  return out;
}

/** Does an HTTPRoute attach to, or send to, this Service? */
function routesService(r: GatewayHTTPRoute, svc: Service): boolean {
  const ns = r.metadata.namespace;
  const is = (x: { group?: string; kind?: string; name: string; namespace?: string }) =>
    (x.group ?? "") === "" && (x.kind ?? "Service") === "Service" && x.name === svc.metadata.name && (x.namespace ?? ns) === svc.metadata.namespace;
  return r.spec.parentRefs.some(is) || r.spec.rules.some((rule) => (rule.backendRefs ?? []).some(is));
}

function authorizationMessages(
  ap: AuthorizationPolicy, deps: readonly Deployment[], services: ReadonlyMap<string, ServiceInfo>,
  waypoints: readonly Waypoint[], gatewayApi: MeshConfig["gatewayApi"],
): AnalysisMessage[] {
  const resource = ref("AuthorizationPolicy", ap.metadata);
  if (hasTargetRefs(ap)) return targetRefMessages(ap, resource, services, waypoints, gatewayApi);
  const z = ztunnelAuthorization(ap);
  const out: AnalysisMessage[] = [];
  // Istio writes ZtunnelAccepted on every policy without targetRefs once ambient is on.
  if (z.condition?.status === "False") out.push(negativeCondition(resource, "ZtunnelAccepted", z.condition.reason, z.condition.message));
  if (z.condition?.status === "True" && z.condition.reason === "UnsupportedValue" && deps.length > 0) {
    const consequence = z.effect === "deny-all" ? `every connection to ${names(deps)} that no other ALLOW policy allows is denied by ztunnel, a waypoint or not`
      : z.effect === "no-effect" ? `it denies nothing at ${names(deps)}`
      : `at ${names(deps)} it is more restrictive than written`;
    out.push({
      level: z.effect === "deny-all" ? "Error" : "Warning", code: "MSH0160", resource,
      message: `ZtunnelAccepted: ${z.condition.message} Here: ${consequence}`,
    });
  }
  return out;
}

interface TargetRef { group?: string; kind: string; name: string; namespace?: string }

/** WaypointAccepted for a policy with targetRefs (policies.go, flattenConditions in model/service.go). */
function targetRefMessages(ap: AuthorizationPolicy, resource: string, services: ReadonlyMap<string, ServiceInfo>, waypoints: readonly Waypoint[], gatewayApi: MeshConfig["gatewayApi"]): AnalysisMessage[] {
  const spec = ap.spec as { targetRefs?: TargetRef[]; targetRef?: TargetRef };
  const refs = spec.targetRefs ?? (spec.targetRef !== undefined ? [spec.targetRef] : []);
  const results = refs.map((t) => {
    const ns = t.namespace ?? ap.metadata.namespace;
    const key = `${ns}/${t.name}`;
    const group = (t.group ?? "") === "" ? "core" : t.group!;
    const ancestor = `${t.kind}.${group}:${key}`;
    if (t.kind === "Service") {
      const info = services.get(`${t.name}.${ns}.svc.cluster.local`);
      if (info === undefined) return { bound: false, reason: "TargetNotFound", message: `Service ${key} was not found`, ancestor };
      if (info.binding.waypoint === undefined) return { bound: false, reason: "AncestorNotBound", message: `Service ${key} is not bound to a waypoint`, ancestor };
      return { bound: true, reason: "Accepted", message: `bound to ${info.binding.waypoint.namespace}/${info.binding.waypoint.name}`, ancestor };
    }
    if (t.kind === "Gateway") {
      const gw = gatewayApi.find((g): g is KubernetesGateway => g.kind === "KubernetesGateway" && g.metadata.name === t.name && g.metadata.namespace === ns);
      // A Gateway that is not a waypoint is an ingress gateway: its policies are not ambient's concern.
      if (gw !== undefined && !isWaypointGateway(gw, gatewayApi)) return undefined;
      if (waypoints.some((w) => w.name === t.name && w.namespace === ns)) return { bound: true, reason: "Accepted", message: `bound to ${key}`, ancestor };
      return { bound: false, reason: "TargetNotFound", message: "not bound", ancestor };
    }
    return undefined;
  }).filter((r): r is NonNullable<typeof r> => r !== undefined);
  if (results.length === 0) return [];
  if (results.length === 1) {
    const r = results[0]!;
    return r.bound ? [] : [negativeCondition(resource, "WaypointAccepted", r.reason, r.message)];
  }
  const unbound = results.filter((r) => !r.bound).map((r) => r.ancestor);
  if (unbound.length === 0) return [];
  const some = unbound.length < results.length;
  // PartiallyInvalid is reported although its status is True (conditions.go special case).
  return [negativeCondition(resource, "WaypointAccepted", some ? "PartiallyInvalid" : "Invalid", `Invalid targetRefs: ${unbound.join(", ")}`)];
}
