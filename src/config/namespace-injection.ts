// Which namespaces get sidecars, said out loud: Istio's injection analyzer (IST0102
// NamespaceNotInjected, IST0148 NamespaceInjectionEnabledByDefault), and a line for the run when
// namespaces holding workloads are left without sidecars.
// https://github.com/istio/istio/blob/master/pkg/config/analysis/analyzers/injection/injection.go
// Messages: https://github.com/istio/istio/blob/master/pkg/config/analysis/msg/messages.yaml
import type { Scenario } from "../scenario/model.js";
import { namespacesInjectedByDefault, injectsSidecar } from "../mesh/kube/sidecar-injection.js";
import type { AnalysisMessage } from "./analyze.js";

/** Istio skips its own and Kubernetes' system namespaces (pkg/config/analysis/analyzers/util). */
const SYSTEM = new Set(["istio-system", "kube-system", "kube-public", "kube-node-lease", "local-path-storage"]);

function notInjected(ns: string): AnalysisMessage {
  return {
    level: "Info", code: "IST0102", resource: `Namespace ${ns}`,
    message: `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${ns} istio-injection=enabled' to enable it, or 'kubectl label namespace ${ns} istio-injection=disabled' to explicitly mark it as not needing injection.`,
  };
}

/** Namespaces of the scenario's workloads (Deployments), in order of appearance. */
function workloadNamespaces(s: Scenario): string[] {
  return [...new Set(s.deployments.map((d) => d.metadata.namespace))];
}

/**
 * IST0102 for every namespace without an injection label, as Istio reports it for Namespace
 * documents; meshsim also reports a namespace that holds Deployments but has no document (it is
 * unlabelled). With enableNamespacesByDefault, IST0148 instead.
 */
export function analyzeInjection(s: Scenario): AnalysisMessage[] {
  if (s.simulation.mesh.mode !== "sidecar") return [];
  const byDefault = namespacesInjectedByDefault(s.simulation.mesh, s.namespaces);
  const names = [...s.namespaces.map((n) => n.metadata.name), ...workloadNamespaces(s)];
  const out: AnalysisMessage[] = [];
  for (const ns of new Set(names)) {
    if (SYSTEM.has(ns) || ns.startsWith("kube-")) continue;
    const labels = s.namespaces.find((n) => n.metadata.name === ns)?.metadata.labels ?? {};
    if (labels["istio-injection"] !== undefined || labels["istio.io/rev"] !== undefined) continue;
    // Without Namespace documents and without the setting, meshsim injects every namespace: there is
    // nothing to label, so nothing is reported (the scenario never said how its namespaces look).
    if (s.namespaces.length === 0 && s.simulation.mesh.injection.enableNamespacesByDefault === undefined) continue;
    out.push(byDefault
      ? { level: "Info", code: "IST0148", resource: `Namespace ${ns}`, message: "is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true." }
      : notInjected(ns));
  }
  return out;
}

/** One line per namespace whose Deployments all run without sidecars while the mesh has sidecars. */
export function uninjectedNamespaces(s: Scenario): { namespace: string; deployments: number; why: string }[] {
  if (s.simulation.mesh.mode !== "sidecar") return [];
  const out: { namespace: string; deployments: number; why: string }[] = [];
  for (const ns of workloadNamespaces(s)) {
    const deps = s.deployments.filter((d) => d.metadata.namespace === ns);
    if (deps.some((d) => injectsSidecar(s.simulation.mesh, d, s.namespaces))) continue;
    const doc = s.namespaces.find((n) => n.metadata.name === ns);
    const why = doc?.metadata.labels["istio-injection"] === "disabled" ? "it is labelled istio-injection=disabled"
      : doc === undefined && s.namespaces.length > 0 ? "the scenario has Namespace documents but none for it, so it is unlabelled"
      : doc === undefined ? "spec.mesh.injection.enableNamespacesByDefault is false and it has no Namespace document"
      : "its Namespace has no istio-injection=enabled (or istio.io/rev) label";
    out.push({ namespace: ns, deployments: deps.length, why });
  }
  return out;
}
