// The waypoints as ztunnel uses them: which waypoint Service a Service is bound to under the config
// istiod holds (config/ambient/ambient-index.ts: istio.io/use-waypoint on the Service or its
// namespace, a waypoint for `service` or `all` traffic), and the waypoint's Envoy taking a request
// that ztunnel tunnelled to it. The waypoint is a proxy like a sidecar without an app: it routes by
// its own config (VirtualServices and HTTPRoutes for the Service — GAMMA routes with a Service
// parentRef —, DestinationRule policy, retries, timeouts), balances per request over the Service's
// endpoints and sends on over HBONE to the destination's ztunnel. It reports the HTTP metrics with
// reporter="waypoint" and the original client as source (mesh/edge-sinks.ts).
// https://istio.io/latest/docs/ambient/usage/waypoint/
// https://istio.io/latest/docs/ambient/architecture/data-plane/
import type { MeshConfig } from "../../config/mesh-config.js";
import { sharedAmbientIndex } from "../../config/ambient/ambient-index.js";
import type { CallTarget, Namespace, Scenario } from "../../scenario/model.js";
import type { Pod } from "../kube/pod.js";
import type { SidecarPath } from "../sidecar/sidecar-path.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import type { WaypointHop } from "../ztunnel/ztunnel-path.js";
import type { Waypoint } from "../../config/ambient/waypoint-gateway.js";
import { waypointPolicies } from "../../config/ambient/waypoint-policies.js";
import { compileAuthorization, evaluateAuthorization, RBAC_DENIED_BODY, type CompiledAuthz } from "../../proxy/security/authorization/authorization.js";
import { authenticateRequest, compileRequestAuthentication, type AuthzRequest, type CompiledRequestAuthn } from "../../proxy/security/index.js";
import type { EdgeSinks } from "../edge-sinks.js";
import { OUTSIDE_IP } from "../sidecar/inbound-policy.js";
import type { Simulator } from "../../engine/simulator.js";
import { isWaypointPod } from "./waypoint-workloads.js";

/** A Service's waypoint under one config version, and whether ingress gateways use it. */
interface Bound { readonly waypoint: Waypoint; readonly ingress: boolean }

/** A request an ingress gateway sent to a waypoint pod, on its way there. */
class GatewayArrival {
  constructor(readonly pod: Pod, readonly origin: Origin, readonly req: OutgoingRequest, readonly responder: Responder, readonly conn: number) {}
}

export class Waypoints implements WaypointHop {
  private bound = new WeakMap<MeshConfig, Map<string, Bound>>();
  /** The Namespaces as istiod sees them now: the scenario's, replaced by those applied on the timeline. */
  private namespaces: readonly Namespace[];
  private readonly kGateway: number;
  /** The L7 policies a waypoint enforces for a Service, per config version (null: none apply). */
  private policies = new WeakMap<MeshConfig, Map<string, WaypointPolicies | null>>();
  /** The Origin a waypoint sends a client's requests with: its own pod, the client's identity labels. */
  private readonly origins = new WeakMap<Pod, WeakMap<Origin, Origin>>();

  constructor(
    private readonly scenario: Scenario,
    /** The config istiod holds now (its waypoint bindings reach ztunnel without a modelled delay). */
    private readonly config: () => MeshConfig,
    private readonly sidecars: SidecarPath,
    sim: Simulator,
    /** The sinks its own local replies are reported in (reporter="waypoint"). */
    private readonly sinks: EdgeSinks,
    /** Simulated seconds since the epoch of JWT exp/nbf claims. */
    private readonly nowSeconds: () => number,
  ) {
    this.kGateway = sim.on((a: GatewayArrival) => {
      // The waypoint pod went away under the connection: it is refused (the gateway's UF).
      if (!a.pod.listening) a.responder.onResponse(0, "UF");
      else this.arrive(a.pod, a.origin, a.req, a.responder, a.conn);
    });
    this.sim = sim;
    this.namespaces = scenario.namespaces;
  }

  private readonly sim: Simulator;

  /**
   * Namespaces applied on the timeline (their labels replace the old ones): istiod recomputes the
   * bindings (istio.io/use-waypoint, istio.io/ingress-use-waypoint) at once.
   */
  applyNamespaces(applied: readonly Namespace[]): void {
    const names = new Set(applied.map((n) => n.metadata.name));
    this.namespaces = [...this.namespaces.filter((n) => !names.has(n.metadata.name)), ...applied];
    this.bound = new WeakMap();
    this.policies = new WeakMap();
  }

  waypointFor(serviceFqdn: string): string | undefined {
    return this.bindingOf(this.config(), serviceFqdn)?.waypoint.address;
  }

  /**
   * The waypoint Service whose endpoints an ingress gateway's cluster for `serviceFqdn` holds instead
   * of the Service's own: only when the Service (or its namespace) carries
   * `istio.io/ingress-use-waypoint: "true"` (ENABLE_INGRESS_WAYPOINT_ROUTING, on by default). Only
   * gateways ("routers") do this; sidecars always send to the pods
   * (istio/istio pilot/pkg/xds/endpoints/endpoint_builder.go findServiceWaypoint, "Currently only
   * ingress and e/w gateway will call waypoints"; https://istio.io/latest/docs/ambient/usage/waypoint/).
   */
  ingressWaypointFor(serviceFqdn: string): string | undefined {
    const b = this.bindingOf(this.config(), serviceFqdn);
    return b?.ingress === true ? b.waypoint.address : undefined;
  }

  /** Whether a pod is one of the waypoints' (an Envoy taking HBONE on 15008). */
  isWaypoint(pod: Pod): boolean {
    return isWaypointPod(pod.labels);
  }

  /** An ingress gateway's request reaches waypoint pod `pod` after `delayMs` (HBONE, no ztunnel: the waypoint is not captured). */
  fromGateway(pod: Pod, origin: Origin, req: OutgoingRequest, serviceFqdn: string, port: number, responder: Responder, delayMs: number, conn: number): void {
    // The waypoint picks its routes by the HBONE target (the Service's VIP and port), not by the
    // Host header the gateway kept (its listener's filter chain per Service: istio/istio
    // pilot/pkg/networking/core/listener_waypoint.go).
    const key = `${serviceFqdn}:${port}`;
    let target = this.targets.get(key);
    if (target === undefined) {
      const [name = "", namespace = ""] = serviceFqdn.split(".");
      target = { scheme: "http", host: name, port, path: req.target.path, resolved: { kind: "service", name, namespace, fqdn: serviceFqdn } };
      this.targets.set(key, target);
    }
    this.sim.after(delayMs, this.kGateway, new GatewayArrival(pod, origin, { ...req, target }, responder, conn));
  }

  private readonly targets = new Map<string, CallTarget>();

  private bindingOf(config: MeshConfig, serviceFqdn: string): Bound | undefined {
    let map = this.bound.get(config);
    if (map === undefined) {
      map = new Map();
      const s = this.scenario;
      const index = sharedAmbientIndex({ mesh: s.simulation.mesh, namespaces: this.namespaces, services: s.services, deployments: s.deployments, gatewayApi: config.gatewayApi });
      for (const [host, svc] of index.services) if (svc.binding.waypoint !== undefined) map.set(host, { waypoint: svc.binding.waypoint, ingress: svc.ingressUseWaypoint });
      this.bound.set(config, map);
    }
    return map.get(serviceFqdn);
  }

  /**
   * The policies a waypoint enforces for requests to a Service: the AuthorizationPolicies and
   * RequestAuthentications whose targetRefs name the waypoint's Gateway or the Service itself (Beta),
   * evaluated with the original client's identity, which HBONE carries to the waypoint. The waypoint's
   * HTTP filters run as a sidecar's do: jwt_authn (401), then RBAC (403), then the router.
   * https://istio.io/latest/docs/ambient/usage/l7-features/#security-authorization
   * https://istio.io/latest/docs/reference/config/security/request_authentication/ (targetRefs)
   */
  private policiesFor(config: MeshConfig, serviceFqdn: string): WaypointPolicies | null {
    let map = this.policies.get(config);
    if (map === undefined) this.policies.set(config, (map = new Map()));
    let c = map.get(serviceFqdn);
    if (c === undefined) {
      const wp = this.bindingOf(config, serviceFqdn)?.waypoint;
      const where = { namespace: serviceFqdn.split(".")[1] ?? "", labels: {} };
      const authzPolicies = waypointPolicies(config.authorizationPolicies, wp, serviceFqdn);
      const authnPolicies = waypointPolicies(config.requestAuthentications, wp, serviceFqdn);
      c = authzPolicies.length + authnPolicies.length === 0 ? null : {
        authz: compileAuthorization(authzPolicies, where),
        authn: compileRequestAuthentication(authnPolicies, where),
      };
      map.set(serviceFqdn, c);
    }
    return c;
  }

  arrive(pod: Pod, origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    const t = req.target.resolved;
    let byOrigin = this.origins.get(pod);
    if (byOrigin === undefined) this.origins.set(pod, (byOrigin = new WeakMap()));
    let o = byOrigin.get(origin);
    if (o === undefined) byOrigin.set(origin, (o = { pod, workload: origin.workload, namespace: origin.namespace, client: origin.pod }));
    const policies = t.kind === "service" ? this.policiesFor(this.config(), t.fqdn) : null;
    if (policies !== null) {
      const denied = this.check(policies, origin, req);
      if (denied !== null) {
        // The waypoint's own local reply (jwt_authn's 401, RBAC's 403): in its reporter="waypoint"
        // metrics like any request it handled, with no upstream pod.
        const now = this.sim.now;
        this.sinks.get("source", true, o, null, t.kind === "service" ? t.fqdn : "unknown").record(now, 0, denied.status, denied.flags, req.bytes ?? 0, denied.bytes);
        responder.onResponse(denied.status, denied.flags, denied.bytes);
        return NOTHING;
      }
    }
    return this.sidecars.send(o, req, responder, conn);
  }

  private check(p: WaypointPolicies, origin: Origin, req: OutgoingRequest): { status: number; flags: string; bytes: number } | null {
    const jwt = authenticateRequest(p.authn, req.headers, req.path, this.nowSeconds(), req.method);
    if (!jwt.ok) return { status: jwt.status, flags: "-", bytes: jwt.body.length };
    const client = origin.pod as Pod | null;
    const r: AuthzRequest = {
      method: req.method, path: req.path, host: req.authority, port: req.target.port, headers: req.headers,
      peer: client !== null && (client.ambient || client.hasSidecar) ? client.identity : undefined,
      sourceIp: client?.ip ?? OUTSIDE_IP,
    };
    if (jwt.requestPrincipal !== undefined) r.requestPrincipal = jwt.requestPrincipal;
    if (jwt.claims !== undefined) r.requestClaims = jwt.claims;
    const d = evaluateAuthorization(p.authz, r);
    return d.allowed ? null : { status: d.status, flags: d.flags, bytes: RBAC_DENIED_BODY.length };
  }
}

/** What a waypoint enforces for one Service under one config version. */
interface WaypointPolicies {
  readonly authz: CompiledAuthz;
  readonly authn: CompiledRequestAuthn;
}

const NOTHING: Exchange = { abandon(): void {} };
