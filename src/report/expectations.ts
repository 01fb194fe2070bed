// `expect` in the Simulation: checks on a client's or an edge's figures, evaluated on the summary.
import type { Comparison, Expectation, ExpectCheck } from "../scenario/model.js";
import type { ExpectationResult, RequestSummary, Summary } from "./summary-types.js";

const LATENCY_KEYS = new Set(["mean", "p50", "p90", "p99", "p999", "max"]);

/** The figures of an edge subject: all edges between the two workloads, summed over services. */
function edgeFigures(s: Summary, source: string, destination: string): RequestSummary | null {
  const es = s.edges.filter((e) => e.source === source && e.destination === destination);
  if (es.length === 0) return null;
  if (es.length === 1) return es[0]!;
  const codes: Record<string, number> = {};
  const flags: Record<string, number> = {};
  let requests = 0;
  for (const e of es) {
    requests += e.requests;
    for (const [k, v] of Object.entries(e.codes)) codes[k] = (codes[k] ?? 0) + v;
    for (const [k, v] of Object.entries(e.flags)) flags[k] = (flags[k] ?? 0) + v;
  }
  // Latency of the busiest edge stands for the pair (percentiles do not add).
  const busiest = es.reduce((a, b) => (b.requests > a.requests ? b : a));
  return { requests, codes, flags, latencyMs: busiest.latencyMs };
}

/** Errors as Istio's dashboards count them: no HTTP status (0) or a 5xx. */
function errorsOf(codes: Record<string, number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(codes)) if (Number(k) === 0 || Number(k) >= 500) n += v;
  return n;
}

function actualOf(check: ExpectCheck, req: RequestSummary | null, measuredSeconds: number): number | null {
  const m = check.metric;
  if (m === "requests") return req?.requests ?? 0;
  if (m === "rps") return measuredSeconds > 0 ? (req?.requests ?? 0) / measuredSeconds : 0;
  if (m === "errorRate") return req && req.requests > 0 ? errorsOf(req.codes) / req.requests : 0;
  if (m.startsWith("codes.")) return req?.codes[m.slice(6)] ?? 0;
  if (m.startsWith("flags.")) return req?.flags[m.slice(6)] ?? 0;
  if (LATENCY_KEYS.has(m)) return req && req.requests > 0 ? req.latencyMs[m as keyof RequestSummary["latencyMs"]] : null;
  return null;
}

export function compare(actual: number, op: Comparison, value: number): boolean {
  switch (op) {
    case "<": return actual < value;
    case "<=": return actual <= value;
    case ">": return actual > value;
    case ">=": return actual >= value;
    case "==": return Math.abs(actual - value) <= 1e-9 * Math.max(1, Math.abs(value));
    case "!=": return Math.abs(actual - value) > 1e-9 * Math.max(1, Math.abs(value));
  }
}

export function evaluateExpectations(expectations: readonly Expectation[], s: Summary): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (const e of expectations) {
    const req = e.subject.kind === "client" ? s.clients[e.subject.name] ?? null : edgeFigures(s, e.subject.source, e.subject.destination);
    const who = e.subject.kind === "client" ? e.subject.name : `${e.subject.source} -> ${e.subject.destination}`;
    for (const check of e.checks) {
      const actual = actualOf(check, req, s.measuredSeconds);
      const rounded = actual === null ? null : Math.round(actual * 1e6) / 1e6;
      out.push({ text: `${who} ${check.metric} ${check.text}`, ok: actual !== null && compare(actual, check.op, check.value), actual: rounded });
    }
  }
  return out;
}
