// Which waypoint serves a Service (service-addressed traffic) and a Pod (workload-addressed traffic),
// as istiod's ambient index binds them, with the status it writes when a binding fails.
// pilot/pkg/serviceregistry/ambient/waypoints.go: GetUseWaypoint (the object's istio.io/use-waypoint,
// `none` opts out, istio.io/use-waypoint-namespace from the same object, else the object's namespace),
// fetchWaypointForTarget (the object's own label wins over its Namespace's; a named waypoint that does
// not exist is "not ready"; allowedRoutes decide attachment), fetchWaypointForService (the waypoint must
// take `service` or `all` traffic; a waypoint's or east-west gateway's own Service has none),
// fetchWaypointForWorkload (`workload` or `all`; a service-only waypoint inherited from the namespace is
// silently not used, one named on the pod is an error); status.go (reasons and messages);
// services.go ingressUseWaypointFromLabels. https://istio.io/latest/docs/ambient/usage/waypoint/
import type { RouteNamespaces } from "../../proxy/api/gateway-api.js";
import { GATEWAY_MANAGED_LABEL, WAYPOINT_MANAGED_VALUE, type Waypoint } from "./waypoint-gateway.js";
import { labelSelectorMatches } from "../../proxy/label-selector.js";
import { INGRESS_USE_WAYPOINT_LABEL, USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from "./ambient-labels.js";

export interface LabelledObject {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface WaypointRef { readonly name: string; readonly namespace: string }

/** GetUseWaypoint: the waypoint an object names, `none` (an explicit opt-out), or nothing. */
export function useWaypoint(labels: Readonly<Record<string, string>>, defaultNamespace: string): WaypointRef | "none" | undefined {
  const name = labels[USE_WAYPOINT_LABEL];
  if (name === undefined) return undefined;
  // "Istio reserves the word none in this field": a waypoint named none cannot be used.
  if (name === "none") return "none";
  return { name, namespace: labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? defaultNamespace };
}

/** The status condition istiod writes (Service: istio.io/WaypointBound) when a binding fails. */
export interface BindingError { readonly reason: string; readonly message: string }

export interface WaypointBinding {
  /** The waypoint traffic goes through (absent: none). */
  readonly waypoint?: Waypoint;
  /** Where the binding came from: the object's own label or its namespace's. */
  readonly from?: "object" | "namespace";
  readonly error?: BindingError;
}

const key = (r: WaypointRef): string => `${r.namespace}/${r.name}`;

function allowsAttachment(routes: RouteNamespaces, waypointNamespace: string, ns: string, nsLabels: Readonly<Record<string, string>>): boolean {
  if (routes.from === "All") return true;
  if (routes.from === "Selector") return labelSelectorMatches(routes.selector ?? { matchLabels: {} }, nsLabels);
  return waypointNamespace === ns;
}

/** fetchWaypointForTarget. `namespaceLabels`: the labels of the object's namespace. */
function waypointForTarget(obj: LabelledObject, namespaceLabels: Readonly<Record<string, string>>, waypoints: readonly Waypoint[]): WaypointBinding {
  const find = (r: WaypointRef) => waypoints.find((w) => w.name === r.name && w.namespace === r.namespace);
  const own = useWaypoint(obj.labels, obj.namespace);
  if (own === "none") return {};
  const resolve = (ref: WaypointRef, from: "object" | "namespace"): WaypointBinding => {
    const w = find(ref);
    if (w === undefined) return { from, error: { reason: "WaypointIsNotReady", message: `waypoint "${key(ref)}" is not ready` } };
    if (!allowsAttachment(w.allowedRoutes, w.namespace, obj.namespace, namespaceLabels)) {
      return { from, error: { reason: "AttachmentDenied", message: `we are not permitted to attach to waypoint "${key(ref)}" (missing allowedRoutes?)` } };
    }
    return { waypoint: w, from };
  };
  if (own !== undefined) return resolve(own, "object");
  const inherited = useWaypoint(namespaceLabels, obj.namespace);
  if (inherited === undefined || inherited === "none") return {};
  return resolve(inherited, "namespace");
}

function unsupported(w: Waypoint, type: "service" | "workload"): BindingError {
  return { reason: "UnsupportedTrafficType", message: `attempting to bind to traffic type "${type}" which the waypoint "${w.namespace}/${w.name}" does not support` };
}

/** The waypoint for traffic addressed to a Service (its ClusterIP or name). */
export function waypointForService(svc: LabelledObject, namespaceLabels: Readonly<Record<string, string>>, waypoints: readonly Waypoint[]): WaypointBinding {
  // A waypoint's own Service cannot have a waypoint (nor can an east-west gateway's).
  const managed = svc.labels[GATEWAY_MANAGED_LABEL];
  if (managed === WAYPOINT_MANAGED_VALUE || managed === "istio.io-eastwest-controller") return {};
  const b = waypointForTarget(svc, namespaceLabels, waypoints);
  if (b.waypoint === undefined) return b;
  if (b.waypoint.trafficType !== "service" && b.waypoint.trafficType !== "all") return { from: b.from, error: unsupported(b.waypoint, "service") };
  return b;
}

/** The waypoint for traffic addressed to a Pod's IP. */
export function waypointForWorkload(pod: LabelledObject, namespaceLabels: Readonly<Record<string, string>>, waypoints: readonly Waypoint[]): WaypointBinding {
  const b = waypointForTarget(pod, namespaceLabels, waypoints);
  if (b.waypoint === undefined) return b;
  if (b.waypoint.trafficType === "workload" || b.waypoint.trafficType === "all") return b;
  // Inherited from the namespace, a service waypoint is simply not for the pod's own traffic.
  if (pod.labels[USE_WAYPOINT_LABEL] === undefined) return {};
  return { from: b.from, error: unsupported(b.waypoint, "workload") };
}

/** ingressUseWaypointFromLabels: the Service's label, else its namespace's; Go's strconv.ParseBool. */
export function ingressUseWaypoint(serviceLabels: Readonly<Record<string, string>>, namespaceLabels: Readonly<Record<string, string>>): { present: boolean; use: boolean } {
  const v = serviceLabels[INGRESS_USE_WAYPOINT_LABEL] ?? namespaceLabels[INGRESS_USE_WAYPOINT_LABEL];
  if (v === undefined) return { present: false, use: false };
  return { present: true, use: ["1", "t", "T", "TRUE", "true", "True"].includes(v) };
}

/**
 * Whether a client's traffic to a Service bound to a waypoint goes through it: ambient clients do;
 * sidecars never (istiod gives waypoint endpoints only to gateways: endpoint_builder.go
 * `findServiceWaypoint`); ingress gateways with `istio.io/ingress-use-waypoint`; clients outside the
 * mesh do not either: the destination ztunnel's plaintext path checks L4 policy and connects to the
 * pod (ztunnel src/proxy/inbound_passthrough.rs), although Istio 1.21's architecture page spoke of a
 * hairpin (docs/ambient.md).
 */
export function clientUsesWaypoint(client: "ambient" | "sidecar" | "ingress-gateway" | "none", ingressUsesWaypoint: boolean): boolean {
  if (client === "ingress-gateway") return ingressUsesWaypoint;
  return client === "ambient";
}

/** The Service's istio.io/WaypointBound condition (pilot/pkg/model/service.go ServiceInfo.GetConditions). */
export function waypointBoundCondition(b: WaypointBinding, ingress: { present: boolean; use: boolean }): { status: "True" | "False"; reason: string; message: string } | undefined {
  if (b.waypoint !== undefined) {
    let message = `Successfully attached to waypoint ${b.waypoint.namespace}/${b.waypoint.name}`;
    if (ingress.use) message += ". Ingress traffic will traverse the waypoint";
    else if (ingress.present) message += ". Ingress traffic is not using the waypoint, set the istio.io/ingress-use-waypoint label to true if desired.";
    return { status: "True", reason: "WaypointAccepted", message };
  }
  if (b.error !== undefined) return { status: "False", reason: b.error.reason, message: b.error.message };
  return undefined;
}
