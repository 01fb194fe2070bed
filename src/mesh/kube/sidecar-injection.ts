// Whether a pod gets a sidecar, as Istio's injection webhook decides:
// https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
import type { Deployment, Namespace } from "../../scenario/model.js";

export function injectsSidecar(
  mode: "sidecar" | "ambient" | "none",
  dep: Deployment,
  namespaces: readonly Namespace[],
): boolean {
  if (mode !== "sidecar") return false;
  const podSays = dep.podLabels["sidecar.istio.io/inject"] ?? dep.podAnnotations["sidecar.istio.io/inject"];
  if (podSays === "false") return false;
  // Without Namespace documents, every namespace counts as labelled istio-injection=enabled.
  if (namespaces.length === 0) return true;
  const ns = namespaces.find((n) => n.metadata.name === dep.metadata.namespace);
  const label = ns?.metadata.labels["istio-injection"];
  if (label === "disabled") return false;
  if (label === "enabled" || ns?.metadata.labels["istio.io/rev"] !== undefined) return true;
  return podSays === "true";
}
