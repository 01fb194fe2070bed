// meshsim's unsigned JWT: `base64url(header).base64url(claims).` — a real JWT layout with an empty
// signature, accepted only by a RequestAuthentication rule without a key set (no `jwks`, and a
// `jwksUri` the Simulation's network.jwks does not serve), whose signatures meshsim cannot check. A
// rule with a key set verifies signatures (jwt-signature.ts) and rejects such a token as Envoy does.
// Also the lenient claims parser of every token. https://www.rfc-editor.org/rfc/rfc7519
import type { JwtClaims } from "./authorization/request.js";

/** The claims meshsim reads; any other claim is carried through for `request.auth.claims[...]`. */
export interface TestJwtClaims {
  iss: string;
  sub: string;
  aud?: string | string[];
  /** Expiry, seconds since the epoch of the simulation clock. */
  exp?: number;
  /** Not before, seconds. */
  nbf?: number;
  [claim: string]: unknown;
}

const HEADER = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");

export function encodeTestJwt(claims: TestJwtClaims): string {
  return `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
}

/** Failures of jwt_verify_lib's parser that meshsim can produce (status strings are Envoy's). */
export type JwtParseError = "JwtBadFormat" | "JwtHeaderParseError" | "JwtPayloadParseError";

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isOptionalNumber(v: unknown): boolean {
  return v === undefined || (typeof v === "number" && Number.isFinite(v));
}

/** Parse a token's claims (no signature check). */
export function decodeTestJwt(token: string): { ok: true; claims: JwtClaims } | { ok: false; error: JwtParseError } {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, error: "JwtBadFormat" };
  if (decodeJsonObject(parts[0] as string) === undefined) return { ok: false, error: "JwtHeaderParseError" };
  const claims = decodeJsonObject(parts[1] as string);
  if (claims === undefined || !isOptionalNumber(claims["exp"]) || !isOptionalNumber(claims["nbf"])) {
    return { ok: false, error: "JwtPayloadParseError" };
  }
  return { ok: true, claims: Object.freeze(claims) };
}
