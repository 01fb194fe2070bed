// A pod's containers and their resources.requests as the API server stores them, for the HPA:
// the Deployment's containers, and the injected istio-proxy (Istio's injection template: the
// sidecar.istio.io/proxyCPU, proxyMemory, proxyCPULimit, proxyMemoryLimit annotations when any is
// set, only those; else global.proxy.resources, 100m / 128Mi). A container with a limit and no
// request gets the limit as its request (Kubernetes' defaulting):
// https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
// So annotating only proxyMemory leaves istio-proxy without a CPU request, and the HPA's CPU
// utilisation cannot be computed (istio/istio#35905).
import type { Deployment } from "../../scenario/model.js";
import { ISTIO_PROXY_DEFAULT_RESOURCES } from "./pod-resources.js";

export const ISTIO_PROXY = "istio-proxy";

/** One container: requests in milli-units (millicores; bytes × 1000), undefined where not requested. */
export interface ContainerRequests {
  name: string;
  cpuMilli: number | undefined;
  memoryMilli: number | undefined;
}

export function containerRequests(dep: Deployment, hasSidecar: boolean): ContainerRequests[] {
  const out: ContainerRequests[] = [];
  const cs = dep.containers ?? [{ name: "app", requests: {}, limits: {} }];
  for (const c of cs) {
    const cpu = c.requests.cpuMillis ?? c.limits.cpuMillis;
    const mem = c.requests.memoryBytes ?? c.limits.memoryBytes;
    out.push({ name: c.name, cpuMilli: cpu, memoryMilli: mem === undefined ? undefined : mem * 1000 });
  }
  if (hasSidecar) {
    const p = dep.proxy ?? {};
    const annotated = p.cpuRequestMillis !== undefined || p.cpuLimitMillis !== undefined || p.memoryRequestBytes !== undefined || p.memoryLimitBytes !== undefined;
    const d = ISTIO_PROXY_DEFAULT_RESOURCES.requests;
    const cpu = annotated ? p.cpuRequestMillis ?? p.cpuLimitMillis : d.cpuMillis;
    const mem = annotated ? p.memoryRequestBytes ?? p.memoryLimitBytes : d.memoryBytes;
    out.push({ name: ISTIO_PROXY, cpuMilli: cpu, memoryMilli: mem === undefined ? undefined : mem * 1000 });
  }
  return out;
}
