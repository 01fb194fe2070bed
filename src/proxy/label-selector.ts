// A Kubernetes LabelSelector (matchLabels and matchExpressions, ANDed) applied to a set of labels, as
// metav1.LabelSelectorAsSelector builds it and labels.Selector.Matches runs it: In (the label is set
// to one of the values), NotIn (unset or none of them), Exists, DoesNotExist. A selector that
// LabelSelectorAsSelector refuses — an unknown operator, In/NotIn without values, Exists/DoesNotExist
// with values — is an error there; the CRDs do not check operators, so it reaches istiod, whose
// namespacesFromSelector then returns no namespace (pilot/pkg/config/kube/gateway/conversion.go).
// kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go
// (LabelSelectorAsSelector), staging/src/k8s.io/apimachinery/pkg/labels/selector.go (NewRequirement,
// Requirement.Matches). https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#set-based-requirement
import type { LabelSelector, LabelSelectorRequirement } from "./api/gateway-api.js";

/** Why LabelSelectorAsSelector refuses a requirement (NewRequirement's checks), or undefined. */
export function requirementError(r: LabelSelectorRequirement): string | undefined {
  switch (r.operator) {
    case "In": case "NotIn":
      return r.values.length === 0 ? "for 'in', 'notin' operators, values set can't be empty" : undefined;
    case "Exists": case "DoesNotExist":
      return r.values.length > 0 ? "values set must be empty for exists and does not exist" : undefined;
    default:
      return `"${r.operator}" is not a valid label selector operator`;
  }
}

/** labels.Requirement.Matches for a requirement requirementError accepts. */
function requirementHolds(r: LabelSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const v = Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
  switch (r.operator) {
    case "In": return v !== undefined && r.values.includes(v);
    case "NotIn": return v === undefined || !r.values.includes(v);
    case "Exists": return v !== undefined;
    default: return v === undefined; // DoesNotExist
  }
}

/** Does the selector select these labels? A selector LabelSelectorAsSelector refuses selects nothing. */
export function labelSelectorMatches(s: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const k in s.matchLabels) if (labels[k] !== s.matchLabels[k]) return false;
  for (const r of s.matchExpressions ?? []) {
    if (requirementError(r) !== undefined || !requirementHolds(r, labels)) return false;
  }
  return true;
}
