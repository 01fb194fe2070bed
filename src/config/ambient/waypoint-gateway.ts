// Waypoints as istiod makes them from Gateway API Gateways of the built-in class `istio-waypoint`
// (controller istio.io/mesh-controller): the Waypoint record the ambient index keeps (traffic type,
// which namespaces may attach), the Deployment and Service the deployment controller renders from the
// `waypoint` template, and the Gateway status conditions.
// - class and controller: pkg/config/constants/constants.go (WaypointGatewayClassName,
//   ManagedGatewayMeshController); pilot/pkg/config/kube/gatewaycommon/classinfo.go (template
//   "waypoint", DisableNameSuffix: the Deployment is named after the Gateway, ClusterIP Service);
// - traffic type and attachment: pilot/pkg/serviceregistry/ambient/waypoints.go
//   (gatewayToWaypointTransform: default "service", the GatewayClass's istio.io/waypoint-for label, then
//   the Gateway's; makeAllowedRoutes: the 15008/HBONE listener's allowedRoutes, else Same);
// - Deployment and Service: manifests/charts/istio-control/istio-discovery/files/waypoint.yaml and
//   pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go (extractServicePorts: status-port 15021
//   first, then one port per listener; GatewayNameOverride / GatewayServiceAccount annotations), golden
//   output pilot/pkg/config/kube/gatewaycommon/testdata/deployment/waypoint.yaml; resources from the
//   istiod chart's global.waypoint.resources (values.yaml: requests 100m/128Mi, limits 2/1Gi);
// - status: pilot/pkg/config/kube/gateway/conversion.go (unexpectedWaypointListener: "Expected a single
//   listener on port 15008 with protocol \"HBONE\"", reason UnsupportedProtocol) and
//   gatewaycommon/conversion.go (SetProgrammedCondition), golden testdata/waypoint.status.yaml.golden.
import type { GatewayApiResource, KubernetesGateway, RouteNamespaces } from "../../proxy/api/gateway-api.js";
import type { Deployment, Service, SourcePos } from "../../scenario/model.js";
import { GATEWAY_NAME_LABEL, type Condition } from "../gateway-api/gateway-api-config.js";
import type { GatewayListenerStatus, KubernetesGatewayStatus } from "../gateway-api/gateway-status.js";
import { DATAPLANE_MODE_LABEL, DATAPLANE_MODE_NONE, WAYPOINT_FOR_LABEL, WAYPOINT_TRAFFIC_TYPES, type WaypointTrafficType } from "./ambient-labels.js";

export const WAYPOINT_GATEWAY_CLASS = "istio-waypoint";
export const WAYPOINT_CONTROLLER = "istio.io/mesh-controller";
/** The value of gateway.istio.io/managed on everything the controller renders for a waypoint. */
export const WAYPOINT_MANAGED_VALUE = "istio.io-mesh-controller";
export const GATEWAY_MANAGED_LABEL = "gateway.istio.io/managed";
export const GATEWAY_CLASS_NAME_LABEL = "gateway.networking.k8s.io/gateway-class-name";
/** HBONE: the waypoint's one listener. */
export const HBONE_PORT = 15008;
export const HBONE_PROTOCOL = "HBONE";
/** The proxy's readiness port (/healthz/ready) and the Service's status-port. */
export const STATUS_PORT = 15021;
const NAME_OVERRIDE_ANNOTATION = "gateway.istio.io/name-override";
const SERVICE_ACCOUNT_ANNOTATION = "gateway.istio.io/service-account";
const MIB = 1024 * 1024;

/** global.waypoint.resources in the istiod chart. */
export const WAYPOINT_RESOURCES = {
  requests: { cpuMillis: 100, memoryBytes: 128 * MIB },
  limits: { cpuMillis: 2000, memoryBytes: 1024 * MIB },
} as const;

/** What the ambient index keeps of a waypoint Gateway. */
export interface Waypoint {
  readonly name: string;
  readonly namespace: string;
  readonly trafficType: WaypointTrafficType;
  /** From the HBONE listener's allowedRoutes.namespaces: who may bind to it. */
  readonly allowedRoutes: RouteNamespaces;
  /** "<service>.<namespace>.svc.<domain>": where ztunnel sends the traffic it captures for it. */
  readonly address: string;
}

/** Is this Gateway a waypoint: class istio-waypoint, or a GatewayClass run by the mesh controller? */
export function isWaypointGateway(gw: KubernetesGateway, resources: readonly GatewayApiResource[]): boolean {
  if (gw.spec.gatewayClassName === WAYPOINT_GATEWAY_CLASS) return true;
  const cls = resources.find((r) => r.kind === "GatewayClass" && r.metadata.name === gw.spec.gatewayClassName);
  return cls?.kind === "GatewayClass" && cls.spec.controllerName === WAYPOINT_CONTROLLER;
}

function trafficTypeOf(value: string | undefined): WaypointTrafficType | undefined {
  return (WAYPOINT_TRAFFIC_TYPES as readonly string[]).includes(value ?? "") ? value as WaypointTrafficType : undefined;
}

/** The name of the Deployment, Service and ServiceAccount istiod renders (no -<class> suffix for waypoints). */
export function waypointDeploymentName(gw: KubernetesGateway): string {
  return gw.metadata.annotations[NAME_OVERRIDE_ANNOTATION] ?? gw.metadata.name;
}

/** The Waypoint istiod's ambient index builds from a waypoint Gateway. */
export function waypointOf(gw: KubernetesGateway, resources: readonly GatewayApiResource[], domainSuffix = "cluster.local"): Waypoint {
  const cls = resources.find((r) => r.kind === "GatewayClass" && r.metadata.name === gw.spec.gatewayClassName);
  // An unknown value is kept by istiod and then matches neither service nor workload: "none" here.
  const raw = gw.metadata.labels[WAYPOINT_FOR_LABEL] ?? cls?.metadata.labels[WAYPOINT_FOR_LABEL];
  const trafficType = raw === undefined ? "service" : trafficTypeOf(raw) ?? "none";
  const hbone = gw.spec.listeners.find((l) => l.protocol === HBONE_PROTOCOL && l.port === HBONE_PORT);
  return {
    name: gw.metadata.name, namespace: gw.metadata.namespace, trafficType,
    allowedRoutes: hbone?.allowedRoutes.namespaces ?? { from: "Same" },
    address: `${waypointDeploymentName(gw)}.${gw.metadata.namespace}.svc.${domainSuffix}`,
  };
}

/** Every waypoint of the config. */
export function waypointsOf(resources: readonly GatewayApiResource[], domainSuffix = "cluster.local"): Waypoint[] {
  return resources
    .filter((r): r is KubernetesGateway => r.kind === "KubernetesGateway" && isWaypointGateway(r, resources))
    .map((gw) => waypointOf(gw, resources, domainSuffix));
}

/** The workload istiod's deployment controller renders for a waypoint Gateway. */
export interface WaypointWorkload {
  readonly deployment: Deployment;
  readonly service: Service;
  readonly serviceAccountName: string;
}

/** Render the `waypoint` template for a Gateway (see the file comment). `pos`: the Gateway's place in the YAML. */
export function generateWaypointWorkload(gw: KubernetesGateway, pos: SourcePos): WaypointWorkload {
  const name = waypointDeploymentName(gw);
  const ns = gw.metadata.namespace;
  const serviceAccountName = gw.metadata.annotations[SERVICE_ACCOUNT_ANNOTATION] ?? name;
  const infra = {
    ...gw.metadata.labels,
    [GATEWAY_NAME_LABEL]: gw.metadata.name,
    [GATEWAY_CLASS_NAME_LABEL]: gw.spec.gatewayClassName,
    [GATEWAY_MANAGED_LABEL]: WAYPOINT_MANAGED_VALUE,
  };
  const annotations = Object.fromEntries(Object.entries(gw.metadata.annotations).filter(([k]) =>
    k !== NAME_OVERRIDE_ANNOTATION && k !== SERVICE_ACCOUNT_ANNOTATION && k !== "gateway.istio.io/controller-version" && k !== "kubectl.kubernetes.io/last-applied-configuration"));
  const metadata = { name, namespace: ns, labels: infra, annotations, creationIndex: gw.metadata.creationIndex };
  const deployment: Deployment = {
    kind: "Deployment", metadata,
    // The template sets no replicas: Kubernetes' default of 1 (an HPA or the user scales it).
    replicas: 1,
    // The waypoint is not itself captured (dataplane-mode none) nor injected.
    podLabels: {
      "sidecar.istio.io/inject": "false",
      [DATAPLANE_MODE_LABEL]: DATAPLANE_MODE_NONE,
      "service.istio.io/canonical-name": name,
      "service.istio.io/canonical-revision": "latest",
      ...infra,
    },
    podAnnotations: { ...annotations, "istio.io/rev": "default", "prometheus.io/path": "/stats/prometheus", "prometheus.io/port": "15020", "prometheus.io/scrape": "true" },
    containerPorts: [
      { name: "metrics", containerPort: 15020 },
      { name: "status-port", containerPort: STATUS_PORT },
      { name: "http-envoy-prom", containerPort: 15090 },
    ],
    serviceAccountName,
    // Kubernetes' default since the template stopped hard-coding 2 s
    // (releasenotes/notes/waypoint-termination-grace-period.yaml).
    terminationGracePeriodMs: 30_000,
    // readinessProbe: /healthz/ready on 15021, initialDelaySeconds 0, periodSeconds 15, successThreshold 1.
    readinessProbes: [{ initialDelayMs: 0, periodMs: 15_000, successThreshold: 1 }],
    holdApplicationUntilProxyStarts: false,
    // ProxyConfig.terminationDrainDuration default (pkg/config/mesh/mesh.go).
    terminationDrainMs: 5000,
    nativeSidecar: false,
    strategy: { type: "RollingUpdate", maxSurge: { value: 25, percent: true }, maxUnavailable: { value: 25, percent: true }, minReadyMs: 0 },
    scheduling: {
      nodeSelector: {}, requiredNodeAffinity: [], topologySpreadConstraints: [],
      requests: { ...WAYPOINT_RESOURCES.requests }, pos,
    },
    containers: [{ name: "istio-proxy", requests: { ...WAYPOINT_RESOURCES.requests }, limits: { ...WAYPOINT_RESOURCES.limits } }],
    pos,
  };
  // extractServicePorts: status-port first, then one port per distinct listener port, named after the
  // listener (dots to dashes), appProtocol the listener's protocol in lower case.
  const ports: Service["ports"] = [{ name: "status-port", port: STATUS_PORT, targetPort: STATUS_PORT, protocol: "TCP", appProtocol: "tcp" }];
  for (const l of gw.spec.listeners) {
    if (ports.some((p) => p.port === l.port)) continue;
    ports.push({ name: l.name.replaceAll(".", "-").slice(0, 63), port: l.port, targetPort: l.port, protocol: "TCP", appProtocol: l.protocol.toLowerCase() });
  }
  const service: Service = {
    kind: "Service",
    // "Waypoints automatically configure this annotation" (https://istio.io/latest/docs/ambient/usage/traffic-distribution/).
    metadata: { ...metadata, annotations: { ...annotations, "networking.istio.io/traffic-distribution": "PreferClose" } },
    ports, selector: { [GATEWAY_NAME_LABEL]: gw.metadata.name }, pos,
  };
  return { deployment, service, serviceAccountName };
}

export type GatewayCondition = Condition;

/** status of a waypoint Gateway: its conditions (Accepted, Programmed, ResolvedRefs) and each listener's. */
export type GatewayStatus = KubernetesGatewayStatus<Pick<GatewayListenerStatus, "name" | "conditions">>;

/** A waypoint listener istiod refuses: not port 15008, or not protocol HBONE. */
export function unexpectedWaypointListener(l: { port: number; protocol: string }): boolean {
  return l.port !== HBONE_PORT || l.protocol !== HBONE_PROTOCOL;
}

/**
 * The status istiod writes on a waypoint Gateway once its Service exists (meshsim renders the Service
 * with the Gateway, so it always does). A listener that is not 15008/HBONE is not Accepted; the
 * Gateway itself stays Accepted, as in Istio's golden output.
 */
export function waypointGatewayStatus(gw: KubernetesGateway, domainSuffix = "cluster.local"): GatewayStatus {
  const host = `${waypointDeploymentName(gw)}.${gw.metadata.namespace}.svc.${domainSuffix}`;
  const ports = [...new Set(gw.spec.listeners.map((l) => l.port))];
  const assigned = ports.map((p) => `${host}:${p}`);
  const programmed: GatewayCondition = assigned.length === 0
    ? { type: "Programmed", status: "False", reason: "UnsupportedAddress", message: "Failed to assign to any requested addresses" }
    : { type: "Programmed", status: "True", reason: "Programmed", message: `Resource programmed, assigned to service(s) ${humanReadableJoin(assigned)}` };
  return {
    kind: "Gateway", namespace: gw.metadata.namespace, name: gw.metadata.name,
    conditions: [
      { type: "Accepted", status: "True", reason: "Accepted", message: "Resource accepted" },
      programmed,
      { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "All references resolved" },
    ],
    listeners: gw.spec.listeners.map((l) => ({
      name: l.name,
      conditions: [
        unexpectedWaypointListener(l)
          ? { type: "Accepted", status: "False", reason: "UnsupportedProtocol", message: `Expected a single listener on port ${HBONE_PORT} with protocol "${HBONE_PROTOCOL}"` }
          : { type: "Accepted", status: "True", reason: "Accepted", message: "No errors found" },
        { type: "Programmed", status: "True", reason: "Programmed", message: "No errors found" },
      ],
    })),
  };
}

/** gatewaycommon.HumanReadableJoin: "a", "a and b", "a, b, and c". */
function humanReadableJoin(ss: readonly string[]): string {
  if (ss.length <= 1) return ss[0] ?? "";
  if (ss.length === 2) return `${ss[0]} and ${ss[1]}`;
  return `${ss.slice(0, -1).join(", ")}, and ${ss[ss.length - 1]}`;
}
