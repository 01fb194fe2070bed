// A sidecar's CPU: its Envoy's worker threads (proxy/resources/worker-threads.ts) fed with the
// calibrated cost of each pass (proxy/resources/calibration-profile.ts), and what the istio-proxy
// container uses per second (telemetry/cpu-usage.ts).
// A pass costs no event of its own: the worker's queue is a running "free at" time, so the pass's
// delay (wait + on-path CPU + the profile's non-CPU latency) is added to the event the hop already
// schedules. Work after the response (telemetry) and a connection's TLS handshake are booked on the
// same worker; the main thread's share is counted as CPU but delays nobody.
import {
  listenerFilterCpuMs, NO_LISTENER_FILTERS, recordingCpuMs,
  type ListenerFilters, type ProxyCalibration, type RequestRecording,
} from "../../proxy/resources/calibration-profile.js";
import { CFS_PERIOD_MS, CfsBandwidth } from "../../proxy/resources/cfs-bandwidth.js";
import { WorkerThreads } from "../../proxy/resources/worker-threads.js";
import { CpuUsage } from "../../telemetry/cpu-usage.js";

/** What the server's kernel hashes to pick the worker of an inbound connection (its 4-tuple). */
export function inboundConnKey(clientUid: number, clientWorker: number, connId: number): number {
  return ((clientUid * 64 + clientWorker) * 1_048_576 + connId) >>> 0;
}

export class SidecarCpu {
  readonly workers: WorkerThreads;
  readonly usage = new CpuUsage();
  readonly bandwidth: CfsBandwidth | null;
  private readonly onPathMs: number;
  private readonly afterMs: number;
  private readonly mainMs: number;
  private nextWorker = 0;
  /** The listener filters last seen (a new object when the proxy ACKed a new config) and their CPU. */
  private filters: ListenerFilters = NO_LISTENER_FILTERS;
  private filterMs = 0;
  /**
   * `book`'s argument and result: when the pass starts, and its delay until the request leaves. Fields,
   * not a parameter and a return value: a double handed to or returned from a call TurboFan did not
   * inline is a 16-byte HeapNumber per call, where a double field is one box rewritten in place; the
   * sidecar's two passes per hop call it from `SidecarPath.send` and `Inbound.receive`, which do not
   * inline it (docs/performance.md, Goal 3, session 27 `hop13`).
   */
  at: number;
  delayMs: number;

  constructor(
    /** A number naming this proxy in connection hashes (the kernel hashes addresses and ports). */
    readonly uid: number,
    concurrency: number,
    readonly cal: ProxyCalibration,
    private readonly latency: () => number,
    /** Limits from the pod (reported beside the use). */
    readonly limits: { cpuCores: number; memoryBytes: number },
    /** The access log and tracing, mesh-wide: CPU after every response. */
    recording: RequestRecording = { accessLog: false, traceSample: 0 },
  ) {
    // The istio-proxy container's CFS quota (its limit, Istio's injected 2000m by default): the
    // workers and the main thread share it; a worker that finds it spent stalls to the next period.
    const cores = limits.cpuCores;
    this.bandwidth = cores !== Infinity ? new CfsBandwidth(CFS_PERIOD_MS, cores * CFS_PERIOD_MS, (t) => this.usage.throttledAt(t)) : null;
    this.workers = new WorkerThreads(concurrency, this.bandwidth);
    const c = cal.cpuPerRequestMs;
    const after = c * cal.afterResponseShare;
    this.mainMs = c * cal.mainThreadShare;
    this.onPathMs = c - after - this.mainMs;
    this.afterMs = after + recordingCpuMs(cal, recording);
    // Doubles from their first store (a small integer first would change the map at the first fraction).
    this.at = this.delayMs = 0.5;
    this.at = this.delayMs = 0;
  }

  get concurrency(): number {
    return this.workers.concurrency;
  }

  /** The worker of a connection: `key` ≥ 0 a hash of the connection; else the next in turn. */
  worker(key: number): number {
    if (key < 0) {
      const w = this.nextWorker;
      this.nextWorker = w + 1 === this.workers.concurrency ? 0 : w + 1;
      return w;
    }
    // SO_REUSEPORT: the kernel hashes the 4-tuple; an integer mix (murmur3's finaliser) stands in.
    let h = Math.imul(key ^ (key >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    // (h >>> 0) % c without a double: an unsigned h above 2^31 - 1 is no small integer to V8, and
    // its modulo is a floating-point fmod; halving first keeps it in int32 (the same value).
    const c = this.workers.concurrency;
    return ((((h >>> 1) % c) * 2) + (h & 1)) % c;
  }

  /**
   * A request's pass through this proxy at `now`: the delay until it leaves. `filters`: the policy
   * filters of the inbound listener it passes, as compiled from the config the proxy holds: their
   * CPU is recomputed only when that object changes.
   */
  pass(w: number, now: number, mtls: boolean, filters: ListenerFilters = NO_LISTENER_FILTERS): number {
    this.at = now;
    this.book(w, mtls, filters);
    return this.delayMs;
  }

  /** `pass` at `this.at`, its delay left in `this.delayMs` (the sidecar's hot callers: see `at`). */
  book(w: number, mtls: boolean, filters: ListenerFilters): void {
    const now = this.at;
    // `=== true`: one compare; the bare boolean parameter got V8's generic truth test (≈ 12
    // instructions a pass: docs/performance.md, Goal 3, session 21).
    let work = mtls === true ? this.onPathMs : this.onPathMs * this.cal.plaintextFactor;
    if (filters !== NO_LISTENER_FILTERS) {
      if (filters !== this.filters) {
        this.filters = filters;
        this.filterMs = listenerFilterCpuMs(this.cal, filters);
      }
      work += this.filterMs;
    }
    // The main thread's share of this request is charged to the CFS quota when its worker takes it
    // up (the same period: a backlogged worker books periods ahead of the clock, and the quota is
    // shared), and counted as used from then.
    // One booking of both stretches, in the same order as two adds (telemetry/cpu-usage.ts addTwo).
    // Without a main thread's share the second stretch is empty and books nothing, as `add` would: no
    // branch here (a branch that Bookinfo's passes rarely take deoptimized `pass` once at its first).
    const main = this.mainMs;
    const end = this.workers.run(w, now, work, main);
    const at = this.workers.lastStart;
    this.usage.addTwo(end - work, end, at, at + main);
    this.delayMs = end - now + this.latency();
  }

  /** The response left through worker `w` at `now`: the telemetry and the body's bytes after it. */
  afterResponse(w: number, now: number, responseBytes: number): void {
    this.at = now;
    this.responded(w, responseBytes);
  }

  /**
   * `afterResponse` at `this.at` (the sidecar's hot callers, the inbound leg's and the router's
   * answer, which do not inline it: see `at`; docs/performance.md, Goal 3, session 28 `bi13`).
   */
  responded(w: number, responseBytes: number): void {
    const now = this.at;
    // Past the first KiB only: below it `afterMs + 0 * cpuPerKiBMs` is `afterMs` (a finite cost per KiB).
    const work = responseBytes > 1024 ? this.afterMs + (responseBytes / 1024 - 1) * this.cal.cpuPerKiBMs : this.afterMs;
    if (work <= 0) return;
    const end = this.workers.runAfter(w, now, work);
    this.usage.add(end - work, end, 1);
  }

  /**
   * A TLS handshake on worker `w` at `now` (`resumed`: on a session ticket): CPU that delays the
   * worker's later work. Returns when it is done (the handshake's next flight leaves then).
   */
  handshake(w: number, now: number, resumed = false): number {
    const work = resumed ? this.cal.tlsResumptionMs : this.cal.tlsHandshakeMs;
    const end = this.workers.runAfter(w, now, work);
    this.usage.add(end - work, end, 1);
    return end;
  }

  /** CPU milliseconds used so far (workers and main thread). */
  cpuMs(): number {
    return this.usage.totalMs;
  }
}
