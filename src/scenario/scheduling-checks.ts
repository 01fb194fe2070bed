// Scheduling input that can never work, found at load time: a nodeSelector/required affinity that no
// node matches, a topologySpreadConstraints key that no node carries. Kubernetes would accept both
// and leave the pods Pending (or, for ScheduleAnyway, ignore the constraint); meshsim refuses them
// as errors (exit 2) because a scenario that places nothing is a mistake. Without any Node the world
// has one implicit node and no scheduling: those fields are then ignored with a warning.
import { nodeAffinityMatches } from "../mesh/kube/node-affinity.js";
import type { Deployment, Node } from "./model.js";
import type { DiagnosticSink } from "./yaml-value.js";

export function checkScheduling(nodes: readonly Node[], deployments: readonly Deployment[], sink: DiagnosticSink): void {
  for (const d of deployments) {
    const s = d.scheduling;
    if (s === undefined) continue;
    const constrained = s.nodeName !== undefined || Object.keys(s.nodeSelector).length > 0 || s.requiredNodeAffinity.length > 0 || s.topologySpreadConstraints.length > 0;
    if (!constrained) continue;
    if (nodes.length === 0) {
      sink.warn(s.selectorAt?.pos ?? s.pos, s.selectorAt?.path ?? "spec.template.spec", "the scenario has no Node: nodeName, nodeSelector, affinity and topologySpreadConstraints are ignored (one implicit node)");
      continue;
    }
    if (s.selectorAt !== undefined && !nodes.some((n) => nodeAffinityMatches(s, n.metadata.labels, n.metadata.name))) {
      sink.error(s.selectorAt.pos, s.selectorAt.path, `no node matches the pods' nodeName/nodeSelector/required node affinity (of ${nodes.length} nodes): they would stay Pending`);
    }
    for (const c of s.topologySpreadConstraints) {
      if (!nodes.some((n) => n.metadata.labels[c.topologyKey] !== undefined)) {
        sink.error(c.pos, `${c.path}.topologyKey`, `no node carries the label ${JSON.stringify(c.topologyKey)}`);
      }
    }
  }
}
