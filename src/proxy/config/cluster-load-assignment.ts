// What a proxy holds from EDS: for each EDS cluster, its endpoints with locality and weight.
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/endpoint/v3/endpoint.proto
export interface LbEndpoint {
  readonly address: string;
  readonly port: number;
  /** load_balancing_weight (Istio: 1 per pod; a ServiceEntry endpoint's `weight`). */
  readonly weight: number;
  /** "region/zone/subzone" ("" when the endpoint has none). */
  readonly locality: string;
  /** The pod behind it ("" for a ServiceEntry endpoint). */
  readonly pod: string;
  readonly healthStatus: "HEALTHY";
}

export interface ClusterLoadAssignment {
  readonly clusterName: string;
  readonly endpoints: readonly LbEndpoint[];
}
