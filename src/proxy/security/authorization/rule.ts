// One AuthorizationPolicy rule compiled into conditions, and its match against a request.
// A rule matches when ≥1 `from` AND ≥1 `to` AND every `when` match (a missing or empty section
// matches anything); inside a source/operation fields are AND'ed, values OR'ed, `not*` values negate.
// Mirrors istio/istio pilot/pkg/security/authz/model/model.go (New, Generate).
// https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule
import type { AuthzCondition, AuthzOperation, AuthzRule, AuthzSource } from "../../api/security.js";
import { pathEnd } from "../../http-request.js";
import type { AuthzRequest, JwtClaims } from "./request.js";
import { containsPathTemplate } from "./path-template.js";
import {
  cidrMatcher,
  exactMatcher,
  headerMatcher,
  hostMatcher,
  matchPort,
  matchValue,
  namespaceMatcher,
  pathMatcher,
  portMatcher,
  serviceAccountMatcher,
  stringMatcher,
  trustDomainMatcher,
  type ValueMatcher,
} from "./string-match.js";

export const A_PRINCIPAL = 0;
export const A_NAMESPACE = 1;
export const A_REQUEST_PRINCIPAL = 2;
export const A_SOURCE_IP = 3;
export const A_REMOTE_IP = 4;
export const A_HOST = 5;
export const A_METHOD = 6;
export const A_PATH = 7;
export const A_PORT = 8;
export const A_HEADER = 9;
export const A_CLAIM = 10;
export const A_DEST_IP = 11;
export const A_SNI = 12;
/** serviceAccounts / source.serviceAccount, matched on the mTLS peer's principal. */
export const A_SERVICE_ACCOUNT = 13;
/** trustDomains / source.trustDomain, matched on the mTLS peer's principal. */
export const A_TRUST_DOMAIN = 14;

/** request.auth.principal / requestPrincipals value: issuer and subject matched separately. */
export interface RequestPrincipalMatcher {
  readonly iss: ValueMatcher;
  readonly sub: ValueMatcher;
}

export interface Condition {
  readonly attr: number;
  /** Human-readable key ("principals", "request.headers[x-user]") for explanations. */
  readonly key: string;
  /** Header name for A_HEADER. */
  readonly header: string;
  /** Claim path for A_CLAIM ("request.auth.claims[a][b]" ⇒ ["a","b"]). */
  readonly claimPath: readonly string[];
  /** Needs HTTP: cannot be evaluated on TCP traffic. */
  readonly httpOnly: boolean;
  readonly values: readonly ValueMatcher[];
  readonly notValues: readonly ValueMatcher[];
  readonly rpValues: readonly RequestPrincipalMatcher[];
  readonly rpNotValues: readonly RequestPrincipalMatcher[];
}

/** A rule as compiled: OR over froms, OR over tos, AND over whens. Empty froms/tos = any. */
export interface CompiledRule {
  readonly froms: readonly (readonly Condition[])[];
  readonly tos: readonly (readonly Condition[])[];
  readonly when: readonly Condition[];
  /** Some condition needs HTTP (an ALLOW rule then never matches TCP traffic). */
  readonly httpOnly: boolean;
}

export class InvalidRuleError extends Error {}

const EMPTY: readonly never[] = Object.freeze([]);

function cond(
  attr: number,
  key: string,
  values: readonly string[] | undefined,
  notValues: readonly string[] | undefined,
  compile: (v: string) => ValueMatcher,
  extra: { header?: string; claimPath?: readonly string[] } = {},
): Condition | undefined {
  if ((values?.length ?? 0) === 0 && (notValues?.length ?? 0) === 0) return undefined;
  const isRp = attr === A_REQUEST_PRINCIPAL;
  return {
    attr,
    key,
    header: extra.header ?? "",
    claimPath: extra.claimPath ?? EMPTY,
    httpOnly: isHttpOnly(attr),
    values: isRp ? EMPTY : (values ?? []).map(compile),
    notValues: isRp ? EMPTY : (notValues ?? []).map(compile),
    rpValues: isRp ? (values ?? []).map(requestPrincipalMatcher) : EMPTY,
    rpNotValues: isRp ? (notValues ?? []).map(requestPrincipalMatcher) : EMPTY,
  };
}

function isHttpOnly(attr: number): boolean {
  return attr === A_REQUEST_PRINCIPAL || attr === A_HOST || attr === A_METHOD || attr === A_PATH || attr === A_HEADER || attr === A_CLAIM;
}

const ANY: ValueMatcher = stringMatcher("*");

/**
 * `<iss>/<sub>` split at the last "/" (issuers are URLs); "*" anywhere follows Istio's
 * requestPrincipalGenerator: "*" ⇒ both non-empty, "*x/s" ⇒ iss suffix x, "i/x*" ⇒ sub prefix x, etc.
 */
export function requestPrincipalMatcher(value: string): RequestPrincipalMatcher {
  const idx = value.lastIndexOf("/");
  const found = idx >= 0;
  const iss = found ? value.slice(0, idx) : value;
  const sub = found ? value.slice(idx + 1) : "";
  if (value === "*") return { iss: ANY, sub: ANY };
  if (value.startsWith("*")) {
    if (found) return { iss: iss === "*" ? ANY : stringMatcher(iss), sub: exactOf(sub) };
    return { iss: ANY, sub: stringMatcher(value) };
  }
  if (value.endsWith("*")) {
    if (found) return { iss: exactOf(iss), sub: sub === "*" ? ANY : stringMatcher(sub) };
    return { iss: stringMatcher(value), sub: ANY };
  }
  return { iss: exactOf(iss), sub: exactOf(sub) };
}

// Istio uses an exact matcher here even when the text holds "*".
const exactOf = exactMatcher;

function sourceConditions(s: AuthzSource | undefined, policyNamespace: string): Condition[] {
  const out: (Condition | undefined)[] = [];
  if (s !== undefined) {
    out.push(cond(A_PRINCIPAL, "principals", s.principals, s.notPrincipals, (v) => stringMatcher(v)));
    out.push(cond(A_SERVICE_ACCOUNT, "serviceAccounts", s.serviceAccounts, s.notServiceAccounts, (v) => serviceAccountMatcher(policyNamespace, v)));
    out.push(cond(A_TRUST_DOMAIN, "trustDomains", s.trustDomains, s.notTrustDomains, trustDomainMatcher));
    out.push(cond(A_REQUEST_PRINCIPAL, "requestPrincipals", s.requestPrincipals, s.notRequestPrincipals, stringMatcher));
    out.push(cond(A_NAMESPACE, "namespaces", s.namespaces, s.notNamespaces, namespaceMatcher));
    out.push(cond(A_REMOTE_IP, "remoteIpBlocks", s.remoteIpBlocks, s.notRemoteIpBlocks, cidrMatcher));
    out.push(cond(A_SOURCE_IP, "ipBlocks", s.ipBlocks, s.notIpBlocks, cidrMatcher));
  }
  return out.filter((c): c is Condition => c !== undefined);
}

function operationConditions(o: AuthzOperation | undefined): Condition[] {
  const out: (Condition | undefined)[] = [];
  if (o !== undefined) {
    out.push(cond(A_HOST, "hosts", o.hosts, o.notHosts, hostMatcher));
    out.push(cond(A_METHOD, "methods", o.methods, o.notMethods, headerMatcher));
    out.push(cond(A_PATH, "paths", o.paths, o.notPaths, (v) => pathMatcher(v, containsPathTemplate(v))));
    out.push(cond(A_PORT, "ports", o.ports, o.notPorts, portMatcher));
  }
  return out.filter((c): c is Condition => c !== undefined);
}

/** Text inside one pair of brackets: "request.headers[x-user]" ⇒ "x-user". */
function bracketed(rest: string, key: string): string[] {
  const parts: string[] = [];
  const re = /\[([^\][]+)\]/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(rest)) !== null) {
    parts.push(m[1] as string);
    at = re.lastIndex;
  }
  if (parts.length === 0 || at !== rest.length) throw new InvalidRuleError(`invalid attribute ${key}`);
  return parts;
}

/** The `when` keys Istio knows (conditions reference); an unknown key makes the rule invalid. */
function whenCondition(w: AuthzCondition, policyNamespace: string): Condition | undefined {
  const k = w.key;
  const v = w.values;
  const nv = w.notValues;
  switch (k) {
    case "source.ip":
      return cond(A_SOURCE_IP, k, v, nv, cidrMatcher);
    case "remote.ip":
      return cond(A_REMOTE_IP, k, v, nv, cidrMatcher);
    case "source.namespace":
      return cond(A_NAMESPACE, k, v, nv, namespaceMatcher);
    case "source.principal":
      return cond(A_PRINCIPAL, k, v, nv, (x) => stringMatcher(x));
    case "source.serviceAccount":
      return cond(A_SERVICE_ACCOUNT, k, v, nv, (x) => serviceAccountMatcher(policyNamespace, x));
    case "source.trustDomain":
      return cond(A_TRUST_DOMAIN, k, v, nv, trustDomainMatcher);
    case "request.auth.principal":
      return cond(A_REQUEST_PRINCIPAL, k, v, nv, stringMatcher);
    case "request.auth.audiences":
      return cond(A_CLAIM, k, v, nv, (x) => stringMatcher(x), { claimPath: ["aud"] });
    case "request.auth.presenter":
      return cond(A_CLAIM, k, v, nv, (x) => stringMatcher(x), { claimPath: ["azp"] });
    case "destination.ip":
      return cond(A_DEST_IP, k, v, nv, cidrMatcher);
    case "destination.port":
      return cond(A_PORT, k, v, nv, portMatcher);
    case "connection.sni":
      return cond(A_SNI, k, v, nv, (x) => stringMatcher(x));
  }
  if (k.startsWith("request.headers")) {
    const parts = bracketed(k.slice("request.headers".length), k);
    if (parts.length !== 1) throw new InvalidRuleError(`invalid attribute ${k}`);
    return cond(A_HEADER, k, v, nv, headerMatcher, { header: (parts[0] as string).toLowerCase() });
  }
  if (k.startsWith("request.auth.claims")) {
    return cond(A_CLAIM, k, v, nv, (x) => stringMatcher(x), { claimPath: bracketed(k.slice("request.auth.claims".length), k) });
  }
  throw new InvalidRuleError(`unknown attribute ${k}`);
}

/**
 * Compile a rule; throws InvalidRuleError for what istiod would skip ("skipped invalid rule").
 * `policyNamespace`: the namespace a bare service account name is in (model.go srcServiceAccountGenerator).
 */
export function compileRule(rule: AuthzRule, policyNamespace = ""): CompiledRule {
  const when: Condition[] = [];
  for (const w of rule.when ?? []) {
    const c = whenCondition(w, policyNamespace);
    if (c !== undefined) when.push(c);
  }
  const froms = (rule.from ?? []).map((f) => sourceConditions(f.source, policyNamespace));
  const tos = (rule.to ?? []).map((t) => operationConditions(t.operation));
  let httpOnly = false;
  for (const list of [...froms, ...tos, when]) for (const c of list) if (c.httpOnly) httpOnly = true;
  return { froms, tos, when, httpOnly };
}

function claimValue(claims: JwtClaims | undefined, path: readonly string[]): unknown {
  let cur: unknown = claims;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[path[i] as string];
  }
  return cur;
}

/** A claim matches when it is a string that matches, or a list with a string element that matches. */
function claimMatches(m: ValueMatcher, v: unknown): boolean {
  if (typeof v === "string") return matchValue(m, v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if (typeof e === "string" && matchValue(m, e)) return true;
    }
  }
  return false;
}

function requestPrincipalMatches(ms: readonly RequestPrincipalMatcher[], req: AuthzRequest): boolean {
  let iss: unknown = req.requestClaims?.["iss"];
  let sub: unknown = req.requestClaims?.["sub"];
  if (typeof iss !== "string") {
    // No claims given: read iss/sub back out of the principal (slow path, allocates).
    const p = req.requestPrincipal;
    if (p === undefined) return false;
    const idx = p.lastIndexOf("/");
    iss = idx < 0 ? p : p.slice(0, idx);
    sub = idx < 0 ? "" : p.slice(idx + 1);
  }
  if (typeof sub !== "string") sub = "";
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i] as RequestPrincipalMatcher;
    if (matchValue(m.iss, iss as string) && matchValue(m.sub, sub as string)) return true;
  }
  return false;
}

function stringAttr(attr: number, req: AuthzRequest, c: Condition): string | undefined {
  switch (attr) {
    case A_PRINCIPAL:
    case A_SERVICE_ACCOUNT:
    case A_TRUST_DOMAIN:
      return req.peer?.principal;
    case A_NAMESPACE:
      return req.peer?.namespace;
    case A_SOURCE_IP:
      return req.sourceIp;
    case A_REMOTE_IP:
      return req.remoteIp ?? req.sourceIp;
    case A_HOST:
      return req.host;
    case A_METHOD:
      return req.method;
    case A_PATH:
      return req.path;
    case A_HEADER:
      return req.headers[c.header];
    case A_DEST_IP:
      return req.destinationIp;
    case A_SNI:
      return req.sni;
    default:
      return undefined;
  }
}

function anyMatches(c: Condition, ms: readonly ValueMatcher[], rps: readonly RequestPrincipalMatcher[], req: AuthzRequest): boolean {
  const attr = c.attr;
  if (attr === A_REQUEST_PRINCIPAL) return rps.length > 0 && requestPrincipalMatches(rps, req);
  if (attr === A_PORT) {
    for (let i = 0; i < ms.length; i++) if (matchPort(ms[i] as ValueMatcher, req.port)) return true;
    return false;
  }
  if (attr === A_CLAIM) {
    const v = claimValue(req.requestClaims, c.claimPath);
    if (v === undefined) return false;
    for (let i = 0; i < ms.length; i++) if (claimMatches(ms[i] as ValueMatcher, v)) return true;
    return false;
  }
  // Absent attribute (plaintext peer, missing header, no SNI): no value matcher matches it, so only
  // `not*` lists can be satisfied — Envoy's `authenticated` principal never matches a plaintext peer.
  const s = stringAttr(attr, req, c);
  if (s === undefined) return false;
  const end = attr === A_PATH ? pathEnd(s) : s.length;
  for (let i = 0; i < ms.length; i++) {
    if (matchValue(ms[i] as ValueMatcher, s, end)) return true;
  }
  return false;
}

/**
 * Whether one condition holds. On TCP traffic an HTTP-only condition is `lenientHttp` (true for
 * DENY/AUDIT/CUSTOM: istiod drops the field, widening the rule); ALLOW rules with HTTP-only
 * conditions are skipped before getting here.
 */
export function conditionMatches(c: Condition, req: AuthzRequest, lenientHttp: boolean): boolean {
  if (c.httpOnly && req.tcp === true) return lenientHttp;
  const hasValues = c.values.length > 0 || c.rpValues.length > 0;
  if (hasValues && !anyMatches(c, c.values, c.rpValues, req)) return false;
  const hasNot = c.notValues.length > 0 || c.rpNotValues.length > 0;
  if (hasNot && anyMatches(c, c.notValues, c.rpNotValues, req)) return false;
  return true;
}

function allMatch(conds: readonly Condition[], req: AuthzRequest, lenientHttp: boolean): boolean {
  for (let i = 0; i < conds.length; i++) if (!conditionMatches(conds[i] as Condition, req, lenientHttp)) return false;
  return true;
}

function anyGroupMatches(groups: readonly (readonly Condition[])[], req: AuthzRequest, lenientHttp: boolean): boolean {
  if (groups.length === 0) return true;
  for (let i = 0; i < groups.length; i++) if (allMatch(groups[i] as readonly Condition[], req, lenientHttp)) return true;
  return false;
}

/** Whether the rule matches. `isAllow` selects Istio's TCP handling of HTTP-only fields. */
export function ruleMatches(rule: CompiledRule, req: AuthzRequest, isAllow: boolean): boolean {
  if (isAllow && rule.httpOnly && req.tcp === true) return false;
  const lenient = !isAllow;
  return allMatch(rule.when, req, lenient) && anyGroupMatches(rule.froms, req, lenient) && anyGroupMatches(rule.tos, req, lenient);
}
