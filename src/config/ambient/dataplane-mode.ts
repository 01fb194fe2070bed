// Which data plane serves a pod: a sidecar, ztunnel (ambient), or none — as istio-cni decides it.
// istio-cni enrols a pod when one of its enablement selectors matches; the chart's default selectors
// are "pod labelled istio.io/dataplane-mode=ambient" OR "namespace labelled ambient AND pod label not
// `none`" (manifests/charts/istio-cni/values.yaml ambient.enablementSelectors). Before the selectors,
// host-network pods and pods with a sidecar (the injector's sidecar.istio.io/status annotation) are
// never enrolled: "Ztunnel and sidecar for a single pod is currently not supported; opt out"
// (cni/pkg/util/enablement_selector.go Matches). The docs say the same: "sidecar mode wins"
// (https://istio.io/latest/docs/ambient/usage/add-workloads/).
import type { Deployment, MeshSettings, Namespace } from "../../scenario/model.js";
import { injectsSidecar } from "../../mesh/kube/sidecar-injection.js";
import { DATAPLANE_MODE_AMBIENT, DATAPLANE_MODE_LABEL, DATAPLANE_MODE_NONE, SIDECAR_STATUS_ANNOTATION } from "./ambient-labels.js";

export type DataplaneMode = "sidecar" | "ambient" | "none";

export interface DataplaneModeInput {
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** The injector gave the pod a sidecar. */
  readonly hasSidecar: boolean;
  readonly hostNetwork?: boolean;
}

export interface DataplaneModeDecision {
  readonly mode: DataplaneMode;
  /** Why, in a sentence a report can print. */
  readonly reason: string;
}

/** istio-cni's decision for one pod (see the file comment). */
export function dataplaneMode(i: DataplaneModeInput): DataplaneModeDecision {
  if (i.hostNetwork === true) return { mode: "none", reason: "host-network pods cannot be captured" };
  if (i.hasSidecar || i.podAnnotations?.[SIDECAR_STATUS_ANNOTATION] !== undefined) {
    return { mode: "sidecar", reason: "the pod has a sidecar, and sidecar mode wins over ambient" };
  }
  const pod = i.podLabels[DATAPLANE_MODE_LABEL];
  if (pod === DATAPLANE_MODE_AMBIENT) return { mode: "ambient", reason: `the pod is labelled ${DATAPLANE_MODE_LABEL}=ambient` };
  if (i.namespaceLabels[DATAPLANE_MODE_LABEL] === DATAPLANE_MODE_AMBIENT) {
    // The selector is `NotIn [none]`: any other pod value (even a typo) leaves the namespace's choice.
    if (pod === DATAPLANE_MODE_NONE) return { mode: "none", reason: `the pod is labelled ${DATAPLANE_MODE_LABEL}=none (opted out of its ambient namespace)` };
    return { mode: "ambient", reason: `its namespace is labelled ${DATAPLANE_MODE_LABEL}=ambient` };
  }
  return { mode: "none", reason: `neither the pod nor its namespace is labelled ${DATAPLANE_MODE_LABEL}=ambient` };
}

/** Kubernetes' and Istio's own namespaces, never enrolled by meshsim's no-Namespace-document rule. */
const SYSTEM = new Set(["istio-system", "kube-system", "kube-public", "kube-node-lease"]);

/**
 * The labels a namespace carries for enrolment. meshsim's rule, as for sidecar injection: a scenario
 * with no Namespace documents never said how its namespaces look, so in ambient mode each of its
 * namespaces (but the system ones) counts as labelled istio.io/dataplane-mode=ambient.
 */
export function enrolmentNamespaceLabels(namespace: string, namespaces: readonly Namespace[]): Readonly<Record<string, string>> {
  const doc = namespaces.find((n) => n.metadata.name === namespace);
  if (doc !== undefined) return doc.metadata.labels;
  if (namespaces.length === 0 && !SYSTEM.has(namespace)) return { [DATAPLANE_MODE_LABEL]: DATAPLANE_MODE_AMBIENT };
  return {};
}

/**
 * The data plane of a Deployment's pods under the scenario's install (`spec.mesh.mode`):
 * - none: no mesh at all;
 * - sidecar: the injector decides (no istio-cni ambient redirection in that profile);
 * - ambient: the injector still runs, but only for namespaces or pods labelled for it (the ambient
 *   profile does not inject by default), and istio-cni enrols the rest by their labels.
 */
export function deploymentDataplaneMode(
  mesh: Pick<MeshSettings, "mode" | "injection">,
  dep: Pick<Deployment, "metadata" | "podLabels" | "podAnnotations">,
  namespaces: readonly Namespace[],
  /** Labels applied since (a timeline `apply`), in place of the scenario's. */
  override?: { namespaceLabels?: Readonly<Record<string, string>>; podLabels?: Readonly<Record<string, string>> },
): DataplaneModeDecision {
  if (mesh.mode === "none") return { mode: "none", reason: "spec.mesh.mode is none" };
  const d = dep as Deployment;
  if (mesh.mode === "sidecar") {
    return injectsSidecar(mesh, d, namespaces)
      ? { mode: "sidecar", reason: "the injector gives it a sidecar" }
      : { mode: "none", reason: "the injector leaves it without a sidecar" };
  }
  const hasSidecar = injectsSidecar({ mode: "sidecar", injection: { enableNamespacesByDefault: false } }, d, namespaces);
  return dataplaneMode({
    namespaceLabels: override?.namespaceLabels ?? enrolmentNamespaceLabels(dep.metadata.namespace, namespaces),
    podLabels: override?.podLabels ?? dep.podLabels,
    podAnnotations: dep.podAnnotations,
    hasSidecar,
  });
}
