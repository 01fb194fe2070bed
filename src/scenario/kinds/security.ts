// PeerAuthentication, AuthorizationPolicy, RequestAuthentication specs:
// https://istio.io/latest/docs/reference/config/security/
import type {
  AuthorizationPolicySpec, AuthzCondition, AuthzOperation, AuthzRule, AuthzSource, JWTRule, MtlsMode,
  PeerAuthenticationSpec, PolicyTargetRef, RequestAuthenticationSpec,
} from "../../proxy/api/security.js";
import { DEFAULTS } from "../defaults.js";
import type { LoadState } from "../load-state.js";
import { checkJwksText } from "../served-jwks.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { readMatchLabels } from "./istio-fields.js";

const MODES = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"] as const;

function readMode(v: YamlValue): { mode: MtlsMode } | undefined {
  const m = v.map();
  if (!m) return undefined;
  const mode = m.get("mode")?.oneOf(MODES) ?? "UNSET";
  m.done();
  return { mode };
}

export function readPeerAuthenticationSpec(spec: YamlMap): PeerAuthenticationSpec | undefined {
  const out: PeerAuthenticationSpec = {};
  const sel = spec.get("selector");
  if (sel) { const x = readMatchLabels(sel); if (x) out.selector = x; }
  const mtls = spec.get("mtls");
  if (mtls) { const x = readMode(mtls); if (x) out.mtls = x; }
  const plV = spec.get("portLevelMtls");
  const pl = plV?.map();
  if (pl) {
    // Istio: portLevelMtls needs a selector (the key is the workload's container port).
    if (!out.selector) plV!.error("portLevelMtls requires a selector");
    out.portLevelMtls = {};
    for (const [key, val] of pl.entries()) {
      const n = Number(key);
      if (!Number.isInteger(n) || n < 1 || n > 65535) { pl.ctx.sink.error(pl.keyPos(key), `${pl.path}.${key}`, "expected a port number"); continue; }
      const mode = val ? readMode(val) : undefined;
      if (mode) out.portLevelMtls[key] = mode;
    }
  }
  spec.done();
  return out;
}

const SOURCE_LISTS = [
  "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces", "notNamespaces",
  "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks",
] as const;
const OPERATION_LISTS = ["hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"] as const;

/** Go's netip.ParseAddr / ParsePrefix, as istio pkg/config/security/security.go ValidateIPs. */
function isIpOrCidr(v: string): boolean {
  const slash = v.indexOf("/");
  const ip = slash < 0 ? v : v.slice(0, slash);
  // node:net at its first use, not at start: it loads Node's sockets and streams (≈ 5 M instructions
  // in every run and every sweep worker, docs/performance.md, Goal 5, session 23), and only a policy
  // with ipBlocks asks.
  const family = process.getBuiltinModule("node:net").isIP(ip);
  if (family === 0) return false;
  if (slash < 0) return true;
  const len = v.slice(slash + 1);
  return /^(0|[1-9]\d{0,2})$/.test(len) && Number(len) <= (family === 4 ? 32 : 128);
}

/** Go's strconv.ParseUint(v, 10, 32) ≤ 65535, as security.go ValidatePorts. */
function isPort(v: string): boolean {
  return /^\d+$/.test(v) && Number(v) <= 65535;
}

function checkValues(key: string, lv: YamlValue, l: readonly string[], kind = key): void {
  if (l.includes("")) lv.error(`empty value not allowed, found in ${key}`);
  if (/ipblocks$/i.test(kind)) for (const x of l) if (x !== "" && !isIpOrCidr(x)) lv.error(`bad IP address or CIDR range ${JSON.stringify(x)}`);
  if (/ports$/i.test(kind)) for (const x of l) if (x !== "" && !isPort(x)) lv.error(`bad port ${JSON.stringify(x)}`);
}

function readSource(v: YamlValue): AuthzSource | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: AuthzSource = {};
  for (const key of SOURCE_LISTS) {
    const lv = m.get(key);
    const l = lv?.strList();
    if (l) { checkValues(key, lv!, l); out[key] = l; }
  }
  // serviceAccounts: `<sa>` (the policy's namespace) or `<ns>/<sa>`, no wildcard, at most 16, and
  // never with principals or namespaces (istio/istio pkg/config/security/security.go CheckServiceAccount,
  // pkg/config/validation/validation.go ValidateAuthorizationPolicy).
  for (const key of ["serviceAccounts", "notServiceAccounts"] as const) {
    const sv = m.get(key);
    const l = sv?.strList();
    if (!l) continue;
    if (l.length > 16) sv!.error("may not have more than 16 values");
    for (const sa of l) {
      const parts = sa.split("/");
      if (sa.includes("*")) sv!.error(`wildcard not allowed, found ${JSON.stringify(sa)}`);
      else if (parts.length > 2 || parts.some((x) => x === "")) sv!.error(`expected 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(sa)}`);
    }
    out[key] = l;
  }
  if ((out.serviceAccounts ?? out.notServiceAccounts) !== undefined &&
    (out.principals ?? out.notPrincipals ?? out.namespaces ?? out.notNamespaces) !== undefined) {
    (m.get("serviceAccounts") ?? m.get("notServiceAccounts"))!.error("cannot set serviceAccounts with namespaces or principals");
  }
  // trustDomains: one "*" at most, at either end, and no "/" (security.go CheckTrustDomainValues).
  for (const key of ["trustDomains", "notTrustDomains"] as const) {
    const tv = m.get(key);
    const l = tv?.strList();
    if (!l) continue;
    for (const td of l) {
      const stars = td.split("*").length - 1;
      if (td === "" || td.includes("/") || stars > 1 || (stars === 1 && td !== "*" && !td.startsWith("*") && !td.endsWith("*"))) {
        tv!.error(`expected a trust domain, "td*", "*td" or "*", found ${JSON.stringify(td)}`);
      }
    }
    out[key] = l;
  }
  if (Object.keys(out).length === 0) v.error("`from.source` must not be empty");
  m.done();
  return out;
}

function readOperation(v: YamlValue): AuthzOperation | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: AuthzOperation = {};
  for (const key of OPERATION_LISTS) {
    const lv = m.get(key);
    const l = lv?.strList();
    if (l) { checkValues(key, lv!, l); out[key] = l; }
  }
  if (Object.keys(out).length === 0) v.error("`to.operation` must not be empty");
  m.done();
  return out;
}

function readRule(v: YamlValue): AuthzRule | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: AuthzRule = {};
  const from = m.get("from")?.list();
  if (from) {
    out.from = [];
    for (const fv of from) {
      const fm = fv.map();
      const sV = fm?.req("source");
      const source = sV ? readSource(sV) : undefined;
      fm?.done();
      if (source) out.from.push({ source });
    }
  }
  const to = m.get("to")?.list();
  if (to) {
    out.to = [];
    for (const tv of to) {
      const tm = tv.map();
      const oV = tm?.req("operation");
      const operation = oV ? readOperation(oV) : undefined;
      tm?.done();
      if (operation) out.to.push({ operation });
    }
  }
  const when = m.get("when")?.list();
  if (when) {
    out.when = [];
    for (const wv of when) {
      const wm = wv.map();
      if (!wm) continue;
      const key = wm.req("key")?.nonEmptyStr();
      const values = wm.get("values")?.strList();
      const notValues = wm.get("notValues")?.strList();
      if (!values && !notValues) wm.error("at least one of values or notValues is required");
      // security.go ValidateAttribute: IP keys take IPs or CIDRs, destination.port ports.
      const kind = key === "source.ip" || key === "remote.ip" || key === "destination.ip" ? "ipBlocks" : key === "destination.port" ? "ports" : "values";
      for (const f of ["values", "notValues"] as const) {
        const l = f === "values" ? values : notValues;
        if (l) checkValues(f, wm.get(f)!, l, kind);
      }
      wm.done();
      if (key === undefined) continue;
      const c: AuthzCondition = { key };
      if (values) c.values = values;
      if (notValues) c.notValues = notValues;
      out.when.push(c);
    }
  }
  m.done();
  return out;
}

export function readAuthorizationPolicySpec(spec: YamlMap): AuthorizationPolicySpec | undefined {
  const out: AuthorizationPolicySpec = {};
  const sel = spec.get("selector");
  if (sel) { const x = readMatchLabels(sel); if (x) out.selector = x; }
  out.action = spec.get("action")?.oneOf(["ALLOW", "DENY", "AUDIT", "CUSTOM"] as const) ?? DEFAULTS.authorizationAction;
  const pm = spec.get("provider")?.map();
  if (pm) {
    const name = pm.req("name")?.nonEmptyStr();
    pm.done();
    if (name !== undefined) out.provider = { name };
  }
  if (out.action === "CUSTOM" && !out.provider) spec.error("action CUSTOM requires a provider");
  const rulesV = spec.get("rules")?.list();
  if (rulesV) out.rules = rulesV.map(readRule).filter((r): r is AuthzRule => r !== undefined);
  // istiod's validation webhook rejects DENY and CUSTOM policies without rules (validation.go
  // ValidateAuthorizationPolicy: "... is meaningless as it will never be triggered"); past it, istiod
  // generates a policy that never matches (builder.go rbacPolicyMatchNever), which meshsim does.
  if ((out.action === "DENY" || out.action === "CUSTOM") && (out.rules?.length ?? 0) === 0) {
    (spec.get("action") ?? spec.value).warn(`${out.action} without rules never matches (Istio's validation webhook rejects it); add an empty rule {} to match every request`);
  }
  // targetRefs: the policy applies to its targets only — an ambient waypoint (the waypoint Gateway or
  // a Service bound to one) enforces it; it never selects sidecars. A gateway's is not simulated.
  // https://istio.io/latest/docs/reference/config/security/authorization-policy/ (targetRefs)
  const targets = readTargetRefs(spec);
  if (targets !== undefined) out.targetRefs = targets;
  oneOfSelectorOrTargets(spec, out);
  // CUSTOM matches neither identities nor JWTs (validation.go: "not supported with CUSTOM action").
  if (out.action === "CUSTOM") {
    (out.rules ?? []).forEach((r, i) => {
      for (const f of r.from ?? []) for (const k of ["principals", "notPrincipals", "namespaces", "notNamespaces", "requestPrincipals", "notRequestPrincipals", "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains"] as const) {
        if ((f.source[k]?.length ?? 0) > 0) spec.get("rules")!.error(`rules[${i}]: from.${k} is currently not supported with CUSTOM action`);
      }
      for (const w of r.when ?? []) {
        if (["source.namespace", "source.serviceAccount", "source.trustDomain", "source.principal"].includes(w.key) || w.key.startsWith("request.auth.")) {
          spec.get("rules")!.error(`rules[${i}]: ${w.key} is currently not supported with CUSTOM action`);
        }
      }
    });
  }
  spec.done();
  return out;
}

/** istio validation.go validateOneOfSelectorType: a policy has a selector or targetRef(s), never both. */
function oneOfSelectorOrTargets(spec: YamlMap, out: { selector?: unknown; targetRefs?: unknown[] }): void {
  if (out.selector !== undefined && (out.targetRefs?.length ?? 0) > 0) spec.error("only one of targetRefs or workloadSelector can be set");
}

/** targetRef / targetRefs (Gateway API PolicyTargetReference) of an AuthorizationPolicy or RequestAuthentication. */
function readTargetRefs(spec: YamlMap): PolicyTargetRef[] | undefined {
  const refs = [...(spec.get("targetRef") ? [spec.get("targetRef")!] : []), ...(spec.get("targetRefs")?.list() ?? [])];
  if (refs.length === 0) return undefined;
  const targets: PolicyTargetRef[] = [];
  for (const r of refs) {
    const m = r.map();
    if (!m) continue;
    const kind = m.req("kind")?.nonEmptyStr();
    const name = m.req("name")?.nonEmptyStr();
    const group = m.get("group")?.str() ?? "";
    const namespace = m.get("namespace")?.nonEmptyStr();
    m.done();
    if (kind === undefined || name === undefined) continue;
    if (kind !== "Service" && kind !== "Gateway" && kind !== "GatewayClass" && kind !== "ServiceEntry") r.warn(`targetRef kind ${JSON.stringify(kind)} is not one Istio accepts (Gateway, GatewayClass, Service, ServiceEntry)`);
    targets.push({ group, kind, name, ...(namespace !== undefined ? { namespace } : {}) });
  }
  return targets;
}

export function readRequestAuthenticationSpec(spec: YamlMap, state: LoadState): RequestAuthenticationSpec | undefined {
  const out: RequestAuthenticationSpec = {};
  const sel = spec.get("selector");
  if (sel) { const x = readMatchLabels(sel); if (x) out.selector = x; }
  const rulesV = spec.get("jwtRules")?.list();
  if (rulesV) {
    out.jwtRules = [];
    for (const rv of rulesV) {
      const m = rv.map();
      if (!m) continue;
      const issuer = m.req("issuer")?.nonEmptyStr();
      const r: JWTRule = { issuer: issuer ?? "" };
      const aud = m.get("audiences")?.strList();
      if (aud) r.audiences = aud;
      const jwksUriV = m.get("jwksUri");
      const jwksUri = jwksUriV?.str();
      if (jwksUri !== undefined) r.jwksUri = jwksUri;
      const jwksV = m.get("jwks");
      const jwks = jwksV?.str();
      if (jwks !== undefined) {
        const ok = checkJwksText(jwks, jwksV!);
        if (ok !== undefined) r.jwks = ok;
      }
      // Signatures are verified against the inline jwks (which wins over jwksUri, as in Istio), else
      // against what the Simulation says jwksUri serves (network.jwks), once the Simulation is read.
      if (jwks === undefined) {
        const where = jwksUriV ?? m.value;
        state.defer(() => {
          const served = jwksUri === undefined ? undefined : state.servedJwks.get(jwksUri);
          if (served !== undefined) r.fetchedJwks = served;
          else {
            where.warn(jwksUri === undefined
              ? `no jwks or jwksUri for issuer ${JSON.stringify(r.issuer)}: token signatures are not verified (istiod would fetch the issuer's OpenID discovery document; meshsim has no network)`
              : `jwksUri ${JSON.stringify(jwksUri)} is not in the Simulation's network.jwks: token signatures are not verified (meshsim has no network)`);
          }
        });
      }
      const fh = m.get("fromHeaders")?.list();
      if (fh) {
        r.fromHeaders = [];
        for (const hv of fh) {
          const hm = hv.map();
          if (!hm) continue;
          const name = hm.req("name")?.nonEmptyStr();
          const prefix = hm.get("prefix")?.str();
          hm.done();
          if (name !== undefined) r.fromHeaders.push(prefix === undefined ? { name } : { name, prefix });
        }
      }
      const sdc = m.get("spaceDelimitedClaims")?.strList();
      if (sdc) r.spaceDelimitedClaims = sdc;
      const fot = m.get("forwardOriginalToken")?.bool();
      if (fot !== undefined) r.forwardOriginalToken = fot;
      // Token locations besides headers (istiod copies them to Envoy's provider:
      // pilot/pkg/security/authn/policy_applier.go; Envoy's extractor reads them after the headers).
      const fp = m.get("fromParams")?.strList();
      if (fp) r.fromParams = fp;
      const fc = m.get("fromCookies")?.strList();
      if (fc) r.fromCookies = fc;
      m.ignore("outputPayloadToHeader", "outputClaimToHeaders", "timeout");
      m.done();
      if (issuer !== undefined) out.jwtRules.push(r);
    }
  }
  // targetRefs: JWTs are validated by the targeted ambient waypoint (its Gateway, or a Service bound
  // to one), never by sidecars through a selector.
  // https://istio.io/latest/docs/reference/config/security/request_authentication/ (targetRefs)
  const targets = readTargetRefs(spec);
  if (targets !== undefined) out.targetRefs = targets;
  oneOfSelectorOrTargets(spec, out);
  spec.done();
  return out;
}
