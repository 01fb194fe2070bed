// istiod's ambient index for one config version, as meshsim's scenario holds it: each Deployment's
// data plane and the waypoint its pods' own traffic goes through, and each Service's waypoint binding —
// what ztunnel's WDS config carries (pilot/pkg/serviceregistry/ambient/ambientindex.go, workloads.go,
// services.go). Built from the pure rules of dataplane-mode.ts, waypoint-gateway.ts and waypoint-binding.ts.
import type { Deployment, MeshSettings, Namespace, Service } from "../../scenario/model.js";
import type { GatewayApiResource } from "../../proxy/api/gateway-api.js";
import { deploymentDataplaneMode, type DataplaneModeDecision } from "./dataplane-mode.js";
import { ingressUseWaypoint, waypointForService, waypointForWorkload, type WaypointBinding } from "./waypoint-binding.js";
import { waypointsOf, type Waypoint } from "./waypoint-gateway.js";

export interface AmbientIndexInput {
  readonly mesh: Pick<MeshSettings, "mode" | "injection">;
  readonly namespaces: readonly Namespace[];
  readonly services: readonly Service[];
  readonly deployments: readonly Deployment[];
  readonly gatewayApi: readonly GatewayApiResource[];
  readonly domainSuffix?: string;
}

export interface IndexedService {
  readonly service: Service;
  /** "<name>.<namespace>.svc.<domain>" */
  readonly host: string;
  readonly binding: WaypointBinding;
  /** istio.io/ingress-use-waypoint on the Service or its namespace. */
  readonly ingressUseWaypoint: boolean;
}

export interface IndexedWorkload {
  readonly deployment: Deployment;
  readonly dataplane: DataplaneModeDecision;
  /** The waypoint for traffic addressed to the pods' own IPs (ambient pods only). */
  readonly binding: WaypointBinding;
}

export interface AmbientIndex {
  readonly waypoints: readonly Waypoint[];
  /** By host. */
  readonly services: ReadonlyMap<string, IndexedService>;
  /** By "namespace/name" of the Deployment. */
  readonly workloads: ReadonlyMap<string, IndexedWorkload>;
}

export function ambientIndex(i: AmbientIndexInput): AmbientIndex {
  const domain = i.domainSuffix ?? "cluster.local";
  const nsLabels = (ns: string) => i.namespaces.find((n) => n.metadata.name === ns)?.metadata.labels ?? {};
  const waypoints = waypointsOf(i.gatewayApi, domain);
  const services = new Map<string, IndexedService>();
  for (const svc of i.services) {
    const ns = svc.metadata.namespace;
    const host = `${svc.metadata.name}.${ns}.svc.${domain}`;
    services.set(host, {
      service: svc, host,
      binding: waypointForService({ namespace: ns, labels: svc.metadata.labels }, nsLabels(ns), waypoints),
      ingressUseWaypoint: ingressUseWaypoint(svc.metadata.labels, nsLabels(ns)).use,
    });
  }
  const workloads = new Map<string, IndexedWorkload>();
  for (const d of i.deployments) {
    const dataplane = deploymentDataplaneMode(i.mesh, d, i.namespaces);
    const binding = dataplane.mode === "ambient" ? waypointForWorkload({ namespace: d.metadata.namespace, labels: d.podLabels }, nsLabels(d.metadata.namespace), waypoints) : {};
    workloads.set(`${d.metadata.namespace}/${d.metadata.name}`, { deployment: d, dataplane, binding });
  }
  return { waypoints, services, workloads };
}

type ByArray<T> = WeakMap<readonly unknown[], T>;
const shared: ByArray<ByArray<ByArray<ByArray<AmbientIndex>>>> = new WeakMap();
/**
 * The index for a config's Gateway API resources, the Namespaces as istiod sees them (the timeline
 * may apply new ones: a new array) and the cluster's Services and Deployments, built once and shared:
 * the run's waypoint hop (mesh/waypoint/waypoint-hop.ts), the WDS translation
 * (xds/translation/ztunnel-config.ts) and explain read the same object. The mesh settings are the
 * scenario's, fixed for a world.
 */
export function sharedAmbientIndex(i: AmbientIndexInput): AmbientIndex {
  const level = <T>(m: ByArray<T>, k: readonly unknown[]): T => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = new WeakMap() as T));
    return v;
  };
  const byDep = level(level(level(shared, i.gatewayApi), i.namespaces), i.services);
  let idx = byDep.get(i.deployments);
  if (idx === undefined) byDep.set(i.deployments, (idx = ambientIndex(i)));
  return idx;
}
