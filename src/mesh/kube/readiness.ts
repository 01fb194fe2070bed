// When a starting pod becomes Ready, and so an endpoint of its Services, as the kubelet decides it.
// A container with a readinessProbe is Ready after `successThreshold` consecutive successful probes,
// the first at initialDelaySeconds and then every periodSeconds; a probe succeeds once the app
// listens. A container without one is Ready as soon as it runs (even if its app is still booting).
// The pod is Ready when all its containers are. Istio's injected istio-proxy has a startupProbe on
// 15021 /healthz/ready every 1 s (Istio ≥ 1.20), passing once Envoy has its first config from istiod.
// With holdApplicationUntilProxyStarts (Istio's default false) the app container starts only once
// the proxy is up; without it both start together.
// https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
// https://istio.io/latest/news/releases/1.20.x/announcing-1.20/upgrade-notes/
// https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#ProxyConfig (holdApplicationUntilProxyStarts)

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  successThreshold: number;
}

/** Istio's istio-proxy startupProbe (initialDelaySeconds 0, periodSeconds 1). */
export const ISTIO_PROXY_STARTUP_PROBE: ProbeTiming = { initialDelayMs: 0, periodMs: 1000, successThreshold: 1 };

/** How long after its container starts a container is Ready, when its app listens `upMs` after the start. */
export function readyAfterMs(probe: ProbeTiming | undefined, upMs: number): number {
  if (probe === undefined) return 0;
  const k = Math.max(0, Math.ceil((upMs - probe.initialDelayMs) / probe.periodMs));
  return probe.initialDelayMs + (k + probe.successThreshold - 1) * probe.periodMs;
}

export interface PodStart {
  /** When the app listens (ms after the pod starts). */
  appUpMs: number;
  /** When the pod is Ready (all containers). */
  readyMs: number;
}

/**
 * A new pod's timings (ms after it is created). `proxyUpMs`: when its Envoy has its first config
 * (undefined: no sidecar); `appStartupMs`: how long its app takes to listen once its container runs;
 * `probes`: the readinessProbes of its app containers.
 */
export function podStart(
  proxyUpMs: number | undefined, hold: boolean, appStartupMs: number, probes: readonly ProbeTiming[],
): PodStart {
  const sidecarReady = proxyUpMs === undefined ? 0 : readyAfterMs(ISTIO_PROXY_STARTUP_PROBE, proxyUpMs);
  const appStart = hold && proxyUpMs !== undefined ? proxyUpMs : 0;
  return { appUpMs: appStart + appStartupMs, readyMs: Math.max(sidecarReady, appStart + appReadyAfterMs(probes, appStartupMs)) };
}

/** The app containers are Ready this long after they start (the slowest of them). */
export function appReadyAfterMs(probes: readonly ProbeTiming[], appStartupMs: number): number {
  let ready = 0;
  for (const p of probes) ready = Math.max(ready, readyAfterMs(p, appStartupMs));
  return ready;
}
