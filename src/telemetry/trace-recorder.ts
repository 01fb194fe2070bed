// traces.json: Zipkin v2 spans (a JSON array), as Istio's Envoys report them to Zipkin: the client
// sidecar (or gateway) makes a CLIENT span per request it routes, the server sidecar a SERVER span,
// and the app's work is a local span between them; parent ids link the whole request tree across
// services. Only sampled requests are tracked. A trace is held while any of its spans (or the load
// generator's request that began it) is open, then written out and forgotten: memory stays bounded
// by the sampled requests in flight. https://zipkin.io/zipkin-api/#/default/post_spans ;
// https://istio.io/latest/docs/tasks/observability/distributed-tracing/overview/
import { epochMicros } from "./log-epoch.js";
import type { LineSink } from "./line-sink.js";
import type { IdSource } from "./request-ids.js";

export type SpanKind = "CLIENT" | "SERVER" | "LOCAL";

export class OpenTrace {
  /** Open spans plus the generator's hold on the request. */
  pending = 1;
  /** The generator's answer came after the warm-up (traces, like every figure, exclude it). */
  counted = false;
  readonly spans: Span[] = [];
  constructor(readonly traceId: string) {}
}

export interface Endpoint {
  serviceName: string;
  ipv4: string;
  port?: number;
}

export class Span {
  endMs = -1;
  remote: Endpoint | null = null;
  readonly tags: Record<string, string> = {};
  constructor(
    readonly trace: OpenTrace,
    readonly id: string,
    /** "" for the root. */
    readonly parentId: string,
    readonly kind: SpanKind,
    /** Set by the proxy once it knows the route (Istio: `<host>:<port>/*`). */
    public name: string,
    readonly startMs: number,
    readonly local: Endpoint,
  ) {}

  /** The Zipkin v2 JSON object (fixed key order, so output is byte-stable). */
  toJSON(): object {
    const o: Record<string, unknown> = { traceId: this.trace.traceId };
    if (this.parentId !== "") o["parentId"] = this.parentId;
    o["id"] = this.id;
    if (this.kind !== "LOCAL") o["kind"] = this.kind;
    o["name"] = this.name;
    o["timestamp"] = epochMicros(this.startMs);
    o["duration"] = Math.max(1, epochMicros(this.endMs) - epochMicros(this.startMs));
    o["localEndpoint"] = this.local;
    if (this.remote !== null) o["remoteEndpoint"] = this.remote;
    o["tags"] = this.tags;
    return o;
  }
}

export class TraceRecorder {
  private readonly open = new Set<OpenTrace>();
  private wrote = 0;
  spans = 0;

  constructor(
    private readonly sink: LineSink,
    /** The sampling fraction (Istio's default 1%: 0.01). */
    readonly sample: number,
    private readonly sampleDraw: () => number,
    private readonly ids: IdSource,
    /** Requests answered before this (the warm-up) are not written. */
    private readonly fromMs = 0,
  ) {}

  /** The sampling decision for a request entering the mesh, made once (then propagated, like x-b3-sampled). */
  begin(): OpenTrace | null {
    if (!(this.sampleDraw() < this.sample)) return null;
    const t = new OpenTrace(this.ids.traceId());
    this.open.add(t);
    return t;
  }

  /** The generator has its answer at `nowMs`: the trace is done once its spans are. */
  end(t: OpenTrace, nowMs: number): void {
    t.counted = nowMs >= this.fromMs;
    this.release(t);
  }

  openSpan(t: OpenTrace, parentId: string, kind: SpanKind, name: string, startMs: number, local: Endpoint): Span {
    const s = new Span(t, this.ids.spanId(), parentId, kind, name, startMs, local);
    t.spans.push(s);
    t.pending++;
    return s;
  }

  closeSpan(s: Span, endMs: number): void {
    if (s.endMs >= 0) return;
    s.endMs = endMs;
    this.release(s.trace);
  }

  private release(t: OpenTrace): void {
    if (--t.pending === 0) this.flush(t);
  }

  private flush(t: OpenTrace): void {
    this.open.delete(t);
    if (t.spans.length === 0 || !t.counted) return;
    const parts: string[] = [];
    for (const s of t.spans) parts.push(JSON.stringify(s));
    this.sink.write(`${this.wrote === 0 ? "[\n" : ",\n"}${parts.join(",\n")}`);
    this.wrote += t.spans.length;
    this.spans += t.spans.length;
  }

  /** The run is over: spans still open end now (tagged unfinished), every trace is written. */
  close(nowMs: number): void {
    for (const t of [...this.open]) {
      for (const s of t.spans) {
        if (s.endMs < 0) {
          s.endMs = nowMs;
          s.tags["error"] = "true";
          s.tags["meshsim.unfinished"] = "true";
        }
      }
      t.pending = 0;
      t.counted = true;
      this.flush(t);
    }
    this.sink.write(this.wrote === 0 ? "[]\n" : "\n]\n");
    this.sink.close();
  }
}
