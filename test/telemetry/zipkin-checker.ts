// A checker of Zipkin v2 JSON (the body of POST /api/v2/spans: an array of Span objects), written from
// the v2 schema (zipkin2-api.yaml): traceId 16 or 32 lower-hex, id 16 lower-hex, parentId 16 lower-hex
// when present, kind one of CLIENT/SERVER/PRODUCER/CONSUMER, timestamp and duration positive integer
// microseconds, localEndpoint/remoteEndpoint {serviceName, ipv4, ipv6, port}, tags a map of strings.
// Beyond the schema it checks the trees: ids unique in a trace, every parentId is a span of the same
// trace, one root per trace, and each child starts and ends within its parent (except children of a
// span the client abandoned, DC, or spans the run cut off, which may outlive their parent as in a real mesh).
// https://zipkin.io/zipkin-api/#/default/post_spans

const HEX16 = /^[0-9a-f]{16}$/;
const TRACE_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const KINDS = new Set(["CLIENT", "SERVER", "PRODUCER", "CONSUMER"]);
const SPAN_KEYS = new Set(["traceId", "name", "parentId", "id", "kind", "timestamp", "duration", "debug", "shared", "localEndpoint", "remoteEndpoint", "annotations", "tags"]);

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: string;
  timestamp: number;
  duration: number;
  localEndpoint?: { serviceName?: string; ipv4?: string; port?: number };
  remoteEndpoint?: { serviceName?: string; ipv4?: string; port?: number };
  tags?: Record<string, string>;
}

function checkEndpoint(e: unknown, where: string, problems: string[]): void {
  if (typeof e !== "object" || e === null || Array.isArray(e)) {
    problems.push(`${where}: not an object`);
    return;
  }
  for (const [k, v] of Object.entries(e)) {
    if (k === "serviceName") {
      if (typeof v !== "string" || v !== v.toLowerCase()) problems.push(`${where}.serviceName: must be a lower-case string`);
    } else if (k === "ipv4") {
      if (typeof v !== "string" || !IPV4.test(v)) problems.push(`${where}.ipv4: not an IPv4 address: ${String(v)}`);
    } else if (k === "port") {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535) problems.push(`${where}.port: not a port`);
    } else if (k !== "ipv6") problems.push(`${where}: unknown field ${k}`);
  }
}

/** The problems of one parsed traces.json (empty: valid Zipkin v2 with whole trees). */
export function checkZipkin(doc: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(doc)) return ["the document is not a JSON array of spans"];
  const byTrace = new Map<string, ZipkinSpan[]>();
  doc.forEach((s: unknown, i) => {
    const at = `span ${i}`;
    if (typeof s !== "object" || s === null) {
      problems.push(`${at}: not an object`);
      return;
    }
    const o = s as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!SPAN_KEYS.has(k)) problems.push(`${at}: unknown field ${k}`);
    if (typeof o["traceId"] !== "string" || !TRACE_ID.test(o["traceId"])) problems.push(`${at}.traceId: must be 16 or 32 lower-hex characters`);
    if (typeof o["id"] !== "string" || !HEX16.test(o["id"])) problems.push(`${at}.id: must be 16 lower-hex characters`);
    if ("parentId" in o && (typeof o["parentId"] !== "string" || !HEX16.test(o["parentId"]))) problems.push(`${at}.parentId: must be 16 lower-hex characters`);
    if ("kind" in o && !KINDS.has(o["kind"] as string)) problems.push(`${at}.kind: ${String(o["kind"])}`);
    if ("name" in o && typeof o["name"] !== "string") problems.push(`${at}.name: not a string`);
    for (const k of ["timestamp", "duration"]) {
      if (!Number.isSafeInteger(o[k]) || (o[k] as number) < 1) problems.push(`${at}.${k}: must be a positive integer (microseconds)`);
    }
    if ("localEndpoint" in o) checkEndpoint(o["localEndpoint"], `${at}.localEndpoint`, problems);
    if ("remoteEndpoint" in o) checkEndpoint(o["remoteEndpoint"], `${at}.remoteEndpoint`, problems);
    if ("tags" in o) {
      const t = o["tags"];
      if (typeof t !== "object" || t === null || Array.isArray(t)) problems.push(`${at}.tags: not an object`);
      else for (const [k, v] of Object.entries(t)) if (typeof v !== "string") problems.push(`${at}.tags.${k}: not a string`);
    }
    const list = byTrace.get(o["traceId"] as string) ?? [];
    list.push(o as unknown as ZipkinSpan);
    byTrace.set(o["traceId"] as string, list);
  });
  for (const [traceId, spans] of byTrace) {
    const byId = new Map<string, ZipkinSpan>();
    for (const s of spans) {
      if (byId.has(s.id)) problems.push(`trace ${traceId}: span id ${s.id} twice`);
      byId.set(s.id, s);
    }
    const roots = spans.filter((s) => s.parentId === undefined);
    if (roots.length !== 1) problems.push(`trace ${traceId}: ${roots.length} roots`);
    for (const s of spans) {
      if (s.parentId === undefined) continue;
      const p = byId.get(s.parentId);
      if (p === undefined) {
        problems.push(`trace ${traceId}: span ${s.id} has parent ${s.parentId}, not in the trace`);
        continue;
      }
      if (s.timestamp < p.timestamp) problems.push(`trace ${traceId}: span ${s.id} starts before its parent`);
      const mayOutlive = (p.tags?.["response_flags"] ?? "").includes("DC") || s.tags?.["meshsim.unfinished"] === "true";
      if (!mayOutlive && s.timestamp + s.duration > p.timestamp + p.duration) problems.push(`trace ${traceId}: span ${s.id} ends after its parent`);
    }
  }
  return problems;
}
