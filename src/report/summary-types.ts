// summary.json — a contract (report-contract.md): add keys freely, rename nothing.

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
  codes: Record<string, number>;
  flags: Record<string, number>;
  latencyMs: LatencySummary;
}

export interface ClientSummary extends RequestSummary {
  errorRate: number;
  /** Completed requests per simulated second over the measured period. */
  rps: number;
  /** Time-average requests in flight (Little's L). */
  meanInflight: number;
}

export interface EdgeSummary extends RequestSummary {
  source: string;
  destination: string;
  service: string;
  /** Which proxy measured it: the client's sidecar ("source") when it has one, else the server's. */
  reporter: "source" | "destination";
  mtls: boolean;
  errorRate: number;
}

export interface PodSummary {
  requests: number;
  ejections: number;
  /** Busy share of the app's slots (absent when concurrency is unbounded). */
  utilization?: number;
  /** Mean requests being served by the app at once. */
  meanBusy: number;
}

export interface ExpectationResult {
  text: string;
  ok: boolean;
  actual: number | null;
}

export interface TimePoint {
  t: number;
  requests: number;
  errors: number;
  p50?: number;
  p99?: number;
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
  mesh: { proxies: number; proxyCpuSeconds: number; xdsPushes: number; convergenceMs: { p50: number; max: number } };
  expectations: ExpectationResult[];
  timeSeries: { windowSeconds: number; clients: Record<string, TimePoint[]> };
  clusters: Record<string, Record<string, Record<string, number>>>;
  events: { t: number; kind: string; detail: Record<string, string | number> }[];
}
