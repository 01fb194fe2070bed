// What a server sidecar enforces on its inbound listener (15006), compiled from the config version
// that sidecar holds: the PeerAuthentication mode per port (which connections it accepts), JWT
// validation (RequestAuthentication) and authorization (AuthorizationPolicy). Compiled once per
// (pod, config version) with the pure functions of proxy/security, which `meshsim explain` uses too.
// https://istio.io/latest/docs/concepts/security/#authentication-architecture
import type { MeshConfig } from "../../config/mesh-config.js";
import {
  authenticateRequest, compileAuthorization, compileRequestAuthentication, effectivePeerAuthentication, evaluateAuthorization, mtlsForPort,
  type AuthzRequest, type CompiledAuthz, type CompiledRequestAuthn, type EffectiveMtlsMode, type EffectivePeerAuthentication,
} from "../../proxy/security/index.js";
import type { Pod } from "../kube/pod.js";
import type { ListenerFilters } from "../../proxy/resources/calibration-profile.js";
import type { ProxyXds } from "./proxy-xds.js";
import type { Origin, OutgoingRequest } from "../transport.js";

/** A local reply of the inbound sidecar: 401 (JWT) or 403 (RBAC); null = the request goes on to the app. */
export interface InboundDenial {
  readonly status: number;
  readonly flags: string;
  /** The local reply's body size: Envoy's RBAC sends "RBAC: access denied", jwt_authn its status text. */
  readonly bytes: number;
  /**
   * %RESPONSE_CODE_DETAILS%: `rbac_access_denied_matched_policy[<policy id>|none]` (envoy
   * source/extensions/filters/common/rbac/utility.cc responseDetail), `jwt_authn_access_denied{<status
   * text, blanks as _>}` (jwt_authn/filter.cc generateRcDetails), `ext_authz_denied` for CUSTOM.
   */
  readonly details: string;
}

export class PodPolicy implements ListenerFilters {
  readonly peerAuthn: EffectivePeerAuthentication;
  readonly authz: CompiledAuthz;
  readonly authn: CompiledRequestAuthn;
  /** No AuthorizationPolicy or RequestAuthentication applies: nothing to check per request. */
  readonly open: boolean;
  /** The listener runs RBAC (some AuthorizationPolicy applies) and jwt_authn (some RequestAuthentication does). */
  readonly rbac: boolean;
  readonly jwt: boolean;
  readonly config: MeshConfig;
  /** The pod's xDS state (one object per pod for its life): its LDS version says when to recompile. */
  constructor(readonly xds: ProxyXds, pod: Pod, rootNamespace: string) {
    const config = (this.config = xds.lds);
    const ref = { namespace: pod.namespace, labels: pod.labels };
    // A kind the config has none of compiles to the same thing for every pod: that shared result,
    // rather than one per pod (a 1,000-service mesh without policies made 1,000 of each, and the
    // three compilers got hot enough for V8 to optimize them: docs/performance.md, Goal 4).
    this.peerAuthn = config.peerAuthentications.length === 0 ? none().peerAuthn
      : effectivePeerAuthentication(config.peerAuthentications, ref, rootNamespace);
    this.authz = config.authorizationPolicies.length === 0 ? none().authz
      : compileAuthorization(config.authorizationPolicies, ref, { rootNamespace });
    this.authn = config.requestAuthentications.length === 0 ? none().authn
      : compileRequestAuthentication(config.requestAuthentications, ref, rootNamespace);
    const a = this.authz.applied;
    this.rbac = a.ALLOW.length + a.DENY.length + a.CUSTOM.length > 0;
    this.jwt = this.authn.rules.length > 0;
    this.open = !this.rbac && !this.jwt;
  }
}

/**
 * What no policy compiles to. With an empty list the compilers' results depend on neither the workload
 * nor the root namespace (each starts from its default: PERMISSIVE with no port override, no RBAC
 * entry, no JWT rule), and nothing writes to them when there is nothing to enforce: the token cache of
 * `authn` is used only by a JWT rule (`authenticateRequest` returns first without rules), and `check`
 * reads neither `authz` nor `authn` of an open listener. Made at first need.
 */
interface NoPolicy {
  readonly peerAuthn: EffectivePeerAuthentication;
  readonly authz: CompiledAuthz;
  readonly authn: CompiledRequestAuthn;
}
let noPolicy: NoPolicy | null = null;
function none(): NoPolicy {
  if (noPolicy === null) {
    const ref = { namespace: "", labels: {} };
    noPolicy = {
      peerAuthn: effectivePeerAuthentication([], ref),
      authz: compileAuthorization([], ref),
      authn: compileRequestAuthentication([], ref),
    };
  }
  return noPolicy;
}

/** One frozen denial per (status, flags, body size, details): nothing allocated per request. */
const denials = new Map<string, InboundDenial>();
function denial(status: number, flags: string, bytes: number, details: string): InboundDenial {
  const key = `${status} ${flags} ${bytes} ${details}`;
  let d = denials.get(key);
  if (d === undefined) denials.set(key, (d = Object.freeze({ status, flags, bytes, details })));
  return d;
}

/** Envoy's StringUtil::replaceAllEmptySpace: each of " \t\f\v\n\r" becomes "_". */
function jwtDetails(body: string): string {
  return `jwt_authn_access_denied{${body.replace(/[ \t\f\v\n\r]/g, "_")}}`;
}

export class InboundPolicies {
  constructor(
    /** What a pod's sidecar holds from istiod (its LDS version is the config it enforces). */
    private readonly xdsOf: (pod: Pod) => ProxyXds,
    private readonly rootNamespace: string,
    /** Simulated seconds since the epoch of JWT `exp`/`nbf` claims. */
    private readonly nowSeconds: () => number,
  ) {}

  /** Pods without a sidecar (a client's sidecar asks their mode when it connects to them). */
  private readonly unmeshed = new WeakMap<Pod, PodPolicy>();

  private of(pod: Pod): PodPolicy {
    // The sidecar's policy under the config it holds; the rest out of line: `of` is inlined into
    // every inbound request's `receive` and `toApp`, and with a warm code cache TurboFan takes the
    // later call sites first within its inlining budget, so each byte here cost the leg's
    // constructor its place in `receive` (docs/performance.md, Goal 3, session 23 `inb10`).
    const sidecar = pod.proxy;
    if (sidecar !== null) {
      const p = sidecar.inboundPolicy;
      if (p !== null && p.config === p.xds.lds) return p;
    }
    return this.compiled(pod);
  }

  /** A policy compiled for the config `pod` holds now (a sidecar's first request or new LDS version; a pod with none). */
  private compiled(pod: Pod): PodPolicy {
    const sidecar = pod.proxy;
    let p = sidecar !== null ? sidecar.inboundPolicy : this.unmeshed.get(pod);
    if (p == null || p.config !== p.xds.lds) {
      p = new PodPolicy(this.xdsOf(pod), pod, this.rootNamespace);
      if (sidecar !== null) sidecar.inboundPolicy = p;
      else this.unmeshed.set(pod, p);
    }
    return p;
  }

  /** The policy filters the pod's inbound (or gateway) listener runs under the config it holds (its CPU). */
  filters(pod: Pod): ListenerFilters {
    return this.of(pod);
  }

  /** The PeerAuthentication mode the pod's sidecar enforces on a container port. */
  mode(pod: Pod, targetPort: number): EffectiveMtlsMode {
    return mtlsForPort(this.of(pod).peerAuthn, targetPort).mode;
  }

  /**
   * The inbound sidecar's HTTP filters in Istio's order — jwt_authn, then RBAC — for a request that
   * arrived on `targetPort`; the caller's identity is known only over Istio mTLS.
   */
  check(pod: Pod, req: OutgoingRequest, origin: Origin, mtls: boolean, targetPort: number): InboundDenial | null {
    const p = this.of(pod);
    // `=== true`: one compare; the bare field got V8's generic truth test (Inbound.toApp).
    if (p.open === true) return null;
    return this.enforce(p, pod, req, origin, mtls, targetPort);
  }

  /**
   * jwt_authn then RBAC, for a listener that runs them. Apart from `check`: TurboFan inlines `check`
   * into every inbound request's path, and this part's bytecode took the inlining budget that the
   * inbound router's lookups needed there (docs/performance.md, Goal 3, session 22 `inb9`).
   */
  private enforce(p: PodPolicy, pod: Pod, req: OutgoingRequest, origin: Origin, mtls: boolean, targetPort: number): InboundDenial | null {
    const jwt = authenticateRequest(p.authn, req.headers, req.path, this.nowSeconds(), req.method);
    if (!jwt.ok) return denial(jwt.status, "-", jwt.body.length, jwtDetails(jwt.body));
    const from = origin.pod as Pod | null;
    const r: AuthzRequest = {
      method: req.method, path: req.path, host: req.authority, port: targetPort, headers: req.headers,
      peer: mtls && from !== null ? from.identity : undefined,
      sourceIp: from?.ip ?? OUTSIDE_IP, destinationIp: pod.ip,
    };
    if (jwt.requestPrincipal !== undefined) r.requestPrincipal = jwt.requestPrincipal;
    if (jwt.claims !== undefined) r.requestClaims = jwt.claims;
    const d = evaluateAuthorization(p.authz, r);
    if (d.allowed) return null;
    return denial(d.status, d.flags, d.body.length, d.details);
  }
}

/** The downstream of an ingress gateway: a client outside the mesh (no pod, no peer certificate). */
const OUTSIDE: Origin = { pod: null, workload: "", namespace: "" };

/**
 * The Envoy of an ingress gateway runs the same HTTP filters as a sidecar's inbound listener —
 * jwt_authn, then RBAC, then the router — with the policies selecting the gateway's own pod
 * (Istio's "JWT at ingress" and "ingress authorization" tasks). Its downstream is outside the mesh:
 * no mTLS peer, the load balancer's address. The port is the gateway's container port (the
 * istio-ingressgateway Service maps 80 → 8080, 443 → 8443), which is what `to.operation.ports` matches.
 * https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#end-user-authentication
 * https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 */
export function checkAtGateway(policies: InboundPolicies, gateway: Pod, req: OutgoingRequest): InboundDenial | null {
  const port = req.target.port === 80 ? 8080 : req.target.port === 443 ? 8443 : req.target.port;
  return policies.check(gateway, req, OUTSIDE, false, port);
}

/** The source address of clients outside the cluster (a node's address after SNAT by the load balancer). */
export const OUTSIDE_IP = "192.168.0.1";
