// report.html's "Autoscalers" section (only with HPAs): per HPA its conditions and events as
// `kubectl describe hpa` prints them, and its rescale decisions. The charts of replicas and metrics
// over time are drawn under the latency charts (client/autoscaler.js), on the same time axis.
import { metricText } from "../autoscaler-markdown.js";
import type { Summary } from "../summary-types.js";
import { esc } from "./escape.js";
import { section } from "./page-sections.js";

export function autoscalerSection(s: Summary): string {
  const all = s.autoscalers;
  if (all === undefined) return "";
  const cards = Object.entries(all).map(([name, a]) => {
    const last = a.replicas[a.replicas.length - 1];
    const metrics = a.metrics.map((m, i) => `<tr><td>${esc(m.name)}${m.container !== undefined ? ` (container ${esc(m.container)})` : ""}</td><td class="num">${esc(metricText(last?.metrics[i] ?? null, m.unit))}</td><td class="num">${esc(metricText(m.target, m.unit))}</td></tr>`).join("");
    const conds = a.conditions.map((c) => `<tr><td>${esc(c.type)}</td><td class="${c.status === "False" ? "err" : ""}">${esc(c.status)}</td><td>${esc(c.reason)}</td><td>${esc(c.message)}</td></tr>`).join("");
    const events = a.events.map((e) => `<tr><td class="${e.type === "Warning" ? "err" : ""}">${esc(e.type)}</td><td>${esc(e.reason)}</td><td class="num">${e.count > 1 ? `x${esc(e.count)} over ${esc(e.firstT)}–${esc(e.lastT)} s` : `${esc(e.firstT)} s`}</td><td>${esc(e.message)}</td></tr>`).join("");
    return `<div class="card" data-hpa="${esc(name)}"><h3>${esc(name)} → ${esc(a.reference)}</h3>
<p class="sub">min ${esc(a.minReplicas)} · max ${esc(a.maxReplicas)} · ${esc(a.currentReplicas)} current / ${esc(a.desiredReplicas)} desired at the last sync · at most ${esc(a.peakReplicas)}${a.firstScaleUpReadySeconds !== null ? ` · first scale-up Ready after ${esc(a.firstScaleUpReadySeconds)} s` : ""}</p>
<table class="grid"><thead><tr><th>metric</th><th>current (last sync)</th><th>target</th></tr></thead><tbody>${metrics}</tbody></table>
<table class="grid"><thead><tr><th>condition</th><th>status</th><th>reason</th><th>message</th></tr></thead><tbody>${conds}</tbody></table>
${events === "" ? "" : `<div class="scroll"><table class="grid"><thead><tr><th>type</th><th>reason</th><th>age</th><th>message</th></tr></thead><tbody>${events}</tbody></table></div>`}</div>`;
  });
  return section("autoscalers", "Autoscalers", `<p class="note">Per HorizontalPodAutoscaler, as <code>kubectl describe hpa</code> shows it at the end of the run (times in simulated seconds). Its replicas and metrics over time are drawn under the latency charts (Over time).</p>${cards.join("\n")}`);
}
