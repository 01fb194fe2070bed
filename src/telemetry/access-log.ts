// access.log: one line per request per proxy that handles it (client sidecar outbound, server
// sidecar inbound, gateway), in Istio's default TEXT format for meshConfig.accessLogFile:
//   [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
//   %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
//   "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
//   %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
//   "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
//   %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
//   %REQUESTED_SERVER_NAME% %ROUTE_NAME%
// (one line; empty values print "-"). Lines are batched into the sink as requests complete.
// https://istio.io/latest/docs/tasks/observability/logs/access-log/ ;
// https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage
import { startTimeText } from "./log-epoch.js";
import type { LineSink } from "./line-sink.js";
import { responseCodeDetails } from "./response-code-details.js";

/** What one proxy knows of one request when it logs it. */
export interface AccessLogEntry {
  startMs: number;
  endMs: number;
  method: string;
  path: string;
  authority: string;
  code: number;
  flags: string;
  bytesReceived: number;
  bytesSent: number;
  /** x-envoy-upstream-service-time in ms; negative: no upstream answered. */
  upstreamServiceMs: number;
  requestId: string;
  /** ip:port, or "" when no host was reached. */
  upstreamHost: string;
  /** outbound|9080|v2|reviews.default.svc.cluster.local, inbound|9080||, or "". */
  upstreamCluster: string;
  downstreamLocal: string;
  downstreamRemote: string;
  routeName: string;
  /** %RESPONSE_CODE_DETAILS% when the proxy knows it (a policy's local reply); else derived from code and flags. */
  details?: string;
}

const BATCH_CHARS = 64 * 1024;

function dash(s: string): string {
  return s === "" ? "-" : s;
}

/** The access-log line of one entry (with its line feed). */
export function formatAccessLogLine(e: AccessLogEntry): string {
  const upstreamTime = e.upstreamServiceMs < 0 ? "-" : String(Math.floor(e.upstreamServiceMs));
  return `[${startTimeText(e.startMs)}] "${e.method} ${e.path} HTTP/1.1" ${e.code} ${e.flags} ` +
    `${e.details || responseCodeDetails(e.code, e.flags, e.upstreamServiceMs >= 0)} - "-" ${e.bytesReceived} ${e.bytesSent} ` +
    `${Math.floor(e.endMs - e.startMs)} ${upstreamTime} "-" "-" "${e.requestId}" "${e.authority}" ` +
    `"${dash(e.upstreamHost)}" ${dash(e.upstreamCluster)} - ${dash(e.downstreamLocal)} ${dash(e.downstreamRemote)} - ${dash(e.routeName)}\n`;
}

/**
 * What tcp_proxy knows of one connection when it logs it, at the connection's end (the filter's
 * access logs run in TcpProxy::Filter's destructor: envoyproxy/envoy source/common/tcp_proxy/tcp_proxy.cc).
 * istiod gives the catch-all chain's tcp_proxy the mesh's access log (pilot/pkg/networking/core/
 * listener_builder.go buildOutboundCatchAllNetworkFiltersOnly, accesslog.go setTCPAccessLog).
 */
export interface TcpAccessLogEntry {
  startMs: number;
  endMs: number;
  flags: string;
  /** Bytes read from the app, and written back to it. */
  bytesReceived: number;
  bytesSent: number;
  /** ip:port of the original destination it connected to; "" when none (or no address is modelled). */
  upstreamHost: string;
  /** PassthroughCluster or BlackHoleCluster. */
  upstreamCluster: string;
  /** The original destination the app dialled (ip:port); "" when no address is modelled. */
  downstreamLocal: string;
}

/**
 * The same TEXT format for a TCP connection: there is no request, so the request fields and the
 * protocol print "-", the response code 0 (the formatter prints responseCode().value_or(0), where the
 * usage page says "-": envoyproxy/envoy source/common/formatter/stream_info_formatter.cc; row in
 * docs/docs-vs-source.md) and the response code details "-" (tcp_proxy sets none);
 * DURATION is the downstream connection's, BYTES_* its bytes. A sidecar's line for a blackholed
 * connection reads `[...] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - <dst> <src> - -`.
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage (the
 * TCP meaning of each operator). Upstream local and downstream remote addresses are not modelled
 * ("-"), as on HTTP lines.
 */
export function formatTcpAccessLogLine(e: TcpAccessLogEntry): string {
  return `[${startTimeText(e.startMs)}] "- - -" 0 ${e.flags} - - "-" ${e.bytesReceived} ${e.bytesSent} ` +
    `${Math.floor(e.endMs - e.startMs)} - "-" "-" "-" "-" "${dash(e.upstreamHost)}" ${e.upstreamCluster} - ${dash(e.downstreamLocal)} - - -\n`;
}

export class AccessLog {
  private batch: string[] = [];
  private chars = 0;
  lines = 0;

  /** Requests ending before `fromMs` (the warm-up) are not logged, as they are not counted. */
  constructor(private readonly sink: LineSink, private readonly fromMs: number) {}

  log(e: AccessLogEntry): void {
    if (e.endMs < this.fromMs) return;
    const line = formatAccessLogLine(e);
    this.batch.push(line);
    this.lines++;
    this.chars += line.length;
    if (this.chars >= BATCH_CHARS) this.flush();
  }

  /** A line in another proxy's format (ztunnel's, telemetry/ztunnel-access-log.ts) that ended at `endMs`. */
  line(endMs: number, line: string): void {
    if (endMs < this.fromMs) return;
    this.batch.push(line);
    this.lines++;
    this.chars += line.length;
    if (this.chars >= BATCH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.sink.write(this.batch.join(""));
    this.batch = [];
    this.chars = 0;
  }

  close(): void {
    this.flush();
    this.sink.close();
  }
}
