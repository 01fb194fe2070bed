// Which side's expired workload certificate fails an mTLS handshake, and how the client's Envoy
// reports it (issue 19 audit, docs/model.md "## Certificates"). The server's Envoy verifying an
// expired client certificate answers the TLS alert certificate_expired
// (envoy source/common/tls/cert_validator/default_validator.cc DefaultCertValidator::doVerifyCertChain:
// SSL_alert_from_verify_result(X509_V_ERR_CERT_HAS_EXPIRED)); the client verifying an expired server
// certificate fails locally with CERTIFICATE_VERIFY_FAILED, and it verifies first (TLS 1.3).
import { describe, expect, it } from "vitest";
import { CONNECTION_CERT_EXPIRED, CONNECTION_CLIENT_CERT_EXPIRED, expiredCertificateOutcome } from "../../../src/proxy/security/connection-security.js";

describe("expiredCertificateOutcome", () => {
  it("both valid: no failure", () => expect(expiredCertificateOutcome(100, 200, 300)).toBeUndefined());
  it("the server's expired (the client's too or not): 503 UF, CERTIFICATE_VERIFY_FAILED at the client", () => {
    for (const client of [50, 200]) {
      const o = expiredCertificateOutcome(100, client, 100)!;
      expect(o).toBe(CONNECTION_CERT_EXPIRED);
      expect([o.status, o.flag]).toEqual([503, "UF"]);
      expect(o.body).toContain("268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED");
    }
  });
  it("only the client's expired: 503 UF, the server's alert SSLV3_ALERT_CERTIFICATE_EXPIRED (ERR_LIB_SSL << 24 | 1045)", () => {
    const o = expiredCertificateOutcome(100, 100, 300)!;
    expect(o).toBe(CONNECTION_CLIENT_CERT_EXPIRED);
    expect([o.status, o.flag]).toEqual([503, "UF"]);
    expect(o.body).toContain(`TLS_error:|${(16 << 24) + 1045}:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED:TLS_error_end`);
  });
});
