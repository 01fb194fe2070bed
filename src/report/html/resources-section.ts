// report.html's "CPU and memory" section: what the mesh's proxies cost (summary.mesh.cost), the
// proxies' share of the CPU all containers used, each container's CPU, throttling and memory
// (pods.<pod>.containers), and the charts of CPU over time per pod (timeSeries.containers, drawn by
// client/cpu.js on the same time axis as the latency charts). Figures are summary.json's own.
import type { Summary } from "../summary-types.js";
import { esc } from "./escape.js";
import { int, pct, section } from "./page-sections.js";

/** Pods charted at most (the busiest by mean cores); the table lists them all. */
export const MAX_CPU_CHARTS = 24;

const num = (x: number | null | undefined): string => (x === null || x === undefined ? "–" : int(x));

export function resourcesSection(s: Summary): string {
  const c = s.mesh.cost;
  const pods = Object.entries(s.pods).filter(([, p]) => p.containers !== undefined && Object.keys(p.containers).length > 0);
  if (c === undefined && pods.length === 0) return "";
  let allCores = 0;
  let proxyCores = 0;
  for (const [, p] of pods) {
    for (const [name, k] of Object.entries(p.containers!)) {
      allCores += k.cpuCores.mean;
      if (name === "istio-proxy") proxyCores += k.cpuCores.mean;
    }
  }
  const share = allCores > 0 ? Math.round((proxyCores / allCores) * 1000) / 1000 : null;
  const cost = c === undefined ? "" : `<div class="scroll"><table class="grid" id="mesh-cost"><thead><tr><th>proxies</th><th>cores (mean, whole run)</th><th>memory</th><th>cores per 1,000 rps</th><th>CPU per month</th><th>memory per month</th><th>total per month</th><th>profile</th></tr></thead>
<tbody><tr><td class="num" data-figure="costProxies">${esc(int(c.proxies))}</td><td class="num" data-figure="proxyCores">${esc(int(c.proxyCores))}</td><td class="num">${esc(int(c.proxyMemoryMB))} MB</td>` +
    `<td class="num">${esc(num(c.coresPer1000Rps))}</td><td class="num">${esc(int(c.perMonth.cpu))} ${esc(c.perMonth.currency)}</td><td class="num">${esc(int(c.perMonth.memory))} ${esc(c.perMonth.currency)}</td>` +
    `<td class="num" data-figure="costPerMonth">${esc(int(c.perMonth.total))} ${esc(c.perMonth.currency)}</td><td>${esc(c.profile)}</td></tr></tbody></table></div>
<p class="note">At ${esc(int(c.prices.vcpuHour))} per vCPU-hour and ${esc(int(c.prices.gbHour))} per GB-hour, 730 hours a month (docs/cpu-and-memory.md).${share === null ? "" : ` The proxies used <b data-figure="proxyShare">${esc(pct(share))}</b> of the CPU all containers used after the warm-up (mean cores, istio-proxy over all).`}</p>`;
  const rows = pods.flatMap(([pod, p]) => Object.entries(p.containers!).map(([name, k]) =>
    `<tr data-pod="${esc(pod)}" data-container="${esc(name)}"><th scope="row">${esc(pod)}</th><td>${esc(name)}</td>` +
    `<td class="num">${esc(int(k.cpuCores.mean))}</td><td class="num">${esc(int(k.cpuCores.p99))}</td><td class="num">${esc(int(k.cpuCores.max))}</td>` +
    `<td class="num">${esc(num(k.cpuLimitCores))}</td><td class="num ${k.throttledPeriods > 0 ? "err" : ""}">${esc(int(k.throttledPeriods))}</td>` +
    `<td class="num">${k.memoryMB === null ? "–" : `${esc(int(k.memoryMB))} MB`}${k.overMemoryLimit === true ? ` <span class="err" title="over its memory limit: the kernel would OOM-kill it">over limit</span>` : ""}</td>` +
    `<td class="num">${esc(num(k.concurrency))}</td><td class="num">${k.workerUtilization === undefined ? "–" : esc(pct(k.workerUtilization))}</td>` +
    `<td class="num">${k.workerQueueMs === undefined ? "–" : `${esc(int(k.workerQueueMs.mean))} / ${esc(int(k.workerQueueMs.max))}`}</td></tr>`));
  const ts = s.timeSeries.containers;
  const charts = ts === undefined
    ? `<p class="note" id="no-cpu-series">CPU over time is charted when the scenario models CPU (container resources, the sidecar's resource annotations, a <code>mesh.proxy</code> block or Node documents).</p>`
    : `<p class="note">Per pod, cores used per window of ${esc(ts.windowSeconds)} s (cAdvisor's <code>container_cpu_usage_seconds_total</code> rate), each container's CPU limit dashed, and the CFS periods throttled per window as red bars under the axis; same time axis as the latency charts above.${Object.keys(ts.pods).length > MAX_CPU_CHARTS ? ` The ${MAX_CPU_CHARTS} pods using the most CPU are drawn.` : ""}</p><div id="cpu-charts" class="cards"></div>`;
  return section("resources", "CPU and memory", `${cost}
<h3 class="subhead">Containers</h3><p class="note">Cores per 1 s window after the warm-up (mean, p99, busiest), CFS periods throttled, working set; for istio-proxy its Envoy workers, their busy share and a pass's wait for its worker (mean / max).</p>
<div class="scroll"><table class="grid" id="containers"><thead><tr><th>pod</th><th>container</th><th>cores mean</th><th>p99</th><th>max</th><th>limit</th><th>throttled periods</th><th>memory</th><th>workers</th><th>worker busy</th><th>queue ms</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></div>
${charts}`);
}
