// What ztunnel makes of an AuthorizationPolicy that has no targetRefs (a selector or namespace-wide
// policy): ztunnel is L4 only, so istiod drops the HTTP attributes before sending the policy to it and
// writes a ZtunnelAccepted condition saying so.
// pilot/pkg/serviceregistry/ambient/authorization.go convertAuthorizationPolicy, handleRule,
// httpOperations, httpSources, l4WhenAttributes, hasEffectiveRules and the status texts (httpRuleFmt and
// its boilerplates); pilot/pkg/serviceregistry/ambient/policies.go (Bound = a policy was produced);
// https://istio.io/latest/docs/ambient/usage/l4-policy/ ("ztunnel proxy will simply drop all traffic").
import type { AuthorizationPolicy, AuthzRule } from "../../proxy/api/security.js";
import { L4_CONDITION_KEYS, ztunnelRule } from "../../proxy/ztunnel/l4-authorization.js";

/** The condition istiod writes on the policy (type ZtunnelAccepted). */
export interface ZtunnelAccepted {
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
}

export interface ZtunnelAuthorization {
  /** undefined: the policy has targetRefs and is not for ztunnel at all. */
  readonly condition?: ZtunnelAccepted;
  /** HTTP attributes found (sorted), which ztunnel cannot see. */
  readonly httpAttributes: readonly string[];
  /**
   * What is left at ztunnel: `as-written` (no HTTP attributes), `deny-all` (an ALLOW policy whose every
   * rule needed HTTP: it matches nothing, so every connection no other ALLOW policy allows is denied), `more-restrictive` (some
   * ALLOW rules dropped, or a DENY enforced without its HTTP parts), `no-effect` (a DENY with nothing
   * left to match), `rejected` (CUSTOM/AUDIT: ztunnel does not take the policy).
   */
  readonly effect: "as-written" | "deny-all" | "more-restrictive" | "no-effect" | "rejected";
}

/** Does the policy carry targetRefs (waypoint/gateway policy)? Read loosely: older models drop the field. */
export function hasTargetRefs(ap: AuthorizationPolicy): boolean {
  const spec = ap.spec as { targetRefs?: unknown[]; targetRef?: unknown };
  return (spec.targetRefs?.length ?? 0) > 0 || spec.targetRef !== undefined;
}

/** The HTTP attribute names a rule uses (istiod's httpOperations, httpSources, non-L4 `when` keys). */
function httpAttributesOf(rule: AuthzRule): string[] {
  const found: string[] = [];
  for (const t of rule.to ?? []) for (const k of ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"] as const) if ((t.operation[k]?.length ?? 0) > 0) found.push(k);
  for (const f of rule.from ?? []) for (const k of ["remoteIpBlocks", "notRemoteIpBlocks", "requestPrincipals", "notRequestPrincipals"] as const) if ((f.source[k]?.length ?? 0) > 0) found.push(k);
  for (const w of rule.when ?? []) if (!L4_CONDITION_KEYS.has(w.key)) found.push(w.key);
  return found;
}

export function ztunnelAuthorization(ap: AuthorizationPolicy): ZtunnelAuthorization {
  if (hasTargetRefs(ap)) return { httpAttributes: [], effect: "as-written" };
  const action = ap.spec.action ?? "ALLOW";
  if (action !== "ALLOW" && action !== "DENY") {
    return { condition: { status: "False", reason: "UnsupportedValue", message: `ztunnel does not support the ${action} action` }, httpAttributes: [], effect: "rejected" };
  }
  const rules = (ap.spec.rules ?? []).map((r: AuthzRule | null) => r ?? {});
  const found = new Set<string>();
  let kept = 0;
  for (const r of rules) {
    httpAttributesOf(r).forEach((x) => found.add(x));
    // ALLOW: "L7 policies never match for ALLOW", the whole rule is dropped. DENY: a rule whose
    // clause kept only empty matches never fires (hasEffectiveRules; ztunnel skips empty matches).
    if (ztunnelRule(action, r) !== null) kept++;
  }
  const denyEffective = kept > 0;
  const httpAttributes = [...found].sort();
  if (httpAttributes.length === 0) return { condition: { status: "True", reason: "Accepted", message: "attached to ztunnel" }, httpAttributes, effect: "as-written" };
  let boilerplate: string;
  let effect: ZtunnelAuthorization["effect"];
  if (action === "DENY" && !denyEffective) {
    boilerplate = "After omitting unsupported HTTP attributes, this DENY policy has no enforceable rules at ztunnel and will have no effect. Deploy a waypoint proxy and use a targetRef to enforce this policy.";
    effect = "no-effect";
  } else if (action === "DENY") {
    boilerplate = "DENY policy with HTTP attributes is enforced without the HTTP rules. This will be more restrictive than requested.";
    effect = "more-restrictive";
  } else {
    boilerplate = "Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.";
    effect = kept === 0 ? "deny-all" : "more-restrictive";
  }
  return {
    // Accepted with a warning: the policy still binds (status True), so istioctl analyze's condition
    // analyzer (negative statuses only) does not report it.
    condition: {
      status: "True", reason: "UnsupportedValue",
      message: `ztunnel does not support HTTP attributes (found: ${httpAttributes.join(", ")}). In ambient mode you must use a waypoint proxy to enforce HTTP rules. ${boilerplate}`,
    },
    httpAttributes, effect,
  };
}

const sentToZtunnel = new WeakMap<object, AuthorizationPolicy[]>();
/**
 * The policies istiod sends ztunnel over WDS: not CUSTOM or AUDIT (rejected), not those with
 * targetRefs (a waypoint's). Once per config version; the destination ztunnel (mesh/ztunnel/
 * ztunnel-inbound.ts), `ztunnel-config policies` and `explain` all read this list.
 */
export function ztunnelPolicies(config: { readonly authorizationPolicies: readonly AuthorizationPolicy[] }): AuthorizationPolicy[] {
  let list = sentToZtunnel.get(config);
  if (list === undefined) {
    list = config.authorizationPolicies.filter((p) => !hasTargetRefs(p) && p.spec.action !== "CUSTOM" && p.spec.action !== "AUDIT");
    sentToZtunnel.set(config, list);
  }
  return list;
}
