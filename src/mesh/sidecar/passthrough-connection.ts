// A connection virtualOutbound's catch-all TCP filter chain sends to PassthroughCluster: ALLOW_ANY, a
// host outside the cluster, a port where the sidecar has no outbound HTTP listener. The chain is the
// stats network filter then tcp_proxy (istio/istio pilot/pkg/networking/core/listener_builder.go
// buildOutboundCatchAllNetworkFiltersOnly), so no HTTP filter runs: no route, no retry, no timeout,
// no fault, no HTTP span; the stats filter counts the connection in istio_tcp_* only (istio/proxy
// source/extensions/filters/http/istio_stats/istio_stats.cc reportHelper). meshsim opens one
// connection per request, when it leaves, and closes it when the answer is back (docs/model.md,
// "Outside the cluster"); the body bytes the app sends and gets are the connection's.
import type { Simulator } from "../../engine/simulator.js";
import type { RequestSink } from "../mesh-telemetry.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import type { Exchange, OutgoingRequest, Responder } from "../transport.js";
import type { SidecarCpu } from "./sidecar-cpu.js";

export class PassthroughConnection implements Exchange {
  private done = false;
  private readonly startMs: number;
  constructor(
    private readonly sim: Simulator,
    private readonly sink: RequestSink,
    private readonly req: OutgoingRequest,
    private readonly responder: Responder,
    /** The sidecar's CPU and the worker the connection is pinned to (null: no CPU model). */
    private readonly cpu: SidecarCpu | null,
    private readonly worker: number,
    /** Access log and traces (null: both off); tcp_proxy logs the connection at its close. */
    private readonly log: RequestLog | null = null,
  ) {
    this.startMs = sim.now;
  }

  /** The external host's answer is back through tcp_proxy: the connection closes. */
  answered(): void {
    if (this.done) return;
    const now = this.sim.now;
    this.close(now, 200, "-");
    this.cpu?.afterResponse(this.worker, now, 0);
    this.responder.onResponse(200, "-", 0);
  }

  /** The app gave up (its own timeout) and closed its end: tcp_proxy closes the upstream one. */
  abandon(): void {
    if (!this.done) this.close(this.sim.now, 0, "DC");
  }

  private close(now: number, status: number, flags: string): void {
    this.done = true;
    // No peer metadata ever comes from a host outside the mesh, so the stats filter counts the
    // connection opened only when it closes (istio_stats.cc reportHelper: `peer_read_ || end_stream`).
    this.sink.connection?.(true, now);
    this.sink.connection?.(false, now);
    this.sink.record(now, now - this.startMs, status, flags, this.req.bytes ?? 0, 0);
    // No address is modelled for a host outside the cluster: upstream host and original destination "-".
    this.log?.tcpLine({
      startMs: this.startMs, endMs: now, flags, bytesReceived: this.req.bytes ?? 0, bytesSent: 0,
      upstreamHost: "", upstreamCluster: "PassthroughCluster", downstreamLocal: "",
    });
  }
}
