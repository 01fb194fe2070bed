// A JSON Web Key Set as Envoy's jwt_authn reads it (jwt_verify_lib Jwks::createFromJwksCore): a JSON
// object with a `keys` array; a non-object entry is skipped, a key that does not parse makes the whole
// set invalid, and a set with no usable key is invalid too. Key material is imported by Node's crypto
// (`createPublicKey({format: "jwk"})`, synchronous), never by hand.
// https://github.com/google/jwt_verify_lib/blob/master/src/jwks.cc
// https://www.rfc-editor.org/rfc/rfc7517
import type { KeyObject } from "node:crypto";
import { nodeCrypto } from "./node-crypto.js";

/** One usable key: `kid` and `alg` are "" when the JWK does not name them (then any token may use it). */
export interface Jwk {
  readonly kid: string;
  readonly alg: string;
  readonly kty: "RSA" | "EC" | "oct" | "OKP";
  readonly crv: string;
  readonly key: KeyObject;
}

export interface Jwks {
  readonly keys: readonly Jwk[];
}

/** Why a key set is unusable, in jwt_verify_lib's words (status.cc getStatusString). */
export type JwksError =
  | { readonly status: "JwksParseError"; readonly message: string; readonly offset?: number }
  | { readonly status: "JwksNoKeys" | "JwksBadKeys" | "JwksNoValidKeys"; readonly message: string }
  | { readonly status: "JwksBadKey"; readonly message: string; readonly keyIndex: number };

const KTYS = new Set(["RSA", "EC", "oct", "OKP"]);
const ALG_PREFIX: Readonly<Record<Jwk["kty"], string>> = { RSA: "", EC: "ES", oct: "HS", OKP: "EdDSA" };

function keyError(keyIndex: number, message: string): JwksError {
  return { status: "JwksBadKey", message, keyIndex };
}

/** A JWK object into a key, or why not (jwt_verify_lib extractJwk's checks, then Node's import). */
function readJwk(o: Record<string, unknown>, i: number): Jwk | JwksError {
  const kty = o["kty"];
  if (kty === undefined) return keyError(i, "[kty] is missing in [keys]");
  if (typeof kty !== "string") return keyError(i, "[kty] is bad in [keys]");
  if (!KTYS.has(kty)) return keyError(i, `[kty] is not supported in [keys] (${JSON.stringify(kty)})`);
  const k = kty as Jwk["kty"];
  const kid = o["kid"];
  const alg = o["alg"];
  if (kid !== undefined && typeof kid !== "string") return keyError(i, "[kid] field is not a string");
  if (alg !== undefined && typeof alg !== "string") return keyError(i, "[alg] field is not a string");
  const algS = alg ?? "";
  if (algS !== "") {
    if (k === "RSA" && !algS.startsWith("RS") && !algS.startsWith("PS")) return keyError(i, "[alg] is not started with [RS] or [PS] for an RSA key");
    if (k !== "RSA" && !algS.startsWith(ALG_PREFIX[k])) return keyError(i, `[alg] does not start with [${ALG_PREFIX[k]}] for a ${k} key`);
  }
  const crv = typeof o["crv"] === "string" ? (o["crv"] as string) : "";
  try {
    const { createPublicKey, createSecretKey } = nodeCrypto();
    let key: KeyObject;
    if (k === "oct") {
      const secret = o["k"];
      if (typeof secret !== "string") return keyError(i, "[k] field is missing or not a string for an HMAC key");
      key = createSecretKey(Buffer.from(secret, "base64url"));
    } else {
      // Node's JWK import checks n/e, crv/x/y and builds the public key (RFC 7518 §6).
      key = createPublicKey({ key: o as import("node:crypto").JsonWebKey, format: "jwk" });
    }
    return { kid: kid ?? "", alg: algS, kty: k, crv, key };
  } catch (e) {
    return keyError(i, `the ${k} key does not parse: ${(e as Error).message}`);
  }
}

/** Parses a JWKS document (the text of RequestAuthentication's `jwks`, or what `jwksUri` serves). */
export function parseJwks(text: string): { ok: true; jwks: Jwks } | { ok: false; error: JwksError } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    return { ok: false, error: { status: "JwksParseError", message: `Jwks is an invalid JSON: ${message}`, ...(at ? { offset: Number(at[1]) } : {}) } };
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return { ok: false, error: { status: "JwksParseError", message: "Jwks is an invalid JSON: not an object" } };
  }
  const keys = (v as Record<string, unknown>)["keys"];
  if (keys === undefined) return { ok: false, error: { status: "JwksNoKeys", message: "Jwks does not have [keys] field" } };
  if (!Array.isArray(keys)) return { ok: false, error: { status: "JwksBadKeys", message: "[keys] in Jwks is not an array" } };
  const out: Jwk[] = [];
  for (let i = 0; i < keys.length; i++) {
    const o: unknown = keys[i];
    if (o === null || typeof o !== "object" || Array.isArray(o)) continue;
    const r = readJwk(o as Record<string, unknown>, i);
    if ("status" in r) return { ok: false, error: r };
    out.push(r);
  }
  if (out.length === 0) return { ok: false, error: { status: "JwksNoValidKeys", message: "Jwks doesn't have any valid public key" } };
  return { ok: true, jwks: Object.freeze({ keys: Object.freeze(out) }) };
}

const parsed = new Map<string, Jwks | null>();
const PARSED_LIMIT = 64;

/**
 * The parsed key set of a JWKS text, memoized (a run recompiles a pod's policies on every push, and a
 * scenario holds a handful of key sets). null when the text is invalid — the scenario loader rejects
 * such a text, so only a library caller can reach that.
 */
export function jwksOf(text: string): Jwks | null {
  let j = parsed.get(text);
  if (j === undefined) {
    const r = parseJwks(text);
    j = r.ok ? r.jwks : null;
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(text, j);
  }
  return j;
}
