// Istio's StringMatch regex is RE2 (Envoy safe_regex), always a full match. We use re2js so that
// what compiles and what matches is RE2's, not JavaScript's (no lookaround, no backreferences).
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
import type { RE2JS } from "re2js";
import { re2js } from "./re2-library.js";

export type Re2 = RE2JS;

/** Raised when a VirtualService field cannot be compiled (Envoy would reject the config). */
export class RouteCompileError extends Error {
  override name = "RouteCompileError";
}

// Patterns come from configuration, so the set is bounded; many proxies share one VirtualService.
const cache = new Map<string, RE2JS>();

/** Compile an RE2 pattern once (cached by pattern and flags). */
export function compileRe2(pattern: string, caseInsensitive = false): RE2JS {
  const key = (caseInsensitive ? "i:" : "s:") + pattern;
  let re = cache.get(key);
  if (re === undefined) {
    try {
      const lib = re2js();
      re = lib.compile(pattern, caseInsensitive ? lib.CASE_INSENSITIVE : 0);
    } catch (e) {
      throw new RouteCompileError(`invalid RE2 regex ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    cache.set(key, re);
  }
  return re;
}

/** RE2 full match, as Envoy's safe_regex matcher does. */
export function re2FullMatch(re: RE2JS, value: string): boolean {
  return re.testExact(value);
}
