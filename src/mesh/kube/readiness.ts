// When a starting pod becomes Ready, and so an endpoint of its Services, as the kubelet decides it.
// A container with a readinessProbe is Ready after `successThreshold` consecutive successful probes,
// the first at initialDelaySeconds and then every periodSeconds; a probe succeeds once the app
// listens. A container without one is Ready as soon as it runs (even if its app is still booting).
// The pod is Ready when all its containers are. Istio's injected istio-proxy has a startupProbe on
// 15021 /healthz/ready every 1 s (Istio ≥ 1.20), passing once Envoy has its first config from istiod.
// With holdApplicationUntilProxyStarts (Istio's default false) the app container starts only once
// the proxy is up; without it both start together. "Once up" is when something looks: a classic
// sidecar's postStart hook runs `pilot-agent wait`, which checks /healthz/ready first 500 ms after it
// starts and then every 500 ms; a native sidecar (where the template drops that hook) lets the app
// containers start when its startupProbe (every 1 s from 0) has passed.
// istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml ($holdProxy,
// startupProbe), pilot/cmd/pilot-agent/app/wait.go (periodMillis 500).
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

/**
 * What keeps the app containers from starting before the proxy: nothing, the classic sidecar's
 * postStart `pilot-agent wait` (holdApplicationUntilProxyStarts), or a native sidecar's startupProbe.
 */
export type AppHold = "none" | "pilot-agent-wait" | "native-startup-probe";

/** pilot-agent wait's --periodMillis (default 500): it sleeps that long before each check. */
export const PILOT_AGENT_WAIT_PERIOD_MS = 500;

/** When the app containers start (ms after the pod), its proxy being up at `proxyUpMs`. */
export function appStartMs(proxyUpMs: number | undefined, hold: AppHold): number {
  if (proxyUpMs === undefined || hold === "none") return 0;
  if (hold === "native-startup-probe") return readyAfterMs(ISTIO_PROXY_STARTUP_PROBE, proxyUpMs);
  return Math.max(1, Math.ceil(proxyUpMs / PILOT_AGENT_WAIT_PERIOD_MS)) * PILOT_AGENT_WAIT_PERIOD_MS;
}

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
  proxyUpMs: number | undefined, hold: AppHold, appStartupMs: number, probes: readonly ProbeTiming[],
): PodStart {
  const sidecarReady = proxyUpMs === undefined ? 0 : readyAfterMs(ISTIO_PROXY_STARTUP_PROBE, proxyUpMs);
  const appStart = appStartMs(proxyUpMs, hold);
  return { appUpMs: appStart + appStartupMs, readyMs: Math.max(sidecarReady, appStart + appReadyAfterMs(probes, appStartupMs)) };
}

/** The app containers are Ready this long after they start (the slowest of them). */
export function appReadyAfterMs(probes: readonly ProbeTiming[], appStartupMs: number): number {
  let ready = 0;
  for (const p of probes) ready = Math.max(ready, readyAfterMs(p, appStartupMs));
  return ready;
}
