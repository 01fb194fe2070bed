// A Gateway listener's TLS as istiod converts it into the Istio Gateway server's `tls`: mode
// Terminate → SIMPLE with `credentialName: kubernetes-gateway://<ns>/<secret>` (the gateway's Envoy gets
// the certificate over SDS), or MUTUAL / OPTIONAL_MUTUAL / ISTIO_SIMPLE / ISTIO_MUTUAL by the option
// `gateway.istio.io/tls-terminate-mode`; Passthrough → PASSTHROUGH. A certificateRef that does not
// resolve is the listener's ResolvedRefs False: `InvalidCertificateRef` (not a Secret, no such Secret,
// no tls.crt/tls.key or cert/key with a value, more than 2 refs) or `RefNotPermitted` (a Secret in another
// namespace with no ReferenceGrant from Gateways of this namespace, checked before the Secret is
// looked up); with no ref left the listener is not Programmed and istiod generates no server for it.
// istio/istio pilot/pkg/config/kube/gateway/conversion.go buildTLS, buildSecretReference, buildListener;
// gateway_collection.go (an invalid listener's Istio Gateway is not pushed: GatewayConfigs keeps
// only `Valid`); pilot/pkg/credentials/kube/secrets.go ExtractCertInfo; pilot/pkg/model/credentials/
// resource.go ToKubernetesGatewayResource. https://gateway-api.sigs.k8s.io/reference/spec/#gatewaytlsconfig
import type { KubernetesGateway, Listener, ReferenceGrant } from "../../proxy/api/gateway-api.js";
import { backendAllowed } from "./reference-grant.js";

/** The option istiod reads for the termination mode (gatewaycommon GatewayTLSTerminateModeKey). */
export const TLS_TERMINATE_MODE_OPTION = "gateway.istio.io/tls-terminate-mode";

/** The Istio Gateway server's `tls` (networking.istio.io ServerTLSSettings) istiod writes. */
export interface ServerTls {
  readonly mode: "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL" | "ISTIO_MUTUAL" | "PASSTHROUGH";
  /** One Secret: `credentialName`; two: `credentialNames`. */
  readonly credentialName?: string;
  readonly credentialNames?: readonly string[];
}

export interface ListenerTlsError {
  /** The listener's ResolvedRefs reason: InvalidCertificateRef or RefNotPermitted. */
  readonly reason: "InvalidCertificateRef" | "RefNotPermitted";
  readonly message: string;
}

export interface ListenerTls {
  /** undefined: no `tls` on the listener. */
  readonly tls: ServerTls | undefined;
  readonly error: ListenerTlsError | undefined;
}

/** A Secret's keys as the translation sees them ("ns/name" → key → holds a value). */
export type SecretKeys = ReadonlyMap<string, Readonly<Record<string, boolean>>>;

const refString = (r: { group: string; kind: string; name: string; namespace?: string }) =>
  `${r.group === "" ? "core" : r.group}/${r.kind}/${r.namespace !== undefined ? `${r.namespace}/` : ""}${r.name}`;

/** ExtractCertInfo: "cert"/"key" or "tls.crt"/"tls.key" with values; else its error. */
function certInfoError(keys: Readonly<Record<string, boolean>>): string | undefined {
  if (keys["cert"] === true && keys["key"] === true) return undefined;
  if (keys["tls.crt"] === true && keys["tls.key"] === true) return undefined;
  if ("cert" in keys && "key" in keys) return `found keys "cert" and "key", but they were empty`;
  if ("tls.crt" in keys && "tls.key" in keys) return `found keys "tls.crt" and "tls.key", but they were empty`;
  const found = Object.keys(keys).sort();
  const list = found.length < 3 ? found.join(", ") : `${found.slice(0, 3).join(", ")}, and ${found.length - 3} more...`;
  return `found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: ${list}`;
}

/** buildTLS for one listener of `gw`. */
export function listenerTls(l: Listener, gw: KubernetesGateway, secrets: SecretKeys, grants: readonly ReferenceGrant[]): ListenerTls {
  const t = l.tls;
  if (t === undefined) return { tls: undefined, error: undefined };
  if (t.mode === "Passthrough") return { tls: { mode: "PASSTHROUGH" }, error: undefined };
  let mode: ServerTls["mode"] = "SIMPLE";
  switch (t.options[TLS_TERMINATE_MODE_OPTION]) {
    case "MUTUAL": mode = "MUTUAL"; break;
    case "OPTIONAL_MUTUAL": mode = "OPTIONAL_MUTUAL"; break;
    // The gateway's own workload certificate (credentialName builtin://): no Secret is read.
    case "ISTIO_SIMPLE": return { tls: { mode: "SIMPLE", credentialName: "builtin://" }, error: undefined };
    case "ISTIO_MUTUAL": return { tls: { mode: "ISTIO_MUTUAL" }, error: undefined };
  }
  if (t.certificateRefs.length > 2) return { tls: { mode }, error: { reason: "InvalidCertificateRef", message: "TLS mode can only support up to 2 server certificates" } };
  const ns = gw.metadata.namespace;
  const names: string[] = [];
  let error: ListenerTlsError | undefined;
  const join = (e: ListenerTlsError) => { error = error === undefined ? e : { reason: error.reason, message: `${error.message}; ${e.message}` }; };
  for (const ref of t.certificateRefs) {
    const credNs = ref.namespace ?? ns;
    // "Authorize cross-namespace refs before resolving the target, so status never reveals whether
    // the referent exists when no ReferenceGrant allows it".
    if (credNs !== ns && !backendAllowed(grants, "Gateway", ns, "", "Secret", ref.name, credNs)) {
      join({ reason: "RefNotPermitted", message: `certificateRef ${ref.name}/${credNs} not accessible to a Gateway in namespace "${ns}" (missing a ReferenceGrant?)` });
      continue;
    }
    if (ref.group !== "" || ref.kind !== "Secret") {
      join({ reason: "InvalidCertificateRef", message: `invalid certificate reference ${refString(ref)}, only secret is allowed` });
      continue;
    }
    const key = `${credNs}/${ref.name}`;
    const keys = secrets.get(key);
    if (keys === undefined) {
      join({ reason: "InvalidCertificateRef", message: `invalid certificate reference ${refString(ref)}, secret ${key} not found` });
      continue;
    }
    const bad = certInfoError(keys);
    if (bad !== undefined) {
      join({ reason: "InvalidCertificateRef", message: `invalid certificate reference ${refString(ref)}, ${bad}` });
      continue;
    }
    names.push(`kubernetes-gateway://${credNs}/${ref.name}`);
  }
  // "If we have no valid certificates, return an error"; with one valid, the others' errors are dropped.
  if (names.length === 0) return { tls: { mode }, error };
  return { tls: names.length === 1 ? { mode, credentialName: names[0]! } : { mode, credentialNames: names }, error: undefined };
}

/** Does the listener get a server on the gateway's Envoy (buildListener: valid TLS, and HTTPS/TLS only with `tls`)? */
export function listenerServed(l: Listener, tls: ListenerTls): boolean {
  if (tls.error !== undefined) return false;
  return !(tls.tls === undefined && (l.protocol === "HTTPS" || l.protocol === "TLS"));
}
