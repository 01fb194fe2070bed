// report.md: the run at a glance, as tables a person reads in a terminal or a pull request.
import { RESPONSE_FLAG_DESCRIPTIONS, parseResponseFlags } from "../proxy/response-flags.js";
import type { LatencySummary, Summary } from "./summary-types.js";

function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function lat(l: LatencySummary): string {
  return `${ms(l.mean)} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)}`;
}

function counts(r: Record<string, number>): string {
  return Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(", ");
}

export function renderMarkdown(s: Summary): string {
  const out: string[] = [];
  out.push(`# meshsim report: ${s.scenario}`, "");
  out.push(`Seed ${s.seed}, ${s.simulatedSeconds} simulated seconds (${s.measuredSeconds} s measured after warm-up). meshsim ${s.meshsim}.`, "");
  if (s.expectations.length > 0) {
    out.push("## Expectations", "");
    for (const e of s.expectations) out.push(`- ${e.ok ? "✔" : "✘"} ${e.text} — actual ${e.actual ?? "none"}`);
    out.push("");
  }
  out.push("## Clients", "", "| client | requests | rps | error rate | mean ms | p50 | p90 | p99 | max | codes | flags |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
  for (const [name, c] of Object.entries(s.clients)) {
    out.push(`| ${name} | ${c.requests} | ${c.rps} | ${pct(c.errorRate)} | ${lat(c.latencyMs)} | ${counts(c.codes)} | ${counts(c.flags)} |`);
  }
  out.push("");
  if (s.edges.length > 0) {
    out.push("## Edges", "", "Measured by the client's sidecar (reporter source) when it has one, else by the server's.", "");
    out.push("| source | destination | service | requests | error rate | mean ms | p50 | p90 | p99 | max | codes | flags | mTLS |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|");
    for (const e of s.edges) {
      out.push(`| ${e.source} | ${e.destination} | ${e.service} | ${e.requests} | ${pct(e.errorRate)} | ${lat(e.latencyMs)} | ${counts(e.codes)} | ${counts(e.flags)} | ${e.mtls ? "yes" : "no"} |`);
    }
    out.push("");
  }
  const flags = new Set<string>();
  for (const c of Object.values(s.clients)) for (const f of Object.keys(c.flags)) flags.add(f);
  for (const e of s.edges) for (const f of Object.keys(e.flags)) flags.add(f);
  const known = [...new Set([...flags].flatMap((f) => (f === "-" ? [] : parseResponseFlags(f))))].sort();
  if (known.length > 0) {
    out.push("## Response flags seen", "");
    for (const f of known) out.push(`- \`${f}\`: ${RESPONSE_FLAG_DESCRIPTIONS[f]}`);
    out.push("");
  }
  out.push("## Pods", "", "| pod | requests | utilisation | mean busy | ejections |", "|---|---:|---:|---:|---:|");
  for (const [name, p] of Object.entries(s.pods)) {
    out.push(`| ${name} | ${p.requests} | ${p.utilization === undefined ? "–" : pct(p.utilization)} | ${p.meanBusy} | ${p.ejections} |`);
  }
  out.push("", "## Mesh", "", `${s.mesh.proxies} sidecar proxies, ${s.mesh.proxyCpuSeconds} proxy CPU seconds, ${s.mesh.xdsPushes} xDS pushes.`, "");
  if (s.events.length > 0) {
    out.push("## Events", "");
    for (const e of s.events) out.push(`- ${e.t} s: ${e.kind} ${counts(e.detail as Record<string, number>)}`);
    out.push("");
  }
  return out.join("\n");
}
