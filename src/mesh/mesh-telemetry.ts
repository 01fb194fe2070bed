// What the simulated world reports, as an interface: the world never formats or aggregates numbers,
// it hands finished requests to sinks (implemented over telemetry/'s streaming stats).
import type { EdgeLabels } from "../telemetry/recorder.js";

/** The labels of an edge, as Istio's standard metrics have them. */
export type EdgeKey = EdgeLabels;

export interface RequestSink {
  /** Body sizes in bytes (istio_request_bytes / istio_response_bytes) default to 0. */
  record(endMs: number, latencyMs: number, code: number, flags: string, requestBytes?: number, responseBytes?: number): void;
  /** A TCP connection of the edge opened or closed (ztunnel's connection counters). */
  connection?(opened: boolean, now: number): void;
}

export interface MeshTelemetry {
  /** The sink for one edge; callers may call this per request: implementations cache. */
  edge(key: EdgeKey): RequestSink;
  /** One request passed through a proxy (for the proxy CPU cost). */
  proxyPass(): void;
}
