// A JWT's signature checked against a key set, as Envoy's jwt_authn does it
// (jwt_verify_lib verifyJwtWithoutTimeChecking, src/verify.cc): every key whose `kid` does not
// contradict the token's and whose `alg` (if any) equals the token's is tried in order; the first that
// verifies wins; if none matched by kid/alg the status is JwksKidAlgMismatch, else JwtVerificationFail.
// The header is read as jwt_verify_lib's Jwt::parseFromString reads it (src/jwt.cc): exactly three
// non-empty parts, `alg` one of the implemented algorithms, `kid` a string if present.
// The cryptography is Node's (crypto.verify, createHmac); nothing here is hand-written crypto.
// https://github.com/google/jwt_verify_lib/blob/master/src/verify.cc
// https://www.rfc-editor.org/rfc/rfc7518#section-3
import { nodeCrypto } from "./node-crypto.js";
import type { Jwk, Jwks } from "./jwks.js";

/** jwt_verify_lib's isImplemented(alg). */
const IMPLEMENTED_ALGS = new Set(["ES256", "ES384", "ES512", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"]);

export type JwtSignatureStatus =
  | "JwtBadFormat"
  | "JwtHeaderParseError"
  | "JwtHeaderBadAlg"
  | "JwtHeaderNotImplementedAlg"
  | "JwtHeaderBadKid"
  | "JwtSignatureParseError"
  | "JwksKidAlgMismatch"
  | "JwtVerificationFail";

/** The parts of a signed token that verification reads. */
export interface SignedJwt {
  readonly alg: string;
  readonly kid: string;
  /** `base64url(header) "." base64url(payload)`, the JWS signing input. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Reads the header and signature of a compact JWS strictly (jwt_verify_lib Jwt::parseFromString). */
export function parseSignedJwt(token: string): SignedJwt | JwtSignatureStatus {
  const parts = token.split(".");
  // Exactly two dots, and absl::SkipEmpty: an empty part (an unsigned "h.p." token) is a bad format.
  if (parts.length !== 3 || parts.some((p) => p === "")) return "JwtBadFormat";
  const [h, p, s] = parts as [string, string, string];
  if (!BASE64URL.test(h)) return "JwtHeaderParseError";
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  } catch {
    return "JwtHeaderParseError";
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) return "JwtHeaderParseError";
  const alg = (header as Record<string, unknown>)["alg"];
  if (typeof alg !== "string") return "JwtHeaderBadAlg";
  if (!IMPLEMENTED_ALGS.has(alg)) return "JwtHeaderNotImplementedAlg";
  const kid = (header as Record<string, unknown>)["kid"];
  if (kid !== undefined && typeof kid !== "string") return "JwtHeaderBadKid";
  if (!BASE64URL.test(s)) return "JwtSignatureParseError";
  return { alg, kid: kid ?? "", signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") };
}

function digestOf(alg: string): "sha256" | "sha384" | "sha512" {
  // jwt_verify_lib picks the digest by the token's alg and defaults to SHA-256.
  return alg.endsWith("384") ? "sha384" : alg.endsWith("512") ? "sha512" : "sha256";
}

/** One key tried against the token; false on any failure (a key of the wrong type included). */
function verifiesWith(jwk: Jwk, jwt: SignedJwt): boolean {
  const { constants, createHmac, timingSafeEqual, verify } = nodeCrypto();
  const data = Buffer.from(jwt.signingInput, "latin1");
  try {
    switch (jwk.kty) {
      case "EC":
        return verify(digestOf(jwt.alg), data, { key: jwk.key, dsaEncoding: "ieee-p1363" }, jwt.signature);
      case "RSA":
        if (jwt.alg.startsWith("RS")) return verify(digestOf(jwt.alg), data, { key: jwk.key, padding: constants.RSA_PKCS1_PADDING }, jwt.signature);
        if (jwt.alg.startsWith("PS")) {
          return verify(digestOf(jwt.alg), data, { key: jwk.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature);
        }
        return false;
      case "oct": {
        const mac = createHmac(digestOf(jwt.alg), jwk.key).update(data).digest();
        return mac.length === jwt.signature.length && timingSafeEqual(mac, jwt.signature);
      }
      case "OKP":
        return jwk.crv === "Ed25519" && verify(null, data, jwk.key, jwt.signature);
    }
  } catch {
    return false;
  }
}

/** Verifies a parsed token against a key set: "ok", or jwt_verify_lib's failure status. */
export function verifyJwtSignature(jwt: SignedJwt, jwks: Jwks): "ok" | "JwksKidAlgMismatch" | "JwtVerificationFail" {
  let kidAlgMatched = false;
  for (const jwk of jwks.keys) {
    if (jwt.kid !== "" && jwk.kid !== "" && jwk.kid !== jwt.kid) continue;
    if (jwk.alg !== "" && jwk.alg !== jwt.alg) continue;
    kidAlgMatched = true;
    if (verifiesWith(jwk, jwt)) return "ok";
  }
  return kidAlgMatched ? "JwtVerificationFail" : "JwksKidAlgMismatch";
}
