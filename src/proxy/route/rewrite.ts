// `rewrite` before forwarding: `uri` is Envoy prefix_rewrite — it replaces the part of the path the
// route matched (the prefix for a prefix match, the whole path for exact/regex matches, just "/"
// when the match has no uri); `uriRegexRewrite` is Envoy regex_rewrite (RE2, every match replaced,
// "\1" substitutions) on the path without its query; `authority` rewrites the Host.
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#envoy-v3-api-field-config-route-v3-routeaction-prefix-rewrite
import type { HTTPRewrite } from "../api/networking.js";
import { pathEnd } from "../http-request.js";
import { compileRe2, type Re2 } from "./re2.js";
import type { CompiledMatch } from "./route-match.js";
import { MATCH_EXACT, MATCH_PATH_SEPARATED_PREFIX, MATCH_PREFIX } from "./string-match.js";

export interface CompiledRewrite {
  /** prefix_rewrite ("" means none). */
  readonly uri: string;
  readonly regex: Re2 | undefined;
  /** RE2 substitution split into literals (strings) and capture group numbers. */
  readonly substitution: readonly (string | number)[];
  readonly authority: string | undefined;
}

/** Split an RE2 substitution ("\0".."\9" groups, "\\" a backslash) into parts. */
export function parseSubstitution(s: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let lit = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "\\" && i + 1 < s.length) {
      const n = s[i + 1] as string;
      if (n >= "0" && n <= "9") {
        if (lit !== "") parts.push(lit);
        lit = "";
        parts.push(n.charCodeAt(0) - 48);
        i++;
        continue;
      }
      if (n === "\\") {
        lit += "\\";
        i++;
        continue;
      }
    }
    lit += c;
  }
  if (lit !== "") parts.push(lit);
  return parts;
}

export function compileRewrite(r: HTTPRewrite | undefined): CompiledRewrite | undefined {
  if (r === undefined) return undefined;
  const regex = r.uriRegexRewrite !== undefined ? compileRe2(r.uriRegexRewrite.match) : undefined;
  const substitution = r.uriRegexRewrite !== undefined ? parseSubstitution(r.uriRegexRewrite.rewrite) : [];
  return Object.freeze({
    uri: regex === undefined ? (r.uri ?? "") : "",
    regex, substitution,
    authority: r.authority !== undefined && r.authority !== "" ? r.authority : undefined,
  });
}

/** Length of the path prefix Envoy's prefix_rewrite replaces for this match. */
function matchedLength(match: CompiledMatch, path: string): number {
  if (match.uri.kind === MATCH_PREFIX || match.uri.kind === MATCH_PATH_SEPARATED_PREFIX) return match.uri.value.length;
  if (match.uri.kind === MATCH_EXACT) return match.uri.value.length;
  return pathEnd(path); // regex: the whole path (query kept)
}

/** The upstream :path after `rewrite` (the input string itself when nothing changes). */
export function rewritePath(rw: CompiledRewrite | undefined, match: CompiledMatch, path: string): string {
  if (rw === undefined) return path;
  if (rw.regex !== undefined) {
    const end = pathEnd(path);
    const parts = rw.substitution;
    const rewritten = rw.regex.matcher(path.slice(0, end)).replaceAll((...args: unknown[]) => {
      let out = "";
      for (const p of parts) {
        if (typeof p === "string") out += p;
        else {
          const g = args[p];
          if (typeof g === "string") out += g;
        }
      }
      return out;
    });
    return end === path.length ? rewritten : rewritten + path.slice(end);
  }
  if (rw.uri === "") return path;
  return rw.uri + path.slice(matchedLength(match, path));
}
