// Diagnostics and the error the loader throws: every message names file:line:column and the field's
// path, as the report contract asks for exit code 2 (invalid input, no stack trace).
import { relative } from "node:path";
import type { Diagnostic, SourcePos } from "./model.js";

/** `file:line:column: error: path: message`, the file relative to the working directory. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = formatPosition(d.pos);
  return d.path ? `${where}: ${d.severity}: ${d.path}: ${d.message}` : `${where}: ${d.severity}: ${d.message}`;
}

/** `file:line:column`, the file relative to the working directory. */
export function formatPosition(pos: SourcePos): string {
  return `${relative(process.cwd(), pos.file) || pos.file}:${pos.line}:${pos.column}`;
}

/** Invalid scenario input. `diagnostics` holds every error found (warnings are not included). */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
  }
}
