// VirtualService: https://istio.io/latest/docs/reference/config/networking/virtual-service/
// Validation follows istio/istio pkg/config/validation (the cheap rules): one action per route,
// weights >= 0 with a positive total, lowercase header names, percentages 0..100, RE2 regexes.
import type {
  Destination, HTTPFaultInjection, HTTPMatchRequest, HTTPRedirect, HTTPRetry, HTTPRoute, HTTPRouteDestination,
  HeaderOperations, Headers, StringMatch, VirtualServiceSpec,
} from "../../proxy/api/networking.js";
import { DEFAULTS } from "../defaults.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { readHosts, readPercent, readPortSelector, readStringMatch } from "./istio-fields.js";

const RETRY_ON = new Set([
  "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
  "retriable-status-codes", "retriable-headers", "envoy-ratelimited", "http3-post-connect-failure",
  "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
]);

export function readVirtualServiceSpec(spec: YamlMap): VirtualServiceSpec | undefined {
  // A VirtualService without hosts is a delegate, valid only as the target of `delegate`.
  const hosts = readHosts(spec, "hosts", false) ?? [];
  const out: VirtualServiceSpec = { hosts };
  const gateways = spec.get("gateways")?.strList();
  if (gateways) out.gateways = gateways;
  // istio/istio pkg/config/validation/validation.go ValidateVirtualService: a VirtualService bound
  // to the mesh (no gateways, or "mesh" among them) may not claim every host.
  if (gateways === undefined || gateways.length === 0 || gateways.includes("mesh")) {
    for (const h of spec.get("hosts")?.list() ?? []) {
      if (h.str() === "*") h.error("wildcard host * is not allowed for virtual services bound to the mesh gateway");
    }
  }
  const httpV = spec.get("http")?.list();
  if (httpV) out.http = httpV.map(readRoute).filter((r): r is HTTPRoute => r !== undefined);
  const tcp = spec.get("tcp");
  if (tcp?.list()) out.tcp = tcp.plain() as unknown[];
  const tls = spec.get("tls");
  if (tls?.list()) out.tls = tls.plain() as unknown[];
  const exportTo = spec.get("exportTo")?.strList();
  if (exportTo) out.exportTo = exportTo;
  spec.done();
  if (httpV && out.http!.length !== httpV.length) return undefined;
  return out;
}

function readRoute(v: YamlValue): HTTPRoute | undefined {
  const m = v.map();
  if (!m) return undefined;
  let ok = true;
  const r: HTTPRoute = {};
  const name = m.get("name")?.str();
  if (name !== undefined) r.name = name;
  const matchV = m.get("match")?.list();
  if (matchV) {
    r.match = [];
    for (const mv of matchV) { const x = readMatch(mv); if (x) r.match.push(x); else ok = false; }
  }
  const ACTIONS = ["route", "redirect", "directResponse", "delegate"];
  m.exclusive(ACTIONS);
  if (m.present(ACTIONS).length === 0) m.error("one of route, redirect, directResponse or delegate is required");
  const routeV = m.get("route");
  if (routeV) { const x = readRouteDestinations(routeV); if (x) r.route = x; else ok = false; }
  const redirectV = m.get("redirect");
  if (redirectV) { const x = readRedirect(redirectV); if (x) r.redirect = x; else ok = false; }
  const drV = m.get("directResponse");
  if (drV) {
    const dm = drV.map();
    const status = dm?.req("status")?.int({ min: 200, max: 599 });
    const body = dm?.get("body")?.map();
    let bodyOut: { string?: string; bytes?: string } | undefined;
    if (body) {
      const which = body.exclusive(["string", "bytes"], true);
      const s = which ? body.get(which)!.str() : undefined;
      if (which && s !== undefined) bodyOut = which === "string" ? { string: s } : { bytes: s };
      body.done();
    }
    dm?.done();
    if (status === undefined) ok = false;
    else r.directResponse = bodyOut ? { status, body: bodyOut } : { status };
  }
  const delegateV = m.get("delegate")?.map();
  if (delegateV) {
    const dname = delegateV.req("name")?.nonEmptyStr();
    const dns = delegateV.get("namespace")?.nonEmptyStr();
    delegateV.done();
    if (dname === undefined) ok = false;
    else r.delegate = dns === undefined ? { name: dname } : { name: dname, namespace: dns };
  }
  const rewriteV = m.get("rewrite")?.map();
  if (rewriteV) {
    if (r.redirect) rewriteV.error("rewrite cannot be used with redirect");
    const rw: NonNullable<HTTPRoute["rewrite"]> = {};
    const uri = rewriteV.get("uri")?.str();
    if (uri !== undefined) rw.uri = uri;
    const authority = rewriteV.get("authority")?.str();
    if (authority !== undefined) rw.authority = authority;
    const rr = rewriteV.get("uriRegexRewrite")?.map();
    if (rr) {
      if (uri !== undefined) rr.error("only one of uri and uriRegexRewrite may be set");
      const match = rr.req("match")?.str();
      const rewrite = rr.req("rewrite")?.str();
      rr.done();
      if (match !== undefined && rewrite !== undefined) rw.uriRegexRewrite = { match, rewrite };
    }
    rewriteV.done();
    r.rewrite = rw;
  }
  const timeout = m.get("timeout")?.duration();
  if (timeout !== undefined) r.timeoutMs = timeout;
  const retriesV = m.get("retries");
  if (retriesV) { const x = readRetries(retriesV); if (x) r.retries = x; else ok = false; }
  const faultV = m.get("fault");
  if (faultV) { const x = readFault(faultV); if (x) r.fault = x; else ok = false; }
  const mirrorV = m.get("mirror");
  if (mirrorV) { const x = readDestination(mirrorV); if (x) r.mirror = x; else ok = false; }
  const mpV = m.get("mirrorPercentage");
  if (mpV) { const x = readPercent(mpV); if (x) r.mirrorPercentage = x; }
  // The deprecated integer `mirrorPercent` still counts when `mirrorPercentage` is absent
  // (istio/istio pilot/pkg/networking/core/route/route.go MirrorPercent: N of a hundred, 0 ⇒ no
  // mirroring); istiod's validation warns of it and rejects more than 100
  // (pkg/config/validation/virtualservice.go).
  for (const key of ["mirrorPercent", "mirror_percent"]) {
    const v = m.get(key);
    if (v === undefined) continue;
    const n = v.int({ min: 0, max: 100 });
    if (n === undefined) continue;
    v.warn('using deprecated setting "mirrorPercent", use "mirrorPercentage" instead');
    r.mirrorPercentage ??= { value: n };
  }
  const mirrorsV = m.get("mirrors")?.list();
  if (mirrorsV) {
    if (mirrorV) m.error("only one of mirror and mirrors may be set");
    r.mirrors = [];
    for (const mv of mirrorsV) {
      const mm = mv.map();
      if (!mm) { ok = false; continue; }
      const dV = mm.req("destination");
      const destination = dV ? readDestination(dV) : undefined;
      const pV = mm.get("percentage");
      const percentage = pV ? readPercent(pV) : undefined;
      mm.done();
      if (!destination) { ok = false; continue; }
      r.mirrors.push(percentage ? { destination, percentage } : { destination });
    }
  }
  const headersV = m.get("headers");
  if (headersV) { const x = readHeaders(headersV); if (x) r.headers = x; }
  m.ignore("corsPolicy");
  m.done();
  return ok ? r : undefined;
}

function readHeaderMatches(v: YamlValue): Record<string, StringMatch | Record<string, never>> | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: Record<string, StringMatch | Record<string, never>> = {};
  let ok = true;
  for (const [key, val] of m.entries()) {
    if (key !== key.toLowerCase()) { m.ctx.sink.error(m.keyPos(key), `${m.path}.${key}`, "header names must be lowercase"); ok = false; continue; }
    // `{}` or an empty value means "header present".
    if (!val || (val.isMap && val.map()!.keys().length === 0)) { out[key] = {}; continue; }
    const sm = readStringMatch(val);
    if (sm) out[key] = sm; else ok = false;
  }
  return ok ? out : undefined;
}

function readMatch(v: YamlValue): HTTPMatchRequest | undefined {
  const m = v.map();
  if (!m) return undefined;
  let ok = true;
  const out: HTTPMatchRequest = {};
  const name = m.get("name")?.str();
  if (name !== undefined) out.name = name;
  for (const key of ["uri", "scheme", "method", "authority"] as const) {
    const sv = m.get(key);
    if (!sv) continue;
    const sm = readStringMatch(sv);
    if (sm) out[key] = sm; else ok = false;
  }
  for (const key of ["headers", "withoutHeaders"] as const) {
    const hv = m.get(key);
    if (!hv) continue;
    const h = readHeaderMatches(hv);
    if (h) out[key] = h; else ok = false;
  }
  const qp = m.get("queryParams")?.map();
  if (qp) {
    const q: Record<string, StringMatch> = {};
    for (const [key, val] of qp.entries()) {
      const sm = val ? readStringMatch(val) : undefined;
      if (sm) q[key] = sm; else { ok = false; if (!val) qp.error(`queryParams.${key} needs a match`); }
    }
    out.queryParams = q;
  }
  const iuc = m.get("ignoreUriCase")?.bool();
  if (iuc !== undefined) out.ignoreUriCase = iuc;
  const port = m.get("port")?.port();
  if (port !== undefined) out.port = port;
  const sl = m.get("sourceLabels")?.strMap();
  if (sl) out.sourceLabels = sl;
  const sn = m.get("sourceNamespace")?.str();
  if (sn !== undefined) out.sourceNamespace = sn;
  const gw = m.get("gateways")?.strList();
  if (gw) out.gateways = gw;
  m.ignore("statPrefix");
  m.done();
  return ok ? out : undefined;
}

export function readDestination(v: YamlValue): Destination | undefined {
  const m = v.map();
  if (!m) return undefined;
  const host = m.req("host")?.nonEmptyStr();
  const subset = m.get("subset")?.str();
  const portV = m.get("port");
  const port = portV ? readPortSelector(portV) : undefined;
  m.done();
  if (host === undefined || (portV && !port)) return undefined;
  const d: Destination = { host };
  if (subset !== undefined) d.subset = subset;
  if (port) d.port = port;
  return d;
}

function readRouteDestinations(v: YamlValue): HTTPRouteDestination[] | undefined {
  const items = v.list();
  if (!items) return undefined;
  if (items.length === 0) return v.error("at least one destination is required");
  const out: HTTPRouteDestination[] = [];
  let ok = true;
  let total = 0;
  for (const it of items) {
    const m = it.map();
    if (!m) { ok = false; continue; }
    const dV = m.req("destination");
    const destination = dV ? readDestination(dV) : undefined;
    const weight = m.get("weight")?.int({ min: 0 });
    const hV = m.get("headers");
    const headers = hV ? readHeaders(hV) : undefined;
    m.done();
    if (!destination) { ok = false; continue; }
    const rd: HTTPRouteDestination = { destination };
    if (weight !== undefined) { rd.weight = weight; total += weight; }
    if (headers) rd.headers = headers;
    out.push(rd);
  }
  if (ok && out.length > 1 && total <= 0) return v.error("total destination weight must be > 0 when there are several destinations");
  return ok ? out : undefined;
}

function readHeaderOps(v: YamlValue): HeaderOperations | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: HeaderOperations = {};
  const set = m.get("set")?.strMap();
  if (set) out.set = set;
  const add = m.get("add")?.strMap();
  if (add) out.add = add;
  const remove = m.get("remove")?.strList();
  if (remove) out.remove = remove;
  m.done();
  return out;
}

function readHeaders(v: YamlValue): Headers | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: Headers = {};
  const rq = m.get("request");
  if (rq) { const x = readHeaderOps(rq); if (x) out.request = x; }
  const rs = m.get("response");
  if (rs) { const x = readHeaderOps(rs); if (x) out.response = x; }
  m.done();
  return out;
}

function readRedirect(v: YamlValue): HTTPRedirect | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: HTTPRedirect = {};
  const uri = m.get("uri")?.str();
  if (uri !== undefined) out.uri = uri;
  const authority = m.get("authority")?.str();
  if (authority !== undefined) out.authority = authority;
  m.exclusive(["port", "derivePort"]);
  const port = m.get("port")?.port();
  if (port !== undefined) out.port = port;
  const dp = m.get("derivePort")?.oneOf(["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"] as const);
  if (dp) out.derivePort = dp;
  const scheme = m.get("scheme")?.str();
  if (scheme !== undefined) out.scheme = scheme;
  const code = m.get("redirectCode")?.int({ min: 300, max: 399 });
  if (code !== undefined) out.redirectCode = code;
  m.done();
  return out;
}

function readRetries(v: YamlValue): HTTPRetry | undefined {
  const m = v.map();
  if (!m) return undefined;
  const attempts = m.get("attempts")?.int({ min: 0 }) ?? DEFAULTS.retryAttempts;
  const out: HTTPRetry = { attempts };
  const ptt = m.get("perTryTimeout")?.duration();
  if (ptt !== undefined) out.perTryTimeoutMs = ptt;
  const roV = m.get("retryOn");
  const retryOn = roV?.str();
  if (retryOn !== undefined) {
    for (const token of retryOn.split(",").map((t) => t.trim())) {
      if (!RETRY_ON.has(token) && !/^\d{3}$/.test(token)) roV!.error(`${JSON.stringify(token)} is not a valid retryOn policy`);
    }
    out.retryOn = retryOn;
  }
  const rrl = m.get("retryRemoteLocalities")?.bool();
  if (rrl !== undefined) out.retryRemoteLocalities = rrl;
  const riph = m.get("retryIgnorePreviousHosts")?.bool();
  if (riph !== undefined) out.retryIgnorePreviousHosts = riph;
  const backoff = m.get("backoff")?.duration({ positive: true });
  if (backoff !== undefined) out.backoffMs = backoff;
  m.done();
  return out;
}

function readFault(v: YamlValue): HTTPFaultInjection | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: HTTPFaultInjection = {};
  let ok = true;
  const dm = m.get("delay")?.map();
  if (dm) {
    if (dm.has("exponentialDelay")) dm.get("exponentialDelay")!.warn("exponentialDelay is not implemented by Istio; the delay is dropped");
    const fixed = dm.has("exponentialDelay") ? undefined : dm.req("fixedDelay")?.duration();
    const pV = dm.get("percentage");
    const percentage = pV ? readPercent(pV) : undefined;
    const percent = dm.get("percent")?.int({ min: 0, max: 100 });
    dm.done();
    if (fixed !== undefined) {
      out.delay = { fixedDelayMs: fixed };
      if (percentage) out.delay.percentage = percentage;
      if (percent !== undefined) out.delay.percent = percent;
    } else if (!dm.has("exponentialDelay")) ok = false;
  }
  const am = m.get("abort")?.map();
  if (am) {
    const which = am.exclusive(["httpStatus", "grpcStatus", "http2Error"], true);
    const abort: NonNullable<HTTPFaultInjection["abort"]> = {};
    if (which === "httpStatus") { const s = am.get("httpStatus")!.int({ min: 200, max: 599 }); if (s === undefined) ok = false; else abort.httpStatus = s; }
    if (which === "grpcStatus") { const s = am.get("grpcStatus")!.str(); if (s === undefined) ok = false; else abort.grpcStatus = s; }
    if (which === "http2Error") am.get("http2Error")!.warn("http2Error aborts are not simulated");
    if (!which) ok = false;
    const pV = am.get("percentage");
    const percentage = pV ? readPercent(pV) : undefined;
    if (percentage) abort.percentage = percentage;
    am.done();
    out.abort = abort;
  }
  m.done();
  return ok ? out : undefined;
}
