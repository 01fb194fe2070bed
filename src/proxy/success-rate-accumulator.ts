// The success-rate side of Envoy's outlier detection: requests and successes per host since the last
// sweep, and over the interval before it (what a sweep reads), for external-origin results (HTTP
// statuses) and local-origin ones (connect, reset, timeout: split mode only). Envoy keeps one
// SuccessRateAccumulator per host and origin; here one array per origin, indexed by host.
// envoyproxy/envoy source/common/upstream/outlier_detection_impl.cc (SuccessRateAccumulator,
// DetectorImpl::processSuccessRateEjections)

/** 0: external origin, 1: local origin. */
export type Origin = 0 | 1;

export type SweepEjectionType = "success_rate" | "local_origin_success_rate" | "failure_percentage" | "local_origin_failure_percentage";

/** Envoy's success_rate_* and failure_percentage_* settings (OutlierConfig has them). */
export interface SuccessRateSettings {
  /** Envoy success_rate_minimum_hosts, success_rate_request_volume, success_rate_stdev_factor / 1000. */
  readonly successRateMinimumHosts: number;
  readonly successRateRequestVolume: number;
  readonly successRateStdevFactor: number;
  /** Istio writes 0 for both (enforcing_success_rate, enforcing_local_origin_success_rate). */
  readonly enforcingSuccessRate: number;
  /** Envoy failure_percentage_*: threshold 85, 5 hosts, 50 requests; enforcing 0 (Envoy's default). */
  readonly failurePercentageThreshold: number;
  readonly failurePercentageMinimumHosts: number;
  readonly failurePercentageRequestVolume: number;
  readonly enforcingFailurePercentage: number;
}

type Pair = [Int32Array, Int32Array];
const pair = (n: number): Pair => [new Int32Array(n), new Int32Array(n)];

export class SuccessRateAccumulator {
  private total: Pair;
  private success: Pair;
  private prevTotal: Pair;
  private prevSuccess: Pair;

  constructor(hosts: number) {
    this.total = pair(hosts);
    this.success = pair(hosts);
    this.prevTotal = pair(hosts);
    this.prevSuccess = pair(hosts);
  }

  record(origin: Origin, host: number, ok: boolean): void {
    this.total[origin][host]!++;
    if (ok) this.success[origin][host]!++;
  }

  /** Envoy SuccessRateAccumulator::updateCurrentWriter: the interval just ended becomes the one read. */
  swap(host: number): void {
    for (const o of [0, 1] as const) {
      this.prevTotal[o][host] = this.total[o][host]!;
      this.prevSuccess[o][host] = this.success[o][host]!;
      this.total[o][host] = 0;
      this.success[o][host] = 0;
    }
  }

  /** The cluster's hosts changed: `carry` maps an old per-host array to the new hosts. */
  rehost(carry: (old: Int32Array) => Int32Array): void {
    const both = (p: Pair): Pair => [carry(p[0]), carry(p[1])];
    this.total = both(this.total);
    this.success = both(this.success);
    this.prevTotal = both(this.prevTotal);
    this.prevSuccess = both(this.prevSuccess);
  }

  /**
   * Envoy DetectorImpl::processSuccessRateEjections for one origin: over the `hosts` not ejected with
   * requests in the previous interval, success-rate outliers (below mean − factor·stdev among the hosts
   * with enough volume, if there are enough of them), then hosts failing at least the
   * failure-percentage threshold, each passed to `detect` in host order.
   */
  sweep(origin: Origin, hosts: number, ejected: Uint8Array, c: SuccessRateSettings, detect: (host: number, type: SweepEjectionType, enforcing: number) => void): void {
    if (hosts < c.successRateMinimumHosts && hosts < c.failurePercentageMinimumHosts) return;
    const total = this.prevTotal[origin];
    const success = this.prevSuccess[origin];
    const srHosts: number[] = [];
    const srRates: number[] = [];
    const fpHosts: number[] = [];
    const fpRates: number[] = [];
    let sum = 0;
    for (let h = 0; h < hosts; h++) {
      if (ejected[h] === 1 || total[h] === 0) continue;
      const rate = (success[h]! * 100) / total[h]!;
      if (total[h]! >= c.successRateRequestVolume) {
        srHosts.push(h);
        srRates.push(rate);
        sum += rate;
      }
      if (total[h]! >= c.failurePercentageRequestVolume) {
        fpHosts.push(h);
        fpRates.push(rate);
      }
    }
    if (srHosts.length > 0 && srHosts.length >= c.successRateMinimumHosts) {
      const mean = sum / srHosts.length;
      let variance = 0;
      for (const r of srRates) variance += (r - mean) ** 2;
      variance /= srHosts.length;
      const threshold = mean - c.successRateStdevFactor * Math.sqrt(variance);
      for (let k = 0; k < srHosts.length; k++) {
        if (srRates[k]! < threshold) detect(srHosts[k]!, origin === 0 ? "success_rate" : "local_origin_success_rate", c.enforcingSuccessRate);
      }
    }
    if (fpHosts.length > 0 && fpHosts.length >= c.failurePercentageMinimumHosts) {
      for (let k = 0; k < fpHosts.length; k++) {
        if (100 - fpRates[k]! >= c.failurePercentageThreshold) {
          detect(fpHosts[k]!, origin === 0 ? "failure_percentage" : "local_origin_failure_percentage", c.enforcingFailurePercentage);
        }
      }
    }
  }
}
