// How many worker threads an Istio sidecar's Envoy runs (`--concurrency`), as pilot-agent decides
// (istio/istio pilot/cmd/pilot-agent/config/config.go, ConstructProxyConfig, read at 86c9f01):
// - ProxyConfig.concurrency (mesh default or the pod's `proxy.istio.io/config` annotation) wins;
//   0 means "all cores of the machine": pilot-agent then passes no `--concurrency`
//   (pkg/envoy/proxy.go) and Envoy runs std::thread::hardware_concurrency() workers.
// - Unset: ISTIO_CPU_LIMIT, which the injection template fills from the downward API
//   (`resourceFieldRef: limits.cpu, divisor: "1"`, rounded up: 500m ⇒ 1, 2500m ⇒ 3). The CPU
//   *request* plays no part. A container without a CPU limit gets the node's allocatable CPU from
//   the downward API (https://kubernetes.io/docs/concepts/workloads/pods/downward-api/#fallback-information),
//   so such a sidecar runs one worker per allocatable core of its node.
//   The limit comes from `sidecar.istio.io/proxyCPULimit`, else the injected `global.proxy.resources`
//   (2000m: manifests/charts/istio-control/istio-discovery/values.yaml) — hence 2 by default.
// - Docs vs source: proxy.proto says "Default is 2 worker threads" and (older docs) that the
//   request counts; the source reads the limit only (docs/docs-vs-source.md).
// - Node unknown (a node "large enough for everything", no Node documents): 2, the documented default.
// https://github.com/istio/api/blob/master/mesh/v1alpha1/proxy.proto
// https://github.com/istio/istio/blob/86c9f01fd73/pilot/cmd/pilot-agent/config/config.go#L63-L76
// https://github.com/istio/istio/blob/86c9f01fd73/manifests/charts/istio-control/istio-discovery/files/injection-template.yaml#L270-L274

/** Istio's documented default number of worker threads. */
export const DEFAULT_CONCURRENCY = 2;

export interface ConcurrencyInputs {
  /** ProxyConfig.concurrency when set (0 = every core of the node). */
  proxyConfigConcurrency?: number | undefined;
  /** The istio-proxy container's resources.limits.cpu, in cores. */
  cpuLimitCores?: number | undefined;
  /** Allocatable cores of the node the pod runs on (concurrency 0, or no CPU limit). */
  nodeCores: number;
}

export function envoyConcurrency(x: ConcurrencyInputs): number {
  if (x.proxyConfigConcurrency !== undefined) {
    if (x.proxyConfigConcurrency > 0) return Math.floor(x.proxyConfigConcurrency);
    // Envoy's --concurrency 0 is std::thread::hardware_concurrency(); a node "large enough for
    // everything" has no finite count, so meshsim then falls back to the default.
    return Number.isFinite(x.nodeCores) && x.nodeCores >= 1 ? Math.floor(x.nodeCores) : DEFAULT_CONCURRENCY;
  }
  if (x.cpuLimitCores !== undefined && x.cpuLimitCores > 0) return Math.ceil(x.cpuLimitCores - 1e-9);
  // No limit: the downward API's limits.cpu is the node's allocatable CPU, rounded up.
  return Number.isFinite(x.nodeCores) && x.nodeCores > 0 ? Math.ceil(x.nodeCores - 1e-9) : DEFAULT_CONCURRENCY;
}
