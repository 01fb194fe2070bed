// AuthorizationPolicy at a workload's inbound sidecar: which policies apply, compiled once per
// workload, and the per-request decision — CUSTOM, then DENY, then ALLOW; AUDIT never decides.
// https://istio.io/latest/docs/reference/config/security/authorization-policy/
// https://istio.io/latest/docs/concepts/security/#implicit-enablement
// Policy ids and their order follow istiod's RBAC config (pilot/pkg/security/authz/builder): one
// Envoy policy per rule named `ns[NS]-policy[NAME]-rule[i]`, evaluated in name order (Envoy keeps
// them in a sorted map), a policy without rules becomes one that never matches, an invalid rule is
// skipped, and a policy annotated `istio.io/dry-run` (Go's strconv.ParseBool true) is only
// shadow-evaluated. CUSTOM rules are named `istio-ext-authz-<provider>-ns[NS]-policy[NAME]-rule[i]`
// (builder.go policyName); with an unknown provider, or with two providers on one workload
// (PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS is off by default), istiod turns them into RBAC deny
// rules named with the suffix `-deny-due-to-bad-CUSTOM-action` (builder.go buildHTTP, getBadCustomDenyRules).
import type { AuthorizationPolicy } from "../../api/security.js";
import { DEFAULT_ROOT_NAMESPACE, policyAppliesTo, policyRef, type WorkloadRef } from "../policy-scope.js";
import type { AuthzRequest } from "./request.js";
import { compileRule, InvalidRuleError, ruleMatches, type CompiledRule } from "./rule.js";

export type AuthzAction = "ALLOW" | "DENY" | "AUDIT" | "CUSTOM";

export type AuthzReason =
  /** No ALLOW policy applies to the workload: allowed. */
  | "no-allow-policies"
  /** An ALLOW rule matched. */
  | "allow-matched"
  /** A DENY rule matched. */
  | "deny-matched"
  /** A CUSTOM rule matched and the ext-authz provider denied. */
  | "custom-denied"
  /** A CUSTOM rule matched but its provider is not in the mesh config, or the workload has two: istiod denies. */
  | "custom-provider-unknown"
  /** ALLOW policies apply and none matched. */
  | "no-allow-matched";

export const RBAC_DENIED_BODY = "RBAC: access denied";

export interface AuthzDecision {
  readonly allowed: boolean;
  /** 403 when denied, 0 when allowed (no local reply). TCP traffic: close the connection instead. */
  readonly status: number;
  readonly body: string;
  /** Access-log response flags: "-" for RBAC, "UAEX" for ext-authz. */
  readonly flags: "-" | "UAEX";
  readonly reason: AuthzReason;
  /** "namespace/name" of the deciding policy; undefined for the defaults. */
  readonly policy: string | undefined;
  /** Index of the deciding rule in spec.rules, -1 when none. */
  readonly rule: number;
  /** Envoy's policy id, e.g. `ns[foo]-policy[deny-get]-rule[0]`; undefined for the defaults. */
  readonly policyId: string | undefined;
  /** Envoy response code details on a deny, e.g. `rbac_access_denied_matched_policy[none]`; "" when allowed. */
  readonly details: string;
}

interface Entry {
  readonly id: string;
  readonly policy: string;
  readonly ruleIndex: number;
  /** undefined: a policy with no rules (never matches). */
  readonly rule: CompiledRule | undefined;
  readonly provider: string;
  readonly providerKnown: boolean;
  readonly decision: AuthzDecision;
}

export interface SkippedRule {
  readonly policy: string;
  readonly rule: number;
  readonly error: string;
}

export interface CompiledAuthz {
  readonly custom: readonly Entry[];
  readonly deny: readonly Entry[];
  readonly allow: readonly Entry[];
  readonly audit: readonly Entry[];
  /** "namespace/name" of every enforced policy that applies, per action. */
  readonly applied: Readonly<Record<AuthzAction, readonly string[]>>;
  readonly dryRun: readonly string[];
  readonly skipped: readonly SkippedRule[];
}

export interface AuthzCompileOptions {
  rootNamespace?: string;
  /**
   * Names of MeshConfig extensionProviders. When given, a CUSTOM policy naming another provider turns
   * into RBAC deny rules (istiod "will generate deny configs"). When omitted, every provider is known.
   */
  extensionProviders?: readonly string[];
}

/** The ext-authz service: true = allow. Called only when a CUSTOM rule matches. */
export type ExtAuthzCheck = (provider: string, req: AuthzRequest) => boolean;

function decision(d: AuthzDecision): AuthzDecision {
  return Object.freeze(d);
}

export const ALLOW_NO_POLICIES: AuthzDecision = decision({
  allowed: true, status: 0, body: "", flags: "-", reason: "no-allow-policies", policy: undefined, rule: -1, policyId: undefined, details: "",
});
export const DENY_NO_ALLOW_MATCHED: AuthzDecision = decision({
  allowed: false, status: 403, body: RBAC_DENIED_BODY, flags: "-", reason: "no-allow-matched", policy: undefined, rule: -1,
  policyId: undefined, details: "rbac_access_denied_matched_policy[none]",
});

function entryDecision(action: AuthzAction, policy: string, ruleIndex: number, id: string, providerKnown: boolean): AuthzDecision {
  switch (action) {
    case "ALLOW":
    case "AUDIT":
      return decision({ allowed: true, status: 0, body: "", flags: "-", reason: "allow-matched", policy, rule: ruleIndex, policyId: id, details: "" });
    case "DENY":
      return decision({
        allowed: false, status: 403, body: RBAC_DENIED_BODY, flags: "-", reason: "deny-matched", policy, rule: ruleIndex, policyId: id,
        details: `rbac_access_denied_matched_policy[${id}]`,
      });
    case "CUSTOM":
      return providerKnown
        ? decision({ allowed: false, status: 403, body: "", flags: "UAEX", reason: "custom-denied", policy, rule: ruleIndex, policyId: id, details: "ext_authz_denied" })
        : decision({
            allowed: false, status: 403, body: RBAC_DENIED_BODY, flags: "-", reason: "custom-provider-unknown", policy, rule: ruleIndex,
            policyId: id, details: `rbac_access_denied_matched_policy[${id}]`,
          });
  }
}

/** The spellings Go's strconv.ParseBool reads as true; anything else (even "tRuE") is not dry-run. */
const GO_TRUE: ReadonlySet<string> = new Set(["1", "t", "T", "TRUE", "true", "True"]);

/**
 * Whether the policy is `istio.io/dry-run` (shadow rules only). istiod parses the annotation with
 * strconv.ParseBool (istio/istio pilot/pkg/security/authz/builder/builder.go isDryRun).
 */
export function isDryRun(p: AuthorizationPolicy): boolean {
  return GO_TRUE.has(p.metadata.annotations["istio.io/dry-run"] ?? "");
}

const EXT_AUTHZ_PREFIX = "istio-ext-authz";
const BAD_CUSTOM_SUFFIX = "-deny-due-to-bad-CUSTOM-action";

/**
 * The policies that apply to a workload (namespace, root namespace, selector), in input order. A
 * policy with `targetRefs` applies to its targets only (a waypoint, a gateway), never to a workload.
 */
export function applicableAuthorizationPolicies(
  policies: readonly AuthorizationPolicy[],
  workload: WorkloadRef,
  rootNamespace: string = DEFAULT_ROOT_NAMESPACE,
): AuthorizationPolicy[] {
  return policies.filter((p) => (p.spec.targetRefs?.length ?? 0) === 0 && policyAppliesTo(p.metadata, p.spec.selector, workload, rootNamespace));
}

/** Compile the policies that apply to one workload. Do it once per workload and config version. */
export function compileAuthorization(
  policies: readonly AuthorizationPolicy[],
  workload: WorkloadRef,
  options: AuthzCompileOptions = {},
): CompiledAuthz {
  const root = options.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const known = options.extensionProviders === undefined ? undefined : new Set(options.extensionProviders);
  const lists: Record<AuthzAction, Entry[]> = { CUSTOM: [], DENY: [], ALLOW: [], AUDIT: [] };
  const applied: Record<AuthzAction, string[]> = { CUSTOM: [], DENY: [], ALLOW: [], AUDIT: [] };
  const dryRun: string[] = [];
  const skipped: SkippedRule[] = [];
  const applicable = applicableAuthorizationPolicies(policies, workload, root);
  // istiod counts the providers of dry-run CUSTOM policies too (builder.go buildHTTP providerSet).
  const providers = new Set(applicable.filter((p) => p.spec.action === "CUSTOM").map((p) => p.spec.provider?.name ?? ""));
  for (const p of applicable) {
    const ref = policyRef(p.metadata);
    if (isDryRun(p)) {
      dryRun.push(ref);
      continue;
    }
    const action: AuthzAction = p.spec.action ?? "ALLOW";
    applied[action].push(ref);
    const provider = p.spec.provider?.name ?? "";
    const providerKnown = action !== "CUSTOM" || (provider !== "" && providers.size === 1 && (known === undefined || known.has(provider)));
    const prefix = action !== "CUSTOM" ? "" : provider !== "" ? `${EXT_AUTHZ_PREFIX}-${provider}-` : `${EXT_AUTHZ_PREFIX}-`;
    const suffix = providerKnown ? "" : BAD_CUSTOM_SUFFIX;
    const idOf = (i: number): string => `${prefix}ns[${p.metadata.namespace}]-policy[${p.metadata.name}]-rule[${i}]${suffix}`;
    const rules = p.spec.rules ?? [];
    if (rules.length === 0) {
      lists[action].push({ id: idOf(0), policy: ref, ruleIndex: 0, rule: undefined, provider, providerKnown, decision: entryDecision(action, ref, 0, idOf(0), providerKnown) });
      continue;
    }
    rules.forEach((r, i) => {
      try {
        const rule = compileRule(r ?? {}, p.metadata.namespace);
        lists[action].push({ id: idOf(i), policy: ref, ruleIndex: i, rule, provider, providerKnown, decision: entryDecision(action, ref, i, idOf(i), providerKnown) });
      } catch (e) {
        if (!(e instanceof InvalidRuleError)) throw e;
        skipped.push({ policy: ref, rule: i, error: e.message });
      }
    });
  }
  const byId = (a: Entry, b: Entry): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  for (const k of Object.keys(lists) as AuthzAction[]) lists[k].sort(byId);
  return { custom: lists.CUSTOM, deny: lists.DENY, allow: lists.ALLOW, audit: lists.AUDIT, applied, dryRun, skipped };
}

function entryMatches(e: Entry, req: AuthzRequest, isAllow: boolean): boolean {
  return e.rule !== undefined && ruleMatches(e.rule, req, isAllow);
}

/**
 * The decision for one request. Allocation-free: every decision object is built at compile time.
 * @param extAuthz the CUSTOM provider; when absent a matched CUSTOM rule denies (ext_authz fails closed).
 */
export function evaluateAuthorization(c: CompiledAuthz, req: AuthzRequest, extAuthz?: ExtAuthzCheck): AuthzDecision {
  // CUSTOM (ext_authz) runs first; meshsim's providers are HTTP ones, which istiod leaves off TCP chains.
  if (req.tcp !== true) {
    for (let i = 0; i < c.custom.length; i++) {
      const e = c.custom[i] as Entry;
      if (!entryMatches(e, req, false)) continue;
      if (!e.providerKnown) return e.decision;
      if (extAuthz === undefined || !extAuthz(e.provider, req)) return e.decision;
    }
  }
  for (let i = 0; i < c.deny.length; i++) {
    const e = c.deny[i] as Entry;
    if (entryMatches(e, req, false)) return e.decision;
  }
  // An ALLOW policy whose rules were all skipped still leaves an (empty) ALLOW filter: default deny.
  if (c.applied.ALLOW.length === 0) return ALLOW_NO_POLICIES;
  for (let i = 0; i < c.allow.length; i++) {
    const e = c.allow[i] as Entry;
    if (entryMatches(e, req, true)) return e.decision;
  }
  return DENY_NO_ALLOW_MATCHED;
}

/** "namespace/name" of the first AUDIT policy matching the request (audit logging only), else undefined. */
export function auditPolicyMatch(c: CompiledAuthz, req: AuthzRequest): string | undefined {
  for (let i = 0; i < c.audit.length; i++) {
    const e = c.audit[i] as Entry;
    if (entryMatches(e, req, false)) return e.policy;
  }
  return undefined;
}
