// The labels and annotations that enrol workloads in ambient mode and bind them to waypoints, with the
// values Istio gives meaning to. Names: istio/api label/labels.gen.go; values:
// https://github.com/istio/istio/blob/master/pkg/config/constants/constants.go (DataplaneModeAmbient,
// DataplaneModeNone, ServiceTraffic, WorkloadTraffic, AllTraffic, NoTraffic).
// https://istio.io/latest/docs/ambient/overview/APIs/

/** Namespace or Pod: `ambient` enrols, `none` (on a Pod) opts out. */
export const DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode";
export const DATAPLANE_MODE_AMBIENT = "ambient";
export const DATAPLANE_MODE_NONE = "none";

/** Namespace, Service or Pod: the waypoint's name, or `none` to opt out of an inherited one. */
export const USE_WAYPOINT_LABEL = "istio.io/use-waypoint";
/** The waypoint's namespace when it is not the object's own (read from the same object as use-waypoint). */
export const USE_WAYPOINT_NAMESPACE_LABEL = "istio.io/use-waypoint-namespace";
/** On a Gateway (or its GatewayClass): which traffic the waypoint takes. */
export const WAYPOINT_FOR_LABEL = "istio.io/waypoint-for";
/** On a Service (or its Namespace): ingress gateways send its traffic through its waypoint. */
export const INGRESS_USE_WAYPOINT_LABEL = "istio.io/ingress-use-waypoint";

/** The sidecar injector writes this annotation on every pod it injects; istio-cni reads it. */
export const SIDECAR_STATUS_ANNOTATION = "sidecar.istio.io/status";

/** `istio.io/waypoint-for` values; `service` is the default (waypoints.go gatewayToWaypointTransform). */
export const WAYPOINT_TRAFFIC_TYPES = ["service", "workload", "all", "none"] as const;
export type WaypointTrafficType = (typeof WAYPOINT_TRAFFIC_TYPES)[number];
