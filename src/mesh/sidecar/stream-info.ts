// What a downstream request leaves for the access log and telemetry, as Envoy's StreamInfo: when it
// started, the destination service it was routed to, the upstream host and cluster of its last try,
// whether that connection was mTLS, the upstream service time, the flags it collected, its CLIENT
// span. The router fills it in as the request goes; `recordStream` writes the metrics edge, the
// access-log line and the span when the request ends. The router holds these fields itself (one
// object per request) and implements this interface: no `extends` for an object made per request,
// because under esbuild's keepNames (tsx, the bench's in-process lane) a derived class is 3–4×
// slower to construct (docs/performance.md, "Reverted: a served request as a subclass").
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
  /** The clock: `recordStream` reads the end time itself (no HeapNumber argument per call). */
  readonly sim: { readonly now: number };
}

export interface StreamInfo {
  readonly origin: Origin;
  readonly pod: Pod;
  readonly req: OutgoingRequest;
  readonly startMs: number;
  /** Istio's destination_service ("unknown" until routed). */
  service: string;
  mtls: boolean;
  /** Flags this request collected on its way (DI). */
  extraFlags: string;
  /** %RESPONSE_CODE_DETAILS% of a gateway's own denial (RBAC, JWT); "" to derive it from code and flags. */
  readonly details: string;
  /** The last try's connect failure was the connect timeout (not a refusal). */
  connectTimedOut: boolean;
  /** A ServiceEntry host's namespace (destination_service_namespace); "" otherwise. */
  readonly serviceNamespace: string;
  /** The host of the last try (null: the request reached no host), and its pool id in the cluster. */
  lastHost: Pod | null;
  lastHostId: number;
  /**
   * The sinks of its route's hops (null: not routed to a cluster). Non-null only while `service` is
   * the route's (`routeSinks.service`): the server side (Inbound.receive) takes its sinks without
   * comparing the two strings, a call to V8's StringEqual (the FQDNs are not internalized strings).
   * recordStream keeps its comparison: without it TurboFan inlines recordStream into Router.finish
   * and leaves out costlier callees there (docs/performance.md Goal 3, session 19).
   */
  routeSinks: RouteSinks | null;
  /** x-envoy-upstream-service-time of the last try, if it got an answer (-1: none). */
  readonly upstreamMs: number;
  /** The cluster it was sent to (null: none, or a host outside the mesh). */
  cluster: UpstreamCluster | null;
  /** The route it matched (null: none, or a host outside the mesh). */
  routeEntry: CompiledRoute | null;
  /** Routed to a host outside the mesh. */
  readonly external: boolean;
  /** What goes upstream: `req`, or a copy carrying this proxy's span as parent. */
  upReq: OutgoingRequest;
  /** This proxy's CLIENT span (null: not sampled, or tracing off). */
  span: Span | null;
}

/** A sampled request: this proxy's CLIENT span, the parent of what happens upstream. */
export function traceStream(s: StreamInfo, log: RequestLog): void {
  const ctx = s.req.ctx!;
  if (ctx.trace === null) return;
  const pod = s.pod;
  s.span = log.openSpan(ctx, "CLIENT", "", s.startMs, { serviceName: spanServiceName(pod), ipv4: pod.ip });
  s.upReq = withContext(s.req, RequestLog.child(ctx, s.span));
}

/** The request ends now: its metrics edge, and its access-log line and span when they are on. */
export function recordStream(s: StreamInfo, out: StreamSinks, status: number, flags: string, bytes = 0): void {
  const now = out.sim.now;
  const svc = s.service;
  const host = svc === "PassthroughCluster" || svc === "BlackHoleCluster" ? s.req.target.host : "";
  const rs = s.routeSinks;
  const sink = rs !== null && s.lastHost !== null && host === "" && rs.service === svc
    ? rs.get("source", s.mtls, s.origin, s.lastHost, s.lastHostId)
    : out.sinks.get("source", s.mtls, s.origin, s.lastHost, svc, host, s.serviceNamespace);
  sink.record(now, now - s.startMs, status, flags, s.req.bytes ?? 0, bytes);
  const log = out.log;
  if (log !== null && s.req.ctx) logged(s, log, now, status, flags, bytes);
}

/** The access-log line and CLIENT span of this request (access log or tracing on). */
function logged(s: StreamInfo, log: RequestLog, now: number, status: number, flags: string, bytes: number): void {
  const req = s.req;
  const host = s.lastHost;
  // A host outside the mesh: PassthroughCluster, or the ServiceEntry host's outbound cluster.
  const cluster = s.cluster !== null ? s.cluster.name
    : s.external ? s.service === "PassthroughCluster" ? s.service : `outbound|${req.target.port}||${s.service}`
    : "";
  const answered = status !== 0 && host !== null && s.upstreamMs >= 0;
  if (log.accessLog !== null) {
    log.log({
      startMs: s.startMs, endMs: now, method: req.method, path: req.path, authority: req.authority,
      code: status, flags, bytesReceived: req.bytes ?? 0, bytesSent: bytes, upstreamServiceMs: answered ? s.upstreamMs : -1,
      requestId: req.ctx!.requestId,
      upstreamHost: host !== null ? `${host.ip}:${s.cluster!.targetPort}` : "",
      upstreamCluster: cluster, downstreamLocal: "", downstreamRemote: "",
      routeName: s.routeEntry !== null ? s.routeEntry.name || "default" : "",
      // A connect timeout's reset reason is `connection_timeout` (router.cc onUpstreamReset;
      // http/utility.cc resetReasonToString), a refusal's `remote_connection_failure`.
      details: s.details !== "" ? s.details
        : s.connectTimedOut && flags.endsWith("UF") ? "upstream_reset_before_response_started{connection_timeout}" : "",
    });
  }
  const span = s.span;
  if (span !== null) {
    span.name = `${s.service}:${req.target.port}/*`;
    if (host !== null) span.remote = { serviceName: spanServiceName(host), ipv4: host.ip, port: s.cluster!.targetPort };
    tagProxySpan(span, s.pod, req, status, flags, cluster);
    log.closeSpan(span, now);
  }
}
