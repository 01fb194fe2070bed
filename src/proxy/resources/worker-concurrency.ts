// How many worker threads an Istio sidecar's Envoy runs (`--concurrency`).
// - ProxyConfig.concurrency (mesh default or the pod's `proxy.istio.io/config` annotation) wins;
//   0 means "all cores of the machine" (istio/api mesh/v1alpha1/proxy.proto, field `concurrency`:
//   "If unset, this will be automatically determined based on CPU requests/limits. If set to 0,
//   all cores on the machine will be used. Default is 2 worker threads.").
// - Unset: pilot-agent rounds the istio-proxy container's CPU limit up to whole cores, else its CPU
//   request (istio/istio pkg/bootstrap/config.go, DetermineConcurrencyOption: "500m limit ⇒ 1,
//   6500m ⇒ 7"). The limit/request come from the `sidecar.istio.io/proxyCPULimit` /
//   `proxyCPU` annotations, else the injected `global.proxy.resources` (100m request, 2000m limit:
//   manifests/charts/istio-control/istio-discovery/values.yaml) — hence Istio's default of 2.
// - Nothing known at all: 2, the documented default.
// https://github.com/istio/api/blob/master/mesh/v1alpha1/proxy.proto
// https://github.com/istio/istio/blob/master/pkg/bootstrap/config.go

/** Istio's documented default number of worker threads. */
export const DEFAULT_CONCURRENCY = 2;

export interface ConcurrencyInputs {
  /** ProxyConfig.concurrency when set (0 = every core of the node). */
  proxyConfigConcurrency?: number | undefined;
  /** The istio-proxy container's resources.limits.cpu, in cores. */
  cpuLimitCores?: number | undefined;
  /** The istio-proxy container's resources.requests.cpu, in cores. */
  cpuRequestCores?: number | undefined;
  /** Cores of the node the pod runs on (for concurrency 0). */
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
  if (x.cpuRequestCores !== undefined && x.cpuRequestCores > 0) return Math.ceil(x.cpuRequestCores - 1e-9);
  return DEFAULT_CONCURRENCY;
}
