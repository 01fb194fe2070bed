// What a sidecar's Envoy rejects (NACKs) although istiod's validating webhook let it through. The
// documented case meshsim can express: a VirtualService regex whose compiled RE2 program is larger
// than Envoy's `re2.max_program_size.error_level`, which Istio's bootstrap sets to 32768. The webhook
// only bounds the regex's length (1024), so a short pattern with large repetitions
// (`[a-z0-9]{1000}` a few dozen times) passes validation and is NACKed by every proxy it reaches:
// "regex '…' RE2 program size of N > max program size of 32768 set for the error level threshold".
// A NACKed response is not applied; Envoy keeps serving the last accepted routes.
// https://github.com/istio/istio/pull/36143 ; https://www.envoyproxy.io/docs/envoy/latest/api-v3/type/matcher/v3/regex.proto
import { re2js } from "./re2-library.js";
import type { HTTPRoute } from "../api/networking.js";

/** Istio's bootstrap value of Envoy's runtime key re2.max_program_size.error_level. */
export const RE2_MAX_PROGRAM_SIZE = 32768;

const sizes = new Map<string, number>();

/**
 * The RE2 program size of a pattern: the instruction count of its compiled program (re2js follows
 * RE2's compiler; C++ RE2 counts a little differently, so this is an approximation).
 */
export function re2ProgramSize(pattern: string): number {
  let n = sizes.get(pattern);
  if (n === undefined) {
    try {
      const re = re2js().compile(pattern) as unknown as { re2Input: { prog: { numInst(): number } } };
      n = re.re2Input.prog.numInst();
    } catch {
      n = 0; // invalid patterns never get this far (the webhook rejects them)
    }
    sizes.set(pattern, n);
  }
  return n;
}

function regexes(v: unknown, out: string[]): void {
  if (Array.isArray(v)) for (const x of v) regexes(x, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "regex" && typeof x === "string") out.push(x);
      else regexes(x, out);
    }
  }
}

const verdicts = new WeakMap<HTTPRoute, string | null>();

/**
 * Why Envoy rejects a route built from this VirtualService rule (`vsName` is "namespace/name"), or
 * null: its first regex whose RE2 program is over the limit.
 */
export function routeRegexRejection(rule: HTTPRoute, vsName: string): string | null {
  let r = verdicts.get(rule);
  if (r === undefined) {
    r = null;
    const found: string[] = [];
    regexes(rule, found);
    for (const p of found) {
      const size = re2ProgramSize(p);
      if (size > RE2_MAX_PROGRAM_SIZE) {
        r = `regex '${p.length > 40 ? `${p.slice(0, 40)}…` : p}' RE2 program size of ${size} > max program size of ${RE2_MAX_PROGRAM_SIZE} set for the error level threshold`;
        break;
      }
    }
    verdicts.set(rule, r);
  }
  return r === null ? null : `VirtualService ${vsName}: ${r}`;
}
