// Which security policies (PeerAuthentication, RequestAuthentication, AuthorizationPolicy) reach a
// workload: the policy's namespace, the mesh root namespace, and an optional label selector.
// https://istio.io/latest/docs/reference/config/security/authorization-policy/ (selector, root namespace)
// https://istio.io/latest/docs/reference/config/security/request_authentication/
import type { ObjectMeta } from "../api/networking.js";

/** Istio's default `rootNamespace` (MeshConfig): policies here without a selector are mesh-wide. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";

/** The workload a policy is evaluated for (its pod's namespace and labels). */
export interface WorkloadRef {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

type Selector = { matchLabels?: Record<string, string> } | undefined;

/** A selector with no labels selects every workload, exactly like no selector (Istio treats both alike). */
export function hasSelector(selector: Selector): boolean {
  if (selector === undefined || selector.matchLabels === undefined) return false;
  for (const _ in selector.matchLabels) return true;
  return false;
}

/** Equality-based label selection: every selector label present with the same value. */
export function selectorMatches(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  const ml = selector?.matchLabels;
  if (ml === undefined) return true;
  for (const k in ml) if (labels[k] !== ml[k]) return false;
  return true;
}

/**
 * Whether an AuthorizationPolicy / RequestAuthentication applies to the workload: same namespace, or
 * the root namespace (then its selector matches workloads in every namespace), and the selector matches.
 */
export function policyAppliesTo(meta: ObjectMeta, selector: Selector, workload: WorkloadRef, rootNamespace: string): boolean {
  if (meta.namespace !== workload.namespace && meta.namespace !== rootNamespace) return false;
  return selectorMatches(selector, workload.labels);
}

/** "namespace/name" used in explanations. */
export function policyRef(meta: ObjectMeta): string {
  return `${meta.namespace}/${meta.name}`;
}
