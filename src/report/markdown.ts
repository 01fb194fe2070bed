// report.md: the run at a glance, as tables a person reads in a terminal or a pull request.
import { RESPONSE_FLAG_DESCRIPTIONS, RESPONSE_FLAG_LONG_NAMES, type ResponseFlag } from "../proxy/response-flags.js";
import { localityMarkdown } from "./locality-markdown.js";
import { autoscalerMarkdown } from "./autoscaler-markdown.js";
import type { LatencySummary, Summary } from "./summary-types.js";
import { STATUS_TEXT } from "./status-text.js";
import { headline } from "./headline.js";
import { errorsIn } from "./internal-failures.js";
import { share } from "./share.js";
import { noActual } from "./expectations.js";

/** Events listed in full; the rest are counted. */
const MAX_EVENTS_SHOWN = 50;


function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** Table cells: `|` would end the cell (cluster names like outbound|9080||reviews contain it). */
function cell(s: string | number): string {
  return String(s).replace(/\|/g, "\\|");
}

function lat(l: LatencySummary): string {
  return `${ms(l.mean)} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.p999)} | ${ms(l.max)}`;
}

function counts(r: Record<string, number | string>): string {
  return cell(Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(", "));
}

function isKnownFlag(f: string): f is ResponseFlag {
  return Object.prototype.hasOwnProperty.call(RESPONSE_FLAG_DESCRIPTIONS, f);
}

/** Per-change rows listed in full; the rest are counted. */
const MAX_CHANGES_SHOWN = 100;

/** istiod's pushes one by one, what the proxies accepted and rejected, and how far behind they fell. */
function controlPlane(s: Summary): string[] {
  const m = s.mesh;
  const out = [
    "## Control plane", "",
    `- xDS pushes to proxies: ${m.xdsPushes}; types accepted (ACK): CDS ${m.xdsPushesByType.cds}, EDS ${m.xdsPushesByType.eds}, LDS ${m.xdsPushesByType.lds}, RDS ${m.xdsPushesByType.rds}`,
    `- Rejected (NACK): CDS ${m.xdsRejects.cds}, EDS ${m.xdsRejects.eds}, LDS ${m.xdsRejects.lds}, RDS ${m.xdsRejects.rds}`,
    `- At most ${m.staleProxiesMax} proxies behind istiod's config at once (after the warm-up)`,
    `- ${m.certificatesIssued} workload certificates signed`,
    "",
  ];
  const changes = m.changes ?? [];
  if (changes.length === 0) return out;
  out.push(
    "Each push istiod started, from the (first) change reaching it to the last proxy's ACK or NACK; changes within one debounce are one push.", "",
    "| time (s) | kind | what changed | convergence (ms) | proxies pushed | NACKed |",
    "|---:|---|---|---:|---:|---:|",
  );
  for (const c of changes.slice(0, MAX_CHANGES_SHOWN)) {
    out.push(`| ${c.t} | ${c.kind} | ${cell(c.what)} | ${c.convergenceMs === null ? "not converged" : c.convergenceMs} | ${c.proxiesPushed} | ${c.rejected} |`);
  }
  const more = Math.max(0, changes.length - MAX_CHANGES_SHOWN) + (m.changesDropped ?? 0);
  if (more > 0) out.push("", `… and ${more} more pushes.`);
  out.push("");
  return out;
}

export function renderMarkdown(s: Summary): string {
  const out: string[] = [];
  out.push(`# meshsim report: ${s.scenario}`, "");
  if (s.interrupted !== undefined) out.push(`**Interrupted** at ${s.interrupted.atSimulatedSeconds} simulated s: the figures cover the run up to there.`, "");
  const h = headline(s);
  out.push(`**${h.text}.**`, "");
  if (h.worst.length > 0) {
    out.push("Calls between services that failed most (their callers may have hidden them from the clients):", "");
    for (const w of h.worst) out.push(`- ${cell(w)}`);
    out.push("");
  }
  const warmup = Math.round((s.simulatedSeconds - s.measuredSeconds) * 1000) / 1000;
  out.push(
    `- Scenario \`${s.scenario}\`, seed ${s.seed}, meshsim ${s.meshsim}`,
    `- ${s.simulatedSeconds} s simulated, ${s.measuredSeconds} s measured (figures exclude the ${warmup} s warm-up)`,
    `- Time series in windows of ${s.timeSeries.windowSeconds} s`,
    `- Errors are requests with no HTTP response (code 0) or a 5xx`,
    "",
  );

  if (s.expectations.length > 0) {
    const failed = s.expectations.filter((e) => !e.ok).length;
    out.push("## Expectations", "", failed === 0 ? `All ${s.expectations.length} passed.` : `${failed} of ${s.expectations.length} failed.`, "");
    for (const e of s.expectations) out.push(`- ${e.ok ? "✔" : "✘"} ${e.text} — actual ${e.actual ?? noActual(e.text)}`);
    out.push("");
  }

  out.push(
    "## Clients", "", "Latency in ms, as each load generator sees its answers.", "",
    "| client | requests | rps | error rate | mean | p50 | p90 | p99 | p99.9 | max | codes | flags |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
  );
  for (const [name, c] of Object.entries(s.clients)) {
    // ± the 95 % half-widths of this one run (batch means), where summary.json gives them.
    const ci = c.ci95;
    const pm = (x: number | null | undefined, f: (y: number) => string) => (x === null || x === undefined ? "" : ` ± ${f(x)}`);
    const l = c.latencyMs;
    const latency = `${ms(l.mean)}${pm(ci?.mean, ms)} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)}${pm(ci?.p99, ms)} | ${ms(l.p999)} | ${ms(l.max)}`;
    out.push(`| ${cell(name)} | ${c.requests} | ${c.rps} | ${share(errorsIn(c.codes), c.requests)}${pm(ci?.errorRate, pct)} | ${latency} | ${counts(c.codes)} | ${counts(c.flags)} |`);
  }
  out.push("");
  const cis = Object.entries(s.clients).filter(([, c]) => c.ci95 !== undefined);
  if (cis.length > 0) {
    out.push("± is the half-width of the 95% confidence interval from this one run, by batch means (docs/reports.md, \"Confidence intervals of one run\"):");
    for (const [name, c] of cis) {
      const b = c.ci95!;
      out.push(`- ${name}: ${b.batches > 0 ? `${b.batches} batches of ${b.windowsPerBatch} windows, lag-1 autocorrelation ${b.lag1 ?? "–"}` : "no batches"}${b.why !== undefined ? `; not given: ${b.why}` : ""}`);
    }
    out.push("");
  }

  if (s.edges.length > 0) {
    out.push(
      "## Edges", "",
      "Per source and destination workload and service, measured by the client's sidecar (reporter source) when it has one, else by the server's. Latency in ms.", "",
      "| source | destination | service | reporter | requests | error rate | mean | p50 | p90 | p99 | p99.9 | max | codes | flags | mTLS |",
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    );
    for (const e of s.edges) {
      out.push(
        `| ${cell(e.source)} | ${cell(e.destination)} | ${cell(e.service)} | ${e.reporter} | ${e.requests} | ${share(errorsIn(e.codes), e.requests)} | ${lat(e.latencyMs)} | ${counts(e.codes)} | ${counts(e.flags)} | ${e.mtls ? "yes" : "no"} |`,
      );
    }
    out.push("");
  }

  const codes = new Set<string>();
  const flags = new Set<string>();
  for (const r of [...Object.values(s.clients), ...s.edges]) {
    for (const c of Object.keys(r.codes)) codes.add(c);
    for (const f of Object.keys(r.flags)) for (const one of f.split(",")) if (one !== "-") flags.add(one);
  }
  if (codes.size > 0) {
    out.push("## Response codes and flags", "");
    for (const c of [...codes].sort((a, b) => Number(a) - Number(b))) out.push(`- \`${c}\`: ${STATUS_TEXT[c] ?? "HTTP status"}`);
    for (const f of [...flags].sort()) {
      out.push(isKnownFlag(f) ? `- \`${f}\` (${RESPONSE_FLAG_LONG_NAMES[f]}): ${RESPONSE_FLAG_DESCRIPTIONS[f]}` : `- \`${f}\`: Envoy response flag`);
    }
    out.push("");
  }

  if (Object.keys(s.pods).length > 0) {
    out.push("## Pods", "", "| pod | requests | utilisation | mean busy | ejections |", "|---|---:|---:|---:|---:|");
    for (const [name, p] of Object.entries(s.pods)) {
      out.push(`| ${cell(name)} | ${p.requests} | ${p.utilization === null ? "–" : pct(p.utilization)} | ${p.meanBusy} | ${p.ejections} |`);
    }
    out.push("");
  }

  out.push(...localityMarkdown(s));
  out.push(...autoscalerMarkdown(s));

  const m = s.mesh;
  out.push(
    "## Mesh", "",
    `${m.proxies} sidecar proxies, ${m.proxyCpuSeconds} proxy CPU seconds, ${m.xdsPushes} xDS pushes; ` +
      `configuration converged in ${m.convergenceMs.p50} ms (median), ${m.convergenceMs.max} ms at most.`,
    "",
  );
  out.push(...controlPlane(s));
  const clusterRows: string[] = [];
  for (const [workload, byCluster] of Object.entries(s.clusters)) {
    for (const [name, counters] of Object.entries(byCluster)) {
      const nonZero = Object.fromEntries(Object.entries(counters).filter(([, v]) => v !== 0));
      if (Object.keys(nonZero).length > 0) clusterRows.push(`| ${cell(workload)} | ${cell(name)} | ${counts(nonZero)} |`);
    }
  }
  if (clusterRows.length > 0) {
    out.push("## Envoy cluster counters", "", "Non-zero counters, whole run.", "", "| source workload | cluster | counters |", "|---|---|---|", ...clusterRows, "");
  }

  if (s.events.length > 0) {
    out.push("## Events", "");
    for (const e of s.events.slice(0, MAX_EVENTS_SHOWN)) {
      const d = Object.entries(e.detail).map(([k, v]) => `${k}=${v}`).join(" ");
      out.push(`- ${e.t} s: ${e.kind}${d === "" ? "" : ` ${d}`}`);
    }
    const more = s.events.length - MAX_EVENTS_SHOWN + (s.eventsDropped ?? 0);
    if (more > 0) out.push(`- … and ${more} more`);
    out.push("");
  }
  return out.join("\n");
}
