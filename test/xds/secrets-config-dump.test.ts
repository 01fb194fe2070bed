// The SDS secrets a proxy holds and Envoy's dump of them (xds/secrets-config-dump.ts).
import { describe, expect, it } from "vitest";
import { sdsSecrets, secretsConfigDumpJson, timestampJson } from "../../src/xds/secrets-config-dump.js";

const H = 3_600_000;
const ROOT = { serial: "1", notBeforeMs: 0, notAfterMs: 3650 * 24 * H };
const SPIFFE = "spiffe://cluster.local/ns/default/sa/httpbin";

describe("SDS secrets", () => {
  it("default chains the workload certificate to the root; ROOTCA is the root, served since the first certificate", () => {
    const cert = { serial: "00000002", notBeforeMs: 12 * H, notAfterMs: 36 * H, rotateAtMs: 24 * H, firstIssuedMs: 0 };
    const [def, root] = sdsSecrets(cert, ROOT, SPIFFE);
    expect(def).toMatchObject({ name: "default", state: "ACTIVE", lastUpdatedMs: 12 * H });
    expect(def!.chain.map((c) => c.serialNumber)).toEqual(["00000002", "1"]);
    expect(def!.chain[0]!.subjectAltNames).toEqual([SPIFFE]);
    expect(root).toMatchObject({ name: "ROOTCA", state: "ACTIVE", lastUpdatedMs: 0 });
    expect(root!.chain.map((c) => c.serialNumber)).toEqual(["1"]);
  });

  it("a certificate istiod has not signed is warming; the root is still served", () => {
    const dump = secretsConfigDumpJson(sdsSecrets(undefined, ROOT, SPIFFE), 5 * H) as Record<string, { name: string }[]>;
    expect(dump["dynamicWarmingSecrets"]!.map((s) => s.name)).toEqual(["default"]);
    expect(dump["dynamicActiveSecrets"]!.map((s) => s.name)).toEqual(["ROOTCA"]);
  });

  it("days until expiration count whole days left, 0 once expired; times are on the access log's calendar", () => {
    const cert = { serial: "00000001", notBeforeMs: 0, notAfterMs: 24 * H, rotateAtMs: 12 * H, firstIssuedMs: 0 };
    const at = (now: number) => (secretsConfigDumpJson(sdsSecrets(cert, ROOT, SPIFFE), now)["dynamicActiveSecrets"] as { certChain?: { daysUntilExpiration: string; expirationTime: string }[] }[])[0]!.certChain![0]!;
    expect(at(0).daysUntilExpiration).toBe("1");
    expect(at(1).daysUntilExpiration).toBe("0");
    expect(at(30 * H).daysUntilExpiration).toBe("0");
    expect(at(0).expirationTime).toBe("2024-01-02T00:00:00.000Z");
    expect(timestampJson(1500)).toBe("2024-01-01T00:00:01.500Z");
  });
});
