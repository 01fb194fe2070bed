// The per-request records beyond the streaming metrics: the access log and traces, both opt-in.
// The world holds `RequestLog | null`; null (both off) costs one comparison per hop. Every draw
// (x-request-id, sampling, ids) is from streams of its own, so turning these on shifts no random
// number the simulation uses and summary.json stays byte-identical.
import { AccessLog, formatTcpAccessLogLine, type AccessLogEntry, type TcpAccessLogEntry } from "./access-log.js";
import type { IdSource } from "./request-ids.js";
import { formatZtunnelAccessLine, type ZtunnelAccessLogEntry } from "./ztunnel-access-log.js";
import type { Endpoint, OpenTrace, Span, SpanKind, TraceRecorder } from "./trace-recorder.js";

/** What a request carries from hop to hop (x-request-id and the B3 context), absent when both are off. */
export interface RequestContext {
  readonly requestId: string;
  /** null: not sampled (x-b3-sampled: 0), or tracing off. */
  readonly trace: OpenTrace | null;
  /** The caller's span id (x-b3-spanid); "" at the edge of the mesh. */
  readonly parentId: string;
}

export class RequestLog {
  constructor(
    readonly accessLog: AccessLog | null,
    readonly traces: TraceRecorder | null,
    private readonly ids: IdSource,
  ) {}

  /**
   * A request enters the mesh at a load generator. With the access log on every request gets an
   * x-request-id; with only tracing on, unsampled requests carry nothing (null).
   */
  begin(): RequestContext | null {
    const trace = this.traces !== null ? this.traces.begin() : null;
    if (this.accessLog === null && trace === null) return null;
    return { requestId: this.ids.uuid(), trace, parentId: "" };
  }

  /** The generator has its answer at `nowMs`. */
  end(ctx: RequestContext, nowMs: number): void {
    if (ctx.trace !== null) this.traces!.end(ctx.trace, nowMs);
  }

  log(e: AccessLogEntry): void {
    this.accessLog?.log(e);
  }

  /** tcp_proxy's line for a connection that ended at `e.endMs` (the catch-all TCP chain's). */
  tcpLine(e: TcpAccessLogEntry): void {
    this.accessLog?.line(e.endMs, formatTcpAccessLogLine(e));
  }

  /** ztunnel's line for a connection that ended at `endMs`. */
  ztunnelLine(e: ZtunnelAccessLogEntry): void {
    this.accessLog?.line(e.endMs, formatZtunnelAccessLine(e));
  }

  /** A span of a sampled request (the caller checked ctx.trace). */
  openSpan(ctx: RequestContext, kind: SpanKind, name: string, startMs: number, local: Endpoint): Span {
    return this.traces!.openSpan(ctx.trace!, ctx.parentId, kind, name, startMs, local);
  }

  closeSpan(s: Span, endMs: number): void {
    this.traces!.closeSpan(s, endMs);
  }

  /** The context the next hop sees: same request id and trace, this span as parent. */
  static child(ctx: RequestContext, s: Span): RequestContext {
    return { requestId: ctx.requestId, trace: ctx.trace, parentId: s.id };
  }

  close(nowMs: number): void {
    this.accessLog?.close();
    this.traces?.close(nowMs);
  }
}
