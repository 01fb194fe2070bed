// The HTTP request an app sends for a call: Host from the URL, and the incoming headers it chose to
// forward (like Bookinfo's end-user and tracing headers). Built once per call step; a copy only when
// there is a header to forward.
import type { OutgoingRequest } from "../transport.js";

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The request for a call target with no headers. */
export function callRequest(to: OutgoingRequest["target"], method: string, bytes = 0): OutgoingRequest {
  const defaultPort = to.scheme === "https" ? 443 : 80;
  return {
    method,
    scheme: to.scheme,
    authority: to.port === defaultPort ? to.host : `${to.host}:${to.port}`,
    path: to.path,
    headers: NO_HEADERS,
    target: to,
    bytes,
    ctx: null,
  };
}

/** `base` with the forwarded headers of the incoming request; `base` itself when there are none. */
export function withForwardedHeaders(
  base: OutgoingRequest,
  incoming: Readonly<Record<string, string>>,
  forward: readonly string[],
): OutgoingRequest {
  // A request without headers (every request a load generator sends without `headers`, and every
  // call made for one) has none to forward: no lookup of each name. Each `incoming[h]` with a name
  // that varies is V8's megamorphic keyed load (Builtins_KeyedLoadIC_Megamorphic, ≈ 6 % of Bookinfo's
  // simulated minute with the mesh off: docs/performance.md, Goal 3, session 19).
  if (incoming === NO_HEADERS) return base;
  let headers: Record<string, string> | null = null;
  for (const h of forward) {
    // Own headers only: a name like `constructor` must not read the object's prototype.
    const v = Object.hasOwn(incoming, h) ? incoming[h] : undefined;
    if (v !== undefined) (headers ??= {})[h] = v;
  }
  return headers === null ? base : { ...base, headers };
}
