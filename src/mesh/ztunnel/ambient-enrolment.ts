// Which pods are in the ambient data plane. A stand-in until src/config/ambient/ (branch ambientcfg)
// lands: a pod is ambient when its namespace or itself carries istio.io/dataplane-mode=ambient, it is
// not labelled istio.io/dataplane-mode=none, and it has no sidecar (sidecar mode wins).
// https://istio.io/latest/docs/ambient/usage/add-workloads/
// meshsim's default, as for sidecar injection (mesh/kube/sidecar-injection.ts): with
// `spec.mesh.mode: ambient` and no Namespace documents, every namespace is enrolled, so one YAML
// runs in each mode (`meshsim sweep --set 'spec.mesh.mode=[none,sidecar,ambient]'`).
import type { MeshSettings, Namespace } from "../../scenario/model.js";

export const DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode";

export function isAmbientPod(
  mesh: Pick<MeshSettings, "mode">,
  namespace: string,
  podLabels: Readonly<Record<string, string>>,
  hasSidecar: boolean,
  namespaces: readonly Namespace[],
  /** Unlabelled namespaces are enrolled (meshsim's default: the scenario has no Namespace documents). */
  byDefault: boolean = namespaces.length === 0,
): boolean {
  if (mesh.mode !== "ambient" || hasSidecar) return false;
  const own = podLabels[DATAPLANE_MODE_LABEL];
  if (own === "none") return false;
  if (own === "ambient") return true;
  const ns = namespaces.find((n) => n.metadata.name === namespace);
  const nsMode = ns?.metadata.labels[DATAPLANE_MODE_LABEL];
  if (nsMode !== undefined) return nsMode === "ambient";
  return byDefault;
}
