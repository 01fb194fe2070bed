// `directResponse`: Envoy answers locally with a fixed status and optional body; no upstream.
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPDirectResponse
import type { HTTPDirectResponse } from "../api/networking.js";

export interface CompiledDirectResponse {
  readonly status: number;
  /** Body text (`bytes` is base64-decoded as UTF-8); "" when absent. */
  readonly body: string;
}

export function compileDirectResponse(d: HTTPDirectResponse | undefined): CompiledDirectResponse | undefined {
  if (d === undefined) return undefined;
  let body = d.body?.string ?? "";
  if (d.body?.bytes !== undefined) body = Buffer.from(d.body.bytes, "base64").toString("utf8");
  return Object.freeze({ status: d.status, body });
}
