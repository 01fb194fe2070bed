// Value matchers of AuthorizationPolicy fields, compiled once. Every string field supports exact
// "abc", prefix "abc*", suffix "*abc" and presence "*" (istio/istio pilot/pkg/security/authz/matcher:
// StringMatcher makes "*" a `.+` regex, i.e. non-empty; HeaderMatcher makes it `present_match`;
// HostMatcher is the same but case-insensitive). A "*" in the middle is literal.
// https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule
import { cidrContains, parseCidr, type CidrBlock } from "./ip-block.js";
import { compilePathTemplate } from "./path-template.js";

export const M_EXACT = 0;
export const M_PREFIX = 1;
export const M_SUFFIX = 2;
/** "*" through StringMatcher: regex `.+`, any non-empty value. */
export const M_NON_EMPTY = 3;
/** "*" through HeaderMatcher: the header is present, even empty. */
export const M_PRESENT = 4;
export const M_REGEX = 5;
export const M_CIDR = 6;
export const M_PORT = 7;
/** A value Istio rejects (bad CIDR, bad port): never matches. */
export const M_NEVER = 8;

export interface ValueMatcher {
  readonly kind: number;
  readonly value: string;
  readonly ignoreCase: boolean;
  readonly re: RegExp | undefined;
  readonly cidr: CidrBlock | undefined;
  readonly port: number;
}

function make(kind: number, value: string, ignoreCase = false, re?: RegExp, cidr?: CidrBlock, port = -1): ValueMatcher {
  return { kind, value: ignoreCase ? value.toLowerCase() : value, ignoreCase, re, cidr, port };
}

/** Istio StringMatcher: "*" ⇒ non-empty, "*x" ⇒ suffix, "x*" ⇒ prefix, else exact. */
export function stringMatcher(v: string, ignoreCase = false): ValueMatcher {
  if (v === "*") return make(M_NON_EMPTY, "");
  if (v.startsWith("*")) return make(M_SUFFIX, v.slice(1), ignoreCase);
  if (v.endsWith("*")) return make(M_PREFIX, v.slice(0, -1), ignoreCase);
  return make(M_EXACT, v, ignoreCase);
}

/** A literal exact match (no wildcard interpretation). */
export function exactMatcher(v: string): ValueMatcher {
  return make(M_EXACT, v);
}

/** Istio HeaderMatcher (methods, request.headers[...]): like stringMatcher but "*" means present. */
export function headerMatcher(v: string): ValueMatcher {
  return v === "*" ? make(M_PRESENT, "") : stringMatcher(v);
}

/** Istio HostMatcher: header matcher on :authority, case-insensitive. */
export function hostMatcher(v: string): ValueMatcher {
  return v === "*" ? make(M_PRESENT, "") : stringMatcher(v, true);
}

/** paths: a URI template when it contains {*} or {**}, else a string matcher on the path without query. */
export function pathMatcher(v: string, isTemplate: boolean): ValueMatcher {
  return isTemplate ? make(M_REGEX, v, false, compilePathTemplate(v)) : stringMatcher(v);
}

/**
 * namespaces / source.namespace: Istio matches the principal against `.* /ns/<v, * ⇒ .*>/.*`, i.e. a
 * glob over the namespace; "*" needs an mTLS peer but matches any namespace.
 */
export function namespaceMatcher(v: string): ValueMatcher {
  const body = v.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return make(M_REGEX, v, false, new RegExp(`^${body}$`));
}

function quoteRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * serviceAccounts / source.serviceAccount: `<sa>` (in the policy's namespace) or `<ns>/<sa>`, matched
 * on the peer principal with any trust domain and optional extra segments — istio/istio
 * pilot/pkg/security/authz/model/generator.go serviceAccountRegex
 * `spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?` (the principal here has no "spiffe://").
 */
export function serviceAccountMatcher(policyNamespace: string, v: string): ValueMatcher {
  const slash = v.indexOf("/");
  const ns = slash < 0 ? policyNamespace : v.slice(0, slash);
  const sa = slash < 0 ? v : v.slice(slash + 1);
  return make(M_REGEX, v, false, new RegExp(`^.+/ns/${quoteRegex(ns)}/(.+/|)sa/${quoteRegex(sa)}(/.+)?$`));
}

/**
 * trustDomains / source.trustDomain on the peer principal (generator.go srcTrustDomainGenerator):
 * "*" any mTLS peer, "td" the prefix "td/", one "*" at either end `[^/]*` within the trust domain.
 */
export function trustDomainMatcher(v: string): ValueMatcher {
  if (v === "*") return make(M_REGEX, v, false, /^/);
  const star = v.indexOf("*");
  if (star < 0) return make(M_PREFIX, `${v}/`);
  return make(M_REGEX, v, false, new RegExp(`^${quoteRegex(v.slice(0, star))}[^/]*${quoteRegex(v.slice(star + 1))}/`));
}

export function cidrMatcher(v: string): ValueMatcher {
  const cidr = parseCidr(v);
  return cidr === undefined ? make(M_NEVER, v) : make(M_CIDR, v, false, undefined, cidr);
}

/** Go's strconv.ParseUint(v, 10, 32) ≤ 65535 (istio model/util.go convertToPort): leading zeros are fine. */
export function portMatcher(v: string): ValueMatcher {
  const n = /^\d+$/.test(v) ? Number(v) : -1;
  return n < 0 || n > 65535 ? make(M_NEVER, v) : make(M_PORT, v, false, undefined, undefined, n);
}

function endsWithIgnoreCase(s: string, lowerSuffix: string, end: number): boolean {
  const off = end - lowerSuffix.length;
  if (off < 0) return false;
  for (let i = 0; i < lowerSuffix.length; i++) {
    let c = s.charCodeAt(off + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerSuffix.charCodeAt(i)) return false;
  }
  return true;
}

function startsWithIgnoreCase(s: string, lowerPrefix: string, end: number): boolean {
  if (lowerPrefix.length > end) return false;
  for (let i = 0; i < lowerPrefix.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerPrefix.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether a port matcher accepts the port. */
export function matchPort(m: ValueMatcher, port: number): boolean {
  return m.kind === M_PORT && m.port === port;
}

/** Match the value s[0, end) (end < s.length cuts off a query string without slicing). */
export function matchValue(m: ValueMatcher, s: string, end: number = s.length): boolean {
  switch (m.kind) {
    case M_EXACT:
      if (end !== m.value.length) return false;
      return m.ignoreCase ? startsWithIgnoreCase(s, m.value, end) : s.startsWith(m.value);
    case M_PREFIX:
      return m.ignoreCase ? startsWithIgnoreCase(s, m.value, end) : end >= m.value.length && s.startsWith(m.value);
    case M_SUFFIX:
      return m.ignoreCase ? endsWithIgnoreCase(s, m.value, end) : s.endsWith(m.value, end);
    case M_NON_EMPTY:
      return end > 0;
    case M_PRESENT:
      return true;
    case M_REGEX:
      return (m.re as RegExp).test(end === s.length ? s : s.slice(0, end));
    case M_CIDR:
      return cidrContains(m.cidr as CidrBlock, s);
    default:
      return false;
  }
}
