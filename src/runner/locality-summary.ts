// The summary's view of nodes and zones (only when the scenario has nodes): each pod's node and
// locality (or Pending), per-zone pods and utilisation, and the cross-zone traffic and its bill.
import type { World } from "../mesh/world.js";
import type { NetworkTopology } from "../scenario/model.js";
import type { LocalitySummary, Summary } from "../report/summary-types.js";
import { REGION_LABEL, ZONE_LABEL } from "../scenario/kinds/node.js";

/** Bytes in a billed GB (AWS bills data transfer per GB of 2^30 bytes). */
export const BYTES_PER_GB = 2 ** 30;
/** Hours in a billing month (AWS's monthly estimates use 730). */
export const HOURS_PER_MONTH = 730;

const round = (x: number, digits: number) => Number(x.toFixed(digits));
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function addLocality(summary: Summary, world: World, topology: NetworkTopology): void {
  const nodes = world.nodes;
  const traffic = world.crossZone;
  if (nodes === null || traffic === null) return;
  const zones: LocalitySummary["zones"] = {};
  const zoneOfNode = new Map<string, string>();
  for (const n of nodes.nodes) {
    const z = n.metadata.labels[ZONE_LABEL] ?? "";
    zoneOfNode.set(n.metadata.name, z);
    const e = (zones[z] ??= { region: n.metadata.labels[REGION_LABEL] ?? "", nodes: 0, pods: 0, pending: 0, requests: 0, meanBusy: 0, utilization: null });
    e.nodes++;
  }
  const utilSum = new Map<string, { sum: number; n: number }>();
  for (const pod of world.pods.values()) {
    const s = summary.pods[pod.id];
    if (s === undefined) continue;
    if (pod.pending !== undefined) {
      s.phase = "Pending";
      s.pendingReason = pod.pending;
      continue;
    }
    if (pod.node === undefined) continue;
    s.node = pod.node;
    if (pod.locality !== undefined) s.locality = pod.locality;
    const z = zones[zoneOfNode.get(pod.node) ?? ""];
    if (z === undefined) continue;
    z.pods++;
    z.requests += s.requests;
    z.meanBusy += s.meanBusy;
    if (s.utilization !== null) {
      const u = utilSum.get(zoneOfNode.get(pod.node)!) ?? { sum: 0, n: 0 };
      u.sum += s.utilization;
      u.n++;
      utilSum.set(zoneOfNode.get(pod.node)!, u);
    }
  }
  for (const pod of world.pods.values()) {
    if (pod.pending === undefined) continue;
    // A Pending pod counts in the zones its Deployment could not get into: report it once, zone "".
    (zones[""] ??= { region: "", nodes: 0, pods: 0, pending: 0, requests: 0, meanBusy: 0, utilization: null }).pending++;
  }
  for (const [z, u] of utilSum) zones[z]!.utilization = round(u.sum / u.n, 4);
  for (const z of Object.values(zones)) z.meanBusy = round(z.meanBusy, 4);

  const t = traffic.total;
  const bytes = t.requestBytes + t.responseBytes;
  const zoneOnly = bytes - t.crossRegionBytes;
  const total = (zoneOnly / BYTES_PER_GB) * topology.crossZonePricePerGB + (t.crossRegionBytes / BYTES_PER_GB) * topology.crossRegionPricePerGB;
  const hours = summary.measuredSeconds / 3600;
  const perHour = hours > 0 ? total / hours : 0;
  const edges = [...traffic.edges].map(([k, e]) => {
    const [source, destination] = k.split("\u0000") as [string, string];
    return {
      source, destination, requests: e.total, crossZoneRequests: e.crossed.requests,
      share: e.total === 0 ? 0 : round(e.crossed.requests / e.total, 4), bytes: e.crossed.requestBytes + e.crossed.responseBytes,
    };
  }).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0));
  const zonePairs = [...traffic.zonePairs].map(([k, requests]) => {
    const [from, to] = k.split("\u0000") as [string, string];
    return { from, to, requests };
  }).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const flows = [...traffic.flows].map(([k, requests]) => {
    const [source, destination, sourceZone, destinationZone] = k.split("\u0000") as [string, string, string, string];
    return { source, sourceZone, destination, destinationZone, requests };
  }).sort((a, b) => cmp(a.source, b.source) || cmp(a.sourceZone, b.sourceZone) || cmp(a.destination, b.destination) || cmp(a.destinationZone, b.destinationZone));
  const workloads: Record<string, string[]> = {};
  for (const pod of world.pods.values()) {
    if (pod.node === undefined || pod.pending !== undefined) continue;
    const z = zoneOfNode.get(pod.node) ?? "";
    const list = (workloads[z] ??= []);
    if (!list.includes(pod.workload)) list.push(pod.workload);
  }
  for (const list of Object.values(workloads)) list.sort();
  summary.locality = {
    workloads,
    zones,
    crossZone: {
      requests: t.requests,
      share: traffic.totalRequests === 0 ? 0 : round(t.requests / traffic.totalRequests, 4),
      bytes,
      gigabytes: round(bytes / BYTES_PER_GB, 6),
      crossRegionRequests: t.crossRegionRequests,
      crossRegionBytes: t.crossRegionBytes,
      pricePerGB: topology.crossZonePricePerGB,
      crossRegionPricePerGB: topology.crossRegionPricePerGB,
      cost: { total: round(total, 6), perHour: round(perHour, 6), perMonth: round(perHour * HOURS_PER_MONTH, 2) },
      edges,
      zonePairs,
      flows,
    },
  };
}
