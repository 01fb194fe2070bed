// compare-modes: one scenario run with no mesh, with sidecars and in ambient mode, side by side —
// latency and errors per client, the data plane's CPU, memory and monthly cost, and the scenario's
// config that stops working or changes meaning in ambient (the `analyze` messages the ambient run has
// and the sidecar run has not). Pure: the runs and the findings come in as data (runner/mode-comparison.ts).
import { errorsIn } from "./internal-failures.js";
import { compareText } from "./edge-selection.js";
import type { Summary } from "./summary-types.js";

export const MESH_MODES = ["none", "sidecar", "ambient"] as const;
export type MeshMode = (typeof MESH_MODES)[number];

/** An `analyze` message, as plain data. */
export interface ModeFinding {
  readonly level: "Error" | "Warning" | "Info";
  readonly code: string;
  readonly resource: string;
  readonly message: string;
  /** "from 10s", "from 0s to 30s": when it does not hold for the whole run (the timeline changes it). */
  readonly when?: string;
}

export interface ModeRunInput {
  readonly mode: MeshMode;
  readonly summary: Summary;
  /** Where the run's own reports were written (for `meshsim report --vs`). */
  readonly dir: string;
}

export interface ClientFigures { requests: number; errors: number; errorRate: number; p50: number; p99: number }

export interface ModeFigures {
  readonly mode: MeshMode;
  readonly dir: string;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  /** Proxies of the data plane (sidecars, gateways, and in ambient ztunnels and waypoints as modelled). */
  readonly proxies: number;
  /** Mean cores and memory of the data plane's proxies (summary.json mesh.cost); 0 without a mesh. */
  readonly proxyCores: number;
  readonly proxyMemoryMB: number;
  readonly costPerMonth: number;
  readonly currency: string;
  /** Mean cores of the app containers (all pods). */
  readonly appCores: number;
  readonly expectationsFailed: number;
}

export interface ModeComparison {
  readonly scenario: string;
  readonly seed: number;
  readonly simulatedSeconds: number;
  readonly modes: readonly ModeFigures[];
  /** client → mode → figures (absent: the client did not run in that mode). */
  readonly clients: readonly { name: string; byMode: Partial<Record<MeshMode, ClientFigures>> }[];
  /** The config that stops working or changes meaning in ambient mode. */
  readonly findings: readonly ModeFinding[];
  /** What the ambient run changed in the scenario to enrol it (namespaces relabelled). */
  readonly migration: readonly string[];
  /** Loader warnings about the ambient run's mesh settings (what meshsim does not model). */
  readonly notes: readonly string[];
}

function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

function modeFigures(r: ModeRunInput): ModeFigures {
  const s = r.summary;
  let requests = 0, errors = 0;
  for (const c of Object.values(s.clients)) { requests += c.requests; errors += errorsIn(c.codes); }
  let appCores = 0;
  for (const p of Object.values(s.pods)) {
    for (const [name, c] of Object.entries(p.containers ?? {})) if (name !== "istio-proxy") appCores += c.cpuCores.mean;
  }
  const cost = s.mesh.cost;
  return {
    mode: r.mode, dir: r.dir, requests, errors, errorRate: requests > 0 ? round(errors / requests) : 0,
    // ztunnels and waypoints are proxies too (mesh.cost counts every proxy; mesh.proxies only sidecars).
    proxies: cost?.proxies ?? s.mesh.proxies,
    proxyCores: round(cost?.proxyCores ?? 0), proxyMemoryMB: round(cost?.proxyMemoryMB ?? 0, 3),
    costPerMonth: round(cost?.perMonth.total ?? 0, 2), currency: cost?.perMonth.currency ?? "USD",
    appCores: round(appCores), expectationsFailed: s.expectations.filter((e) => !e.ok).length,
  };
}

export function modeComparison(runs: readonly ModeRunInput[], findings: readonly ModeFinding[], migration: readonly string[], notes: readonly string[]): ModeComparison {
  const first = runs[0]!.summary;
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.summary.clients)))].sort(compareText);
  const clients = names.map((name) => {
    const byMode: Partial<Record<MeshMode, ClientFigures>> = {};
    for (const r of runs) {
      const c = r.summary.clients[name];
      if (c === undefined) continue;
      const errors = errorsIn(c.codes);
      byMode[r.mode] = { requests: c.requests, errors, errorRate: c.requests > 0 ? round(errors / c.requests) : 0, p50: c.latencyMs.p50, p99: c.latencyMs.p99 };
    }
    return { name, byMode };
  });
  return { scenario: first.scenario, seed: first.seed, simulatedSeconds: first.simulatedSeconds, modes: runs.map(modeFigures), clients, findings, migration, notes };
}

function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

function pct(x: number): string {
  return `${num(round(x * 100, 4))}%`;
}

/** "+0.42 ms (+12.5%)" from the sidecar (or none) figure to this one. */
export function change(from: number | undefined, to: number, unit: string): string {
  if (from === undefined) return "";
  const d = round(to - from, 4);
  const rel = from === 0 ? "" : ` (${d >= 0 ? "+" : "−"}${num(Math.abs(round((100 * d) / from, 1)))}%)`;
  return `${d > 0 ? "+" : d < 0 ? "−" : "±"}${num(Math.abs(d))}${unit}${rel}`;
}

function mdEsc(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderModeComparisonMarkdown(c: ModeComparison): string {
  const out: string[] = [
    `# What would ambient change? ${c.scenario}`,
    "",
    `The same scenario (seed ${c.seed}, ${c.simulatedSeconds} s simulated) run three times: without a mesh (\`none\`), with sidecars (\`sidecar\`) and in ambient mode (\`ambient\`). Each run's own reports are in its folder (${c.modes.map((m) => `\`${m.dir}\``).join(", ")}); compare any two with \`meshsim report <dir> --vs <dir>\`.`,
    "",
    "## Cost of the data plane",
    "",
    "| mode | requests | error rate | proxies | proxy CPU (cores) | proxy memory (MB) | monthly cost | app CPU (cores) | failed expectations |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const m of c.modes) {
    out.push(`| ${m.mode} | ${m.requests} | ${pct(m.errorRate)} | ${m.proxies} | ${num(m.proxyCores)} | ${num(m.proxyMemoryMB)} | ${num(m.costPerMonth)} ${m.currency} | ${num(m.appCores)} | ${m.expectationsFailed} |`);
  }
  out.push("", "## Latency and errors per client", "", "Latency in ms; the change is from the sidecar run.", "",
    "| client | mode | requests | error rate | p50 | p99 | p50 change | p99 change |", "|---|---|---:|---:|---:|---:|---:|---:|");
  for (const cl of c.clients) {
    const base = cl.byMode.sidecar;
    for (const mode of MESH_MODES) {
      const f = cl.byMode[mode];
      if (f === undefined) continue;
      const vs = mode === "sidecar" ? "" : change(base?.p50, f.p50, " ms");
      const vs99 = mode === "sidecar" ? "" : change(base?.p99, f.p99, " ms");
      out.push(`| ${mdEsc(cl.name)} | ${mode} | ${f.requests} | ${pct(f.errorRate)} | ${num(f.p50)} | ${num(f.p99)} | ${vs} | ${vs99} |`);
    }
  }
  out.push("", "## Config that stops working or changes meaning in ambient", "");
  if (c.findings.length === 0) out.push("Nothing: `meshsim analyze` finds no message in ambient mode that it does not find with sidecars.");
  else {
    out.push("Messages `meshsim analyze` gives for the ambient run and not for the sidecar one (codes: docs/ambient-config.md).", "");
    for (const f of c.findings) out.push(`- **${f.level} ${f.code}** (${mdEsc(f.resource)}): ${mdEsc(f.message)}${f.when !== undefined ? ` [${f.when}]` : ""}`);
  }
  if (c.migration.length > 0) {
    out.push("", "## How the ambient run enrolled the workloads", "");
    for (const m of c.migration) out.push(`- ${m}`);
  }
  if (c.notes.length > 0) {
    out.push("", "## Model notes", "");
    for (const n of c.notes) out.push(`- ${mdEsc(n)}`);
  }
  out.push("");
  return out.join("\n");
}
