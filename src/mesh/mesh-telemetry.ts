// What the simulated world reports, as an interface: the world never formats or aggregates numbers,
// it hands finished requests to sinks (implemented over telemetry/'s streaming stats).

export interface RequestSink {
  record(endMs: number, latencyMs: number, code: number, flags: string): void;
}

export interface EdgeKey {
  source: string;
  sourceNamespace: string;
  destination: string;
  destinationNamespace: string;
  /** Istio's destination_service (FQDN), or "unknown". */
  service: string;
  reporter: "source" | "destination";
  mtls: boolean;
}

export interface MeshTelemetry {
  /** The sink for one edge; callers may call this per request: implementations cache. */
  edge(key: EdgeKey): RequestSink;
  /** One request passed through a proxy (for the proxy CPU cost). */
  proxyPass(): void;
}
