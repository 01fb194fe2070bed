// Envoy access-log response flags (%RESPONSE_FLAGS%), in Envoy's enum order
// (envoy source/common/stream_info/utility.h CORE_RESPONSE_FLAGS / CoreResponseFlag), as bits
// so a request carries them in one number. https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage
// Envoy prints a stream's flags in the order they were SET (stream_info_impl.h keeps a vector):
// flags set at different moments of one request are joined in that order by joinResponseFlags
// ("URX,UF"); formatResponseFlags' enum order is for a set made at one moment (DI,FI).

/** [short flag, long name, cause] in canonical order; bit i of a flag set is entry i. */
const TABLE = [
  ["LH", "FailedLocalHealthCheck", "the upstream host failed its local (active) health check"],
  ["UH", "NoHealthyUpstream", "no healthy upstream host in the cluster (503)"],
  ["UT", "UpstreamRequestTimeout", "route timeout, or per-try timeout on the last try (504)"],
  ["LR", "LocalReset", "Envoy reset the upstream stream itself (503)"],
  ["UR", "UpstreamRemoteReset", "the upstream reset the stream (503)"],
  ["UF", "UpstreamConnectionFailure", "connecting to the upstream failed or timed out, incl. TLS handshake (503)"],
  ["UC", "UpstreamConnectionTermination", "the upstream closed the connection before/while responding (503)"],
  ["UO", "UpstreamOverflow", "a circuit breaker overflowed: connections, pending, requests or retries (503)"],
  ["NR", "NoRouteFound", "no route matched (HTTP 404) or no filter chain matched (TCP close)"],
  ["DI", "DelayInjected", "the fault filter delayed the request"],
  ["FI", "FaultInjected", "the fault filter aborted the request with a configured status"],
  ["RL", "RateLimited", "a local or global rate limit rejected the request (429)"],
  ["UAEX", "UnauthorizedExternalService", "ext_authz (Istio CUSTOM action) denied the request (403)"],
  ["RLSE", "RateLimitServiceError", "the rate limit service failed and the filter fails closed (500)"],
  ["DC", "DownstreamConnectionTermination", "the downstream connection closed before the response was sent"],
  ["URX", "UpstreamRetryLimitExceeded", "retries (HTTP) or connect attempts (TCP) were used up; last result returned"],
  ["SI", "StreamIdleTimeout", "the stream idle timeout fired (408)"],
  ["IH", "InvalidEnvoyRequestHeaders", "an x-envoy-* request header was invalid under strict checking (400)"],
  ["DPE", "DownstreamProtocolError", "the downstream request was malformed HTTP (400 or reset)"],
  ["UMSDR", "UpstreamMaxStreamDurationReached", "the upstream stream hit its max stream duration"],
  ["RFCF", "ResponseFromCacheFilter", "the response was served by the cache filter"],
  ["NFCF", "NoFilterConfigFound", "a filter config (ECDS) did not arrive in time (500)"],
  ["DT", "DurationTimeout", "max connection duration / TCP max downstream duration reached"],
  ["UPE", "UpstreamProtocolError", "the upstream sent malformed HTTP (502/503)"],
  ["NC", "NoClusterFound", "the route's cluster does not exist (503; 500 for Gateway-API routes)"],
  ["OM", "OverloadManagerTerminated", "the overload manager shed the request (503)"],
  ["DF", "DnsResolutionFailed", "DNS resolution failed (dynamic forward proxy) (503)"],
  ["DO", "DropOverload", "EDS drop_overload dropped the request (503)"],
  ["DR", "DownstreamRemoteReset", "the downstream reset the stream"],
  ["UDO", "UnconditionalDropOverload", "EDS drop_overload at 100 % dropped the request (503)"],
] as const;

export type ResponseFlag = (typeof TABLE)[number][0];

/** Flags in Envoy's canonical print order. */
export const RESPONSE_FLAG_ORDER: readonly ResponseFlag[] = TABLE.map((t) => t[0]);

/** One-line cause of each flag. */
export const RESPONSE_FLAG_DESCRIPTIONS: Readonly<Record<ResponseFlag, string>> = Object.fromEntries(
  TABLE.map((t) => [t[0], t[2]]),
) as Record<ResponseFlag, string>;

/**
 * Envoy's long (PascalCase) name of each flag, %RESPONSE_FLAGS_LONG%: its own strings, not the enum's
 * names (OM is "OverloadManagerTerminated", DO "DropOverload"). envoyproxy/envoy
 * source/common/stream_info/utility.h (OVERLOAD_MANAGER_LONG, DROP_OVERLOAD_LONG).
 */
export const RESPONSE_FLAG_LONG_NAMES: Readonly<Record<ResponseFlag, string>> = Object.fromEntries(
  TABLE.map((t) => [t[0], t[1]]),
) as Record<ResponseFlag, string>;

/** Bit of each flag: `flags |= ResponseFlagBit.UF`. */
export const ResponseFlagBit: Readonly<Record<ResponseFlag, number>> = Object.freeze(
  Object.fromEntries(TABLE.map((t, i) => [t[0], 1 << i])) as Record<ResponseFlag, number>,
);

export const NO_RESPONSE_FLAGS = "-";

const formatted = new Map<number, string>();

/** Print a flag set as Envoy's access log does: comma-separated in canonical order, "-" for none. Cached per set. */
export function formatResponseFlags(flags: number | Iterable<ResponseFlag>): string {
  const bits = typeof flags === "number" ? flags : responseFlagBits(flags);
  if (bits === 0) return NO_RESPONSE_FLAGS;
  let s = formatted.get(bits);
  if (s === undefined) {
    const parts: string[] = [];
    for (let i = 0; i < TABLE.length; i++) if ((bits & (1 << i)) !== 0) parts.push((TABLE[i] as (typeof TABLE)[number])[0]);
    s = parts.join(",");
    formatted.set(bits, s);
  }
  return s;
}

export function responseFlagBits(flags: Iterable<ResponseFlag>): number {
  let bits = 0;
  for (const f of flags) bits |= ResponseFlagBit[f];
  return bits;
}

/** Inverse of formatResponseFlags ("-" → []); unknown names are ignored. */
export function parseResponseFlags(s: string): ResponseFlag[] {
  if (s === NO_RESPONSE_FLAGS || s === "") return [];
  return s.split(",").filter((f): f is ResponseFlag => f in ResponseFlagBit);
}

/**
 * `a`'s flags then `b`'s (set later), each once. Envoy keeps a stream's flags in the order they were
 * set and prints them so (StreamInfoImpl::setResponseFlag pushes onto a vector;
 * ResponseFlagUtils::toString walks it): a retried connection failure logs "URX,UF", not the
 * "UF,URX" of older Envoy, whose bitmask printed a fixed order.
 * https://github.com/envoyproxy/envoy/blob/main/source/common/stream_info/stream_info_impl.h
 * https://github.com/envoyproxy/envoy/blob/main/source/common/stream_info/utility.cc
 */
export function joinResponseFlags(a: string, b: string): string {
  if (a === "-" || a === "") return b;
  if (b === "-" || b === "") return a;
  const out = parseResponseFlags(a);
  for (const f of parseResponseFlags(b)) if (!out.includes(f)) out.push(f);
  return out.join(",");
}

