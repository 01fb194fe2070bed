// EDS: for each EDS cluster of the proxy, the endpoints the proxy was last sent — the service's ready
// pods whose labels the cluster's subset selects, on the container port; and a STATIC ServiceEntry's
// endpoints with their weight and locality.
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/endpoint/v3/endpoint.proto
// istio/istio pilot/pkg/xds/endpoints/endpoint_builder.go
import type { Cluster } from "../../proxy/config/cluster.js";
import type { ClusterLoadAssignment, LbEndpoint } from "../../proxy/config/cluster-load-assignment.js";
import { selects } from "../../mesh/kube/pod.js";
import type { EndpointSnapshot } from "../../mesh/sidecar/proxy-xds.js";

/** The endpoints of one cluster as the proxy's EDS snapshot has them (none for non-EDS clusters). */
export function loadAssignment(c: Cluster, eds: EndpointSnapshot): ClusterLoadAssignment {
  const endpoints: LbEndpoint[] = [];
  const se = c.serviceEntry;
  if (se !== undefined) {
    if (c.type === "EDS" || c.type === "STRICT_DNS") {
      const portName = se.spec.ports?.find((x) => x.number === c.port)?.name;
      (se.spec.endpoints ?? []).forEach((ep, i) => {
        endpoints.push({
          address: ep.address ?? String(i), port: (portName !== undefined ? ep.ports?.[portName] : undefined) ?? c.targetPort,
          weight: ep.weight !== undefined && ep.weight > 0 ? ep.weight : 1, locality: ep.locality ?? "", pod: "", healthStatus: "HEALTHY",
        });
      });
    }
  } else if (c.type === "EDS") {
    for (const pod of eds.byFqdn.get(c.host) ?? []) {
      // With nodes, the pod's locality (region/zone/subzone) as Envoy's LocalityLbEndpoints carry it.
      if (selects(c.subsetLabels, pod.labels)) endpoints.push({ address: pod.ip, port: c.targetPort, weight: 1, locality: pod.locality ?? "", pod: pod.name, healthStatus: "HEALTHY" });
    }
  }
  return { clusterName: c.name, endpoints };
}

export function loadAssignments(cs: readonly Cluster[], eds: EndpointSnapshot): ClusterLoadAssignment[] {
  return cs.filter((c) => c.type === "EDS" || (c.type === "STRICT_DNS" && c.serviceEntry !== undefined)).map((c) => loadAssignment(c, eds));
}
