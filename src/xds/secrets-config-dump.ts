// The SDS secrets istio-agent serves a proxy's Envoy, and Envoy's dump of them (what `istioctl
// proxy-config secret` reads): `default`, the workload certificate chain, and `ROOTCA`, the root it
// trusts. A certificate istiod has not signed yet (istiod down when the pod started) is requested
// but not served: Envoy lists it among the warming secrets.
// https://istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/ ;
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/admin/v3/config_dump_shared.proto (SecretsConfigDump);
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/secret.proto (Secret);
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/admin/v3/certs.proto (CertificateDetails)
import { LOG_EPOCH_MS } from "../telemetry/log-epoch.js";
import type { WorkloadCertificate } from "./certificates.js";

/** What Envoy's `/certs` decodes from a certificate (meshsim holds no certificate bytes, only this). */
export interface CertificateDetails {
  readonly serialNumber: string;
  /** URI SANs: the workload's SPIFFE ID; none for Istio's self-signed root. */
  readonly subjectAltNames: readonly string[];
  readonly validFromMs: number;
  readonly expirationTimeMs: number;
}

export interface SdsSecret {
  readonly name: "default" | "ROOTCA";
  /** ACTIVE: Envoy holds it; WARMING: Envoy asked for it and istio-agent has nothing to serve yet. */
  readonly state: "ACTIVE" | "WARMING";
  /** When Envoy last received it (undefined: never). */
  readonly lastUpdatedMs: number | undefined;
  /** `default`: the workload certificate, then the root it chains to (istiod's self-signed CA
   *  appends its root to the chain it signs); `ROOTCA`: the root. Empty while warming. */
  readonly chain: readonly CertificateDetails[];
}

/** The root certificate as the control plane keeps it. */
export interface RootCertificate {
  readonly serial: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

/**
 * A proxy's SDS secrets: its workload certificate (undefined: not signed yet) with the root, and the
 * root alone, unchanged since the agent's first certificate (meshsim does not rotate the root).
 */
export function sdsSecrets(cert: WorkloadCertificate | undefined, root: RootCertificate, spiffeId: string): SdsSecret[] {
  const rootDetails: CertificateDetails = { serialNumber: root.serial, subjectAltNames: [], validFromMs: root.notBeforeMs, expirationTimeMs: root.notAfterMs };
  // The root comes from the istio-ca-root-cert ConfigMap the pod mounts, not from a CSR: the agent
  // serves it even while istiod cannot sign (meshsim does not know the pod's start: no lastUpdated).
  if (cert === undefined) {
    return [{ name: "default", state: "WARMING", lastUpdatedMs: undefined, chain: [] }, { name: "ROOTCA", state: "ACTIVE", lastUpdatedMs: undefined, chain: [rootDetails] }];
  }
  const leaf: CertificateDetails = { serialNumber: cert.serial, subjectAltNames: [spiffeId], validFromMs: cert.notBeforeMs, expirationTimeMs: cert.notAfterMs };
  return [
    { name: "default", state: "ACTIVE", lastUpdatedMs: cert.notBeforeMs, chain: [leaf, rootDetails] },
    { name: "ROOTCA", state: "ACTIVE", lastUpdatedMs: cert.firstIssuedMs, chain: [rootDetails] },
  ];
}

/** google.protobuf.Timestamp in JSON (RFC 3339, UTC), on the calendar the access log uses. */
export function timestampJson(simMs: number): string {
  return new Date(LOG_EPOCH_MS + simMs).toISOString();
}

const SECRET_TYPE = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
/** Envoy redacts private keys in its dumps: base64 of "[redacted]". */
const REDACTED = "W3JlZGFjdGVkXQ==";
const DAY_MS = 86_400_000;

/** admin.v3.CertificateDetails in JSON: days_until_expiration is a uint64 (a string), 0 once expired. */
function certificateDetailsJson(c: CertificateDetails, nowMs: number): Record<string, unknown> {
  return {
    serialNumber: c.serialNumber,
    ...(c.subjectAltNames.length > 0 ? { subjectAltNames: c.subjectAltNames.map((uri) => ({ uri })) } : {}),
    daysUntilExpiration: String(Math.max(0, Math.floor((c.expirationTimeMs - nowMs) / DAY_MS))),
    validFrom: timestampJson(c.validFromMs),
    expirationTime: timestampJson(c.expirationTimeMs),
  };
}

/**
 * admin.v3.SecretsConfigDump as `istioctl proxy-config secret -o json` prints it (protobuf JSON:
 * lowerCamelCase). Where Envoy puts the PEM bytes (`inlineBytes`) meshsim has none; each secret
 * carries instead what Envoy's `/certs` decodes from them, under /certs's own names: `certChain`
 * for `default`, `caCert` for `ROOTCA` (these two keys are meshsim's additions to the dump).
 */
export function secretsConfigDumpJson(secrets: readonly SdsSecret[], nowMs: number): Record<string, unknown> {
  const active: Record<string, unknown>[] = [];
  const warming: Record<string, unknown>[] = [];
  for (const s of secrets) {
    if (s.state === "WARMING") {
      // Envoy's SDS subscription before its first response (istioctl's own test data shows this).
      warming.push({ name: s.name, versionInfo: "uninitialized", secret: { "@type": SECRET_TYPE, name: s.name } });
      continue;
    }
    const secret = s.name === "default"
      ? { "@type": SECRET_TYPE, name: s.name, tlsCertificate: { certificateChain: {}, privateKey: { inlineBytes: REDACTED } } }
      : { "@type": SECRET_TYPE, name: s.name, validationContext: { trustedCa: {} } };
    const details = s.chain.map((c) => certificateDetailsJson(c, nowMs));
    active.push({
      name: s.name,
      ...(s.lastUpdatedMs !== undefined ? { lastUpdated: timestampJson(s.lastUpdatedMs) } : {}),
      secret,
      ...(s.name === "default" ? { certChain: details } : { caCert: details }),
    });
  }
  return { ...(active.length > 0 ? { dynamicActiveSecrets: active } : {}), ...(warming.length > 0 ? { dynamicWarmingSecrets: warming } : {}) };
}
