// Where the simulated world's measurements go: per client, per edge and reporter, per pod, per
// upstream cluster (Envoy's counter names), mesh-wide figures and rare events. Everything streams;
// nothing grows with the number of requests. Request figures exclude the warm-up: a request that
// completes before `warmupMs` is not counted anywhere (its pod's busy time before then neither).
import { LevelSeries } from "./level-series.js";
import { LatencyHistogram } from "./histogram.js";
import { PodStats } from "./pod-stats.js";
import { RequestStats } from "./request-stats.js";
import { ClientStats } from "./client-stats.js";
import { WindowSeries } from "./window-series.js";
import { EdgeRecordBuffer, EdgeSink } from "./edge-record-buffer.js";

export interface RecorderOptions {
  /** Requests completing before this are not counted. */
  warmupMs: number;
  /** Width of a time-series window. */
  windowMs: number;
  /** End of the run (the last window ends here; later completions count in it). */
  endMs: number;
}

/** What Istio's standard metrics label an edge with (one EdgeStats per distinct set). */
export interface EdgeLabels {
  source: string;
  sourceNamespace: string;
  /** Destination workload, or "unknown" when no destination was reached (NR, UO, UH...). */
  destination: string;
  destinationNamespace: string;
  /** Istio's destination_service (FQDN), or "unknown". */
  service: string;
  /** "waypoint": an ambient waypoint's Envoy (Istio's reporter="waypoint"). */
  reporter: "source" | "destination" | "waypoint";
  mtls: boolean;
  /** Istio's destination_service for PassthroughCluster/BlackHoleCluster: the request's host. */
  externalHost?: string;
  /** A ServiceEntry host's namespace (destination_service_namespace); absent: from the FQDN. */
  serviceNamespace?: string;
  /**
   * Destination reporter: the service its inbound cluster's metadata names when it is not `service`
   * (a pod that several Services select on one port): metrics.prom's destination_service.
   */
  reportedService?: string;
  /** Reported by ztunnel (ambient): Istio's TCP metrics only, no HTTP ones (metrics.prom). */
  l4?: boolean;
  /**
   * A sidecar's tcp_proxy chain (virtualOutbound's catch-all): Istio's TCP metrics only, labelled
   * as Envoy's stats filter labels them, with these response flags ("UH" for BlackHoleCluster).
   */
  tcpProxyFlags?: string;
  /**
   * The source has a sidecar but sent no peer metadata (a plaintext connection its tcp_proxy passed
   * through: no HTTP filter added x-envoy-peer-metadata): the destination reporter cannot name it.
   * Its own series, apart from the same client's requests that carried metadata.
   */
  noPeerMetadata?: boolean;
  /** Istio's peer labels of each end (source_principal, source_app, ...); "unknown" when absent. */
  sourcePeer?: PeerLabels;
  destinationPeer?: PeerLabels;
}

/** What Istio's stats filter knows of one end of a request, from its pod and (mTLS) certificate. */
export interface PeerLabels {
  /**
   * The peer's metadata reached the reporter (Istio's metadata exchange needs a proxy on both ends):
   * false for a client without sidecar, whose workload and namespace the destination reports as unknown.
   */
  exchanged: boolean;
  /** SPIFFE ID from the mTLS certificate, or "unknown" over plaintext. */
  principal: string;
  app: string;
  version: string;
  canonicalService: string;
  canonicalRevision: string;
  /** The workload's SPIFFE ID whatever the transport (ztunnel's destination_principal); absent: none. */
  identity?: string;
  /** Its node's topology.kubernetes.io region and zone (ztunnel's locality labels); absent: none. */
  region?: string;
  zone?: string;
}

/** One reporter's view of one edge; windowed requests and errors (no percentiles) for charts. */
export class EdgeStats extends RequestStats {
  declare readonly windows: WindowSeries;
  constructor(readonly labels: Readonly<EdgeLabels>, opts: RecorderOptions) {
    super(opts.warmupMs, new WindowSeries(opts.warmupMs, opts.windowMs, opts.endMs, false));
    this.tcpFromMs = opts.warmupMs;
  }

  /** The world's handle on these stats (Recorder.edgeSink), made once. */
  sink: EdgeSink | null = null;
  /** Its index in its recorder's list of edges (-1: made outside a recorder). */
  id = -1;

  /** TCP connections opened and closed after the warm-up (ztunnel's istio_tcp_connections_*_total). */
  tcpOpened = 0;
  tcpClosed = 0;
  private readonly tcpFromMs: number;

  /** A TCP connection of this edge opened (`true`) or closed at `now`. */
  connection(opened: boolean, now: number): void {
    if (now < this.tcpFromMs) return;
    if (opened) this.tcpOpened++;
    else this.tcpClosed++;
  }
}

/** Empty mesh figures; proxyCpuMs a double from its first store (as CodeSeries.sumMs). */
function meshFigures(): MeshFigures {
  const m: MeshFigures = {
    proxies: 0, proxyCpuMs: 0.5, xdsPushes: 0, convergence: new LatencyHistogram(),
    pushesByType: { cds: 0, eds: 0, lds: 0, rds: 0 }, rejectsByType: { cds: 0, eds: 0, lds: 0, rds: 0 }, certificatesIssued: 0,
  };
  m.proxyCpuMs = 0;
  return m;
}

/** Envoy cluster stats by their Envoy names (upstream_rq_total, upstream_rq_pending_overflow, ...). */
export type ClusterCounters = Record<string, number>;

export interface MeshFigures {
  proxies: number;
  proxyCpuMs: number;
  xdsPushes: number;
  /** Time from a config change to the last proxy having it, one sample per change. */
  readonly convergence: LatencyHistogram;
  /** Proxies' ACKs of each xDS type. */
  readonly pushesByType: { cds: number; eds: number; lds: number; rds: number };
  /** Proxies' NACKs of each xDS type. */
  readonly rejectsByType: { cds: number; eds: number; lds: number; rds: number };
  /** Workload certificates istiod signed (first ones and rotations). */
  certificatesIssued: number;
}

export interface RecordedEvent {
  /** Simulated ms. */
  t: number;
  kind: string;
  detail: Record<string, string | number>;
}

/** One push istiod started (one debounced batch of changes), as summary.json's mesh.changes lists it. */
export interface ChangeRecord {
  /** When its first change reached istiod, simulated ms. */
  readonly t: number;
  readonly kind: "config" | "endpoints";
  /** The resources or pods it carried (from the timeline and pod events), else what istiod saw changed. */
  readonly what: string;
  /** From the change to the last proxy's ACK (or NACK); null while some proxy has not had it. */
  convergenceMs: number | null;
  /** Live counts kept by the control plane. */
  readonly counts: { readonly proxies: number; readonly rejected: number };
}

/** Pushes listed one by one; beyond this many only a count is kept (memory stays flat). */
export const MAX_CHANGES = 1000;

/**
 * From this many edges on, the world's edge records are batched (edge-record-buffer.ts): below it an
 * edge's stats stay in the CPU's caches between its requests and recording them at once is cheaper.
 */
export const BUFFER_EDGES_FROM = 256;

/** Rare events are kept in a list; beyond this many only a count is kept (memory stays flat). */
export const MAX_EVENTS = 10_000;

export class Recorder {
  readonly clients = new Map<string, ClientStats>();
  readonly pods = new Map<string, PodStats>();
  /** source workload → cluster name → the counters of each proxy's cluster (summed in reports). */
  readonly clusters = new Map<string, Map<string, ClusterCounters[]>>();
  readonly events: RecordedEvent[] = [];
  droppedEvents = 0;
  /** The first MAX_CHANGES pushes, in the order istiod started them. */
  readonly changes: ChangeRecord[] = [];
  droppedChanges = 0;
  readonly mesh: MeshFigures = meshFigures();
  /** Proxies behind istiod's latest config, over time. */
  readonly staleProxies: LevelSeries;
  private readonly edgeList: EdgeStats[] = [];
  private readonly edgeByKey = new Map<string, EdgeStats>();
  private readonly ownCounters = new Map<string, ClusterCounters>();
  private edgeBuffer: EdgeRecordBuffer | null = null;
  /** Where the world's edge records wait (null: recorded at once; see BUFFER_EDGES_FROM). */
  get buffer(): EdgeRecordBuffer | null { return this.edgeBuffer; }

  private options: Readonly<RecorderOptions>;
  get opts(): Readonly<RecorderOptions> { return this.options; }

  /**
   * The proxies' CPU so far (ms), when the world counts it elsewhere: read into `mesh.proxyCpuMs` by
   * `finish`, not stored on every proxy pass (runner/world-telemetry.ts).
   */
  proxyCpuOf: (() => number) | null = null;

  constructor(opts: Readonly<RecorderOptions>) {
    this.options = opts;
    this.staleProxies = new LevelSeries(opts.warmupMs, opts.windowMs, Math.max(opts.endMs, opts.warmupMs + opts.windowMs));
  }

  /** Every edge series, in order of creation (with every record made so far). */
  get edges(): readonly EdgeStats[] {
    this.edgeBuffer?.flush();
    return this.edgeList;
  }

  /** The stats of a load generator (one per name). */
  client(name: string): ClientStats {
    let c = this.clients.get(name);
    if (c === undefined) {
      c = new ClientStats(name, this.opts);
      this.clients.set(name, c);
    }
    return c;
  }

  /**
   * The stats of one edge as one reporter sees it; the same labels give the same handle, but callers
   * should fetch it once and keep it (this builds a key string). Namespaces default to "unknown"
   * (Istio's value when peer metadata is missing).
   */
  edge(labels: EdgeLabels): EdgeStats;
  edge(
    source: string, destination: string, service: string, reporter: "source" | "destination", mtls: boolean,
    sourceNamespace?: string, destinationNamespace?: string,
  ): EdgeStats;
  edge(
    a: EdgeLabels | string, destination?: string, service?: string, reporter?: "source" | "destination", mtls?: boolean,
    sourceNamespace?: string, destinationNamespace?: string,
  ): EdgeStats {
    const l: EdgeLabels = typeof a === "string"
      ? {
          source: a, sourceNamespace: sourceNamespace ?? "unknown",
          destination: destination!, destinationNamespace: destinationNamespace ?? "unknown",
          service: service!, reporter: reporter!, mtls: mtls!,
        }
      : a;
    const kind = l.l4 === true ? "l4:" : l.tcpProxyFlags !== undefined ? `tcp:${l.tcpProxyFlags}:` : "";
    const key = `${kind}${l.reporter}\u0000${l.mtls ? 1 : 0}\u0000${l.sourceNamespace}\u0000${l.source}\u0000${l.destinationNamespace}\u0000${l.destination}\u0000${l.service}\u0000${l.externalHost ?? ""}\u0000${l.reportedService ?? ""}${l.noPeerMetadata === true ? "\u0000np" : ""}`;
    let e = this.edgeByKey.get(key);
    if (e === undefined) {
      // The caller's labels object itself, not a copy: every caller hands a literal made for this
      // call and reads or writes it no more (mesh/edge-sinks.ts, mesh/ztunnel/l4-sinks.ts), and the
      // copy was one more object per edge kept as long as the edge (docs/performance.md, Goal 4, session 22).
      e = new EdgeStats(l, this.opts);
      this.edgeByKey.set(key, e);
      e.id = this.edgeList.length;
      this.edgeList.push(e);
      if (this.edgeBuffer === null && this.edgeList.length >= BUFFER_EDGES_FROM) this.edgeBuffer = new EdgeRecordBuffer(this.edgeList);
    }
    return e;
  }

  /**
   * The world's sink for one edge: EdgeStats.record, batched once there are many edges (records
   * reach each edge in their order, so every figure is the same; `edges`, `finish` and `endAt`
   * apply what waits). One sink per edge stats, whatever labels object asked for it.
   */
  edgeSink(labels: EdgeLabels): EdgeSink {
    const e = this.edge(labels);
    return (e.sink ??= new EdgeSink(e, e.id, this));
  }

  /** The stats of a pod's app (one per name); `concurrency` is its slots, Infinity if unbounded. */
  pod(name: string, concurrency: number): PodStats {
    let p = this.pods.get(name);
    if (p === undefined) {
      p = new PodStats(name, concurrency, this.opts.warmupMs, this.opts.endMs);
      this.pods.set(name, p);
    }
    return p;
  }

  /**
   * Envoy counters of a source workload's cluster. Without `counters`: one shared record per
   * (workload, cluster), created empty, that the caller increments. With `counters`: registers one
   * proxy's live counters object (several proxies of a workload are summed) and returns it.
   * Counters are cumulative over the whole run, warm-up included, as Envoy's are.
   */
  cluster(sourceWorkload: string, clusterName: string, counters?: ClusterCounters): ClusterCounters {
    let byCluster = this.clusters.get(sourceWorkload);
    if (byCluster === undefined) {
      byCluster = new Map();
      this.clusters.set(sourceWorkload, byCluster);
    }
    let list = byCluster.get(clusterName);
    if (list === undefined) {
      list = [];
      byCluster.set(clusterName, list);
    }
    if (counters !== undefined) {
      list.push(counters);
      return counters;
    }
    const key = `${sourceWorkload}\u0000${clusterName}`;
    let own = this.ownCounters.get(key);
    if (own === undefined) {
      own = {};
      this.ownCounters.set(key, own);
      list.push(own);
    }
    return own;
  }

  /** The counters of a workload's proxies for one cluster, summed. */
  clusterTotals(sourceWorkload: string, clusterName: string): ClusterCounters {
    const out: ClusterCounters = {};
    for (const c of this.clusters.get(sourceWorkload)?.get(clusterName) ?? []) {
      for (const k of Object.keys(c)) out[k] = (out[k] ?? 0) + c[k]!;
    }
    return out;
  }

  /** A rare event (ejection, timeline change, push) at simulated time `tMs`, warm-up included. */
  event(tMs: number, kind: string, detail: Record<string, string | number> = {}): void {
    if (this.events.length >= MAX_EVENTS) {
      this.droppedEvents++;
      return;
    }
    this.events.push({ t: tMs, kind, detail });
  }

  /** istiod started its `index`-th push (0, 1, 2...: `index` is the position in `changes`). */
  change(index: number, c: ChangeRecord): void {
    if (index >= MAX_CHANGES) this.droppedChanges++;
    else this.changes[index] = c;
  }

  /** The `index`-th push reached its last proxy `ms` after its change. */
  changeConverged(index: number, ms: number): void {
    const c = this.changes[index];
    if (c !== undefined) c.convergenceMs = ms;
  }

  /**
   * The run stopped early (a signal) at `ms`: every measured period, rate and time series ends
   * there, as if the run had been planned that long.
   */
  endAt(ms: number): void {
    this.edgeBuffer?.flush();
    if (ms >= this.options.endMs) return;
    this.options = { ...this.options, endMs: Math.max(ms, this.options.warmupMs) };
    for (const c of this.clients.values()) c.endAt(ms);
    for (const p of this.pods.values()) p.endAt(ms);
    for (const e of this.edgeList) e.windows?.endAt(ms);
    this.staleProxies.endAt(Math.max(ms, this.options.warmupMs + this.options.windowMs));
  }

  /** Close the open time-series windows once the run is over (idempotent). */
  finish(): void {
    this.edgeBuffer?.flush();
    if (this.proxyCpuOf !== null) this.mesh.proxyCpuMs = this.proxyCpuOf();
    for (const c of this.clients.values()) c.windows.close();
  }
}
