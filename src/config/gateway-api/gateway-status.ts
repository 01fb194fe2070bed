// The status istiod writes on a Gateway of one of its ingress classes: the Gateway's Accepted,
// Programmed and ResolvedRefs conditions, and per listener its supported kinds, the number of routes
// attached, and Accepted / Programmed / Conflicted / ResolvedRefs. Listeners are merged in order and one
// that is not distinct from an earlier one on the same port is Conflicted (HostnameConflict, or
// ProtocolConflict when the protocols differ) and gets no routes; a protocol Istio does not serve
// (UDP, a lowercase "http") is UnsupportedProtocol; allowedRoutes.kinds naming a kind the protocol
// cannot carry is ResolvedRefs False InvalidRouteKinds.
// istio/istio pilot/pkg/config/kube/gatewaycommon/listener_conflict.go (ComputeGatewayListenerConflicts,
// listenersDistinct, listenerConflictReason), gatewaycommon/conversion.go (ReportListenerConflict,
// GenerateGatewaySupportedKinds, SetProgrammedCondition), pilot/pkg/config/kube/gateway/conversion.go
// (buildListener, listenerProtocolToIstio, reportGatewayStatus);
// https://gateway-api.sigs.k8s.io/reference/spec/#listenerconditiontype
import type { KubernetesGateway, Listener } from "../../proxy/api/gateway-api.js";
import { GATEWAY_GROUP } from "../../proxy/api/gateway-api.js";
import type { Condition } from "./condition.js";
import { gatewayDeploymentName } from "./gateway-deployment.js";
import type { ListenerTls } from "./listener-tls.js";

export interface RouteGroupKind { readonly group: string; readonly kind: string }

export interface GatewayListenerStatus {
  readonly name: string;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly attachedRoutes: number;
  readonly conditions: readonly Condition[];
}

/** A Gateway's status; a waypoint's listeners carry only their conditions (config/ambient/waypoint-gateway.ts). */
export interface KubernetesGatewayStatus<L = GatewayListenerStatus> {
  readonly kind: "Gateway";
  readonly namespace: string;
  readonly name: string;
  readonly conditions: readonly Condition[];
  readonly listeners: readonly L[];
}

const isTcpUdp = (p: string) => p === "TCP" || p === "UDP";
const isHttpLike = (p: string) => p === "HTTP" || p === "HTTPS" || p === "TLS";
/** "Unset hostname matches all hostnames" (listenerHostname). */
const hostnameOf = (l: Listener) => (l.hostname === undefined || l.hostname === "" ? "*" : l.hostname);

/** listenersDistinct: may both listeners be served side by side? */
function distinct(a: Listener, b: Listener): boolean {
  if (a.port !== b.port) return true;
  if ((isTcpUdp(a.protocol) && isHttpLike(b.protocol)) || (isHttpLike(a.protocol) && isTcpUdp(b.protocol))) return false;
  if (isTcpUdp(a.protocol) && isTcpUdp(b.protocol)) return false;
  // "HTTP-like distinctness is per (port, protocol, hostname); different hostnames are distinct even
  // when protocols differ".
  if (isHttpLike(a.protocol) && isHttpLike(b.protocol)) return hostnameOf(a) !== hostnameOf(b);
  return a.protocol !== b.protocol;
}

/** Listener name → HostnameConflict / ProtocolConflict, for each listener that loses to an earlier one. */
export function listenerConflicts(gw: KubernetesGateway): ReadonlyMap<string, "HostnameConflict" | "ProtocolConflict"> {
  const out = new Map<string, "HostnameConflict" | "ProtocolConflict">();
  const accepted: Listener[] = [];
  for (const l of gw.spec.listeners) {
    const prior = accepted.find((p) => !distinct(l, p));
    if (prior === undefined) { accepted.push(l); continue; }
    out.set(l.name, (isTcpUdp(l.protocol) && isTcpUdp(prior.protocol)) || l.protocol !== prior.protocol ? "ProtocolConflict" : "HostnameConflict");
  }
  return out;
}

/** listenerProtocolToIstio: the error for a protocol istiod does not serve on an ingress Gateway. */
function unsupportedProtocol(p: string): string | undefined {
  if (p === "HTTP" || p === "HTTPS" || p === "TLS" || p === "TCP") return undefined;
  if (p === "HBONE") return `protocol "${p}" is only supported for waypoint proxies`;
  const up = p.toUpperCase();
  if (["HTTP", "HTTPS", "TLS", "TCP", "HBONE"].includes(up)) return `protocol "${p}" is unsupported. hint: "${up}" (uppercase) may be supported`;
  return `protocol "${p}" is unsupported`;
}

/** GenerateGatewaySupportedKinds: the kinds the protocol carries, cut to allowedRoutes.kinds; false if that names others. */
export function supportedKinds(l: Listener): { kinds: RouteGroupKind[]; valid: boolean } {
  const route = (kind: string) => ({ group: GATEWAY_GROUP, kind });
  let kinds: RouteGroupKind[] = [];
  if (l.protocol === "HTTP" || l.protocol === "HTTPS") kinds = [route("HTTPRoute"), route("GRPCRoute")];
  else if (l.protocol === "TCP") kinds = [route("TCPRoute")];
  else if (l.protocol === "TLS") kinds = [route("TLSRoute")];
  const allowed = l.allowedRoutes.kinds;
  if (allowed === undefined || allowed.length === 0) return { kinds, valid: true };
  const cut = kinds.filter((s) => allowed.some((k) => k.group === s.group && k.kind === s.kind));
  return { kinds: cut, valid: cut.length === allowed.length };
}

const ok = (type: Condition["type"], reason: string, message = "No errors found"): Condition => ({ type, status: "True", reason, message });
const bad = (type: Condition["type"], reason: string, message: string): Condition => ({ type, status: "False", reason, message });

/**
 * The Gateway's status. `attached`: listener name → routes attached to it. The generated Service is
 * taken to have its address (meshsim has no load balancer provider to leave it pending), so Programmed
 * names it with the listeners' ports, as istiod does once the Service has endpoints.
 */
export function kubernetesGatewayStatus(
  gw: KubernetesGateway, attached: ReadonlyMap<string, number>, domainSuffix: string,
  /** Each listener's TLS (listener-tls.ts); absent: none has an error. */
  tls?: ReadonlyMap<string, ListenerTls>,
): KubernetesGatewayStatus {
  const conflicts = listenerConflicts(gw);
  let valid = 0;
  const ports = new Set<number>();
  const listeners = gw.spec.listeners.map((l): GatewayListenerStatus => {
    const { kinds, valid: kindsValid } = supportedKinds(l);
    const invalidKinds = kindsValid ? [] : [bad("ResolvedRefs", "InvalidRouteKinds", "Invalid route kinds")];
    const conflict = conflicts.get(l.name);
    if (conflict !== undefined) {
      const msg = "Listener has a conflict with another listener attached to the same Gateway";
      return { name: l.name, supportedKinds: kinds, attachedRoutes: 0, conditions: [bad("Accepted", conflict, msg), bad("Programmed", conflict, msg), { type: "Conflicted", status: "True", reason: conflict, message: msg }, ...invalidKinds] };
    }
    ports.add(l.port);
    const protocolError = unsupportedProtocol(l.protocol);
    // buildListener: a TLS error is ResolvedRefs False with its reason and Programmed False Invalid
    // "Bad TLS configuration"; a RefNotPermitted one also makes Accepted False NoValidCACertificate.
    const tlsError = tls?.get(l.name)?.error;
    if (protocolError === undefined && tlsError === undefined) valid++;
    const accepted = protocolError !== undefined ? bad("Accepted", "UnsupportedProtocol", protocolError)
      : tlsError?.reason === "RefNotPermitted" ? bad("Accepted", "NoValidCACertificate", tlsError.message)
      : ok("Accepted", "Accepted");
    return {
      name: l.name, supportedKinds: kinds, attachedRoutes: attached.get(l.name) ?? 0,
      conditions: [
        accepted,
        tlsError === undefined ? ok("Programmed", "Programmed") : bad("Programmed", "Invalid", "Bad TLS configuration"),
        { type: "Conflicted", status: "False", reason: "NoConflicts", message: "No errors found" },
        tlsError !== undefined ? bad("ResolvedRefs", tlsError.reason, tlsError.message) : kindsValid ? ok("ResolvedRefs", "ResolvedRefs") : invalidKinds[0]!,
      ],
    };
  });
  const total = gw.spec.listeners.length;
  const accepted = valid === total ? ok("Accepted", "Accepted", "Resource accepted")
    : valid === 0 ? bad("Accepted", "ListenersNotValid", "None of the Gateway's listeners are valid")
    : ok("Accepted", "ListenersNotValid", "One or more of the Gateway's listeners are invalid");
  const host = `${gatewayDeploymentName(gw)}.${gw.metadata.namespace}.svc.${domainSuffix}`;
  const assigned = [...ports].map((p) => `${host}:${p}`);
  const programmed = ok("Programmed", "Programmed", assigned.length === 0 ? "Resource programmed" : `Resource programmed, assigned to service(s) ${humanReadableJoin(assigned)}`);
  return {
    kind: "Gateway", namespace: gw.metadata.namespace, name: gw.metadata.name,
    conditions: [accepted, programmed, ok("ResolvedRefs", "ResolvedRefs", "All references resolved")],
    listeners,
  };
}

/** gatewaycommon.HumanReadableJoin: "a", "a and b", "a, b, and c". */
function humanReadableJoin(ss: readonly string[]): string {
  if (ss.length <= 1) return ss[0] ?? "";
  if (ss.length === 2) return `${ss[0]} and ${ss[1]}`;
  return `${ss.slice(0, -1).join(", ")}, and ${ss[ss.length - 1]}`;
}
