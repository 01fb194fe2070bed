// Istio StringMatch compiled once into a small tagged record, matched without allocation.
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
import type { StringMatch } from "../api/networking.js";
import { compileRe2, re2FullMatch, type Re2 } from "./re2.js";

export const MATCH_EXACT = 0;
export const MATCH_PREFIX = 1;
export const MATCH_REGEX = 2;
/** Header / query parameter presence (`{}` or Istio's special `regex: "*"`). */
export const MATCH_PRESENT = 3;
/**
 * Envoy's path_separated_prefix: the path equals the prefix or continues with "/" after it. istiod
 * emits it for a PathPrefix of a Gateway API route ("/api" matches /api and /api/x, not /apix).
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto (path_separated_prefix);
 * istio/istio pilot/pkg/networking/core/route/route.go TranslateRouteMatch (UseGatewaySemantics).
 */
export const MATCH_PATH_SEPARATED_PREFIX = 4;

export type StringMatchKind = typeof MATCH_EXACT | typeof MATCH_PREFIX | typeof MATCH_REGEX | typeof MATCH_PRESENT | typeof MATCH_PATH_SEPARATED_PREFIX;

export interface CompiledStringMatch {
  readonly kind: StringMatchKind;
  readonly value: string;
  /** Only for MATCH_REGEX. */
  readonly re: Re2 | undefined;
  /** ASCII case-insensitive exact/prefix (VirtualService ignoreUriCase); regex is unaffected. */
  readonly ignoreCase: boolean;
}

/** `{}` / missing kind, or `regex: "*"`, becomes a presence match (istio/istio route.go canBeConvertedToPresentMatch). */
export function isPresenceMatch(m: StringMatch | Record<string, never> | null | undefined): boolean {
  if (m === null || m === undefined) return true;
  if ("regex" in m) return m.regex === "*";
  return !("exact" in m) && !("prefix" in m);
}

export function compileStringMatch(
  m: StringMatch | Record<string, never> | null | undefined,
  ignoreCase = false,
): CompiledStringMatch {
  if (isPresenceMatch(m)) return { kind: MATCH_PRESENT, value: "", re: undefined, ignoreCase: false };
  const sm = m as StringMatch;
  if ("exact" in sm) return { kind: MATCH_EXACT, value: ignoreCase ? sm.exact.toLowerCase() : sm.exact, re: undefined, ignoreCase };
  if ("prefix" in sm) return { kind: MATCH_PREFIX, value: ignoreCase ? sm.prefix.toLowerCase() : sm.prefix, re: undefined, ignoreCase };
  return { kind: MATCH_REGEX, value: sm.regex, re: compileRe2(sm.regex), ignoreCase: false };
}

/** A path-separated prefix match (Gateway API PathPrefix under gateway semantics). */
export function pathSeparatedPrefix(prefix: string): CompiledStringMatch {
  return { kind: MATCH_PATH_SEPARATED_PREFIX, value: prefix, re: undefined, ignoreCase: false };
}

/** ASCII case-insensitive comparison of s[start, start+len(lower)) with an already-lowercased string. */
function equalsIgnoreCaseAt(s: string, start: number, lower: string): boolean {
  if (start + lower.length > s.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(start + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Match a present value. Presence matches always hold here (absence is the caller's business). */
export function matchString(m: CompiledStringMatch, value: string): boolean {
  return matchStringRange(m, value, value.length);
}

/**
 * Match value[0, end) without slicing for exact/prefix (used on a path whose query must be ignored).
 * Regex needs the substring and slices only when `end` is short of the whole string.
 */
export function matchStringRange(m: CompiledStringMatch, value: string, end: number): boolean {
  switch (m.kind) {
    case MATCH_EXACT:
      if (end !== m.value.length) return false;
      return m.ignoreCase ? equalsIgnoreCaseAt(value, 0, m.value) : value.startsWith(m.value);
    case MATCH_PREFIX:
      if (end < m.value.length) return false;
      return m.ignoreCase ? equalsIgnoreCaseAt(value, 0, m.value) : value.startsWith(m.value);
    case MATCH_REGEX:
      return re2FullMatch(m.re as Re2, end === value.length ? value : value.slice(0, end));
    case MATCH_PATH_SEPARATED_PREFIX:
      return value.startsWith(m.value) && (end === m.value.length || (end > m.value.length && value.charCodeAt(m.value.length) === 47));
    default:
      return true;
  }
}

/** Match value[start, end) (a query parameter value inside the path). */
export function matchStringSlice(m: CompiledStringMatch, s: string, start: number, end: number): boolean {
  switch (m.kind) {
    case MATCH_EXACT:
      return end - start === m.value.length && s.startsWith(m.value, start);
    case MATCH_PREFIX:
      return end - start >= m.value.length && s.startsWith(m.value, start);
    case MATCH_REGEX:
      return re2FullMatch(m.re as Re2, s.slice(start, end));
    default:
      return true;
  }
}
