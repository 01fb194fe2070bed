// Named calibrations of a sidecar's cost, one per Istio release whose performance page published
// figures. Every row is "on that release's test hardware" (a hardware change alone moved the
// published p90 overhead from ~2 ms to < 0.4 ms between 1.19 and 1.20, istio/istio.io#14585), so a
// user picks the row closest to their own measurements, or overrides any coefficient.
//
// What each figure is fitted to, per proxy and per request, in Istio's benchmark set-up (fortio
// client → fortio server, 1 KB HTTP/1.1, mTLS, 2 workers, 1,000 rps):
// - cpuPerRequestMs = published vCPU per 1,000 rps (1 vCPU per 1,000 rps = 1 ms CPU per request);
// - afterResponseShare / mainThreadShare: the parts of that CPU spent on the worker after the
//   response left (telemetry), and off the workers (main thread, pilot-agent). Istio publishes no
//   split; it is chosen (meshsim) so that the on-path CPU and the workers' queueing fit inside the
//   published added latency (1.20's 0.5 ms of CPU per request next to +0.298 ms at p99 for two
//   proxies means most of its CPU cannot be on the request's path);
// - latency: the rest of a pass that is not this proxy's CPU (loopback hops, iptables, the kernel,
//   scheduling), lognormal, fitted (test/accuracy/proxy-calibration.test.ts) so that two sidecars add
//   the published p90/p99 in the benchmark set-up.
import type { DistributionSpec } from "../../engine/distributions/spec.js";

export interface ProxyCalibration {
  /** `mesh.proxy.profile` value. */
  name: string;
  /** Where the figures come from. */
  source: string;
  /** CPU per request per proxy at 1 KB HTTP/1.1 with mTLS and Istio's standard telemetry (ms). */
  cpuPerRequestMs: number;
  /** Share of cpuPerRequestMs that runs after the response (delays the worker's next request). */
  afterResponseShare: number;
  /** Share of cpuPerRequestMs spent off the worker threads (Envoy's main thread: stats flushes,
   * xDS, admin; pilot-agent), counted in the container's CPU but queued behind nobody. */
  mainThreadShare: number;
  /** CPU of a new connection's TLS handshake on the proxy's side (ms). */
  tlsHandshakeMs: number;
  /** CPU of a resumed TLS handshake (a session ticket: no certificate signature, no chain check) (ms). */
  tlsResumptionMs: number;
  /** CPU per KiB of body beyond the benchmark's 1 KiB each way (copy, parse, AES-GCM) (ms). */
  cpuPerKiBMs: number;
  /** CPU factor without mTLS (plain text between sidecars). */
  plaintextFactor: number;
  /** CPU per request of optional filters (ms). */
  filterCpuMs: { rbac: number; jwt: number; accessLog: number; tracing: number };
  /** The non-CPU part of one pass through a proxy. */
  latency: DistributionSpec;
  /** Resident memory of a proxy holding the benchmark's small config (MB, 10^6 bytes). */
  memoryBaseMB: number;
  /** The published figures this profile reproduces (for tests and docs). */
  published: { vcpuPer1000Rps: number; memoryMB: number; addedP90Ms: number; addedP99Ms: number };
}

// meshsim estimates shared by every profile (Istio publishes none; each is documented in
// docs/cpu-and-memory.md with its reasoning):
// - TLS handshake: Istio's workload certificates are RSA 2048 by default (istiod's CA signs
//   2048-bit RSA keys unless ECC_SIGNATURE_ALGORITHM is set); in a TLS 1.3 mutual handshake each side
//   makes one RSA-2048 signature (`openssl speed rsa2048`: ≈ 0.5 ms on a current x86 core), one
//   X25519/P-256 key exchange (≈ 0.05 ms) and verifies the peer's chain (≈ 0.05 ms) ⇒ ≈ 0.7 ms.
// - TLS resumption: a TLS 1.3 handshake on a session ticket (psk_dhe_ke) drops the signature and the
//   chain check and keeps the key exchange and the key schedule. BoringSSL's `bssl speed` (2023,
//   https://github.com/briansmith/ring/pull/1688): X25519 key generation
//   8–20 µs (50k–125k ops/s), the shared secret 20–25 µs (40k–49k ops/s); the key schedule's
//   ≈ 30 HMAC-SHA256 over short inputs ≈ 30 µs (SHA-256 of 16 B: 2.7M ops/s,
//   https://github.com/envoyproxy/envoy/issues/19037); the ticket's decryption or sealing and the
//   records a few µs ⇒ ≈ 0.08 ms. (It was 0.7 − 0.5 − 0.05 = 0.15 ms, which kept the full handshake's
//   unexplained remainder.) A 2024 run of Istio's circuit-breaking task bounds it too: its first
//   connection was up within ≈ 0.25 ms, two round trips included (docs/docs-vs-source.md).
// - per KiB: memcpy, HTTP parsing and AES-GCM at ≈ 1 GB/s in Envoy's buffers ⇒ ≈ 1 µs per KiB per
//   direction ⇒ 0.002 ms per extra KiB for both directions.
// - plain text: 10 % less than with mTLS (record encryption of 1 KB payloads is a small share).
// - filters: RBAC a few µs (in-memory matching), JWT ≈ 50 µs (signature verification of a cached
//   key), access log ≈ 20 µs (formatting + write), tracing ≈ 20 µs (span creation + report).
const SHARED = {
  tlsHandshakeMs: 0.7,
  tlsResumptionMs: 0.08,
  cpuPerKiBMs: 0.002,
  plaintextFactor: 0.9,
  filterCpuMs: { rbac: 0.005, jwt: 0.05, accessLog: 0.02, tracing: 0.02 },
};

export const PROXY_PROFILES: Readonly<Record<string, ProxyCalibration>> = {
  "istio-1.24": {
    name: "istio-1.24",
    source:
      "https://istio.io/latest/docs/ops/deployment/performance-and-scalability/ (1.24, 2-worker revision: 0.20 vCPU and ~60 MB per 1000 rps); " +
      "https://istio.io/latest/docs/overview/dataplane-modes/ (two sidecars add 0.63 ms p90, 0.88 ms p99)",
    cpuPerRequestMs: 0.2,
    afterResponseShare: 0.25,
    mainThreadShare: 0.25,
    ...SHARED,
    latency: { dist: "lognormal", median: 0.108, p99: 0.448 },
    memoryBaseMB: 60,
    published: { vcpuPer1000Rps: 0.2, memoryMB: 60, addedP90Ms: 0.63, addedP99Ms: 0.88 },
  },
  "istio-1.22": {
    name: "istio-1.22",
    source:
      "https://github.com/istio/istio.io/pull/15196 (1.22 page: 0.5 vCPU per 1000 rps, ~50 MB); " +
      "https://istio.io/latest/docs/overview/dataplane-modes/ (\"as of Istio 1.22\": 0.63 ms p90, 0.88 ms p99)",
    cpuPerRequestMs: 0.5,
    afterResponseShare: 0.2,
    mainThreadShare: 0.6,
    ...SHARED,
    latency: { dist: "lognormal", median: 0.103, p99: 0.44 },
    memoryBaseMB: 50,
    published: { vcpuPer1000Rps: 0.5, memoryMB: 50, addedP90Ms: 0.63, addedP99Ms: 0.88 },
  },
  "istio-1.20": {
    name: "istio-1.20",
    source: "https://github.com/istio/istio.io/pull/14228 (1.20 page: 0.5 vCPU per 1000 rps, ~50 MB, two sidecars +0.228 ms p90, +0.298 ms p99)",
    cpuPerRequestMs: 0.5,
    afterResponseShare: 0.08,
    mainThreadShare: 0.84,
    ...SHARED,
    latency: { dist: "lognormal", median: 0.0421, p99: 0.139 },
    memoryBaseMB: 50,
    published: { vcpuPer1000Rps: 0.5, memoryMB: 50, addedP90Ms: 0.228, addedP99Ms: 0.298 },
  },
  "istio-1.8": {
    name: "istio-1.8",
    source:
      "https://istio.io/v1.8/docs/ops/deployment/performance-and-scalability/ (0.5 vCPU per 1000 rps, 50 MB, two sidecars +2.65 ms p90, +2.91 ms p99; " +
      "meshsim's calibration before the CPU model, semantics.md §10.1)",
    cpuPerRequestMs: 0.5,
    afterResponseShare: 0.25,
    mainThreadShare: 0.25,
    ...SHARED,
    latency: { dist: "lognormal", median: 0.901, p99: 1.144 },
    memoryBaseMB: 50,
    published: { vcpuPer1000Rps: 0.5, memoryMB: 50, addedP90Ms: 2.65, addedP99Ms: 2.91 },
  },
};

export const DEFAULT_PROXY_PROFILE = "istio-1.24";

/**
 * ambient's node proxy, ztunnel (Rust, L4 only): Istio 1.24's performance page gives 0.06 vCPU and
 * 12 MB per 1,000 rps (1 KB HTTP/1.1 over HBONE, 2 worker threads); the "Sidecar or ambient?" page
 * says the two ztunnels of a hop add 0.16 ms at p90 and 0.20 ms at p99. The latency below is fitted
 * (test/proxy/ztunnel/ztunnel-calibration.test.ts) so that two passes — each the on-path CPU plus this
 * latency — add those percentiles. ztunnel parses no HTTP: the filters never run on it.
 * https://istio.io/latest/docs/ops/deployment/performance-and-scalability/
 * https://istio.io/latest/docs/overview/dataplane-modes/
 */
export const ZTUNNEL_PROFILE: ProxyCalibration = {
  name: "ztunnel-1.24",
  source:
    "https://istio.io/latest/docs/ops/deployment/performance-and-scalability/ (1.24: ztunnel 0.06 vCPU and 12 MB per 1000 rps); " +
    "https://istio.io/latest/docs/overview/dataplane-modes/ (two ztunnels add 0.16 ms p90, 0.20 ms p99)",
  cpuPerRequestMs: 0.06,
  // ztunnel has no per-request telemetry pass after the response (it reports per connection); the
  // half of its CPU off the request's path is its XDS/admin runtime and metrics (meshsim's split).
  afterResponseShare: 0,
  mainThreadShare: 0.5,
  ...SHARED,
  filterCpuMs: { rbac: 0, jwt: 0, accessLog: 0, tracing: 0 },
  latency: { dist: "lognormal", median: 0.033, p99: 0.088 },
  memoryBaseMB: 12,
  published: { vcpuPer1000Rps: 0.06, memoryMB: 12, addedP90Ms: 0.16, addedP99Ms: 0.2 },
};

/**
 * A waypoint (an Envoy deployed per namespace or service, 2 workers): Istio 1.24's performance page
 * gives 0.25 vCPU and 60 MB per 1,000 rps; "Sidecar or ambient?" says a hop through a waypoint (and
 * the two ztunnels) adds 0.40 ms at p90 and 0.50 ms at p99. The latency below is fitted
 * (test/mesh/waypoint-calibration.test.ts, scenarios/ambient/istio-benchmark-waypoint.yaml) so that
 * the two ztunnel passes and the waypoint's pass add those percentiles in Istio's set-up (1,000 rps
 * evenly spaced: fortio `-uniform -nocatchup`). It was {median 0.108, p99 0.3} ms, never fitted,
 * which added 0.45 / 0.56 ms in that set-up (+13 % / +12 %).
 */
export const WAYPOINT_PROFILE: ProxyCalibration = {
  name: "waypoint-1.24",
  source:
    "https://istio.io/latest/docs/ops/deployment/performance-and-scalability/ (1.24: waypoint 0.25 vCPU and 60 MB per 1000 rps); " +
    "https://istio.io/latest/docs/overview/dataplane-modes/ (ztunnels plus a waypoint add 0.40 ms p90, 0.50 ms p99)",
  cpuPerRequestMs: 0.25,
  afterResponseShare: 0.25,
  mainThreadShare: 0.25,
  ...SHARED,
  latency: { dist: "lognormal", median: 0.072, p99: 0.235 },
  memoryBaseMB: 60,
  published: { vcpuPer1000Rps: 0.25, memoryMB: 60, addedP90Ms: 0.4, addedP99Ms: 0.5 },
};

/** What a request asks of a proxy's CPU besides the benchmark's 1 KB HTTP/1.1 over mTLS. */
export interface RequestCpuInputs {
  requestBytes: number;
  responseBytes: number;
  mtls: boolean;
  filters?: { rbac?: boolean; jwt?: boolean; accessLog?: boolean; tracing?: boolean };
}

/** CPU (ms) one request costs one proxy, before the split into on-path and after-response work. */
export function requestCpuMs(cal: ProxyCalibration, x: RequestCpuInputs): number {
  const extraKiB = Math.max(0, x.requestBytes / 1024 - 1) + Math.max(0, x.responseBytes / 1024 - 1);
  let ms = cal.cpuPerRequestMs * (x.mtls ? 1 : cal.plaintextFactor) + extraKiB * cal.cpuPerKiBMs;
  const f = x.filters;
  if (f) {
    if (f.rbac) ms += cal.filterCpuMs.rbac;
    if (f.jwt) ms += cal.filterCpuMs.jwt;
    if (f.accessLog) ms += cal.filterCpuMs.accessLog;
    if (f.tracing) ms += cal.filterCpuMs.tracing;
  }
  return ms;
}

/**
 * The HTTP filters a proxy's listener runs before the router besides Istio's standard ones, as
 * istiod configures them: jwt_authn when a RequestAuthentication selects the workload, RBAC when an
 * AuthorizationPolicy does (istio/istio pilot/pkg/security/authz/builder/builder.go builds RBAC
 * filters from the policies selecting the workload, none without; pilot/pkg/security/authn adds
 * jwt_authn only for RequestAuthentication rules). Decided once per config version the proxy ACKed.
 */
export interface ListenerFilters {
  readonly rbac: boolean;
  readonly jwt: boolean;
}

export const NO_LISTENER_FILTERS: ListenerFilters = Object.freeze({ rbac: false, jwt: false });

/**
 * CPU (ms) per request of a listener's policy filters, on the request's path: jwt_authn and RBAC
 * run in decodeHeaders before the router forwards it (Istio performance page: "every additional
 * filter adds to the path length inside the proxy and affects latency",
 * https://istio.io/latest/docs/ops/deployment/performance-and-scalability/).
 */
export function listenerFilterCpuMs(cal: ProxyCalibration, f: ListenerFilters): number {
  return (f.rbac ? cal.filterCpuMs.rbac : 0) + (f.jwt ? cal.filterCpuMs.jwt : 0);
}

/** What the mesh records of every request: meshConfig.accessLogFile and tracing's sampling. */
export interface RequestRecording {
  accessLog: boolean;
  /** Share of requests traced (0: tracing off). */
  traceSample: number;
}

/**
 * CPU (ms) per pass of the access log and tracing, run after the response: Envoy writes the access
 * log when the stream ends and finishes a span then (Envoy's access log is emitted "on stream
 * completion", https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/observability/access_logging;
 * tracing's span is finished in onDestroy/log of the HTTP connection manager). A request not sampled
 * carries a null span (Envoy's Tracing::NullSpan) and costs nothing, so tracing's CPU is its cost
 * per span times the sampled share: the expected cost, without a draw per request.
 */
export function recordingCpuMs(cal: ProxyCalibration, r: RequestRecording): number {
  return (r.accessLog ? cal.filterCpuMs.accessLog : 0) + cal.filterCpuMs.tracing * r.traceSample;
}
