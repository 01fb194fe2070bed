// Whether a pod gets a sidecar, as Istio's injection webhook decides:
// https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
// With sidecarInjectorWebhook.enableNamespacesByDefault every namespace not labelled
// istio-injection=disabled is injected (Istio's analyzer then reports IST0148 instead of IST0102:
// https://github.com/istio/istio/blob/master/pkg/config/analysis/analyzers/injection/injection.go).
import type { Deployment, MeshSettings, Namespace } from "../../scenario/model.js";

/** enableNamespacesByDefault as set, or meshsim's rule: on when the scenario has no Namespace documents. */
export function namespacesInjectedByDefault(mesh: Pick<MeshSettings, "injection">, namespaces: readonly Namespace[]): boolean {
  return mesh.injection.enableNamespacesByDefault ?? namespaces.length === 0;
}

/** Whether pods of `namespace` are injected by the namespace alone (no pod label). */
export function namespaceInjected(mesh: Pick<MeshSettings, "injection">, namespace: string, namespaces: readonly Namespace[]): boolean {
  const ns = namespaces.find((n) => n.metadata.name === namespace);
  const label = ns?.metadata.labels["istio-injection"];
  if (label === "disabled") return false;
  if (label === "enabled" || ns?.metadata.labels["istio.io/rev"] !== undefined) return true;
  return namespacesInjectedByDefault(mesh, namespaces);
}

export function injectsSidecar(
  mesh: Pick<MeshSettings, "mode" | "injection">,
  dep: Deployment,
  namespaces: readonly Namespace[],
): boolean {
  if (mesh.mode === "none") return false;
  const podSays = dep.podLabels["sidecar.istio.io/inject"] ?? dep.podAnnotations["sidecar.istio.io/inject"];
  if (podSays === "false") return false;
  if (mesh.mode === "ambient") {
    // The ambient profile keeps the injector: a namespace or pod that asks for a sidecar gets one
    // (and then stays out of ambient: sidecar wins). Nothing is injected by default.
    // https://istio.io/latest/docs/ambient/usage/add-workloads/
    const l = namespaces.find((n) => n.metadata.name === dep.metadata.namespace)?.metadata.labels;
    if (l?.["istio-injection"] === "disabled") return false;
    return podSays === "true" || l?.["istio-injection"] === "enabled" || l?.["istio.io/rev"] !== undefined;
  }
  // A namespace labelled disabled is outside the webhook's namespaceSelector: no pod label brings it back.
  if (namespaces.find((n) => n.metadata.name === dep.metadata.namespace)?.metadata.labels["istio-injection"] === "disabled") return false;
  if (namespaceInjected(mesh, dep.metadata.namespace, namespaces)) return true;
  return podSays === "true";
}
