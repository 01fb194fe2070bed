// Latency on the wire: pod to pod (one way, drawn once per direction) and the round trip to a host
// outside the cluster.
export class Network {
  constructor(
    readonly oneWay: () => number,
    readonly externalRoundTrip: () => number,
  ) {}
}
