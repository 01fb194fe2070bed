// Gateway, GatewayClass and ReferenceGrant specs (gateway.networking.k8s.io v1; v1beta1 where the CRDs
// still serve it) read as the API server admits them: the CRDs' OpenAPI schema and CEL rules, each
// error at its file:line:column and field path. Rules and messages: config/crd/standard/
// gateway.networking.k8s.io_{gateways,gatewayclasses,referencegrants}.yaml in
// github.com/kubernetes-sigs/gateway-api. Routes: gateway-api-routes.ts.
import type {
  GatewayClassSpec, GatewaySpecV1, LabelSelector, LabelSelectorRequirement, Listener, ListenerTLSConfig, ReferenceGrantSpec,
  SecretObjectReference,
} from "../../proxy/api/gateway-api.js";
import { GATEWAY_GROUP } from "../../proxy/api/gateway-api.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { requirementError } from "../../proxy/label-selector.js";
import {
  HOSTNAME, PRECISE_HOSTNAME, SECTION_NAME, GROUP, KIND, pattern, oneOf,
} from "./gateway-api-fields.js";

/**
 * matchExpressions as the CRD admits them: key and operator required, operator any string. One that
 * Kubernetes' LabelSelectorAsSelector refuses is not an input error (the API server stores it); it
 * draws a warning, and the listener then admits no namespace, as istiod's namespacesFromSelector
 * does on that error (config/gateway-api/label-selector.ts).
 */
function readRequirements(v: YamlValue): LabelSelectorRequirement[] {
  const out: LabelSelectorRequirement[] = [];
  for (const rv of v.list() ?? []) {
    const m = rv.map();
    if (!m) continue;
    const key = m.req("key")?.str();
    const operator = m.req("operator")?.str();
    const values = m.get("values")?.strList() ?? [];
    m.done();
    if (key === undefined || operator === undefined) continue;
    const r = { key, operator, values };
    const error = requirementError(r);
    if (error !== undefined) rv.warn(`${error}: Kubernetes refuses this selector, and istiod then allows routes from no namespace`);
    out.push(r);
  }
  return out;
}

/**
 * A listener's tls (GatewayTLSConfig, standard channel): mode (default Terminate), certificateRefs
 * (group "" and kind Secret by default, at most 64), options (at most 16, values up to 4096).
 */
function readListenerTls(v: YamlValue): ListenerTLSConfig | undefined {
  const m = v.map();
  if (!m) return undefined;
  const mode = m.has("mode") ? oneOf(m.get("mode"), ["Terminate", "Passthrough"] as const) : "Terminate";
  const certificateRefs: SecretObjectReference[] = [];
  const cv = m.get("certificateRefs");
  const cl = cv?.list() ?? [];
  if (cv && cl.length > 64) cv.error("must have at most 64 items");
  for (const rv of cl) {
    const r = rv.map();
    if (!r) continue;
    const group = r.has("group") ? pattern(r.get("group"), GROUP, "group") : "";
    const kind = r.has("kind") ? pattern(r.get("kind"), KIND, "kind", 63) : "Secret";
    const name = r.req("name")?.nonEmptyStr();
    const namespace = r.has("namespace") ? pattern(r.get("namespace"), PRECISE_HOSTNAME, "namespace", 63) : undefined;
    r.done();
    if (group === undefined || kind === undefined || name === undefined) continue;
    certificateRefs.push(namespace === undefined ? { group, kind, name } : { group, kind, name, namespace });
  }
  const ov = m.get("options");
  const options = ov?.strMap() ?? {};
  if (ov && Object.keys(options).length > 16) ov.error("must have at most 16 items");
  for (const k of ["frontendValidation"]) if (m.has(k)) { m.get(k)!.warn(`${k} is not modelled; ignored`); m.ignore(k); }
  m.done();
  if (mode === undefined) return undefined;
  // CEL: "certificateRefs or options must be specified when mode is Terminate".
  if (mode === "Terminate" && certificateRefs.length === 0 && Object.keys(options).length === 0) v.error("certificateRefs or options must be specified when mode is Terminate");
  return { mode, certificateRefs, options };
}

export function readGatewaySpecV1(spec: YamlMap): GatewaySpecV1 | undefined {
  const gatewayClassName = spec.req("gatewayClassName")?.nonEmptyStr();
  const lv = spec.req("listeners");
  const list = lv?.list() ?? [];
  if (lv && (list.length < 1 || list.length > 64)) lv.error("must have 1 to 64 items");
  const listeners: Listener[] = [];
  for (const v of list) {
    const m = v.map();
    if (!m) continue;
    const name = pattern(m.req("name"), SECTION_NAME, "listener name");
    const hostname = m.has("hostname") ? pattern(m.get("hostname"), HOSTNAME, "hostname") : undefined;
    const port = m.req("port")?.port();
    const protocolV = m.req("protocol");
    const protocol = pattern(protocolV, /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/, "protocol", 255);
    const tlsV = m.get("tls");
    const tls = tlsV ? readListenerTls(tlsV) : undefined;
    // CEL on listeners: tls must not be set for HTTP/TCP/UDP, hostname must be empty for TCP/UDP.
    if (protocol !== undefined && ["HTTP", "TCP", "UDP"].includes(protocol) && tlsV) m.error("tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
    if (protocol === "HTTPS" && tls !== undefined && tls.mode !== "Terminate") tlsV!.error("tls mode must be Terminate for protocol HTTPS");
    if (protocol === "TLS" && (tlsV === undefined || !tlsV.map()?.has("mode"))) (tlsV ?? m).error("tls mode must be set for protocol TLS");
    // istiod's buildListener: "protocol is HTTPS but no TLS section is defined, skipping listener creation".
    if (protocol === "HTTPS" && tlsV === undefined) protocolV!.warn("an HTTPS listener without tls: istiod creates no server for it (nothing listens on its port for it), though its status says Accepted");
    if (protocol !== undefined && ["TCP", "UDP"].includes(protocol) && hostname !== undefined) m.error("hostname must not be specified for protocols ['TCP', 'UDP']");
    // A waypoint's HBONE listener is modelled by the ambient data path (src/config/ambient/waypoint-gateway.ts).
    const waypointListener = protocol === "HBONE" && gatewayClassName === "istio-waypoint";
    if (protocol !== undefined && !["HTTP", "HTTPS"].includes(protocol) && !waypointListener) protocolV!.warn(`protocol ${protocol} is not modelled (HTTP and HTTPS are); the listener accepts no routes`);
    let allowed: Listener["allowedRoutes"] = { namespaces: { from: "Same" } };
    const am = m.get("allowedRoutes")?.map();
    if (am) {
      const nm = am.get("namespaces")?.map();
      if (nm) {
        const from = nm.has("from") ? oneOf(nm.get("from"), ["Same", "All", "Selector"] as const) : "Same";
        const sel = nm.get("selector")?.map();
        const matchLabels = sel?.get("matchLabels")?.strMap();
        const matchExpressions = sel?.has("matchExpressions") === true ? readRequirements(sel.get("matchExpressions")!) : undefined;
        sel?.done();
        nm.done();
        if (from === "Selector" && !sel) nm.error("selector must be specified when from is Selector");
        const selector: LabelSelector = { matchLabels: matchLabels ?? {} };
        if (matchExpressions !== undefined) selector.matchExpressions = matchExpressions;
        if (from !== undefined) allowed = { namespaces: from === "Selector" ? { from, selector } : { from } };
      }
      const kl = am.get("kinds")?.list();
      if (kl) {
        allowed.kinds = [];
        for (const kv of kl) {
          const km = kv.map();
          if (!km) continue;
          const group = km.has("group") ? pattern(km.get("group"), GROUP, "group") : GATEWAY_GROUP;
          const kind = pattern(km.req("kind"), KIND, "kind", 63);
          km.done();
          if (group !== undefined && kind !== undefined) allowed.kinds.push({ group, kind });
        }
      }
      am.done();
    }
    m.done();
    if (name === undefined || port === undefined || protocol === undefined) continue;
    const l: Listener = { name, port, protocol, allowedRoutes: allowed };
    if (hostname !== undefined) l.hostname = hostname;
    if (tls !== undefined) l.tls = tls;
    listeners.push(l);
  }
  // CEL: "Listener name must be unique within the Gateway", "Combination of port, protocol and
  // hostname must be unique for each listener".
  const names = listeners.map((l) => l.name);
  if (lv && new Set(names).size !== names.length) lv.error("Listener name must be unique within the Gateway");
  const combos = listeners.map((l) => `${l.port}/${l.protocol}/${l.hostname ?? ""}`);
  if (lv && new Set(combos).size !== combos.length) lv.error("Combination of port, protocol and hostname must be unique for each listener");
  for (const k of ["addresses", "infrastructure", "backendTLS", "allowedListeners"]) {
    if (spec.has(k)) { spec.get(k)!.warn(`${k} is not modelled; ignored`); spec.ignore(k); }
  }
  if (gatewayClassName === undefined) return undefined;
  return { gatewayClassName, listeners };
}

export function readGatewayClassSpec(spec: YamlMap): GatewayClassSpec | undefined {
  const controllerName = pattern(spec.req("controllerName"), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/, "controller name");
  for (const k of ["parametersRef", "description"]) spec.ignore(k);
  return controllerName === undefined ? undefined : { controllerName };
}

export function readReferenceGrantSpec(spec: YamlMap): ReferenceGrantSpec | undefined {
  const from: ReferenceGrantSpec["from"] = [];
  const to: ReferenceGrantSpec["to"] = [];
  const fv = spec.req("from");
  const fl = fv?.list() ?? [];
  if (fv && (fl.length < 1 || fl.length > 16)) fv.error("must have 1 to 16 items");
  for (const v of fl) {
    const m = v.map();
    if (!m) continue;
    const group = pattern(m.req("group"), GROUP, "group");
    const kind = pattern(m.req("kind"), KIND, "kind", 63);
    const namespace = pattern(m.req("namespace"), PRECISE_HOSTNAME, "namespace", 63);
    m.done();
    if (group !== undefined && kind !== undefined && namespace !== undefined) from.push({ group, kind, namespace });
  }
  const tv = spec.req("to");
  const tl = tv?.list() ?? [];
  if (tv && (tl.length < 1 || tl.length > 16)) tv.error("must have 1 to 16 items");
  for (const v of tl) {
    const m = v.map();
    if (!m) continue;
    const group = pattern(m.req("group"), GROUP, "group");
    const kind = pattern(m.req("kind"), KIND, "kind", 63);
    const name = m.has("name") ? m.get("name")?.nonEmptyStr() : undefined;
    m.done();
    if (group === undefined || kind === undefined) continue;
    to.push(name === undefined ? { group, kind } : { group, kind, name });
  }
  return { from, to };
}
