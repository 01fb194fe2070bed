// Where the simulated world's measurements go: per client, per edge and reporter, per pod, per
// upstream cluster (Envoy's counter names), mesh-wide figures and rare events. Everything streams;
// nothing grows with the number of requests.
import { LatencyHistogram } from "./histogram.js";
import { PodStats } from "./pod-stats.js";
import { RequestStats, WindowedCounts } from "./request-stats.js";

export interface EdgeLabels {
  source: string;
  sourceNamespace: string;
  destination: string;
  destinationNamespace: string;
  service: string;
  reporter: "source" | "destination";
  mtls: boolean;
}

export class EdgeStats extends RequestStats {
  constructor(readonly labels: EdgeLabels, fromMs: number) {
    super(fromMs);
  }
}

/** A load generator's view: what it sent and what came back, plus requests in flight over time. */
export class ClientStats extends RequestStats {
  readonly windows: WindowedCounts;
  private inflight = 0;
  private lastMs: number;
  private inflightIntegral = 0;

  constructor(readonly name: string, private readonly fromMs0: number, windowMs: number, toMs: number) {
    super(fromMs0);
    this.lastMs = fromMs0;
    this.windows = new WindowedCounts(fromMs0, windowMs, toMs, true);
    this.withWindows(this.windows);
  }

  issued(now: number): void {
    this.advance(now);
    this.inflight++;
  }

  override record(endMs: number, latencyMs: number, code: number, flags: string): void {
    this.advance(endMs);
    this.inflight--;
    super.record(endMs, latencyMs, code, flags);
  }

  private advance(now: number): void {
    if (now > this.lastMs) {
      this.inflightIntegral += this.inflight * (now - this.lastMs);
      this.lastMs = now;
    }
  }

  /** Time-average number of requests in flight over [warm-up end, endMs] (Little's L). */
  meanInflight(endMs: number): number {
    this.advance(endMs);
    const span = endMs - this.fromMs0;
    return span > 0 ? this.inflightIntegral / span : 0;
  }
}

export interface RecorderOptions {
  warmupMs: number;
  windowMs: number;
  endMs: number;
}

export interface MeshFigures {
  proxies: number;
  proxyCpuMs: number;
  xdsPushes: number;
  /** Time from a config change to the last proxy having it, per change. */
  readonly convergence: LatencyHistogram;
}

export interface RecordedEvent {
  t: number;
  kind: string;
  detail: Record<string, string | number>;
}

export class Recorder {
  readonly clients = new Map<string, ClientStats>();
  readonly edges: EdgeStats[] = [];
  readonly pods = new Map<string, PodStats>();
  /** source workload → cluster name → the counters of each proxy's cluster (summed in reports) */
  readonly clusters = new Map<string, Map<string, Record<string, number>[]>>();
  readonly events: RecordedEvent[] = [];
  readonly mesh: MeshFigures = { proxies: 0, proxyCpuMs: 0, xdsPushes: 0, convergence: new LatencyHistogram() };

  constructor(readonly opts: RecorderOptions) {}

  client(name: string): ClientStats {
    let c = this.clients.get(name);
    if (c === undefined) {
      c = new ClientStats(name, this.opts.warmupMs, this.opts.windowMs, this.opts.endMs);
      this.clients.set(name, c);
    }
    return c;
  }

  /** A new edge series; callers cache it (see runner/world-telemetry.ts). */
  edge(labels: EdgeLabels): EdgeStats {
    const e = new EdgeStats(labels, this.opts.warmupMs);
    this.edges.push(e);
    return e;
  }

  pod(name: string, concurrency: number): PodStats {
    let p = this.pods.get(name);
    if (p === undefined) {
      p = new PodStats(name, concurrency, this.opts.warmupMs);
      this.pods.set(name, p);
    }
    return p;
  }

  /** Register one proxy's Envoy cluster counters (a live object the proxy keeps updating). */
  cluster(sourceWorkload: string, clusterName: string, counters: Record<string, number>): void {
    let byCluster = this.clusters.get(sourceWorkload);
    if (byCluster === undefined) {
      byCluster = new Map();
      this.clusters.set(sourceWorkload, byCluster);
    }
    const list = byCluster.get(clusterName);
    if (list === undefined) byCluster.set(clusterName, [counters]);
    else list.push(counters);
  }

  /** The counters of a client workload's proxies for one cluster, summed. */
  clusterTotals(sourceWorkload: string, clusterName: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.clusters.get(sourceWorkload)?.get(clusterName) ?? []) {
      for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
    }
    return out;
  }

  event(tMs: number, kind: string, detail: Record<string, string | number>): void {
    this.events.push({ t: tMs, kind, detail });
  }

  /** Close open time-series windows once the run is over. */
  finish(): void {
    for (const c of this.clients.values()) c.windows.close();
  }
}
