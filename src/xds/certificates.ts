// Workload certificates: istio-agent in each sidecar pod sends a CSR to istiod's CA when the pod
// starts and serves the signed certificate to Envoy over SDS (resource `default`, with the root
// `ROOTCA`). It is valid for `workloadTTL` (SECRET_TTL, 24 h by default) and the agent re-requests it
// once SECRET_GRACE_PERIOD_RATIO (0.5) of its life remains, moved by up to
// SECRET_GRACE_PERIOD_RATIO_JITTER (0.01) either way, so rotations spread out. Signing needs istiod:
// while it is down, rotations fail and are retried, and a certificate that outlives its notAfter is
// rejected by peers (new mTLS handshakes fail: 503 UF at the client sidecar).
// https://istio.io/latest/docs/reference/commands/pilot-agent/ (SECRET_TTL, SECRET_GRACE_PERIOD_RATIO);
// https://github.com/istio/istio/blob/master/security/pkg/nodeagent/cache/secretcache.go (rotateTime)
import type { Simulator } from "../engine/simulator.js";
import type { UniformSource } from "../engine/rng.js";
import type { Pod } from "../mesh/kube/pod.js";

export const GRACE_PERIOD_RATIO = 0.5;
export const GRACE_PERIOD_RATIO_JITTER = 0.01;
/** Istio's self-signed root: 10 years. */
export const ROOT_CA_TTL_MS = 3650 * 24 * 3_600_000;

export interface WorkloadCertificate {
  readonly serial: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** When the agent will ask for the next one. */
  readonly rotateAtMs: number;
  /** When the pod's agent got its first certificate (and, with it, the root: SDS `ROOTCA`). */
  readonly firstIssuedMs: number;
}

export interface CertificateObserver {
  issued(pod: Pod, cert: WorkloadCertificate, now: number): void;
  expired(pod: Pod, now: number): void;
}

/** The rotation point of a certificate: when gracePeriodRatio ± jitter of its lifetime remains. */
export function rotationTime(notBeforeMs: number, ttlMs: number, u: number): number {
  const ratio = GRACE_PERIOD_RATIO + (2 * u - 1) * GRACE_PERIOD_RATIO_JITTER;
  return notBeforeMs + ttlMs * (1 - ratio);
}

export class CertificateAuthority {
  private readonly certs = new Map<Pod, WorkloadCertificate>();
  private readonly kRotate: number;
  private readonly kExpire: number;
  private serial = 0;
  /** Pods whose agent could not reach istiod: they get their certificate when it is back. */
  private readonly waiting = new Set<Pod>();
  readonly rootSerial = "1";

  constructor(
    private readonly sim: Simulator,
    private readonly ttlMs: number,
    private readonly jitter: UniformSource,
    private readonly isUp: () => boolean,
    private readonly observer: CertificateObserver,
  ) {
    this.kRotate = sim.on((pod: Pod) => this.rotate(pod));
    this.kExpire = sim.on((c: Expiry) => this.expire(c));
  }

  certificateOf(pod: Pod): WorkloadCertificate | undefined {
    return this.certs.get(pod);
  }

  /** The agent asks for a certificate; false when istiod cannot sign now. */
  request(pod: Pod): boolean {
    if (!this.isUp() || !pod.alive) return false;
    this.install(pod, this.sign(pod, this.sim.now));
    return true;
  }

  // Signing and installing are two small methods rather than one: every pod's agent asks once at
  // start, and a function run once per pod of a 1,000-pod mesh is compiled by V8's TurboFan, for
  // nothing, when its bytecode is long enough (V8 src/execution/tiering-manager.cc: an interrupt
  // budget of 66 KB of bytecode per tick, 3 + length / 150 ticks; docs/performance.md, Goal 4, session 20).

  /** istiod's CA signs the pod's CSR: a certificate from now for the workload TTL. */
  private sign(pod: Pod, now: number): WorkloadCertificate {
    return {
      serial: (++this.serial).toString(16).padStart(8, "0"),
      notBeforeMs: now,
      notAfterMs: now + this.ttlMs,
      rotateAtMs: rotationTime(now, this.ttlMs, this.jitter()),
      firstIssuedMs: this.certs.get(pod)?.firstIssuedMs ?? now,
    };
  }

  /** The agent serves the certificate over SDS and schedules its rotation and its expiry. */
  private install(pod: Pod, cert: WorkloadCertificate): void {
    this.certs.set(pod, cert);
    pod.certNotAfter = cert.notAfterMs;
    this.sim.at(cert.rotateAtMs, this.kRotate, pod);
    this.sim.at(cert.notAfterMs, this.kExpire, new Expiry(pod, cert));
    this.observer.issued(pod, cert, cert.notBeforeMs);
  }

  private rotate(pod: Pod): void {
    if (!pod.alive) return;
    // The agent retries with backoff until istiod answers; meshsim lets it succeed as soon as istiod is up.
    if (!this.request(pod)) this.waiting.add(pod);
  }

  /** istiod is back: the agents that were retrying get their certificates. */
  retryWaiting(): void {
    const pods = [...this.waiting];
    this.waiting.clear();
    for (const p of pods) if (p.alive) this.request(p);
  }

  private expire(c: Expiry): void {
    if (this.certs.get(c.pod) === c.cert && c.pod.alive) this.observer.expired(c.pod, this.sim.now);
  }
}

class Expiry {
  constructor(readonly pod: Pod, readonly cert: WorkloadCertificate) {}
}
