// The key sets that RequestAuthentication `jwksUri` addresses serve. istiod fetches a jwksUri and
// inlines the key set into each proxy's jwt_authn config (local_jwks); meshsim has no network, so the
// Simulation says what each address serves:
//   spec.network.jwks: {"https://…/jwks.json": {file: jwks.json}}   (relative to the Simulation's file)
//   spec.network.jwks: {"https://…/jwks.json": {jwks: '{"keys": […]}'}}
// A key set that cannot be used (missing file, bad JSON, no usable key) is an input error, reported at
// the file and, for bad JSON, at the line and column inside it.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseJwks } from "../proxy/security/jwks.js";
import type { SourcePos } from "./model.js";
import type { LoadState } from "./load-state.js";
import type { YamlValue } from "./yaml-value.js";

/** Line and column (1-based) of a character offset in a text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; start = i + 1; }
  return { line, column: Math.min(offset, text.length) - start + 1 };
}

/**
 * Checks a JWKS text; reports a problem at `pos` (or inside `file` for a JSON syntax error there) and
 * returns undefined, else returns the text.
 */
export function checkJwksText(text: string, v: YamlValue, file?: string): string | undefined {
  const r = parseJwks(text);
  if (r.ok) return text;
  const e = r.error;
  const detail = e.status === "JwksBadKey" ? `keys[${e.keyIndex}]: ${e.message}` : e.message;
  if (file !== undefined) {
    const at = e.status === "JwksParseError" && e.offset !== undefined ? lineColumn(text, e.offset) : { line: 1, column: 1 };
    const pos: SourcePos = { file, line: at.line, column: at.column };
    v.ctx.sink.error(pos, v.path, detail);
    return undefined;
  }
  return v.error(detail);
}

/** Reads `spec.network.jwks` into the load state (uri → JWKS text). */
export function readServedJwks(v: YamlValue, simulationFile: string, state: LoadState): void {
  const m = v.map();
  if (!m) return;
  for (const [uri, ev] of m.entries()) {
    const em = ev?.map();
    if (!em || !ev) continue;
    const which = em.exclusive(["file", "jwks"], true);
    if (which === "file") {
      const fv = em.get("file")!;
      const name = fv.nonEmptyStr();
      if (name !== undefined) {
        const path = resolve(dirname(simulationFile), name);
        let text: string | undefined;
        try {
          text = readFileSync(path, "utf8");
        } catch (err) {
          fv.error(`cannot read the key set ${JSON.stringify(name)} (${path}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        const ok = text === undefined ? undefined : checkJwksText(text, fv, path);
        if (ok !== undefined) state.servedJwks.set(uri, ok);
      }
    } else if (which === "jwks") {
      const jv = em.get("jwks")!;
      const text = jv.str();
      const ok = text === undefined ? undefined : checkJwksText(text, jv);
      if (ok !== undefined) state.servedJwks.set(uri, ok);
    }
    em.done();
  }
}
