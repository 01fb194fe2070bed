// comparison.md: two runs side by side, one row per client and per edge, each cell "before → after
// (difference)". Latencies in ms as stored; error rates as percentages, differences in points.
import type { CompareRow, Comparison, Delta, Metric } from "./compare.js";

function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

function signed(x: number, unit = ""): string {
  return `${x > 0 ? "+" : x < 0 ? "−" : "±"}${num(Math.abs(x))}${unit}`;
}

function relText(d: Delta): string {
  return d.rel === null ? "" : `, ${signed(Math.round(d.rel * 1000) / 10, "%")}`;
}

export function metricValue(m: Metric, v: number): string {
  return m === "errorRate" ? `${num(v * 100)}%` : num(v);
}

export function metricDelta(m: Metric, d: Delta): string {
  if (m === "errorRate") return signed(Math.round(d.abs * 1e8) / 1e6, " pp");
  return `${signed(d.abs)}${relText(d)}`;
}

function cell(r: CompareRow, m: Metric): string {
  if (r.before === null) return `${metricValue(m, r.after![m])}`;
  if (r.after === null) return `${metricValue(m, r.before[m])}`;
  return `${metricValue(m, r.before[m])} → ${metricValue(m, r.after[m])} (${metricDelta(m, r.delta![m])})`;
}

function esc(s: string): string {
  return s.replace(/\|/g, "\\|");
}

const HEAD = "| requests | error rate | mean ms | p50 ms | p99 ms |";
const METRIC_ORDER: readonly Metric[] = ["requests", "errorRate", "mean", "p50", "p99"];

function table(title: string, rows: CompareRow[]): string[] {
  if (rows.length === 0) return [];
  const out = [`## ${title}`, "", `| ${title === "Clients" ? "client" : "edge"} | in ${HEAD}`, `|---|---|${"---:|".repeat(5)}`];
  for (const r of rows) {
    const presence = r.presence === "both" ? "both" : `**${r.presence}**`;
    out.push(`| ${esc(r.label)} | ${presence} | ${METRIC_ORDER.map((m) => esc(cell(r, m))).join(" | ")} |`);
  }
  out.push("");
  return out;
}

export function renderComparisonMarkdown(c: Comparison): string {
  const only = [...c.clients, ...c.edges].filter((r) => r.presence !== "both").length;
  return [
    `# meshsim comparison: ${c.after.scenario} vs ${c.before.scenario}`,
    "",
    `- before: \`${c.before.dir}\` — ${c.before.scenario}, seed ${c.before.seed}, ${c.before.simulatedSeconds} s simulated`,
    `- after: \`${c.after.dir}\` — ${c.after.scenario}, seed ${c.after.seed}, ${c.after.simulatedSeconds} s simulated`,
    `- cells read before → after (after − before, relative change); error rates in %, their change in percentage points (pp)`,
    only > 0 ? `- ${only} row(s) exist in one run only (marked)` : `- every client and edge is in both runs`,
    "",
    ...table("Clients", c.clients),
    ...table("Edges", c.edges),
  ].join("\n");
}
