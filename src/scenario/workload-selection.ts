// Which Deployments a Workload's selector picks, and which Workloads can pick a Deployment, answered by
// lookup: each Deployment is filed under its namespace and every one of its pod labels, each Workload
// under its namespace and the first pair of its selector (or none). A scan of every Deployment and
// every other Workload for each Workload was quadratic in the scenario's size: ≈ 390 M instructions
// loading a 1,000-service mesh (docs/performance.md, "Goal 4").
import { labelsMatch } from "../proxy/lb/host.js";
import type { Deployment, Workload } from "./model.js";

const pairKey = (ns: string, k: string, v: string): string => `${ns}\u0000${k}\u0000${v}`;

function fileUnder<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [item]);
  else list.push(item);
}

export class WorkloadSelection {
  private readonly depsByPair = new Map<string, Deployment[]>();
  private readonly depsByNs = new Map<string, Deployment[]>();
  /** Workload positions (in `workloads`' order) by namespace and the first pair of their selector. */
  private readonly wlsByPair = new Map<string, number[]>();
  /** Workload positions by namespace, for selectors without a pair. */
  private readonly wlsUnkeyed = new Map<string, number[]>();

  constructor(readonly deployments: readonly Deployment[], readonly workloads: readonly Workload[]) {
    for (const d of deployments) {
      const ns = d.metadata.namespace;
      fileUnder(this.depsByNs, ns, d);
      for (const k in d.podLabels) fileUnder(this.depsByPair, pairKey(ns, k, d.podLabels[k]!), d);
    }
    workloads.forEach((w, i) => {
      const ns = w.metadata.namespace;
      for (const k in w.selector) {
        fileUnder(this.wlsByPair, pairKey(ns, k, w.selector[k]!), i);
        return;
      }
      fileUnder(this.wlsUnkeyed, ns, i);
    });
  }

  /** The Deployments of `ns` whose pod labels `selector` picks, in the Deployments' order. */
  deploymentsPicked(ns: string, selector: Readonly<Record<string, string>>): Deployment[] {
    // A selector without a pair picks every pod of the namespace.
    let candidates = this.depsByNs.get(ns);
    for (const k in selector) {
      candidates = this.depsByPair.get(pairKey(ns, k, selector[k]!));
      break;
    }
    return (candidates ?? []).filter((d) => labelsMatch(selector, d.podLabels));
  }

  /** The Workloads of `ns` that may pick one of `deps` (a superset; the caller checks), in the Workloads' order. */
  workloadsThatMayPick(ns: string, deps: readonly Deployment[]): Workload[] {
    const at = new Set<number>(this.wlsUnkeyed.get(ns));
    for (const d of deps) {
      for (const k in d.podLabels) for (const i of this.wlsByPair.get(pairKey(ns, k, d.podLabels[k]!)) ?? []) at.add(i);
    }
    return [...at].sort((a, b) => a - b).map((i) => this.workloads[i]!);
  }
}

