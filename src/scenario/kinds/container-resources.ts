// What a pod template says about CPU and memory: each container's resources.requests/limits, and
// for the injected istio-proxy container Istio's annotations and ProxyConfig.
// - sidecar.istio.io/proxyCPU, proxyCPULimit, proxyMemory, proxyMemoryLimit set the injected
//   container's requests and limits (istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml);
//   without them the injector's global.proxy.resources apply (100m / 128Mi requests, 2000m / 1Gi
//   limits: manifests/charts/istio-control/istio-discovery/values.yaml).
// - proxy.istio.io/config `concurrency` (ProxyConfig, istio/api mesh/v1alpha1/proxy.proto).
// https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
import { parse as parseYaml } from "yaml";
import type { ContainerResources, ProxyResources } from "../model.js";
import { parseCpuMillis, parseQuantity } from "../quantity.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { readCpu } from "./node.js";

function readPair(m: YamlMap | undefined): { cpuMillis?: number; memoryBytes?: number } {
  const out: { cpuMillis?: number; memoryBytes?: number } = {};
  if (!m) return out;
  const cpu = m.get("cpu");
  const mem = m.get("memory");
  const c = cpu ? readCpu(cpu) : undefined;
  const b = mem ? mem.bytes() : undefined;
  if (c !== undefined) out.cpuMillis = c;
  if (b !== undefined) out.memoryBytes = b;
  return out;
}

/** A container's name and resources (absent fields: not set). */
export function readContainerResources(c: YamlMap, index: number): ContainerResources {
  const r = c.get("resources")?.map();
  return {
    name: c.get("name")?.str() ?? `container-${index}`,
    requests: readPair(r?.get("requests")?.map()),
    limits: readPair(r?.get("limits")?.map()),
  };
}

/** The istio-proxy container's resources and ProxyConfig.concurrency from the pod's annotations. */
export function readProxyResources(annotationsV: YamlMap | undefined, annotations: Record<string, string>): ProxyResources {
  const out: ProxyResources = {};
  const at = (key: string): YamlValue | undefined => annotationsV?.get(key);
  const cpu = (key: string): number | undefined => {
    const text = annotations[key];
    if (text === undefined) return undefined;
    try {
      return parseCpuMillis(text);
    } catch (e) {
      return at(key)?.error((e as Error).message);
    }
  };
  const mem = (key: string): number | undefined => {
    const text = annotations[key];
    if (text === undefined) return undefined;
    try {
      return parseQuantity(text);
    } catch (e) {
      return at(key)?.error((e as Error).message);
    }
  };
  const cr = cpu("sidecar.istio.io/proxyCPU");
  const cl = cpu("sidecar.istio.io/proxyCPULimit");
  const mr = mem("sidecar.istio.io/proxyMemory");
  const ml = mem("sidecar.istio.io/proxyMemoryLimit");
  if (cr !== undefined) out.cpuRequestMillis = cr;
  if (cl !== undefined) out.cpuLimitMillis = cl;
  if (mr !== undefined) out.memoryRequestBytes = mr;
  if (ml !== undefined) out.memoryLimitBytes = ml;
  const text = annotations["proxy.istio.io/config"];
  if (text !== undefined) {
    let cfg: unknown;
    try {
      cfg = parseYaml(text);
    } catch {
      cfg = undefined; // reported by the holdApplicationUntilProxyStarts reader
    }
    const conc = cfg !== null && typeof cfg === "object" ? (cfg as Record<string, unknown>)["concurrency"] : undefined;
    if (conc !== undefined) {
      if (typeof conc === "number" && Number.isInteger(conc) && conc >= 0) out.concurrency = conc;
      else at("proxy.istio.io/config")?.error("concurrency must be a whole number ≥ 0 (0: all cores of the node)");
    }
  }
  return out;
}
