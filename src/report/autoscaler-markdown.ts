// report.md's "Autoscalers" (only when the scenario has HPAs): per HPA what `kubectl describe hpa`
// shows (reference, metrics and targets, min/max, conditions, events) and its rescale decisions.
import type { AutoscalerSummary, Summary } from "./summary-types.js";

/** A metric's value as kubectl prints it: 61%, 250m, 180Mi. */
export function metricText(v: number | null, unit: AutoscalerSummary["metrics"][number]["unit"]): string {
  if (v === null) return "<unknown>";
  if (unit === "percent") return `${v}%`;
  if (unit === "millicores") return `${Math.round(v)}m`;
  return `${Math.round(v / 2 ** 20)}Mi`;
}

export function autoscalerMarkdown(s: Summary): string[] {
  const all = s.autoscalers;
  if (all === undefined) return [];
  const out = ["## Autoscalers", ""];
  for (const [name, a] of Object.entries(all)) {
    const last = a.replicas[a.replicas.length - 1];
    out.push(`### ${name}`, "",
      `Reference ${a.reference} (namespace ${a.namespace}); min ${a.minReplicas}, max ${a.maxReplicas}; ` +
        `behavior ${a.behavior === "default" ? "unset (the controller's legacy rules)" : "as written, defaults filled in"}. ` +
        `Deployment pods: ${a.currentReplicas} current / ${a.desiredReplicas} desired at the last sync; at most ${a.peakReplicas}` +
        (a.lastScaleTime !== null ? `; last scaled at ${a.lastScaleTime} s.` : "; never scaled.") +
        (a.firstScaleUpReadySeconds !== null ? ` The first scale-up was Ready ${a.firstScaleUpReadySeconds} s after the decision.` : ""),
      "", "| metric | current (last sync) | target |", "|---|---:|---:|");
    a.metrics.forEach((m, i) => out.push(`| ${m.name}${m.container !== undefined ? ` (container ${m.container})` : ""} | ${metricText(last?.metrics[i] ?? null, m.unit)} | ${metricText(m.target, m.unit)} |`));
    out.push("", "| condition | status | reason | message |", "|---|---|---|---|");
    for (const c of a.conditions) out.push(`| ${c.type} | ${c.status} | ${c.reason} | ${c.message} |`);
    if (a.decisions.length > 0) {
      out.push("", "| t (s) | from | to | reason |", "|---:|---:|---:|---|");
      for (const d of a.decisions) out.push(`| ${d.t} | ${d.from} | ${d.to} | ${d.reason} |`);
    }
    if (a.events.length > 0) {
      out.push("", "| type | reason | age | message |", "|---|---|---|---|");
      for (const e of a.events) out.push(`| ${e.type} | ${e.reason} | ${e.count > 1 ? `x${e.count} from ${e.firstT} s to ${e.lastT} s` : `${e.firstT} s`} | ${e.message} |`);
    }
    out.push("");
  }
  return out;
}
