// The seams between the parts of the simulated world, as interfaces, so that apps, calls and the
// ways a request can travel (straight through kube-proxy, or through sidecars) don't import each other.
import type { CallTarget } from "../scenario/model.js";
import type { RequestContext } from "../telemetry/request-log.js";

/** An HTTP request as a proxy sees it (same shape as proxy/http-request's HttpRequest). */
export interface OutgoingRequest {
  method: string;
  scheme: string;
  /** Host header as sent, may include `:port`. */
  authority: string;
  /** Path, may include `?query`. */
  path: string;
  headers: Readonly<Record<string, string>>;
  target: CallTarget;
  /** Request body bytes (istio_request_bytes); absent: 0. */
  bytes?: number;
  /** x-request-id and trace context (access log or tracing on); null or absent otherwise. */
  ctx?: RequestContext | null;
}

/** Something waiting for the answer to an HTTP request it sent. */
export interface Responder {
  /** `status` 0 means no HTTP response came back (reset, refused); `flags` as Envoy prints them. */
  onResponse(status: number, flags: string, bytes?: number): void;
  /**
   * The destination went silent with the request inside (its node vanished): no answer will come.
   * Optional: only a carrier that notices silence on its own (ztunnel's tunnel keepalive) implements it.
   */
  silenced?(): void;
}

/**
 * The responder of the head of a pod's list of requests (mesh/sidecar/inbound.ts Inbound.enter), which
 * holds no request and is never answered: not the first request's own, which would keep that
 * request's whole chain of calls alive as long as the head lives (docs/performance.md, Goal 4,
 * session 24 `hop12`: ~1 MB at 1,000 services).
 */
export const HEAD_RESPONDER: Responder = { onResponse() {} };

/** A request on its way; `abandon` is the client giving up (its own timeout): it ignores the answer. */
export interface Exchange {
  abandon(): void;
}

/** Where a request comes from: a pod (through its sidecar when it has one) or a client outside the mesh. */
export interface Origin {
  /** The pod, or null for a client outside the cluster. */
  pod: OriginPod | null;
  /** Istio's source_workload: the deployment's name, or the load generator's name from outside. */
  workload: string;
  namespace: string;
  /** Through an ambient waypoint: `pod` is the waypoint's, this is the original client's (null: outside). */
  client?: OriginPod | null;
  /**
   * The client's sidecar sends no peer metadata on this connection (its tcp_proxy passes a plaintext
   * connection through: no HTTP filter adds x-envoy-peer-metadata), so the server cannot name it.
   */
  noPeerMetadata?: boolean;
}

export interface OriginPod {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  hasSidecar: boolean;
  ip: string;
}

export interface Transport {
  /**
   * `conn` names the client's connection (a closed-loop generator's connection index), which pins
   * the request to one of the sidecar's worker threads as Envoy pins connections; -1 = any.
   */
  send(origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange;
  /** The caller closed its connection `conn` (a per-connection balancer forgets its pick). */
  closeConnection?(origin: Origin, conn: number): void;
}
