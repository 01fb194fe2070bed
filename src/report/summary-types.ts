// summary.json — a contract (design/report-contract.md): add keys freely, rename nothing.

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface RequestSummary {
  requests: number;
  /** Status code (as a string; "0" = no HTTP response) → requests, numerically sorted. */
  codes: Record<string, number>;
  /** Envoy response flags as the access log prints them ("-", "UO", "UF,URX") → requests. */
  flags: Record<string, number>;
  latencyMs: LatencySummary;
}

/** clients.<name>.ci95: half-widths of 95 % confidence intervals from one run (report/batch-means.ts). */
export interface ClientCi95 {
  /** Half-width (ms) of the interval of latencyMs.mean; null when it cannot be given (`why`). */
  mean: number | null;
  /** Half-width of the interval of errorRate (a fraction). */
  errorRate: number | null;
  /** Half-width (ms) of the interval of latencyMs.p99, by sectioning. */
  p99: number | null;
  /** Batches used (0 when there were too few windows). */
  batches: number;
  /** Report windows per batch (the last batches may hold one window more: `windows` / `batches`). */
  windowsPerBatch: number;
  /** Lag-1 autocorrelation of the mean-latency batch residuals at the batch count used. */
  lag1: number | null;
  /** Why a half-width is null, when one is. */
  why?: string;
}

export interface ClientSummary extends RequestSummary {
  /** Requests with code 0 or ≥ 500, over all requests (0 when none). */
  errorRate: number;
  /** Completed requests per simulated second over the measured period. */
  rps: number;
  /** Time-average requests in flight (Little's L). */
  meanInflight: number;
  /** Istio's source_workload of this client's requests in `edges`: the load generator's own name
   *  from outside the mesh, its Deployment, or the ingress gateway (`istio-ingressgateway`). */
  sourceWorkload?: string;
  /** 95 % confidence half-widths of `latencyMs.mean`, `errorRate` and `latencyMs.p99` from this one
   *  run, by batch means (report/batch-means.ts; docs/reports.md). Absent in files from before it. */
  ci95?: ClientCi95;
}

export interface EdgeSummary extends RequestSummary {
  source: string;
  /** Destination workload, or "unknown" when the request reached none. */
  destination: string;
  service: string;
  /** True when any request measured on this edge used mutual TLS. */
  mtls: boolean;
  /** Which proxy measured it: the client's sidecar ("source") when it has one, else the server's. */
  reporter: "source" | "destination" | "waypoint";
  errorRate: number;
}

export interface PodSummary {
  requests: number;
  ejections: number;
  /** Busy share of the app's slots; null when concurrency is unbounded. */
  utilization: number | null;
  /** Mean requests being served by the app at once. */
  meanBusy: number;
  /** With nodes: the node it was bound to, its Istio locality (region/zone/subzone), and "Pending" with the scheduler's reason when none fit. */
  node?: string;
  locality?: string;
  phase?: "Pending";
  pendingReason?: string;
  /** CPU and memory of its containers (the app's first container, and istio-proxy when injected). */
  containers?: Record<string, ContainerSummary>;
}

/** One container's use (runner/resources-summary.ts): CPU cores over 1 s windows after the warm-up. */
export interface ContainerSummary {
  cpuCores: { mean: number; p99: number; max: number };
  /** CFS periods in which the container was throttled (container_cpu_cfs_throttled_periods_total). */
  throttledPeriods: number;
  /** Working set (MB, 10^6 bytes); null for an app container (its Workload states none). */
  memoryMB: number | null;
  cpuLimitCores?: number;
  /** istio-proxy: Envoy's worker threads, their mean busy share, and the wait of a pass for its worker. */
  concurrency?: number;
  workerUtilization?: number;
  workerQueueMs?: { mean: number; max: number };
  /** The working set exceeds resources.limits.memory (the kernel would OOM-kill it). */
  overMemoryLimit?: true;
}

/** Containers' CPU over time: pod → container → one point per window of `windowSeconds` after the warm-up. */
export interface ContainerTimeSeries {
  /** The report's window, at least 1 s (cAdvisor's counters are read once per second). */
  windowSeconds: number;
  pods: Record<string, Record<string, ContainerPoint[]>>;
}

export interface ContainerPoint {
  /** Start of the window, simulated seconds. */
  t: number;
  /** Mean cores used over the window. */
  cores: number;
  /** CFS periods throttled that began in the window. */
  throttledPeriods: number;
}

/** What the proxies cost (runner/resources-summary.ts). */
export interface MeshCost {
  proxies: number;
  /** Mean cores all proxies used over the run, and their memory. */
  proxyCores: number;
  proxyMemoryMB: number;
  /** Proxy cores per 1,000 client requests per second (null without clients). */
  coresPer1000Rps: number | null;
  perMonth: { cpu: number; memory: number; total: number; currency: string };
  prices: { vcpuHour: number; gbHour: number };
  /** The calibration profile in force. */
  profile: string;
}

/** With nodes: where pods run and what crossed zones (runner/locality-summary.ts). */
export interface LocalitySummary {
  zones: Record<string, { region: string; nodes: number; pods: number; pending: number; requests: number; meanBusy: number; utilization: number | null }>;
  crossZone: {
    requests: number;
    /** Share of all requests between placed pods that crossed a zone. */
    share: number;
    bytes: number;
    gigabytes: number;
    crossRegionRequests: number;
    crossRegionBytes: number;
    pricePerGB: number;
    crossRegionPricePerGB: number;
    /** Dollars over the measured time, per simulated hour, and per month of 730 hours at that rate. */
    cost: { total: number; perHour: number; perMonth: number };
    edges: { source: string; destination: string; requests: number; crossZoneRequests: number; share: number; bytes: number }[];
    zonePairs: { from: string; to: string; requests: number }[];
    /** Requests per (source workload, its zone) → (destination workload, its zone). */
    flows: { source: string; sourceZone: string; destination: string; destinationZone: string; requests: number }[];
  };
  /** Workloads with pods in each zone (the locality view's boxes). */
  workloads: Record<string, string[]>;
}

export interface ExpectationResult {
  text: string;
  ok: boolean;
  /** The measured value; null when it does not exist (latency of no requests). */
  actual: number | null;
}

export interface TimePoint {
  /** Start of the window, simulated seconds. */
  t: number;
  requests: number;
  errors: number;
  /** The window's actual length in seconds, present only when shorter than `windowSeconds` (the
   *  last window, cut by the run's end): rates over it divide by this. */
  seconds?: number;
  /** Clients only; null for a window without requests. */
  p50?: number | null;
  p99?: number | null;
}

export interface EdgeTimeSeries {
  source: string;
  destination: string;
  service: string;
  points: TimePoint[];
}

export interface MeshSummary {
  proxies: number;
  /** CPU seconds the proxies used (measured on their worker threads and main thread). */
  proxyCpuSeconds: number;
  /** What the proxies cost (absent in summaries written before the CPU model). */
  cost?: MeshCost;
  xdsPushes: number;
  convergenceMs: { p50: number; max: number };
  /** ACKed pushes per xDS type (one per proxy and type). */
  xdsPushesByType: { cds: number; eds: number; lds: number; rds: number };
  /** NACKed pushes per xDS type (the proxy kept its previous version). */
  xdsRejects: { cds: number; eds: number; lds: number; rds: number };
  /** Most proxies behind istiod's latest config at once (measured part of the run). */
  staleProxiesMax: number;
  /** Workload certificates signed by istiod (first ones and rotations). */
  certificatesIssued: number;
  /**
   * One entry per push istiod started, in order: changes merged by its debounce (PILOT_DEBOUNCE_AFTER)
   * are one entry, dated by the first of them. The first 1000 are listed (warm-up included).
   */
  changes: ChangeSummary[];
  /** Pushes after the first 1000, counted only; present only when there were any. */
  changesDropped?: number;
}

export interface ChangeSummary {
  /** Simulated seconds at which the (first) change reached istiod. */
  t: number;
  /** "config": a full push; "endpoints": an incremental EDS push. */
  kind: "config" | "endpoints";
  /** The resources or pods changed (from the timeline and pod events), else the config kinds or services istiod saw change. */
  what: string;
  /** From the change to the last proxy's ACK or NACK, ms; null if it never reached them all (istiod down, run over). */
  convergenceMs: number | null;
  /** Proxies it was pushed to. */
  proxiesPushed: number;
  /** Proxies that NACKed it (kept their previous routes). */
  rejected: number;
}

export interface SummaryEvent {
  /** Simulated seconds. */
  t: number;
  kind: string;
  detail: Record<string, string | number>;
}

/** A Gateway API status condition; observedGeneration is the resource's metadata.generation it reflects. */
export interface GatewayApiCondition { type: string; status: "True" | "False"; reason: string; message: string; observedGeneration?: number }

/**
 * A Gateway API route's status at the end of the run, as istiod writes it (`kubectl get httproute -o
 * yaml`'s status.parents): per parentRef, the Accepted and ResolvedRefs conditions with their reasons.
 */
export interface RouteSummary {
  kind: "HTTPRoute" | "GRPCRoute";
  name: string;
  namespace: string;
  parents: { parentRef: string; conditions: GatewayApiCondition[] }[];
}

/** A Gateway of an Istio ingress class: its status as istiod writes it (config/gateway-api/gateway-status.ts). */
export interface GatewaySummary {
  name: string;
  namespace: string;
  conditions: GatewayApiCondition[];
  listeners: {
    name: string;
    attachedRoutes: number;
    supportedKinds: { group: string; kind: string }[];
    conditions: GatewayApiCondition[];
  }[];
}

export interface Summary {
  meshsim: string;
  scenario: string;
  seed: number;
  simulatedSeconds: number;
  /** Seconds measured: the run's duration less the warm-up. */
  measuredSeconds: number;
  clients: Record<string, ClientSummary>;
  edges: EdgeSummary[];
  pods: Record<string, PodSummary>;
  mesh: MeshSummary;
  expectations: ExpectationResult[];
  timeSeries: {
    windowSeconds: number; clients: Record<string, TimePoint[]>; edges: EdgeTimeSeries[];
    /** Proxies behind istiod's latest config (pushed but not ACKed, not yet pushed, or NACKed), per window. */
    staleProxies: { t: number; max: number; mean: number }[];
    /** The containers' CPU per window (runner/resources-summary.ts); present only when the scenario
     *  models CPU (container resources, proxy annotations, a `mesh.proxy` block, or Node documents). */
    containers?: ContainerTimeSeries;
  };
  /** Envoy cluster counters: source workload → cluster name → counter → value (whole run). */
  clusters: Record<string, Record<string, Record<string, number>>>;
  events: SummaryEvent[];
  /** Gateway API routes and their conditions (present only when the scenario has HTTPRoutes or GRPCRoutes). */
  routes?: RouteSummary[];
  /** Gateway API Gateways of an Istio ingress class and their status (present only when the scenario has some). */
  gateways?: GatewaySummary[];
  /** Present only when more events happened than were kept. */
  eventsDropped?: number;
  /** Present only when a signal stopped the run: the figures cover the simulated time up to here. */
  interrupted?: { atSimulatedSeconds: number };
  /** Present only when the scenario has nodes. */
  locality?: LocalitySummary;
  /** Per HorizontalPodAutoscaler (keyed like pods: `name`, or `name.namespace` outside default); present only with HPAs. */
  autoscalers?: Record<string, AutoscalerSummary>;
}

/** One HPA over the run (warm-up included: scaling starts before it ends), as `kubectl describe hpa` shows it. */
export interface AutoscalerSummary {
  namespace: string;
  /** scaleTargetRef as `kubectl get hpa` prints it: `Deployment/<name>`. */
  reference: string;
  minReplicas: number;
  maxReplicas: number;
  /** The modelled metrics, in spec order; `unit` of their values: percent (Utilization), millicores or bytes (AverageValue). */
  metrics: { name: string; type: "Resource" | "ContainerResource"; resource: "cpu" | "memory"; container?: string; target: number; unit: "percent" | "millicores" | "bytes" }[];
  /** behavior as the controller applies it ("default": spec.behavior unset, the controller's legacy rules). */
  behavior: "default" | { scaleUp: HpaRulesSummary; scaleDown: HpaRulesSummary };
  /** At every sync (15 s): the HPA's status.desiredReplicas, the Deployment's replicas as the sync left them, its Ready pods, each metric's value (null: unknown). */
  replicas: { t: number; desired: number; current: number; ready: number; metrics: (number | null)[] }[];
  /** Each rescale: simulated seconds, from and to, and the reason of its SuccessfulRescale event. */
  decisions: { t: number; from: number; to: number; reason: string }[];
  /** Events aggregated as kubectl shows them (count, first and last seen, simulated seconds). */
  events: { type: "Normal" | "Warning"; reason: string; message: string; count: number; firstT: number; lastT: number }[];
  /** status.conditions at the end (lastTransitionT in simulated seconds). */
  conditions: { type: string; status: "True" | "False"; reason: string; message: string; lastTransitionT: number }[];
  /** status.currentReplicas / desiredReplicas at the last sync. */
  currentReplicas: number;
  desiredReplicas: number;
  /** status.lastScaleTime: the last rescale, simulated seconds (null: it never scaled). */
  lastScaleTime: number | null;
  /** The most replicas the Deployment had at a sync. */
  peakReplicas: number;
  /** Seconds from the first scale-up decision until the Ready pods first reached its count (null: no scale-up, or never reached). */
  firstScaleUpReadySeconds: number | null;
}

export interface HpaRulesSummary {
  stabilizationWindowSeconds: number;
  selectPolicy: "Max" | "Min" | "Disabled";
  policies: { type: "Pods" | "Percent"; value: number; periodSeconds: number }[];
  /** Only when the HPA sets it (HPAConfigurableTolerance); else the controller's 0.1. */
  tolerance?: number;
}
