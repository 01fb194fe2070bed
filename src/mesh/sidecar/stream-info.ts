// What a downstream request leaves for the access log and telemetry, as Envoy's StreamInfo: when it
// started, the destination service it was routed to, the upstream host and cluster of its last try,
// whether that connection was mTLS, the upstream service time, the flags it collected, its CLIENT
// span. The router fills it in as the request goes; `record` writes the metrics edge, the access-log
// line and the span when the request ends. (The router extends it: one object per request.)
// envoyproxy/envoy envoy/stream_info/stream_info.h
import type { Pod } from "../kube/pod.js";
import type { Origin, OutgoingRequest } from "../transport.js";
import type { EdgeSinks } from "../edge-sinks.js";
import { RequestLog } from "../../telemetry/request-log.js";
import type { Span } from "../../telemetry/trace-recorder.js";
import { spanServiceName, tagProxySpan, withContext } from "../request-records.js";
import type { UpstreamCluster } from "./upstream-cluster.js";
import type { RouteSinks } from "../route-sinks.js";
import type { CompiledRoute } from "../../proxy/route/compile-routes.js";

/** Where a request's record goes: the metrics sinks and, when on, the access log and traces. */
export interface StreamSinks {
  readonly sinks: EdgeSinks;
  readonly log: RequestLog | null;
}

export class StreamInfo {
  readonly startMs: number;
  /** Istio's destination_service. */
  service = "unknown";
  mtls = false;
  /** Flags this request collected on its way (DI). */
  extraFlags = "";
  /** The host of the last try (null: the request reached no host), and its pool id in the cluster. */
  lastHost: Pod | null = null;
  lastHostId = -1;
  /** The sinks of its route's hops (null: not routed to a cluster). */
  routeSinks: RouteSinks | null = null;
  /** x-envoy-upstream-service-time of the last try that got an answer (-1: none). */
  upstreamMs = -1;
  /** The cluster it was sent to (null: none, or a host outside the mesh). */
  cluster: UpstreamCluster | null = null;
  /** The route it matched (null: none, or a host outside the mesh). */
  routeEntry: CompiledRoute | null = null;
  /** Routed to a host outside the mesh. */
  external = false;
  /** What goes upstream: `req`, or a copy carrying this proxy's span as parent. */
  upReq: OutgoingRequest;
  private span: Span | null = null;

  constructor(
    readonly origin: Origin,
    readonly pod: Pod,
    readonly req: OutgoingRequest,
    now: number,
  ) {
    this.startMs = now;
    this.upReq = req;
  }

  /** A sampled request: this proxy's CLIENT span, the parent of what happens upstream. */
  traceStart(log: RequestLog): void {
    const ctx = this.req.ctx!;
    if (ctx.trace === null) return;
    const pod = this.pod;
    this.span = log.openSpan(ctx, "CLIENT", "", this.startMs, { serviceName: spanServiceName(pod), ipv4: pod.ip });
    this.upReq = withContext(this.req, RequestLog.child(ctx, this.span));
  }

  /** The request ended at `now`: its metrics edge, and its access-log line and span when they are on. */
  record(out: StreamSinks, now: number, status: number, flags: string, bytes = 0): void {
    const svc = this.service;
    const host = svc === "PassthroughCluster" || svc === "BlackHoleCluster" ? this.req.target.host : "";
    const rs = this.routeSinks;
    const sink = rs !== null && this.lastHost !== null && host === "" && rs.service === svc
      ? rs.get("source", this.mtls, this.origin, this.lastHost, this.lastHostId)
      : out.sinks.get("source", this.mtls, this.origin, this.lastHost, svc, host);
    sink.record(now, now - this.startMs, status, flags, this.req.bytes ?? 0, bytes);
    const log = out.log;
    if (log !== null && this.req.ctx) this.logged(log, now, status, flags, bytes);
  }

  /** The access-log line and CLIENT span of this request (access log or tracing on). */
  private logged(log: RequestLog, now: number, status: number, flags: string, bytes: number): void {
    const req = this.req;
    const host = this.lastHost;
    // A host outside the mesh: PassthroughCluster, or the ServiceEntry host's outbound cluster.
    const cluster = this.cluster !== null ? this.cluster.name
      : this.external ? this.service === "PassthroughCluster" ? this.service : `outbound|${req.target.port}||${this.service}`
      : "";
    const answered = status !== 0 && host !== null && this.upstreamMs >= 0;
    if (log.accessLog !== null) {
      log.log({
        startMs: this.startMs, endMs: now, method: req.method, path: req.path, authority: req.authority,
        code: status, flags, bytesReceived: req.bytes ?? 0, bytesSent: bytes, upstreamServiceMs: answered ? this.upstreamMs : -1,
        requestId: req.ctx!.requestId,
        upstreamHost: host !== null ? `${host.ip}:${this.cluster!.targetPort}` : "",
        upstreamCluster: cluster, downstreamLocal: "", downstreamRemote: "",
        routeName: this.routeEntry !== null ? this.routeEntry.name || "default" : "",
      });
    }
    const s = this.span;
    if (s !== null) {
      s.name = `${this.service}:${req.target.port}/*`;
      if (host !== null) s.remote = { serviceName: spanServiceName(host), ipv4: host.ip, port: this.cluster!.targetPort };
      tagProxySpan(s, this.pod, req, status, flags, cluster);
      log.closeSpan(s, now);
    }
  }
}
