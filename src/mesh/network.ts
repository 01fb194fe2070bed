// Latency on the wire: pod to pod (one way, drawn once per direction) and the round trip to a host
// outside the cluster. With nodes, pod-to-pod latency depends on the distance between the two pods
// (mesh/kube/network-distance.ts); without, every pair is one datacenter network.
export class Network {
  /** One-way latency between two pods by their distance; null without nodes. */
  distance: ((from: object | null, to: object | null) => number) | null = null;

  constructor(
    readonly oneWay: () => number,
    readonly externalRoundTrip: () => number,
  ) {}

  /** One-way latency from one pod to another (either may be null: a client outside the mesh). */
  between(from: object | null, to: object | null): number {
    return this.distance === null ? this.oneWay() : this.distance(from, to);
  }
}
