// Requests and bytes that crossed a zone (or region) boundary, per edge (source workload →
// destination workload) and per zone pair — counted where the request arrived, after the warm-up.
// The bill: every byte is charged once for the direction it travels (AWS: "$0.01/GB in each
// direction"), so a request's bytes and its response's bytes each count once.

export interface CrossZoneCounts {
  requests: number;
  requestBytes: number;
  responseBytes: number;
  crossRegionRequests: number;
  crossRegionBytes: number;
}

function zero(): CrossZoneCounts {
  return { requests: 0, requestBytes: 0, responseBytes: 0, crossRegionRequests: 0, crossRegionBytes: 0 };
}

export class CrossZoneTraffic {
  /** Per edge "source\u0000destination": all requests and those that crossed. */
  readonly edges = new Map<string, { total: number; crossed: CrossZoneCounts }>();
  /** Per zone pair "from\u0000to": requests. */
  readonly zonePairs = new Map<string, number>();
  /** Per edge and zone pair "source\u0000destination\u0000from\u0000to": requests (the locality view's lines). */
  readonly flows = new Map<string, number>();
  readonly total = zero();
  totalRequests = 0;

  constructor(private readonly warmupMs: number) {}

  /** One request answered (`endMs`) between pods in these zones/regions. */
  record(edge: string, fromZone: string, toZone: string, crossRegion: boolean, endMs: number, requestBytes: number, responseBytes: number): void {
    if (endMs < this.warmupMs) return;
    let e = this.edges.get(edge);
    if (e === undefined) {
      e = { total: 0, crossed: zero() };
      this.edges.set(edge, e);
    }
    e.total++;
    this.totalRequests++;
    const pair = `${fromZone}\u0000${toZone}`;
    this.zonePairs.set(pair, (this.zonePairs.get(pair) ?? 0) + 1);
    const flow = `${edge}\u0000${pair}`;
    this.flows.set(flow, (this.flows.get(flow) ?? 0) + 1);
    if (fromZone === toZone && !crossRegion) return;
    for (const c of [e.crossed, this.total]) {
      c.requests++;
      c.requestBytes += requestBytes;
      c.responseBytes += responseBytes;
      if (crossRegion) {
        c.crossRegionRequests++;
        c.crossRegionBytes += requestBytes + responseBytes;
      }
    }
  }
}
