// Diagnostics and the error the loader throws: every message names file:line:column and the field's
// path, as the report contract asks for exit code 2 (invalid input, no stack trace).
import { relative } from "node:path";
import type { Diagnostic } from "./model.js";

/** `file:line:column: error: path: message`, the file relative to the working directory. */
export function formatDiagnostic(d: Diagnostic): string {
  const file = relative(process.cwd(), d.pos.file) || d.pos.file;
  const where = `${file}:${d.pos.line}:${d.pos.column}`;
  return d.path ? `${where}: ${d.severity}: ${d.path}: ${d.message}` : `${where}: ${d.severity}: ${d.message}`;
}

/** Invalid scenario input. `diagnostics` holds every error found (warnings are not included). */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
  }
}
