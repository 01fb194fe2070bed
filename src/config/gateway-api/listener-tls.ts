// A Gateway listener's TLS as istiod converts it into the Istio Gateway server's `tls`: mode
// Terminate → SIMPLE with `credentialName: kubernetes-gateway://<ns>/<secret>` (the gateway's Envoy gets
// the certificate over SDS), or MUTUAL / OPTIONAL_MUTUAL / ISTIO_SIMPLE / ISTIO_MUTUAL by the option
// `gateway.istio.io/tls-terminate-mode`; Passthrough → PASSTHROUGH. A certificateRef that does not
// resolve is the listener's ResolvedRefs False: `InvalidCertificateRef` (not a Secret, no such Secret,
// no tls.crt/tls.key or cert/key with a value, not a PEM certificate and its matching key, more than 2 refs) or `RefNotPermitted` (a Secret in another
// namespace with no ReferenceGrant from Gateways of this namespace, checked before the Secret is
// looked up); with no ref left the listener is not Programmed and istiod generates no server for it.
// istio/istio pilot/pkg/config/kube/gateway/conversion.go buildTLS, buildSecretReference, buildListener;
// gateway_collection.go (an invalid listener's Istio Gateway is not pushed: GatewayConfigs keeps
// only `Valid`); pilot/pkg/credentials/kube/secrets.go ExtractCertInfo; pilot/pkg/model/credentials/
// resource.go ToKubernetesGatewayResource. https://gateway-api.sigs.k8s.io/reference/spec/#gatewaytlsconfig
import type { KubernetesGateway, Listener, ReferenceGrant } from "../../proxy/api/gateway-api.js";
import type { KeyObject, X509Certificate } from "node:crypto";
import { nodeCrypto } from "../../proxy/security/node-crypto.js";
import { backendAllowed } from "./reference-grant.js";

/** keyPairError memoised: one Secret is checked at every config change (each check parses the PEM). */
const checked = new Map<string, string | undefined>();
function keyPairCheck(cert: string, key: string): string | undefined {
  const k = `${cert}\u0000${key}`;
  if (!checked.has(k)) checked.set(k, keyPairError(cert, key));
  return checked.get(k);
}

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

/** Secrets as the translation sees them ("ns/name" → key → value, decoded). */
export type SecretKeys = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** secretObjectReferenceString: "group/kind/name.namespace" as stored (the CRD defaults group "" and kind Secret). */
const refString = (r: { group: string; kind: string; name: string; namespace?: string }) => `${r.group}/${r.kind}/${r.name}.${r.namespace ?? ""}`;

/** ExtractCertInfo: the certificate and key under "cert"/"key" or "tls.crt"/"tls.key", or its error. */
function certInfo(data: Readonly<Record<string, string>>): { cert: string; key: string } | string {
  const has = (k: string) => Object.hasOwn(data, k);
  const value = (k: string) => (has(k) ? data[k]! : "");
  if (value("cert") !== "" && value("key") !== "") return { cert: value("cert"), key: value("key") };
  if (value("tls.crt") !== "" && value("tls.key") !== "") return { cert: value("tls.crt"), key: value("tls.key") };
  if (has("cert") && has("key")) return `found keys "cert" and "key", but they were empty`;
  if (has("tls.crt") && has("tls.key")) return `found keys "tls.crt" and "tls.key", but they were empty`;
  const found = Object.keys(data).sort();
  const list = found.length < 3 ? found.join(", ") : `${found.slice(0, 3).join(", ")}, and ${found.length - 3} more...`;
  return `found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: ${list}`;
}

/**
 * Go's tls.X509KeyPair, which istiod runs on the pair: a PEM certificate, a PEM private key, and the
 * key matching the certificate's public key; node:crypto parses them (meshsim does no crypto of its
 * own). The messages are Go's (crypto/tls/tls.go X509KeyPair).
 */
function keyPairError(cert: string, key: string): string | undefined {
  if (!/-----BEGIN [A-Z0-9 ]*CERTIFICATE-----/.test(cert)) return "tls: failed to find any PEM data in certificate input";
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(key)) return "tls: failed to find any PEM data in key input";
  let x509: X509Certificate;
  try { x509 = new (nodeCrypto().X509Certificate)(cert); } catch (e) { return `x509: malformed certificate (${(e as Error).message})`; }
  let pk: KeyObject;
  try { pk = nodeCrypto().createPrivateKey(key); } catch { return "tls: failed to parse private key"; }
  return x509.checkPrivateKey(pk) ? undefined : "tls: private key does not match public key";
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
    const data = secrets.get(key);
    if (data === undefined) {
      join({ reason: "InvalidCertificateRef", message: `invalid certificate reference ${refString(ref)}, secret ${key} not found` });
      continue;
    }
    const info = certInfo(data);
    if (typeof info === "string") {
      join({ reason: "InvalidCertificateRef", message: `invalid certificate reference ${refString(ref)}, ${info}` });
      continue;
    }
    const malformed = keyPairCheck(info.cert, info.key);
    if (malformed !== undefined) {
      join({ reason: "InvalidCertificateRef", message: `invalid certificate reference ${refString(ref)}, the certificate is malformed: ${malformed}` });
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
