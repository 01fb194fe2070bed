// Whether a pod gets a sidecar, as Istio's injection runs: the API server calls the webhook only when
// one of the MutatingWebhookConfiguration's entries selects the pod — by the namespace's LABELS and the
// pod's LABELS (objectSelector), never its annotations — and then the injector's injectRequired
// decides, reading the `sidecar.istio.io/inject` label or, without it, the annotation.
// The webhook entries: istio/istio manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml
// (rev.namespace, rev.object, namespace, object, and auto when enableNamespacesByDefault).
// The decision: istio/istio pkg/kube/inject/inject.go injectRequired; the system namespaces it skips:
// pkg/kube/inject/initializer.go IgnoredNamespaces.
// The docs: https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
// With sidecarInjectorWebhook.enableNamespacesByDefault every namespace not labelled
// istio-injection=disabled is injected (Istio's analyzer then reports IST0148 instead of IST0102:
// https://github.com/istio/istio/blob/master/pkg/config/analysis/analyzers/injection/injection.go).
import type { Deployment, MeshSettings, Namespace } from "../../scenario/model.js";
import type { LabelSelector } from "../../proxy/api/gateway-api.js";
import { labelSelectorMatches } from "../../proxy/label-selector.js";

/** Never injected, whatever their labels (initializer.go IgnoredNamespaces; the `auto` webhook's NotIn list). */
export const INJECTION_IGNORED_NAMESPACES: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease", "local-path-storage"]);

const INJECT = "sidecar.istio.io/inject";
const REV = "istio.io/rev";

/** enableNamespacesByDefault as set, or meshsim's rule: on when the scenario has no Namespace documents. */
export function namespacesInjectedByDefault(mesh: Pick<MeshSettings, "injection">, namespaces: readonly Namespace[]): boolean {
  return mesh.injection.enableNamespacesByDefault ?? namespaces.length === 0;
}

function namespaceLabels(namespace: string, namespaces: readonly Namespace[]): Readonly<Record<string, string>> {
  return namespaces.find((n) => n.metadata.name === namespace)?.metadata.labels ?? {};
}

/**
 * Does any entry of the webhook configuration select the pod? Labels only. meshsim runs one control
 * plane: any `istio.io/rev` value stands for its revision (Istio: only the installed revisions', the
 * default one being "default").
 */
function webhookSelects(byDefault: boolean, ns: string, nsl: Readonly<Record<string, string>>, pod: Readonly<Record<string, string>>): boolean {
  const nsInjection = nsl["istio-injection"];
  const nsRev = nsl[REV];
  const podInject = Object.hasOwn(pod, INJECT) ? pod[INJECT] : undefined;
  const podRev = Object.hasOwn(pod, REV) ? pod[REV] : undefined;
  // namespace.sidecar-injector.istio.io and rev.namespace.…: the namespace asks, the pod does not say "false".
  if ((nsInjection === "enabled" || (nsInjection === undefined && nsRev !== undefined)) && podInject !== "false") return true;
  if (nsInjection !== undefined || nsRev !== undefined) return false;
  // object.… (label exactly "true", no pod revision) and rev.object.… (a pod revision, not "false").
  if (podInject === "true" && podRev === undefined) return true;
  if (podRev !== undefined && podInject !== "false") return true;
  // auto.… (only with enableNamespacesByDefault): neither label on the pod, not a system namespace.
  return byDefault && podInject === undefined && podRev === undefined && !INJECTION_IGNORED_NAMESPACES.has(ns);
}

/** metav1.LabelSelectorAsSelector + Matches, with injectRequired's `!selector.Empty()`. */
function selects(s: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const empty = Object.keys(s.matchLabels).length === 0 && (s.matchExpressions ?? []).length === 0;
  return !empty && labelSelectorMatches(s, labels);
}

/** The injector's own decision once called (inject.go injectRequired). */
function injectRequired(mesh: Pick<MeshSettings, "injection">, dep: Pick<Deployment, "metadata" | "podLabels" | "podAnnotations" | "hostNetwork">): boolean {
  // Host networking: iptables would rewrite the node's routing, not the pod's.
  if (dep.hostNetwork === true) return false;
  if (INJECTION_IGNORED_NAMESPACES.has(dep.metadata.namespace)) return false;
  // "The label is the new API; if both are present we prefer the label" — even an empty or invalid one.
  const says = Object.hasOwn(dep.podLabels, INJECT) ? dep.podLabels[INJECT] : dep.podAnnotations[INJECT] ?? "";
  // Only "true" and "false" count; anything else falls back to the default policy (with a warning).
  if (says === "true") return true;
  if (says === "false") return false;
  const inj = mesh.injection;
  if ((inj.neverInjectSelector ?? []).some((s) => selects(s, dep.podLabels))) return false;
  if ((inj.alwaysInjectSelector ?? []).some((s) => selects(s, dep.podLabels))) return true;
  // Config.Policy, Istio's global.proxy.autoInject (default enabled).
  return (inj.autoInject ?? "enabled") === "enabled";
}

export function injectsSidecar(
  mesh: Pick<MeshSettings, "mode" | "injection">,
  dep: Pick<Deployment, "metadata" | "podLabels" | "podAnnotations" | "hostNetwork">,
  namespaces: readonly Namespace[],
): boolean {
  if (mesh.mode === "none") return false;
  // The ambient profile keeps the injector with its webhook entries, but without
  // enableNamespacesByDefault: a namespace or pod that asks for a sidecar gets one (and then stays
  // out of ambient: sidecar wins). https://istio.io/latest/docs/ambient/usage/add-workloads/
  const byDefault = mesh.mode === "ambient" ? false : namespacesInjectedByDefault(mesh, namespaces);
  const ns = dep.metadata.namespace;
  if (!webhookSelects(byDefault, ns, namespaceLabels(ns, namespaces), dep.podLabels)) return false;
  return injectRequired(mesh, dep);
}
