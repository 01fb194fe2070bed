// `analyze` messages about HorizontalPodAutoscalers that can never compute a replica count, found
// before the run: the same check the controller makes at every sync (calculatePodRequests in
// kubernetes replica_calculator.go), with the condition it would report. The classic case is a
// sidecar without a CPU request (istio/istio#35905): any sidecar.istio.io/proxy* resource annotation
// makes Istio's injector write only the resources annotated.
// - MSH0140 (Warning): a Utilization metric on a resource some container does not request;
// - MSH0141 (Warning): a ContainerResource metric naming a container the pods do not have.
import type { Scenario } from "../scenario/model.js";
import { containerRequests } from "../mesh/kube/container-requests.js";
import { injectsSidecar } from "../mesh/kube/sidecar-injection.js";
import type { AnalysisMessage } from "./analyze.js";

export function analyzeAutoscalers(s: Scenario): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  for (const h of s.autoscalers ?? []) {
    const dep = s.deployments.find((d) => d.metadata.namespace === h.metadata.namespace && d.metadata.name === h.target);
    if (dep === undefined) continue;
    const containers = containerRequests(dep, injectsSidecar(s.simulation.mesh, dep, s.namespaces));
    const resource = `HorizontalPodAutoscaler ${h.metadata.name}.${h.metadata.namespace}`;
    const pod = `${dep.metadata.name}-0`;
    for (const m of h.metrics) {
      if (m.container !== undefined && !containers.some((c) => c.name === m.container)) {
        out.push({
          level: "Warning", code: "MSH0141", resource,
          message: `${m.path}: ScalingActive False FailedGetContainerResourceMetric: container ${m.container} not present in metrics for pod ${dep.metadata.namespace}/${pod} (containers: ${containers.map((c) => c.name).join(", ")}); the HPA never scales`,
        });
        continue;
      }
      if (m.target.type !== "Utilization") continue;
      const missing = containers.find((c) => (m.container === undefined || c.name === m.container) && (m.resource === "cpu" ? c.cpuMilli : c.memoryMilli) === undefined);
      if (missing === undefined) continue;
      out.push({
        level: "Warning", code: "MSH0140", resource,
        message: `${m.path}: ScalingActive False ${m.type === "ContainerResource" ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric"}: missing request for ${m.resource} in container ${missing.name} of Pod ${pod}; the HPA never scales` +
          (missing.name === "istio-proxy" ? " (a sidecar.istio.io/proxy* resource annotation makes Istio inject only the resources annotated: set sidecar.istio.io/proxyCPU too, or use a ContainerResource metric on the app)" : ""),
      });
    }
  }
  return out;
}
