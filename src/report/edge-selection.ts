// Which measurements stand for an edge in summary.json: one entry per (source, destination, service),
// from the client's sidecar (reporter "source") when it measured any request, else from the server's
// sidecar — as Istio's dashboards prefer the source reporter. Series of the chosen reporter that
// differ only in namespace or mTLS are merged.
import type { EdgeStats, Recorder } from "../telemetry/recorder.js";

export interface EdgeGroup {
  source: string;
  destination: string;
  service: string;
  reporter: "source" | "destination" | "waypoint";
  /** The chosen reporter's series (each with requests). */
  parts: EdgeStats[];
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Which reporter stands for an edge: the client's proxy, else a waypoint (ambient), else the server's. */
const RANK = { source: 0, waypoint: 1, destination: 2 } as const;

/** The groups, sorted by source, destination, service; edges without measured requests are left out. */
export function selectEdges(rec: Recorder): EdgeGroup[] {
  const groups = new Map<string, EdgeGroup>();
  for (const e of rec.edges) {
    if (e.requests === 0) continue;
    const l = e.labels;
    const key = `${l.source}\u0000${l.destination}\u0000${l.service}`;
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { source: l.source, destination: l.destination, service: l.service, reporter: l.reporter, parts: [e] });
    } else if (g.reporter === l.reporter) {
      g.parts.push(e);
    } else if (RANK[l.reporter] < RANK[g.reporter]) {
      g.reporter = l.reporter;
      g.parts = [e];
    }
  }
  return [...groups.values()].sort(
    (a, b) => compareText(a.source, b.source) || compareText(a.destination, b.destination) || compareText(a.service, b.service),
  );
}
