// Node's crypto module, loaded at the first JWT key or signature rather than when the process
// starts: only a RequestAuthentication needs it, and loading it costs every run ≈ 50 M instructions
// (`node -e 'require("node:crypto")'` against `node -e 0`: its JavaScript internals and OpenSSL's
// providers). A synchronous require, so that callers stay synchronous.
import { createRequire } from "node:module";

let loaded: typeof import("node:crypto") | null = null;

/** `node:crypto`, loaded at the first call. */
export function nodeCrypto(): typeof import("node:crypto") {
  if (loaded === null) {
    const crypto: typeof import("node:crypto") = createRequire(import.meta.url)("node:crypto");
    loaded = crypto;
  }
  return loaded;
}
