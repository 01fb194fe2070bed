// Comparing two runs (before/after a config change, sidecar vs no mesh): per client (by name) and per
// edge (by source, destination and service), the figures of both runs and their differences. Rows
// found in one run only are kept and marked. Differences are after − before; relative ones are over
// before (null when before is 0).
import { errorsIn } from "./internal-failures.js";
import type { RequestSummary, Summary } from "./summary-types.js";
import { compareText } from "./edge-selection.js";

export interface Figures {
  requests: number;
  errorRate: number;
  mean: number;
  p50: number;
  p99: number;
}

export type Metric = keyof Figures;
export const METRICS: readonly Metric[] = ["requests", "errorRate", "mean", "p50", "p99"];

export interface Delta {
  /** after − before */
  abs: number;
  /** (after − before) / before; null when before is 0. */
  rel: number | null;
}

export interface CompareRow {
  kind: "client" | "edge";
  /** Client name, or "source → destination (service)". */
  label: string;
  source?: string;
  destination?: string;
  service?: string;
  before: Figures | null;
  after: Figures | null;
  /** Present only when the row is in both runs. */
  delta: Record<Metric, Delta> | null;
  presence: "both" | "before only" | "after only";
}

export interface RunRef {
  scenario: string;
  seed: number;
  simulatedSeconds: number;
  /** Where it was read from (a folder), for the reader. */
  dir: string;
}

export interface Comparison {
  before: RunRef;
  after: RunRef;
  clients: CompareRow[];
  edges: CompareRow[];
}

/** Rounded to 6 decimals so that 0.1 − 0.3 reads as −0.2, not −0.19999999999999998. */
function clean(x: number): number {
  const r = Math.round(x * 1e6) / 1e6;
  return r === 0 ? 0 : r;
}

/**
 * The stored error rate, refined from the counts (summary.json rounds it to 3 decimals: 15 errors in
 * 200,000 requests are 0 there); a rate the counts do not round to is kept as stored.
 */
function figures(r: RequestSummary & { errorRate: number }): Figures {
  const exact = r.requests > 0 ? errorsIn(r.codes) / r.requests : 0;
  const errorRate = Math.abs(exact - r.errorRate) <= 0.0005 ? clean(exact) : r.errorRate;
  return { requests: r.requests, errorRate, mean: r.latencyMs.mean, p50: r.latencyMs.p50, p99: r.latencyMs.p99 };
}

export function delta(before: number, after: number): Delta {
  return { abs: clean(after - before), rel: before === 0 ? null : clean((after - before) / before) };
}

function row(kind: CompareRow["kind"], label: string, b: Figures | undefined, a: Figures | undefined, extra: Partial<CompareRow>): CompareRow {
  const d = b !== undefined && a !== undefined
    ? (Object.fromEntries(METRICS.map((m) => [m, delta(b[m], a[m])])) as Record<Metric, Delta>)
    : null;
  return {
    kind, label, ...extra, before: b ?? null, after: a ?? null, delta: d,
    presence: b !== undefined && a !== undefined ? "both" : b !== undefined ? "before only" : "after only",
  };
}

function edgeKey(e: { source: string; destination: string; service: string }): string {
  return `${e.source}\u0000${e.destination}\u0000${e.service}`;
}

export function compareSummaries(before: Summary, after: Summary, dirs: { before: string; after: string } = { before: "", after: "" }): Comparison {
  const clientNames = [...new Set([...Object.keys(before.clients), ...Object.keys(after.clients)])].sort(compareText);
  const clients = clientNames.map((n) => {
    const b = before.clients[n], a = after.clients[n];
    return row("client", n, b === undefined ? undefined : figures(b), a === undefined ? undefined : figures(a), {});
  });

  const byKey = new Map<string, { source: string; destination: string; service: string; b?: Figures; a?: Figures }>();
  for (const [side, list] of [["b", before.edges], ["a", after.edges]] as const) {
    for (const e of list) {
      const k = edgeKey(e);
      let x = byKey.get(k);
      if (x === undefined) {
        x = { source: e.source, destination: e.destination, service: e.service };
        byKey.set(k, x);
      }
      x[side] = figures(e);
    }
  }
  const edges = [...byKey.values()]
    .sort((x, y) => compareText(x.source, y.source) || compareText(x.destination, y.destination) || compareText(x.service, y.service))
    .map((x) => row("edge", `${x.source} → ${x.destination} (${x.service})`, x.b, x.a, { source: x.source, destination: x.destination, service: x.service }));

  const ref = (s: Summary, dir: string): RunRef => ({ scenario: s.scenario, seed: s.seed, simulatedSeconds: s.simulatedSeconds, dir });
  return { before: ref(before, dirs.before), after: ref(after, dirs.after), clients, edges };
}
