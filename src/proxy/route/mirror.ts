// Traffic mirroring (Envoy request_mirror_policies): fire-and-forget copies whose responses are
// dropped. `mirror` with `mirrorPercentage` absent ⇒ 100 %, explicit 0 ⇒ none; each `mirrors[]`
// entry has its own percentage and its own independent draw.
// istio/istio route.go MirrorPercent / MirrorPercentByPolicy;
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMirrorPolicy
import type { HTTPRoute } from "../api/networking.js";
import { compileDestination, type CompiledDestination } from "./destination.js";
import { fractionSelected } from "./fault-injection.js";
import { authorityHostEnd } from "./host-name.js";

export interface CompiledMirror {
  readonly destination: CompiledDestination;
  /** Selected when floor(u·denominator) < numerator. */
  readonly numerator: number;
  readonly denominator: number;
}

function fraction(p: { value: number } | undefined): [number, number] | undefined {
  if (p === undefined) return [100, 100];
  if (!(p.value > 0)) return undefined;
  return [Math.floor(p.value * 10000), 1_000_000];
}

export function compileMirrors(
  rule: HTTPRoute, vsNamespace: string, listenerPort: number, domainSuffix: string | undefined,
  onlyPort?: (host: string) => number | undefined,
): CompiledMirror[] {
  const out: CompiledMirror[] = [];
  const add = (d: HTTPRoute["mirror"], p: { value: number } | undefined): void => {
    const f = fraction(p);
    if (d === undefined || f === undefined) return;
    out.push(Object.freeze({
      destination: compileDestination(d, 100, undefined, vsNamespace, listenerPort, domainSuffix, onlyPort),
      numerator: f[0], denominator: f[1],
    }));
  };
  add(rule.mirror, rule.mirrorPercentage);
  for (const m of rule.mirrors ?? []) add(m.destination, m.percentage);
  return out;
}

/** Is this request mirrored to `m`? One uniform draw per mirror. */
export function mirrorSelected(m: CompiledMirror, u: number): boolean {
  return fractionSelected(m.numerator, m.denominator, u);
}

/**
 * The :authority of the mirrored copy. With `shadowHostSuffix` (Istio ≤ 1.27), "-shadow" is
 * appended to the host, before any ":port"; Istio ≥ 1.28 leaves it unchanged (the default).
 */
export function mirrorAuthority(authority: string, shadowHostSuffix = false): string {
  if (!shadowHostSuffix) return authority;
  const end = authorityHostEnd(authority);
  return `${authority.slice(0, end)}-shadow${authority.slice(end)}`;
}
