// What the client sidecar sends to one endpoint: the DestinationRule `tls` (explicit, always wins) or
// auto mTLS. Auto mTLS (MeshConfig enableAutoMtls, default true) sends ISTIO_MUTUAL to endpoints that
// carry a sidecar (`tlsMode=istio`) unless the destination's PeerAuthentication is DISABLE, plaintext
// otherwise; MESH_EXTERNAL ServiceEntries are never auto-mTLS'd.
// https://istio.io/latest/docs/concepts/security/#auto-mutual-tls
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
import type { ClientTLSSettings } from "../api/networking.js";
import type { EffectiveMtlsMode } from "./peer-authentication.js";

export type ClientTlsMode = ClientTLSSettings["mode"];

/** Why the client chose its mode (for `explain`). */
export type ClientTlsSource = "destination-rule" | "auto-mtls" | "auto-plaintext" | "mesh-external" | "auto-mtls-disabled";

export interface ClientTlsChoice {
  readonly mode: ClientTlsMode;
  readonly source: ClientTlsSource;
}

function choice(mode: ClientTlsMode, source: ClientTlsSource): ClientTlsChoice {
  return Object.freeze({ mode, source });
}

// Every possible answer exists once, so the per-connection call allocates nothing.
const FROM_DR: Readonly<Record<ClientTlsMode, ClientTlsChoice>> = {
  DISABLE: choice("DISABLE", "destination-rule"),
  SIMPLE: choice("SIMPLE", "destination-rule"),
  MUTUAL: choice("MUTUAL", "destination-rule"),
  ISTIO_MUTUAL: choice("ISTIO_MUTUAL", "destination-rule"),
};
const AUTO_MTLS = choice("ISTIO_MUTUAL", "auto-mtls");
const AUTO_PLAINTEXT = choice("DISABLE", "auto-plaintext");
const MESH_EXTERNAL = choice("DISABLE", "mesh-external");
const AUTO_DISABLED = choice("DISABLE", "auto-mtls-disabled");

export interface ClientTlsTarget {
  /** The endpoint runs a sidecar (Istio's `tlsMode=istio` endpoint label). */
  readonly endpointHasSidecar: boolean;
  /** The server's effective PeerAuthentication mode on the target port. */
  readonly serverMode: EffectiveMtlsMode;
  /** The host is a ServiceEntry with `location: MESH_EXTERNAL`. */
  readonly meshExternal?: boolean;
}

/**
 * The TLS mode a sidecar client uses toward one endpoint.
 * @param drTls the effective DestinationRule `tls` (port-level / subset already merged), or undefined.
 */
export function chooseClientTls(
  drTls: ClientTLSSettings | undefined,
  target: ClientTlsTarget,
  enableAutoMtls = true,
): ClientTlsChoice {
  if (drTls !== undefined) return FROM_DR[drTls.mode];
  if (target.meshExternal === true) return MESH_EXTERNAL;
  if (!enableAutoMtls) return AUTO_DISABLED;
  return target.endpointHasSidecar && target.serverMode !== "DISABLE" ? AUTO_MTLS : AUTO_PLAINTEXT;
}
