// Envoy outlier detection for one client proxy and one upstream cluster, as Envoy ≥ 1.28 does it
// (consecutive errors ejecting; success rate and failure percentage detected but never enforced):
// - per host, consecutive 5xx / gateway-error / local-origin counters; reaching exactly N detects
//   an outlier, inline (Envoy posts it to the main thread, µs later; meshsim ejects at once);
// - the cap check is strict: eject only if 100·(ejected+1)/hosts ≤ max_ejection_percent (no free
//   first ejection), else ejections_overflow; then the enforcing % decides (Istio: 100, or 0 for
//   gateway errors when unset);
// - an ejection multiplier m grows by one per ejection (while m·base < max + base); ejection k in a
//   row lasts min(base·m, max_ejection_time); hosts return only at interval sweeps, so real ejection
//   time rounds up to the next sweep; at each sweep a host back for at least one full interval has
//   m decreased by one;
// - success rate and failure percentage run at every sweep over the previous interval's requests
//   (Envoy's defaults: 5 hosts, 100 / 50 requests, mean − 1.9·stdev, 85 % failures). Istio writes
//   enforcing_success_rate 0 and leaves enforcing_failure_percentage at Envoy's 0, so they never
//   eject, but a detection still counts, and the cap still counts it in ejections_overflow.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
// envoyproxy/envoy source/common/upstream/outlier_detection_impl.cc
// istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (applyOutlierDetection)
import type { OutlierDetection } from "./api/networking.js";
import type { AttemptOutcome } from "./route/retry-policy.js";
import { SuccessRateAccumulator, type SuccessRateSettings, type SweepEjectionType } from "./success-rate-accumulator.js";

export interface OutlierConfig extends SuccessRateSettings {
  consecutive5xx: number;
  enforcingConsecutive5xx: number;
  consecutiveGatewayFailure: number;
  enforcingConsecutiveGatewayFailure: number;
  splitExternalLocalOriginErrors: boolean;
  consecutiveLocalOriginFailure: number;
  enforcingConsecutiveLocalOriginFailure: number;
  intervalMs: number;
  baseEjectionTimeMs: number;
  maxEjectionTimeMs: number;
  maxEjectionPercent: number;
}

/** The Envoy outlier_detection Istio writes for a DR's outlierDetection block. */
export function istioOutlierConfig(od: OutlierDetection): OutlierConfig {
  const c5 = od.consecutive5xxErrors ?? 5;
  const gw = od.consecutiveGatewayErrors;
  const local = od.consecutiveLocalOriginFailures ?? 0;
  const base = od.baseEjectionTimeMs ?? 30_000;
  const mep = od.maxEjectionPercent ?? 0;
  return {
    consecutive5xx: c5,
    enforcingConsecutive5xx: c5 > 0 ? 100 : 0,
    // Unset: Envoy's threshold 5 with enforcing 0 — detected (and capped) but never enforced.
    consecutiveGatewayFailure: gw ?? 5,
    enforcingConsecutiveGatewayFailure: gw !== undefined && gw > 0 ? 100 : 0,
    splitExternalLocalOriginErrors: od.splitExternalLocalOriginErrors === true,
    consecutiveLocalOriginFailure: local > 0 ? local : 5,
    enforcingConsecutiveLocalOriginFailure: 100,
    intervalMs: od.intervalMs ?? 10_000,
    baseEjectionTimeMs: base,
    maxEjectionTimeMs: Math.max(300_000, base),
    maxEjectionPercent: mep > 0 ? Math.min(100, mep) : 10,
    successRateMinimumHosts: 5,
    successRateRequestVolume: 100,
    successRateStdevFactor: 1.9,
    enforcingSuccessRate: 0,
    failurePercentageThreshold: 85,
    failurePercentageMinimumHosts: 5,
    failurePercentageRequestVolume: 50,
    enforcingFailurePercentage: 0,
  };
}

export type EjectionType =
  | "consecutive_5xx" | "consecutive_gateway_failure" | "consecutive_local_origin_failure"
  | "success_rate" | "local_origin_success_rate" | "failure_percentage" | "local_origin_failure_percentage";

export interface OutlierEvent {
  action: "eject" | "uneject";
  host: number;
  time: number;
  type?: EjectionType;
  /** Ejections of this host so far (Envoy num_ejections). */
  numEjections: number;
  /** For "eject": how long the host stays out at least (before rounding up to a sweep). */
  durationMs?: number;
}

/** Outlier detection stats under Envoy's names (outlier_detection.*). */
export interface OutlierStats {
  ejections_active: number;
  ejections_overflow: number;
  ejections_enforced_total: number;
  ejections_enforced_consecutive_5xx: number;
  ejections_detected_consecutive_5xx: number;
  ejections_enforced_consecutive_gateway_failure: number;
  ejections_detected_consecutive_gateway_failure: number;
  ejections_enforced_consecutive_local_origin_failure: number;
  ejections_detected_consecutive_local_origin_failure: number;
  ejections_detected_success_rate: number;
  ejections_detected_failure_percentage: number;
  ejections_detected_local_origin_success_rate: number;
  ejections_detected_local_origin_failure_percentage: number;
}

export interface OutlierListener {
  onEject?(host: number, now: number): void;
  onUneject?(host: number, now: number): void;
}

/** What the router reports for an attempt, in Envoy's terms (Outlier::Result plus HTTP status). */
export type OutlierResult =
  | { kind: "http"; status: number }
  | { kind: "connect-failed" }
  | { kind: "timeout" }
  | { kind: "connect-success" };

const CONNECT_FAILED: OutlierResult = Object.freeze({ kind: "connect-failed" });
const TIMEOUT: OutlierResult = Object.freeze({ kind: "timeout" });

export class OutlierDetector {
  readonly stats: OutlierStats = {
    ejections_active: 0, ejections_overflow: 0, ejections_enforced_total: 0,
    ejections_enforced_consecutive_5xx: 0, ejections_detected_consecutive_5xx: 0,
    ejections_enforced_consecutive_gateway_failure: 0, ejections_detected_consecutive_gateway_failure: 0,
    ejections_enforced_consecutive_local_origin_failure: 0, ejections_detected_consecutive_local_origin_failure: 0,
    ejections_detected_success_rate: 0, ejections_detected_failure_percentage: 0,
    ejections_detected_local_origin_success_rate: 0, ejections_detected_local_origin_failure_percentage: 0,
  };
  /** Ejection and un-ejection events, oldest first, at most eventLimit kept (then eventsDropped counts). */
  readonly events: OutlierEvent[] = [];
  eventsDropped = 0;
  /** When the caller should call sweep() next. */
  nextSweepAt: number;

  private n: number;
  private c5xx: Int32Array;
  private cGateway: Int32Array;
  private cLocal: Int32Array;
  private ejected: Uint8Array;
  private multiplier: Int32Array;
  private numEjections: Int32Array;
  private lastEjection: Float64Array;
  private lastUnejection: Float64Array;
  private successRates: SuccessRateAccumulator;

  constructor(
    readonly config: OutlierConfig,
    hostCount: number,
    /** Time the detector starts (its first sweep is one interval later). */
    startAt = 0,
    private readonly listener: OutlierListener = {},
    /** How many events to keep (memory stays flat). */
    readonly eventLimit = 10_000,
    /** Enforcement draw for enforcing % strictly between 0 and 100 (Istio uses only 0 and 100). */
    private readonly source: () => number = () => 0,
  ) {
    this.n = hostCount;
    this.c5xx = new Int32Array(hostCount);
    this.cGateway = new Int32Array(hostCount);
    this.cLocal = new Int32Array(hostCount);
    this.ejected = new Uint8Array(hostCount);
    this.multiplier = new Int32Array(hostCount);
    this.numEjections = new Int32Array(hostCount);
    this.lastEjection = new Float64Array(hostCount).fill(NaN);
    this.lastUnejection = new Float64Array(hostCount).fill(NaN);
    this.successRates = new SuccessRateAccumulator(hostCount);
    this.nextSweepAt = startAt + config.intervalMs;
  }

  get hostCount(): number {
    return this.n;
  }

  isEjected(host: number): boolean {
    return this.ejected[host] === 1;
  }

  /** The host's current ejection multiplier (ejection k in a row lasts min(base·k, max)). */
  ejectionMultiplier(host: number): number {
    return this.multiplier[host]!;
  }

  /**
   * Report one attempt's outcome for `host` (as Envoy's router does); true if it ejected the host.
   * Mapping: a response → its status; connect failure and upstream reset / refused stream →
   * LOCAL_ORIGIN_CONNECT_FAILED (503 unless split); per-try or route timeout while awaiting headers
   * → LOCAL_ORIGIN_TIMEOUT (504 unless split). Overflow (UO) and fault aborts are local decisions
   * and are not reported (Envoy ≥ 1.26).
   */
  reportResult(host: number, outcome: AttemptOutcome, now: number): boolean {
    switch (outcome.kind) {
      case "response":
        // In split mode the router first reported the connection as established (onPoolReady).
        if (this.config.splitExternalLocalOriginErrors) this.localOriginNoFailure(host);
        return this.putHttpStatus(host, outcome.status, now);
      case "connect-failure":
        return this.putResult(host, CONNECT_FAILED, now);
      case "reset":
      case "refused-stream":
        if (this.config.splitExternalLocalOriginErrors) this.localOriginNoFailure(host);
        return this.putResult(host, CONNECT_FAILED, now);
      case "per-try-timeout":
      case "route-timeout":
        if (this.config.splitExternalLocalOriginErrors) this.localOriginNoFailure(host);
        return this.putResult(host, TIMEOUT, now);
      default:
        return false;
    }
  }

  /** Envoy putResult: local-origin events, mapped to HTTP codes unless split mode is on. */
  putResult(host: number, result: OutlierResult, now: number): boolean {
    if (result.kind === "http") return this.putHttpStatus(host, result.status, now);
    if (!this.config.splitExternalLocalOriginErrors) {
      if (result.kind === "connect-failed") return this.putHttpStatus(host, 503, now);
      if (result.kind === "timeout") return this.putHttpStatus(host, 504, now);
      return false; // connect success is not translated
    }
    if (result.kind === "connect-success") {
      this.localOriginNoFailure(host);
      return false;
    }
    this.successRates.record(1, host, false);
    if (++this.cLocal[host]! === this.config.consecutiveLocalOriginFailure) return this.detected(host, "consecutive_local_origin_failure", now);
    return false;
  }

  /** Envoy localOriginNoFailure: a local-origin success (split mode only). */
  private localOriginNoFailure(host: number): void {
    this.successRates.record(1, host, true);
    this.cLocal[host] = 0;
  }

  /** Envoy putHttpResponseCode. */
  putHttpStatus(host: number, status: number, now: number): boolean {
    const ok = status < 500 || status > 599;
    this.successRates.record(0, host, ok);
    if (ok) {
      this.c5xx[host] = 0;
      this.cGateway[host] = 0;
      return false;
    }
    let ejected = false;
    if (status >= 502 && status <= 504) {
      if (++this.cGateway[host]! === this.config.consecutiveGatewayFailure) ejected = this.detected(host, "consecutive_gateway_failure", now);
    } else this.cGateway[host] = 0;
    if (++this.c5xx[host]! === this.config.consecutive5xx) ejected = this.detected(host, "consecutive_5xx", now) || ejected;
    return ejected;
  }

  /** Envoy updateDetectedEjectionStats + ejectHost for the interval's detections (SR, FP). */
  private detectedAtSweep(host: number, type: EjectionType, enforcing: number, now: number): void {
    const s = this.stats;
    if (type === "success_rate") s.ejections_detected_success_rate++;
    else if (type === "failure_percentage") s.ejections_detected_failure_percentage++;
    else if (type === "local_origin_success_rate") s.ejections_detected_local_origin_success_rate++;
    else s.ejections_detected_local_origin_failure_percentage++;
    this.eject(host, type, enforcing, now);
  }

  /** Envoy onConsecutiveErrorWorker + ejectHost. */
  private detected(host: number, type: EjectionType, now: number): boolean {
    // An already-ejected host is ignored, and its counter is not reset.
    if (this.ejected[host] === 1) return false;
    const s = this.stats;
    let enforcing: number;
    if (type === "consecutive_5xx") {
      s.ejections_detected_consecutive_5xx++;
      enforcing = this.config.enforcingConsecutive5xx;
    } else if (type === "consecutive_gateway_failure") {
      s.ejections_detected_consecutive_gateway_failure++;
      enforcing = this.config.enforcingConsecutiveGatewayFailure;
    } else {
      s.ejections_detected_consecutive_local_origin_failure++;
      enforcing = this.config.enforcingConsecutiveLocalOriginFailure;
    }
    const ejected = this.eject(host, type, enforcing, now);
    if (type === "consecutive_5xx") this.c5xx[host] = 0;
    else if (type === "consecutive_gateway_failure") this.cGateway[host] = 0;
    else this.cLocal[host] = 0;
    return ejected;
  }

  private eject(host: number, type: EjectionType, enforcing: number, now: number): boolean {
    const s = this.stats;
    // Envoy ≥ 1.28: strict cap, no free first ejection (Istio does not set always_eject_one_host).
    const percent = (100 * (s.ejections_active + 1)) / this.n;
    if (!(percent <= this.config.maxEjectionPercent)) {
      s.ejections_overflow++;
      return false;
    }
    if (!(enforcing >= 100 || (enforcing > 0 && this.source() * 100 < enforcing))) return false;
    s.ejections_active++;
    s.ejections_enforced_total++;
    if (type === "consecutive_5xx") s.ejections_enforced_consecutive_5xx++;
    else if (type === "consecutive_gateway_failure") s.ejections_enforced_consecutive_gateway_failure++;
    else if (type === "consecutive_local_origin_failure") s.ejections_enforced_consecutive_local_origin_failure++;
    this.ejected[host] = 1;
    this.numEjections[host]!++;
    this.lastEjection[host] = now;
    const base = this.config.baseEjectionTimeMs;
    if (this.multiplier[host]! * base < this.config.maxEjectionTimeMs + base) this.multiplier[host]!++;
    this.record({ action: "eject", host, time: now, type, numEjections: this.numEjections[host]!, durationMs: this.ejectionTimeMs(host) });
    this.listener.onEject?.(host, now);
    return true;
  }

  /** How long the host's current (or next) ejection lasts before rounding up to a sweep. */
  ejectionTimeMs(host: number): number {
    return Math.min(this.config.baseEjectionTimeMs * this.multiplier[host]!, this.config.maxEjectionTimeMs);
  }

  /**
   * The interval timer: return hosts whose ejection time has elapsed to service (counters reset),
   * then decay the multiplier of hosts that have been back for a full interval. The caller calls it
   * at nextSweepAt (every interval); returns the hosts un-ejected.
   */
  sweep(now: number): number[] {
    const back: number[] = [];
    for (let h = 0; h < this.n; h++) {
      this.successRates.swap(h);
      if (this.ejected[h] !== 1) continue;
      if (this.ejectionTimeMs(h) <= now - this.lastEjection[h]!) {
        this.ejected[h] = 0;
        this.stats.ejections_active--;
        this.c5xx[h] = 0;
        this.cGateway[h] = 0;
        this.cLocal[h] = 0;
        this.lastUnejection[h] = now;
        back.push(h);
        this.record({ action: "uneject", host: h, time: now, numEjections: this.numEjections[h]! });
        this.listener.onUneject?.(h, now);
      }
    }
    const detect = (h: number, type: SweepEjectionType, enforcing: number): void => this.detectedAtSweep(h, type, enforcing, now);
    this.successRates.sweep(0, this.n, this.ejected, this.config, detect);
    this.successRates.sweep(1, this.n, this.ejected, this.config, detect);
    for (let h = 0; h < this.n; h++) {
      if (this.ejected[h] === 1 || this.multiplier[h] === 0) continue;
      const since = now - this.lastUnejection[h]!;
      if (since >= this.config.intervalMs) this.multiplier[h]!--;
    }
    this.nextSweepAt = now + this.config.intervalMs;
    return back;
  }

  /**
   * The cluster's hosts changed: `previousIndexOf[i]` is host i's index before (-1 = new host).
   * Hosts keep their counters and ejection state (Envoy keeps a monitor per host); removed ejected
   * hosts no longer count as ejected.
   */
  rehost(previousIndexOf: Int32Array): void {
    const n = previousIndexOf.length;
    const carry = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T, fill?: number): T => {
      const out = make(n);
      if (fill !== undefined) out.fill(fill);
      for (let i = 0; i < n; i++) if (previousIndexOf[i]! >= 0) out[i] = old[previousIndexOf[i]!]!;
      return out;
    };
    this.c5xx = carry(this.c5xx, (k) => new Int32Array(k));
    this.cGateway = carry(this.cGateway, (k) => new Int32Array(k));
    this.cLocal = carry(this.cLocal, (k) => new Int32Array(k));
    this.ejected = carry(this.ejected, (k) => new Uint8Array(k));
    this.multiplier = carry(this.multiplier, (k) => new Int32Array(k));
    this.numEjections = carry(this.numEjections, (k) => new Int32Array(k));
    this.lastEjection = carry(this.lastEjection, (k) => new Float64Array(k), NaN);
    this.lastUnejection = carry(this.lastUnejection, (k) => new Float64Array(k), NaN);
    this.successRates.rehost((old) => carry(old, (k) => new Int32Array(k)));
    this.n = n;
    let active = 0;
    for (let i = 0; i < n; i++) active += this.ejected[i]!;
    this.stats.ejections_active = active;
  }

  private record(e: OutlierEvent): void {
    if (this.events.length < this.eventLimit) this.events.push(e);
    else this.eventsDropped++;
  }
}
