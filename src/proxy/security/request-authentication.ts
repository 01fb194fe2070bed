// RequestAuthentication: the JWT rules of a workload (all applicable policies combined) and what
// Envoy's jwt_authn filter does with a request. Istio configures the providers as "requires any,
// allow missing": no token passes (no request principal), a bad token is rejected.
// https://istio.io/latest/docs/reference/config/security/request_authentication/
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/jwt_authn_filter
// Check order and messages: envoy jwt_authn authenticator.cc (issuer → time → audience → signature)
// and jwt_verify_lib status.cc; 403 only for a disallowed audience, 401 otherwise (jwt_authn filter.cc).
// The signature is verified against the rule's key set: its inline `jwks`, or what its `jwksUri`
// serves (istiod fetches it and inlines it into the proxy's config as local_jwks; meshsim has no
// network, so the Simulation's `network.jwks` gives it). A rule with neither is a meshsim limitation:
// its tokens' signatures are not checked (the loader warns).
import type { RequestAuthentication } from "../api/security.js";
import { queryParamValue } from "../http-request.js";
import { cookieValue } from "../lb/consistent-hash-key.js";
import type { JwtClaims } from "./authorization/request.js";
import { DEFAULT_ROOT_NAMESPACE, policyAppliesTo, policyRef, type WorkloadRef } from "./policy-scope.js";
import { jwksOf, type Jwks } from "./jwks.js";
import { parseSignedJwt, verifyJwtSignature, type JwtSignatureStatus } from "./jwt-signature.js";
import { decodeTestJwt, type JwtParseError } from "./test-jwt.js";

/** Envoy jwt_authn's default clock skew (JwtVerify::kClockSkewInSecond); Istio does not set it. */
export const JWT_CLOCK_SKEW_SECONDS = 60;

export type JwtStatus =
  | JwtParseError
  | JwtSignatureStatus
  | "JwksNoValidKeys"
  | "JwtUnknownIssuer"
  | "JwtExpired"
  | "JwtNotYetValid"
  | "JwtAudienceNotAllowed";

/**
 * Envoy's messages (getStatusString of the jwt_verify_lib Envoy now carries in its own tree,
 * source/common/jwt/status.cc), sent as the local reply body. meshsim's header and payload parse
 * errors lump Envoy's BadBase64/BadJson pairs together; their messages are the older library's.
 * https://github.com/envoyproxy/envoy/blob/main/source/common/jwt/status.cc
 */
export const JWT_STATUS_MESSAGES: Readonly<Record<JwtStatus, string>> = {
  JwtBadFormat: "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
  JwtHeaderParseError: "Jwt header is an invalid Base64url input or an invalid JSON",
  JwtPayloadParseError: "Jwt payload is an invalid Base64 or an invalid JSON",
  JwtHeaderBadAlg: "Jwt header [alg] field is required and must be a string",
  JwtHeaderNotImplementedAlg: "Jwt header [alg] is not supported",
  JwtHeaderBadKid: "Jwt header [kid] field is not a string",
  JwtSignatureParseError: "Jwt signature is an invalid Base64url encoded",
  JwksKidAlgMismatch: "Jwks doesn't have key to match kid or alg from Jwt",
  JwtVerificationFail: "Jwt verification fails",
  JwksNoValidKeys: "Jwks doesn't have any valid public key",
  JwtUnknownIssuer: "Jwt issuer is not configured",
  JwtExpired: "Jwt is expired",
  JwtNotYetValid: "Jwt not yet valid",
  JwtAudienceNotAllowed: "Audiences in Jwt are not allowed",
};

export type JwtAuthnResult =
  | { readonly ok: true; readonly requestPrincipal: string | undefined; readonly claims: JwtClaims | undefined }
  | { readonly ok: false; readonly status: 401 | 403; readonly body: string; readonly jwtStatus: JwtStatus };

/** No token (or no RequestAuthentication): passes, without a request principal. */
export const JWT_NOT_PRESENT: JwtAuthnResult = Object.freeze({ ok: true, requestPrincipal: undefined, claims: undefined });

const FAILURES = Object.fromEntries(
  (Object.keys(JWT_STATUS_MESSAGES) as JwtStatus[]).map((s) => [
    s,
    Object.freeze({ ok: false, status: s === "JwtAudienceNotAllowed" ? 403 : 401, body: JWT_STATUS_MESSAGES[s], jwtStatus: s }),
  ]),
) as Record<JwtStatus, JwtAuthnResult>;

interface TokenLocation {
  /** Lowercase header name, or "" for a query parameter or a cookie. */
  readonly header: string;
  readonly prefix: string;
  /** Query parameter name, or "". */
  readonly param: string;
  /** Cookie name, or "". */
  readonly cookie: string;
  /** Issuers whose rules read this location. */
  readonly issuers: readonly string[];
}

interface CompiledJwtRule {
  readonly issuer: string;
  /** Claims whose string value authorization sees split at spaces (Envoy normalize_payload_in_metadata). */
  readonly spaceDelimited: readonly string[];
  /** The accepted result per token, its claims normalized for this provider (bounded). */
  readonly successes: Map<string, JwtAuthnResult>;
  /** Normalized (scheme and trailing "/" removed), empty = any audience. */
  readonly audiences: readonly string[];
  readonly policy: string;
  /** The key set signatures are verified against; null = none given (not verified); "invalid" = unusable. */
  readonly keys: Jwks | "invalid" | null;
  /** Signature verdict per token (bounded): a run reuses a handful of tokens millions of times. */
  readonly verdicts: Map<string, "ok" | JwtSignatureStatus>;
}

interface DecodedToken {
  readonly claims: JwtClaims | undefined;
  readonly error: JwtParseError | undefined;
  /** Built once per token so a valid token allocates nothing on later requests. */
  readonly success: JwtAuthnResult | undefined;
}

export interface CompiledRequestAuthn {
  readonly rules: readonly CompiledJwtRule[];
  readonly locations: readonly TokenLocation[];
  /** "namespace/name" of every policy that applies. */
  readonly policies: readonly string[];
  /** Parsed tokens, bounded; a simulation reuses a handful of tokens millions of times. */
  readonly cache: Map<string, DecodedToken>;
}

const CACHE_LIMIT = 1024;

/** Envoy CheckAudience: compare audiences without "http(s)://" and trailing "/". */
export function normalizeAudience(a: string): string {
  let s = a.startsWith("https://") ? a.slice(8) : a.startsWith("http://") ? a.slice(7) : a;
  while (s.endsWith("/")) s = s.slice(0, -1);
  return s;
}

/** Compile the JWT rules of every RequestAuthentication that applies to the workload. */
export function compileRequestAuthentication(
  policies: readonly RequestAuthentication[],
  workload: WorkloadRef,
  rootNamespace: string = DEFAULT_ROOT_NAMESPACE,
): CompiledRequestAuthn {
  const rules: CompiledJwtRule[] = [];
  const locs = new Map<string, { header: string; prefix: string; param: string; cookie: string; issuers: string[] }>();
  const refs: string[] = [];
  const addLoc = (header: string, prefix: string, param: string, cookie: string, issuer: string): void => {
    const key = `${header}\u0000${prefix}\u0000${param}\u0000${cookie}`;
    let l = locs.get(key);
    if (l === undefined) locs.set(key, (l = { header, prefix, param, cookie, issuers: [] }));
    if (!l.issuers.includes(issuer)) l.issuers.push(issuer);
  };
  const applicable = policies
    // A policy with targetRefs is its targets' (an ambient waypoint), never a workload's by selector.
    .filter((p) => (p.spec.targetRefs?.length ?? 0) === 0 && policyAppliesTo(p.metadata, p.spec.selector, workload, rootNamespace))
    .sort((a, b) => a.metadata.creationIndex - b.metadata.creationIndex);
  for (const p of applicable) {
    const ref = policyRef(p.metadata);
    refs.push(ref);
    for (const r of p.spec.jwtRules ?? []) {
      const text = r.jwks ?? r.fetchedJwks;
      const keys = text === undefined ? null : (jwksOf(text) ?? "invalid");
      rules.push({
        issuer: r.issuer, spaceDelimited: spaceDelimitedClaims(r.spaceDelimitedClaims), successes: new Map(),
        audiences: (r.audiences ?? []).map(normalizeAudience), policy: ref, keys, verdicts: new Map(),
      });
      const headers = r.fromHeaders ?? [];
      const params = r.fromParams ?? [];
      const cookies = r.fromCookies ?? [];
      if (headers.length + params.length + cookies.length === 0) {
        // Envoy's default locations, only when the provider names none of its own:
        // `Authorization: Bearer <token>`, then `?access_token=<token>`.
        addLoc("authorization", "Bearer ", "", "", r.issuer);
        addLoc("", "", "access_token", "", r.issuer);
      }
      for (const h of headers) addLoc(h.name.toLowerCase(), h.prefix ?? "", "", "", r.issuer);
      for (const q of params) addLoc("", "", q, "", r.issuer);
      for (const c of cookies) addLoc("", "", "", c, r.issuer);
    }
  }
  // Envoy's extractor reads the header locations first, then the query parameters, then the cookies
  // (envoyproxy/envoy source/extensions/filters/http/jwt_authn/extractor.cc, ExtractorImpl::extract).
  const kind = (l: TokenLocation): number => (l.header !== "" ? 0 : l.param !== "" ? 1 : 2);
  const locations = [...locs.values()].sort((a, b) => kind(a) - kind(b));
  return { rules, locations, policies: refs, cache: new Map() };
}

/**
 * Istio always has Envoy split `permission` and `scope`, plus the rule's spaceDelimitedClaims
 * (istio/istio pilot/pkg/security/authn/policy_applier.go buildSpaceDelimitedClaims).
 */
function spaceDelimitedClaims(extra: readonly string[] | undefined): string[] {
  return [...new Set(["permission", "scope", ...(extra ?? [])])].sort();
}

/**
 * The payload as jwt_authn puts it in the request's metadata, which RBAC's claim matchers read: each
 * space-delimited claim holding a string becomes the list of its non-empty space-separated parts
 * (envoy source/extensions/filters/http/jwt_authn/authenticator.cc setPayloadMetadata).
 */
function normalizePayload(claims: JwtClaims, spaceDelimited: readonly string[]): JwtClaims {
  let out: Record<string, unknown> | undefined;
  for (const c of spaceDelimited) {
    const v = claims[c];
    if (typeof v !== "string") continue;
    const parts = v.split(" ").filter((x) => x !== "");
    if (parts.length === 0) continue;
    out ??= { ...claims };
    out[c] = parts;
  }
  return out ?? claims;
}

function accepted(rule: CompiledJwtRule, token: string, d: DecodedToken): JwtAuthnResult {
  let r = rule.successes.get(token);
  if (r === undefined) {
    const s = d.success as Extract<JwtAuthnResult, { ok: true }>;
    const claims = normalizePayload(s.claims as JwtClaims, rule.spaceDelimited);
    r = claims === s.claims ? s : Object.freeze({ ok: true, requestPrincipal: s.requestPrincipal, claims });
    if (rule.successes.size >= CACHE_LIMIT) rule.successes.clear();
    rule.successes.set(token, r);
  }
  return r;
}

/** RFC 6750: the auth scheme ("Bearer ") is case-insensitive. ASCII only, no allocation. */
function startsWithIgnoreCase(s: string, prefix: string): boolean {
  if (s.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    let a = s.charCodeAt(i);
    let b = prefix.charCodeAt(i);
    if (a >= 65 && a <= 90) a += 32;
    if (b >= 65 && b <= 90) b += 32;
    if (a !== b) return false;
  }
  return true;
}

/** The first token found, with the location it came from. */
function extractToken(authn: CompiledRequestAuthn, headers: Readonly<Record<string, string>>, path: string): [string, TokenLocation] | undefined {
  for (const loc of authn.locations) {
    if (loc.header !== "") {
      const v = headers[loc.header];
      if (v === undefined) continue;
      if (loc.prefix === "") return [v.trim(), loc];
      if (startsWithIgnoreCase(v, loc.prefix)) return [v.slice(loc.prefix.length).trim(), loc];
    } else if (loc.param !== "") {
      const v = queryParamValue(path, loc.param);
      if (v !== undefined && v !== "") return [v, loc];
    } else {
      const v = cookieValue(headers["cookie"], loc.cookie);
      if (v !== undefined && v !== "") return [v, loc];
    }
  }
  return undefined;
}

function decode(authn: CompiledRequestAuthn, token: string): DecodedToken {
  const hit = authn.cache.get(token);
  if (hit !== undefined) return hit;
  const r = decodeTestJwt(token);
  let d: DecodedToken;
  if (r.ok) {
    const iss = r.claims["iss"];
    const sub = r.claims["sub"];
    const principal = typeof iss === "string" ? `${iss}/${typeof sub === "string" ? sub : ""}` : undefined;
    d = { claims: r.claims, error: undefined, success: Object.freeze({ ok: true, requestPrincipal: principal, claims: r.claims }) };
  } else d = { claims: undefined, error: r.error, success: undefined };
  if (authn.cache.size >= CACHE_LIMIT) authn.cache.clear();
  authn.cache.set(token, d);
  return d;
}

/** Header and signature of `token` against the rule's key set (jwt_verify_lib parse, then verify), cached. */
function signatureVerdict(rule: CompiledJwtRule, keys: Jwks, token: string): "ok" | JwtSignatureStatus {
  let v = rule.verdicts.get(token);
  if (v === undefined) {
    const jwt = parseSignedJwt(token);
    v = typeof jwt === "string" ? jwt : verifyJwtSignature(jwt, keys);
    if (rule.verdicts.size >= CACHE_LIMIT) rule.verdicts.clear();
    rule.verdicts.set(token, v);
  }
  return v;
}

function audiencesAllowed(allowed: readonly string[], aud: unknown): boolean {
  if (allowed.length === 0) return true;
  if (typeof aud === "string") return allowed.includes(normalizeAudience(aud));
  if (Array.isArray(aud)) for (const a of aud) if (typeof a === "string" && allowed.includes(normalizeAudience(a))) return true;
  return false;
}

/**
 * A CORS preflight: OPTIONS with non-empty Origin and Access-Control-Request-Method. Istio sets
 * bypass_cors_preflight (policy_applier.go convertToEnvoyJwtConfig), and jwt_authn then passes it
 * whatever its token (envoy jwt_authn filter.cc isCorsPreflightRequest).
 */
function isCorsPreflight(method: string, headers: Readonly<Record<string, string>>): boolean {
  return method === "OPTIONS" && (headers["origin"] ?? "") !== "" && (headers["access-control-request-method"] ?? "") !== "";
}

/**
 * jwt_authn for one request at simulated time `nowSeconds`.
 * @param path the :path (the `access_token` query parameter is a default token location).
 * @param method the :method (a CORS preflight is never checked).
 */
export function authenticateRequest(
  authn: CompiledRequestAuthn,
  headers: Readonly<Record<string, string>>,
  path: string,
  nowSeconds: number,
  method = "GET",
): JwtAuthnResult {
  if (authn.rules.length === 0 || isCorsPreflight(method, headers)) return JWT_NOT_PRESENT;
  const found = extractToken(authn, headers, path);
  if (found === undefined) return JWT_NOT_PRESENT;
  const [token, loc] = found;
  const d = decode(authn, token);
  if (d.error !== undefined) return FAILURES[d.error];
  const claims = d.claims as JwtClaims;
  const iss = claims["iss"];
  // The provider is found by `iss`, among those that read the location the token came from.
  let rule: CompiledJwtRule | undefined;
  if (typeof iss === "string" && loc.issuers.includes(iss)) rule = authn.rules.find((r) => r.issuer === iss);
  if (rule === undefined) return FAILURES.JwtUnknownIssuer;
  if (rule.keys === "invalid") return FAILURES.JwksNoValidKeys;
  const verdict = rule.keys === null ? "ok" : signatureVerdict(rule, rule.keys, token);
  // A malformed header or signature fails first: Envoy parses the whole token before the issuer check
  // (meshsim reads it strictly once the provider is known, as a provider without keys reads it leniently).
  if (verdict !== "ok" && verdict !== "JwtVerificationFail" && verdict !== "JwksKidAlgMismatch") return FAILURES[verdict];
  const nbf = claims["nbf"];
  if (typeof nbf === "number" && nowSeconds + JWT_CLOCK_SKEW_SECONDS < nbf) return FAILURES.JwtNotYetValid;
  const exp = claims["exp"];
  if (typeof exp === "number" && exp !== 0 && nowSeconds > exp + JWT_CLOCK_SKEW_SECONDS) return FAILURES.JwtExpired;
  if (!audiencesAllowed(rule.audiences, claims["aud"])) return FAILURES.JwtAudienceNotAllowed;
  // Then the signature, against the provider's key set (authenticator.cc verifyKey).
  if (verdict !== "ok") return FAILURES[verdict];
  return accepted(rule, token, d);
}
