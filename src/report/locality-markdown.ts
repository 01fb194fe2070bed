// report.md's "Zones and cross-zone traffic" (only when the scenario has nodes).
import type { Summary } from "./summary-types.js";

export function localityMarkdown(s: Summary): string[] {
  const l = s.locality;
  if (l === undefined) return [];
  const c = l.crossZone;
  const out = ["## Zones and cross-zone traffic", "",
    `${c.requests} requests crossed a zone (${(100 * c.share).toFixed(2)} % of those between pods), ${c.gigabytes} GB: ` +
      `$${c.cost.total} over the measured time, $${c.cost.perHour} per hour, $${c.cost.perMonth} per month at $${c.pricePerGB}/GB.`, "",
    "| zone | region | nodes | pods | pending | requests served | utilisation |", "|---|---|---:|---:|---:|---:|---:|"];
  for (const [z, v] of Object.entries(l.zones)) {
    out.push(`| ${z === "" ? "(Pending)" : z} | ${v.region} | ${v.nodes} | ${v.pods} | ${v.pending} | ${v.requests} | ${v.utilization === null ? "–" : `${(100 * v.utilization).toFixed(1)} %`} |`);
  }
  out.push("", "| edge | requests | cross-zone | share |", "|---|---:|---:|---:|");
  for (const e of c.edges) out.push(`| ${e.source} → ${e.destination} | ${e.requests} | ${e.crossZoneRequests} | ${(100 * e.share).toFixed(2)} % |`);
  out.push("");
  return out;
}
