// Failures inside the mesh that the clients never saw: a caller that absorbs its upstream's 503s
// (productpage rendering "reviews unavailable") leaves the clients' error rate at 0 % while hundreds
// of calls between services fail. The report's headline puts both views side by side.
// An edge is a call between services unless it is a client's own first hop: its source is the
// load generator itself (from outside the mesh) or the workload the generator sends from
// (`ClientSummary.sourceWorkload`: its Deployment, or the ingress gateway).
import type { EdgeSummary, Summary } from "./summary-types.js";

/** Requests with code 0 (no response) or 5xx: summary.json's definition of an error. */
export function errorsIn(codes: Readonly<Record<string, number>>): number {
  let n = 0;
  for (const [c, v] of Object.entries(codes)) {
    const code = Number(c);
    if (code === 0 || code >= 500) n += v;
  }
  return n;
}

export interface InternalFailures {
  /** Calls between services (edges that are no client's first hop). */
  calls: number;
  /** Of those, the ones that failed (code 0 or 5xx). */
  failed: number;
  /** The edges with failures, most failures first. */
  failing: { edge: EdgeSummary; failed: number }[];
}

/** The sources that are the clients' own first hop. */
function clientSources(s: Summary): Set<string> {
  const out = new Set<string>();
  for (const [name, c] of Object.entries(s.clients)) {
    out.add(name);
    if (c.sourceWorkload !== undefined) out.add(c.sourceWorkload);
  }
  return out;
}

export function internalFailures(s: Summary): InternalFailures {
  const first = clientSources(s);
  let calls = 0;
  let failed = 0;
  const failing: InternalFailures["failing"] = [];
  for (const e of s.edges) {
    if (first.has(e.source)) continue;
    const f = errorsIn(e.codes);
    calls += e.requests;
    failed += f;
    if (f > 0) failing.push({ edge: e, failed: f });
  }
  failing.sort((a, b) => b.failed - a.failed);
  return { calls, failed, failing };
}

/** The clients' requests and their failures, all clients together. */
export function userFailures(s: Summary): { requests: number; failed: number } {
  let requests = 0;
  let failed = 0;
  for (const c of Object.values(s.clients)) {
    requests += c.requests;
    failed += errorsIn(c.codes);
  }
  return { requests, failed };
}
