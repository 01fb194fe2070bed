// Counts each request that reaches a pod by the zones of its two ends (cross-zone-traffic.ts), by
// wrapping the destination's telemetry sink of an edge: one wrapper per (origin, destination pod),
// built once, so the hot path pays one extra call.
import type { RequestSink } from "../mesh-telemetry.js";
import type { CrossZoneTraffic } from "../../telemetry/cross-zone-traffic.js";
import type { ClusterNodes, PlacedPod } from "./cluster-nodes.js";

export function crossZoneSink(
  nodes: ClusterNodes, traffic: CrossZoneTraffic, source: { workload: string; pod: object | null }, dest: PlacedPod & { workload: string }, inner: RequestSink,
): RequestSink {
  const from = source.pod as PlacedPod | null;
  const fromZone = nodes.zoneOf(from);
  const toZone = nodes.zoneOf(dest);
  // A client outside the cluster (or an unplaced pod) has no zone: nothing to count.
  if (fromZone === undefined || toZone === undefined) return inner;
  const crossRegion = nodes.regionOf(from) !== nodes.regionOf(dest);
  const edge = `${source.workload}\u0000${dest.workload}`;
  return {
    record(endMs, latencyMs, code, flags, requestBytes = 0, responseBytes = 0) {
      traffic.record(edge, fromZone, toZone, crossRegion, endMs, requestBytes, responseBytes);
      inner.record(endMs, latencyMs, code, flags, requestBytes, responseBytes);
    },
    connection(opened, now) {
      inner.connection?.(opened, now);
    },
  };
}
