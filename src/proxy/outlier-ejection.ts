// Envoy's outlier detection for one cluster of one client proxy, as Istio configures it
// (consecutive errors only: Istio forces success-rate ejection off). Time enters as `now`; the
// caller runs `sweep` every `interval`.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
import type { OutlierDetection } from "./api/networking.js";

export interface OutlierSettings {
  /** 0 disables. */
  consecutive5xx: number;
  /** 0 = off (Istio leaves Envoy's enforcement at 0 unless set). */
  consecutiveGateway: number;
  splitLocalOrigin: boolean;
  consecutiveLocalOrigin: number;
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectionPercent: number;
}

/** Istio's mapping of a DestinationRule's outlierDetection onto Envoy's, with their defaults. */
export function outlierSettings(od: OutlierDetection): OutlierSettings {
  const base = od.baseEjectionTimeMs ?? 30_000;
  return {
    consecutive5xx: od.consecutive5xxErrors ?? 5,
    consecutiveGateway: od.consecutiveGatewayErrors ?? 0,
    splitLocalOrigin: od.splitExternalLocalOriginErrors === true,
    consecutiveLocalOrigin: od.consecutiveLocalOriginFailures ?? 5,
    intervalMs: od.intervalMs ?? 10_000,
    baseEjectionMs: base,
    // Envoy's max_ejection_time (300 s, or the base when larger); Istio does not expose it.
    maxEjectionMs: Math.max(300_000, base),
    maxEjectionPercent: od.maxEjectionPercent ?? 10,
  };
}

/** What one attempt's result means to the detector. */
export const RESULT_SUCCESS = 0;
/** An upstream answer with a 5xx status: pass the status. */
export const LOCAL_CONNECT_FAILURE = -1;
export const LOCAL_TIMEOUT = -2;
export const LOCAL_RESET = -3;

export interface OutlierEvent {
  t: number;
  host: number;
  kind: "eject" | "uneject" | "overflow";
  /** For ejections: how long the host stays out before the sweep that returns it. */
  durationMs?: number;
}

/**
 * Hosts are numbered by the caller (ids stay with a host while endpoints come and go); `hostCount`
 * is the number of hosts the cluster has now, the denominator of maxEjectionPercent.
 */
export class OutlierDetector {
  private c5xx = new Int32Array(0);
  private cGateway = new Int32Array(0);
  private cLocal = new Int32Array(0);
  private ejectedAt = new Float64Array(0);
  private ejectedFor = new Float64Array(0);
  private multiplier = new Int32Array(0);
  /** When a host last came back (for the multiplier's decay). */
  private backAt = new Float64Array(0);
  private ejectedCount = 0;
  ejectionsOverflow = 0;

  constructor(readonly settings: OutlierSettings, public hostCount: number) {
    this.ensure(hostCount);
  }

  /** Make room for host ids below n. */
  ensure(n: number): void {
    const cap = this.c5xx.length;
    if (n <= cap) return;
    const size = Math.max(n, cap * 2, 8);
    const grow = <T extends Int32Array | Float64Array>(a: T, fresh: T, fill?: number): T => {
      if (fill !== undefined) fresh.fill(fill);
      fresh.set(a);
      return fresh;
    };
    this.c5xx = grow(this.c5xx, new Int32Array(size));
    this.cGateway = grow(this.cGateway, new Int32Array(size));
    this.cLocal = grow(this.cLocal, new Int32Array(size));
    this.ejectedAt = grow(this.ejectedAt, new Float64Array(size), NaN);
    this.ejectedFor = grow(this.ejectedFor, new Float64Array(size));
    this.multiplier = grow(this.multiplier, new Int32Array(size));
    this.backAt = grow(this.backAt, new Float64Array(size), -Infinity);
  }

  isEjected(h: number): boolean {
    const t = this.ejectedAt[h];
    return t !== undefined && !Number.isNaN(t);
  }

  get ejected(): number {
    return this.ejectedCount;
  }

  /**
   * The result of one attempt on host h: RESULT_SUCCESS (any non-5xx answer), a 5xx status, or a
   * LOCAL_* failure. Returns an ejection event when this result ejects the host (evaluated inline,
   * when a counter reaches its threshold exactly), an overflow event when the cap refused it.
   */
  report(h: number, result: number, now: number): OutlierEvent | null {
    const s = this.settings;
    let status = result;
    if (result < 0) {
      if (s.splitLocalOrigin) {
        this.cLocal[h]!++;
        return this.cLocal[h] === s.consecutiveLocalOrigin && s.consecutiveLocalOrigin > 0 ? this.tryEject(h, now) : null;
      }
      // Without split mode, local failures count as the 5xx Envoy maps them to.
      status = result === LOCAL_CONNECT_FAILURE ? 503 : result === LOCAL_TIMEOUT ? 504 : 500;
    } else if (s.splitLocalOrigin) {
      this.cLocal[h] = 0;
    }
    if (status < 500 || status > 599) {
      this.c5xx[h] = 0;
      this.cGateway[h] = 0;
      return null;
    }
    this.c5xx[h]!++;
    if (status >= 502 && status <= 504) this.cGateway[h]!++;
    else this.cGateway[h] = 0;
    if (s.consecutive5xx > 0 && this.c5xx[h] === s.consecutive5xx) return this.tryEject(h, now);
    if (s.consecutiveGateway > 0 && this.cGateway[h] === s.consecutiveGateway) return this.tryEject(h, now);
    return null;
  }

  private tryEject(h: number, now: number): OutlierEvent | null {
    // Counters start again after an ejection decision, whatever it was.
    this.c5xx[h] = 0;
    this.cGateway[h] = 0;
    this.cLocal[h] = 0;
    if (this.isEjected(h)) return null;
    // Envoy >= 1.28 (Istio >= 1.20): strict cap, no free first ejection.
    if ((100 * (this.ejectedCount + 1)) / this.hostCount > this.settings.maxEjectionPercent) {
      this.ejectionsOverflow++;
      return { t: now, host: h, kind: "overflow" };
    }
    const s = this.settings;
    if (s.baseEjectionMs * (this.multiplier[h]! + 1) < s.maxEjectionMs + s.baseEjectionMs) this.multiplier[h]!++;
    const duration = Math.min(s.baseEjectionMs * this.multiplier[h]!, s.maxEjectionMs);
    this.ejectedAt[h] = now;
    this.ejectedFor[h] = duration;
    this.ejectedCount++;
    return { t: now, host: h, kind: "eject", durationMs: duration };
  }

  /** The interval timer: return hosts whose ejection time is over; decay multipliers of healthy hosts. */
  sweep(now: number): OutlierEvent[] {
    const out: OutlierEvent[] = [];
    for (let h = 0; h < this.c5xx.length; h++) {
      if (this.isEjected(h)) {
        if (now >= this.ejectedAt[h]! + this.ejectedFor[h]!) {
          this.ejectedAt[h] = NaN;
          this.ejectedCount--;
          this.backAt[h] = now;
          this.c5xx[h] = this.cGateway[h] = this.cLocal[h] = 0;
          out.push({ t: now, host: h, kind: "uneject" });
        }
      } else if (this.multiplier[h]! > 0 && now - this.backAt[h]! >= this.settings.intervalMs) {
        // Back for at least one full interval (Envoy >= 1.28): the next ejection is shorter again.
        this.multiplier[h]!--;
      }
    }
    return out;
  }
}
