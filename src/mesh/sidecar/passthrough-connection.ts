// A connection virtualOutbound's catch-all TCP filter chain sends to PassthroughCluster: ALLOW_ANY, a
// port where the sidecar has no outbound HTTP listener, and a host outside the cluster or a Service
// outside the Sidecar scope. The chain is the stats network filter then tcp_proxy (istio/istio
// pilot/pkg/networking/core/listener_builder.go buildOutboundCatchAllNetworkFiltersOnly), so no HTTP
// filter runs: no route, no retry, no timeout, no fault, no HTTP span, no peer-metadata header; the
// stats filter counts the connection in istio_tcp_* only (istio/proxy
// source/extensions/filters/http/istio_stats/istio_stats.cc reportHelper). meshsim opens one
// connection per request, when it leaves, and closes it when the answer is back (docs/model.md,
// "Outside the cluster"); the body bytes the app sends and gets are the connection's.
import type { Simulator } from "../../engine/simulator.js";
import type { EdgeSinks } from "../edge-sinks.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import type { SidecarCpu } from "./sidecar-cpu.js";
import { REFUSED } from "./inbound-router.js";

export class PassthroughConnection implements Exchange, Responder {
  private done = false;
  private readonly startMs: number;
  /** The answer tcp_proxy carries back (a host outside the cluster: its 200, no body modelled). */
  private status = 200;
  private bytes = 0;
  /** When the answer comes from a pod: the delay of its way back, and the event that brings it. */
  back: { delayMs: () => number; kind: number } | null = null;
  constructor(
    private readonly sim: Simulator,
    /** The client sidecar's TCP sinks (EdgeSinks.catchAllTcp), taken when the connection closes. */
    private readonly sinks: EdgeSinks,
    private readonly origin: Origin,
    private readonly req: OutgoingRequest,
    private readonly responder: Responder,
    /** The sidecar's CPU and the worker the connection is pinned to (null: no CPU model). */
    private readonly cpu: SidecarCpu | null,
    private readonly worker: number,
    /** Access log and traces (null: both off); tcp_proxy logs the connection at its close. */
    private readonly log: RequestLog | null = null,
    /**
     * The original destination (a Service's ClusterIP:port, "" for a host outside the cluster: no
     * address is modelled for it), which is also tcp_proxy's upstream host (ORIGINAL_DST).
     */
    private readonly originalDst = "",
  ) {
    this.startMs = sim.now;
  }

  /** The answer is back through tcp_proxy: the connection closes. */
  answered(): void {
    if (this.done) return;
    const now = this.sim.now;
    this.close(now, this.status, "-", this.bytes);
    this.cpu?.afterResponse(this.worker, now, 0);
    this.responder.onResponse(this.status, "-", this.bytes);
  }

  /**
   * The server pod's side of the connection (a Service outside the Sidecar scope). An HTTP answer
   * travels back, then tcp_proxy hands it to the app. No answer (status 0): the server's side closed
   * the connection (a STRICT sidecar has no plaintext filter chain) and tcp_proxy closes the app's
   * at once, or nothing accepted it (the pod is gone: tcp_proxy's connect fails, flag UF,
   * tcp_proxy.cc onGenericPoolFailure); the app gets no HTTP response either way.
   */
  onResponse(status: number, flags: string, bytes = 0): void {
    if (this.done) return;
    if (status === 0) {
      const now = this.sim.now;
      const failed = flags === REFUSED;
      this.close(now, 0, failed ? "UF" : "-", 0);
      this.cpu?.afterResponse(this.worker, now, 0);
      this.responder.onResponse(0, failed ? "UF" : "-", 0);
      return;
    }
    this.status = status;
    this.bytes = bytes;
    const b = this.back!;
    this.sim.after(b.delayMs(), b.kind, this);
  }

  /** The app gave up (its own timeout) and closed its end: tcp_proxy closes the upstream one. */
  abandon(): void {
    if (!this.done) this.close(this.sim.now, 0, "DC", 0);
  }

  private close(now: number, status: number, flags: string, bytesSent: number): void {
    this.done = true;
    const sink = this.sinks.catchAllTcp(this.origin, "PassthroughCluster", flags === "UF");
    // No peer metadata comes over a plaintext passthrough connection, so the stats filter counts it
    // opened only when it closes (istio_stats.cc reportHelper: `peer_read_ || end_stream`).
    sink.connection?.(true, now);
    sink.connection?.(false, now);
    sink.record(now, now - this.startMs, status, flags, this.req.bytes ?? 0, bytesSent);
    // tcp_proxy sets no flag when the app closes its end first (DC is the HTTP connection manager's:
    // https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage, "HTTP only").
    this.log?.tcpLine({
      startMs: this.startMs, endMs: now, flags: flags === "DC" ? "-" : flags, bytesReceived: this.req.bytes ?? 0, bytesSent,
      upstreamHost: this.originalDst, upstreamCluster: "PassthroughCluster", downstreamLocal: this.originalDst,
    });
  }
}
