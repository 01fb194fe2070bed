// Which nodes a pod may run on by its nodeSelector and required node affinity (kube-scheduler's
// NodeAffinity filter): every nodeSelector label, and at least one nodeSelectorTerm whose
// requirements all hold (a term without requirements matches nothing).
// https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity
// kubernetes/kubernetes staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go
import type { NodeSelectorRequirement, PodScheduling } from "../../scenario/model.js";

export function requirementHolds(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case "In": return v !== undefined && r.values.includes(v);
    case "NotIn": return v === undefined || !r.values.includes(v);
    case "Exists": return v !== undefined;
    case "DoesNotExist": return v === undefined;
    case "Gt": return v !== undefined && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
    case "Lt": return v !== undefined && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
  }
}

/** Does a node with these labels pass the pod's nodeSelector and required node affinity? */
export function nodeAffinityMatches(s: PodScheduling | undefined, labels: Readonly<Record<string, string>>, name?: string): boolean {
  if (s === undefined) return true;
  // spec.nodeName binds the pod to that node (kube-scheduler is bypassed; the kubelet still checks room).
  if (s.nodeName !== undefined && name !== undefined && s.nodeName !== name) return false;
  for (const k in s.nodeSelector) if (labels[k] !== s.nodeSelector[k]) return false;
  if (s.requiredNodeAffinity.length === 0) return true;
  return s.requiredNodeAffinity.some((term) => term.length > 0 && term.every((r) => requirementHolds(r, labels)));
}
