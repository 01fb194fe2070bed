// A Service's traffic distribution as istiod sends it to ztunnel (model.GetTrafficDistribution,
// https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/model/service.go#L841-L885): the Service's
// `spec.trafficDistribution` when it is one istiod knows; else the
// `networking.istio.io/traffic-distribution` annotation on the Service, read case-insensitively, an
// unknown value meaning "any" (the namespace is not consulted then); else the same annotation on its
// Namespace. proxy/ztunnel/endpoint-choice.ts turns the value into ztunnel's routing preference.
// Read by the run's ztunnels (mesh/ztunnel/ztunnel-path.ts) and by the WDS translation
// (xds/translation/ztunnel-config.ts) alike.
// https://istio.io/latest/docs/ambient/usage/traffic-distribution/
import type { Namespace, Service } from "../../scenario/model.js";

export const TRAFFIC_DISTRIBUTION_ANNOTATION = "networking.istio.io/traffic-distribution";

const KNOWN = ["PreferClose", "PreferSameZone", "PreferSameNode"] as const;

/** The canonical spelling of a known value (annotations compare lower-case), else "Any". */
function fromAnnotation(v: string): string {
  const l = v.toLowerCase();
  return KNOWN.find((k) => k.toLowerCase() === l) ?? "Any";
}

export function trafficDistributionOf(svc: Service, namespaces: readonly Namespace[]): string | undefined {
  const spec = svc.trafficDistribution;
  if (spec !== undefined && (KNOWN as readonly string[]).includes(spec)) return spec;
  const onSvc = svc.metadata.annotations[TRAFFIC_DISTRIBUTION_ANNOTATION];
  if (onSvc !== undefined && onSvc !== "") return fromAnnotation(onSvc);
  const ns = namespaces.find((n) => n.metadata.name === svc.metadata.namespace);
  const onNs = ns?.metadata.annotations[TRAFFIC_DISTRIBUTION_ANNOTATION];
  if (onNs !== undefined && onNs !== "") return fromAnnotation(onNs);
  return undefined;
}
