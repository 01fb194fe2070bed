// Which locality load-balancing setting governs a cluster for istiod: the DestinationRule's
// `localityLbSetting` (replacing the mesh's entirely; `enabled: false` turns it off), else the
// Service's `spec.trafficDistribution` (synthesised failoverPriority, failover forced even without
// outlier detection), else MeshConfig's (default `enabled: true`, no rules).
// istio/istio pilot/pkg/networking/core/loadbalancer/loadbalancer.go (GetEffectiveLbSetting)
// istio/istio pilot/pkg/model/service.go (PreferClose is read as PreferSameZone)
import type { LocalityLoadBalancerSetting } from "../api/networking.js";

/** Kubernetes Service spec.trafficDistribution values Istio acts on. */
export const TRAFFIC_DISTRIBUTIONS = ["PreferClose", "PreferSameZone", "PreferSameNode"] as const;
export type TrafficDistribution = (typeof TRAFFIC_DISTRIBUTIONS)[number];

/** MeshConfig localityLbSetting default: enabled, no rules. */
export const MESH_LOCALITY_DEFAULT: LocalityLoadBalancerSetting = Object.freeze({ enabled: true });

export interface EffectiveLocalitySetting {
  setting: LocalityLoadBalancerSetting;
  /** Failover applies without outlier detection (trafficDistribution). */
  force: boolean;
}

const NETWORK = "topology.istio.io/network";
const REGION = "topology.kubernetes.io/region";
const ZONE = "topology.kubernetes.io/zone";
const SUBZONE = "topology.istio.io/subzone";
const HOSTNAME = "kubernetes.io/hostname";

/** null: no locality load balancing for this cluster. */
export function effectiveLocalitySetting(
  dr: LocalityLoadBalancerSetting | undefined,
  trafficDistribution: string | undefined,
  mesh: LocalityLoadBalancerSetting | undefined = MESH_LOCALITY_DEFAULT,
): EffectiveLocalitySetting | null {
  if (dr !== undefined) return dr.enabled === false ? null : { setting: dr, force: false };
  if (trafficDistribution === "PreferClose" || trafficDistribution === "PreferSameZone") {
    return { setting: { enabled: true, failoverPriority: [NETWORK, REGION, ZONE] }, force: true };
  }
  if (trafficDistribution === "PreferSameNode") {
    return { setting: { enabled: true, failoverPriority: [NETWORK, REGION, ZONE, SUBZONE, HOSTNAME] }, force: true };
  }
  if (mesh === undefined || mesh.enabled === false) return null;
  return { setting: mesh, force: false };
}
