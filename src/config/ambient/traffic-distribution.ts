// A Service's traffic distribution as istiod sends it to ztunnel: the Service's
// `spec.trafficDistribution`, else the `networking.istio.io/traffic-distribution` annotation on the
// Service, else on its Namespace (proxy/ztunnel/endpoint-choice.ts turns the value into ztunnel's
// routing preference). Read by the run's ztunnels (mesh/ztunnel/ztunnel-path.ts) and by the WDS
// translation (xds/translation/ztunnel-config.ts) alike.
// https://istio.io/latest/docs/ambient/usage/traffic-distribution/
import type { Namespace, Service } from "../../scenario/model.js";

export const TRAFFIC_DISTRIBUTION_ANNOTATION = "networking.istio.io/traffic-distribution";

export function trafficDistributionOf(svc: Service, namespaces: readonly Namespace[]): string | undefined {
  const ns = namespaces.find((n) => n.metadata.name === svc.metadata.namespace);
  return svc.trafficDistribution ?? svc.metadata.annotations[TRAFFIC_DISTRIBUTION_ANNOTATION] ?? ns?.metadata.annotations[TRAFFIC_DISTRIBUTION_ANNOTATION];
}
