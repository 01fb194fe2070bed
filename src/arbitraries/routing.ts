// fast-check arbitraries for VirtualService routing: StringMatch, HTTPMatchRequest, HTTPRoute and
// HttpRequest drawn from small alphabets so that generated matches and requests often meet.
// Import them to write your own properties against meshsim's routing functions.
import fc from "fast-check";
import type { HTTPMatchRequest, HTTPRetry, HTTPRoute, HTTPRouteDestination, StringMatch } from "../proxy/api/networking.js";
import type { HttpRequest } from "../proxy/http-request.js";

export const SEGMENTS = ["a", "b", "api", "v1", "Api"] as const;
export const HEADER_NAMES = ["x-user", "x-env", "end-user"] as const;
export const HEADER_VALUES = ["", "jason", "test", "Jason", "prod"] as const;
export const QUERY_KEYS = ["q", "id"] as const;
export const METHODS = ["GET", "POST", "PUT"] as const;

/** A path like "/api/v1" (always starting with "/"), without query. */
export const pathArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 3 })
  .map((segs) => "/" + segs.join("/"));

/** A safe RE2 pattern over the path alphabet (full match is what Istio does). */
export const pathRegexArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(".*"),
  fc.constant("/api/.*"),
  fc.constant("/[ab]+"),
  fc.constant("/(a|b)/v1"),
  fc.constant("/.*/v1"),
  pathArb.map((p) => p.replace(/\//g, "\\/")),
);

export const valueArb: fc.Arbitrary<string> = fc.constantFrom(...HEADER_VALUES);

export function stringMatchArb(values: fc.Arbitrary<string>, regexes: fc.Arbitrary<string>): fc.Arbitrary<StringMatch> {
  return fc.oneof(
    values.map((exact): StringMatch => ({ exact })),
    values.map((v): StringMatch => ({ prefix: v.slice(0, Math.ceil(v.length / 2)) })),
    regexes.map((regex): StringMatch => ({ regex })),
  );
}

/** StringMatch for URIs. */
export const uriMatchArb: fc.Arbitrary<StringMatch> = stringMatchArb(pathArb, pathRegexArb);
/** StringMatch for header / query values. */
export const valueMatchArb: fc.Arbitrary<StringMatch> = stringMatchArb(valueArb, fc.constantFrom("j.*", "[a-z]+", "test|prod", ".*"));

const headerCondArb = fc.oneof(
  { weight: 4, arbitrary: valueMatchArb as fc.Arbitrary<StringMatch | Record<string, never>> },
  { weight: 1, arbitrary: fc.constant({} as Record<string, never>) },
);

/** HTTPMatchRequest with runtime conditions only (no port / source selectors). */
export const httpMatchRequestArb: fc.Arbitrary<HTTPMatchRequest> = fc.record(
  {
    uri: uriMatchArb,
    method: fc.constantFrom(...METHODS).map((exact): StringMatch => ({ exact })),
    headers: fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerCondArb, { maxKeys: 2 }),
    withoutHeaders: fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerCondArb, { maxKeys: 1 }),
    queryParams: fc.dictionary(fc.constantFrom(...QUERY_KEYS), valueMatchArb, { maxKeys: 1 }),
    ignoreUriCase: fc.boolean(),
  },
  { requiredKeys: [] },
);

export const destinationArb: fc.Arbitrary<HTTPRouteDestination> = fc.record(
  {
    destination: fc.record({ host: fc.constantFrom("reviews", "ratings", "details.bar.svc.cluster.local"), subset: fc.constantFrom("v1", "v2", "v3") }, { requiredKeys: ["host"] }),
    weight: fc.integer({ min: 0, max: 100 }),
  },
  { requiredKeys: ["destination"] },
);

export const httpRetryArb: fc.Arbitrary<HTTPRetry> = fc.record(
  {
    attempts: fc.integer({ min: -1, max: 6 }),
    perTryTimeoutMs: fc.integer({ min: 1, max: 5000 }),
    retryOn: fc.subarray(["5xx", "gateway-error", "reset", "connect-failure", "refused-stream", "retriable-4xx", "retriable-status-codes", "unavailable", "cancelled", "503", "429"]).map((a) => a.join(",")),
    backoffMs: fc.integer({ min: 1, max: 1000 }),
  },
  { requiredKeys: ["attempts"] },
);

/** An HTTPRoute rule with 0–3 match entries (0 ⇒ catch-all) and 1–3 destinations. */
export const httpRouteArb: fc.Arbitrary<HTTPRoute> = fc.record(
  {
    name: fc.constantFrom("r1", "r2", "r3"),
    match: fc.array(httpMatchRequestArb, { minLength: 0, maxLength: 3 }),
    route: fc.array(destinationArb, { minLength: 1, maxLength: 3 }),
    timeoutMs: fc.integer({ min: 0, max: 10_000 }),
    retries: httpRetryArb,
  },
  { requiredKeys: ["route"] },
);

/** A rule that always has at least one match entry (never a catch-all by omission). */
export const matchedHttpRouteArb: fc.Arbitrary<HTTPRoute> = fc.record({
  name: fc.constantFrom("r1", "r2", "r3"),
  match: fc.array(httpMatchRequestArb, { minLength: 1, maxLength: 3 }),
  route: fc.array(destinationArb, { minLength: 1, maxLength: 3 }),
});

/** An HttpRequest over the same alphabets (path may carry a query string). */
export const httpRequestArb: fc.Arbitrary<HttpRequest> = fc.record({
  method: fc.constantFrom(...METHODS),
  scheme: fc.constantFrom("http", "https"),
  authority: fc.constantFrom("reviews", "reviews:9080", "reviews.default.svc.cluster.local"),
  path: fc.tuple(pathArb, fc.option(fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.option(valueArb, { nil: undefined })), { maxLength: 2 }), { nil: undefined }))
    .map(([p, q]) => (q === undefined ? p : p + "?" + q.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join("&"))),
  headers: fc.dictionary(fc.constantFrom(...HEADER_NAMES), valueArb, { maxKeys: 3 }),
});

/** Build a request for unit tests. */
export function makeRequest(path: string, init: Partial<Omit<HttpRequest, "path">> = {}): HttpRequest {
  return { method: init.method ?? "GET", scheme: init.scheme ?? "http", authority: init.authority ?? "reviews", path, headers: init.headers ?? {} };
}
