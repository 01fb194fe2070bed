// Identifiers drawn from a named seeded stream (never Math.random): x-request-id as a version-4 UUID
// (what Envoy generates when a request has none), Zipkin/B3 trace ids (128-bit) and span ids (64-bit).
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-request-id

function hex32(u: number): string {
  return Math.floor(u * 4294967296).toString(16).padStart(8, "0");
}

export class IdSource {
  constructor(private readonly draw: () => number) {}

  /** 16 lowercase hex digits, never all zero (Zipkin rejects a zero id). */
  spanId(): string {
    const s = hex32(this.draw()) + hex32(this.draw());
    return s === "0000000000000000" ? "0000000000000001" : s;
  }

  /** 32 lowercase hex digits. */
  traceId(): string {
    return this.spanId() + this.spanId();
  }

  /** A UUID with version 4 and the RFC 4122 variant, e.g. 3d5c1b2a-8f1e-4c2b-9a7d-0e6f5a4b3c2d. */
  uuid(): string {
    const h = hex32(this.draw()) + hex32(this.draw()) + hex32(this.draw()) + hex32(this.draw());
    const variant = "89ab"[parseInt(h[16]!, 16) & 3]!;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
