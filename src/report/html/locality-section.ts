// report.html's locality view (only when the scenario has nodes): the topology grouped by zone —
// one column per zone with the workloads that have pods there, a line per (workload, zone) →
// (workload, zone) flow, width by requests, cross-zone lines dashed and red — then per-zone pods
// and utilisation, and the cross-zone traffic with its bill.
import type { Summary } from "../summary-types.js";
import { esc } from "./escape.js";
import { int, pct, section } from "./page-sections.js";

const COL_W = 220;
const BOX_W = 150;
const BOX_H = 28;
const ROW_H = 46;
const TOP = 40;

function money(x: number): string {
  return `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function graph(s: Summary): string {
  const l = s.locality!;
  const zones = Object.keys(l.workloads).sort();
  // Callers above callees: workloads ordered by their depth in the call graph (clients first).
  const depth = new Map<string, number>();
  const all = [...new Set(Object.values(l.workloads).flat())];
  for (const w of all) depth.set(w, 0);
  for (let k = 0; k < all.length; k++) {
    for (const f of l.crossZone.flows) if (f.source !== f.destination) depth.set(f.destination, Math.max(depth.get(f.destination) ?? 0, (depth.get(f.source) ?? 0) + 1));
  }
  const order = all.sort((a, b) => depth.get(a)! - depth.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  const pos = new Map<string, { x: number; y: number }>();
  let rows = 0;
  zones.forEach((z, i) => {
    const here = order.filter((w) => l.workloads[z]!.includes(w));
    here.forEach((w, j) => pos.set(`${w}\u0000${z}`, { x: 20 + i * COL_W, y: TOP + j * ROW_H }));
    rows = Math.max(rows, here.length);
  });
  const width = 40 + zones.length * COL_W;
  const height = TOP + rows * ROW_H + 40;
  const max = Math.max(1, ...l.crossZone.flows.map((f) => f.requests));
  const lines = l.crossZone.flows.map((f) => {
    const a = pos.get(`${f.source}\u0000${f.sourceZone}`);
    const b = pos.get(`${f.destination}\u0000${f.destinationZone}`);
    if (a === undefined || b === undefined) return "";
    const cross = f.sourceZone !== f.destinationZone;
    const w = (1 + 5 * (f.requests / max)).toFixed(2);
    const x1 = a.x + BOX_W, y1 = a.y + BOX_H / 2, x2 = b.x, y2 = b.y + BOX_H / 2;
    // Another column: from the caller's right side to the callee's left side; the same column: an
    // arc on the right of the boxes; another column to the left: an arc below.
    const d = x2 > x1
      ? `M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}`
      : a.x === b.x
        ? `M${x1},${y1} C${x1 + 45},${y1} ${x1 + 45},${y2} ${x1},${y2}`
        : `M${a.x + BOX_W / 2},${a.y + BOX_H} C${a.x + BOX_W / 2},${height - 5} ${b.x + BOX_W / 2},${height - 5} ${b.x + BOX_W / 2},${b.y + BOX_H}`;
    return `<path d="${d}" fill="none" stroke="${cross ? "#c0392b" : "#7f8c8d"}" stroke-width="${w}"${cross ? ' stroke-dasharray="6 4"' : ""} opacity="0.8" marker-end="url(#${cross ? "arrow-cross" : "arrow"})"><title>${esc(`${f.source} (${f.sourceZone}) → ${f.destination} (${f.destinationZone}): ${int(f.requests)} requests${cross ? ", cross-zone" : ""}`)}</title></path>`;
  }).join("");
  const heads = zones.map((z, i) => `<text x="${20 + i * COL_W}" y="20" font-weight="bold">${esc(z === "" ? "(no zone)" : z)}</text>`).join("");
  const boxes = [...pos].map(([k, p]) => {
    const w = k.split("\u0000")[0]!;
    return `<g><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="4" fill="#eef3f8" stroke="#34495e"/><text x="${p.x + 8}" y="${p.y + 18}">${esc(w)}</text></g>`;
  }).join("");
  const defs = `<defs>${[["arrow", "#7f8c8d"], ["arrow-cross", "#c0392b"]].map(([id, c]) => `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`).join("")}</defs>`;
  return `<svg id="locality-graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="workloads by zone and the traffic between them" font-size="12">${defs}${heads}${lines}${boxes}</svg>`;
}

export function localitySection(s: Summary): string {
  const l = s.locality;
  if (l === undefined) return "";
  const c = l.crossZone;
  const zoneRows = Object.entries(l.zones).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([z, v]) =>
    `<tr><th scope="row">${esc(z === "" ? "(Pending)" : z)}</th><td>${esc(v.region)}</td><td class="num">${esc(int(v.nodes))}</td><td class="num">${esc(int(v.pods))}</td>` +
    `<td class="num ${v.pending > 0 ? "err" : ""}">${esc(int(v.pending))}</td><td class="num">${esc(int(v.requests))}</td><td class="num">${v.utilization === null ? "–" : esc(pct(v.utilization))}</td><td class="num">${esc(v.meanBusy)}</td></tr>`).join("");
  const edgeRows = c.edges.map((e) =>
    `<tr><th scope="row">${esc(e.source)} → ${esc(e.destination)}</th><td class="num">${esc(int(e.requests))}</td><td class="num">${esc(int(e.crossZoneRequests))}</td><td class="num">${esc(pct(e.share))}</td><td class="num">${esc(int(e.bytes))}</td></tr>`).join("");
  return section("zones", "Zones and cross-zone traffic", `
<p class="note">Where pods run (kube-scheduler's placement) and which requests crossed a zone. Dashed red lines cross a zone. Cross-zone bytes are the request and response bodies of requests that crossed, each GB that crossed charged ${esc(money(c.pricePerGB))} (on AWS $0.01 as it leaves one zone and $0.01 as it enters the other; other regions ${esc(money(c.crossRegionPricePerGB))}/GB).</p>
<div class="card scroll">${graph(s)}</div>
<p><strong>${esc(int(c.requests))}</strong> requests crossed a zone (${esc(pct(c.share))} of those between pods), ${esc(c.gigabytes)} GB: ${esc(money(c.cost.total))} over the measured time, ${esc(money(c.cost.perHour))} per hour, <strong>${esc(money(c.cost.perMonth))} per month</strong> at this rate.</p>
<div class="scroll"><table class="grid"><thead><tr><th>zone</th><th>region</th><th>nodes</th><th>pods</th><th>pending</th><th>requests served</th><th>utilisation</th><th>mean busy</th></tr></thead><tbody>${zoneRows}</tbody></table></div>
<div class="scroll"><table class="grid"><thead><tr><th>edge</th><th>requests</th><th>cross-zone</th><th>share</th><th>cross-zone bytes</th></tr></thead><tbody>${edgeRows}</tbody></table></div>`);
}
