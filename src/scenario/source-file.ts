// Reading one YAML file into documents with positions. A file that cannot be read or parsed becomes
// diagnostics at the parser's position, never an exception.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import type { Node } from "yaml";
import type { SourcePos } from "./model.js";
import { YamlValue, positionOf } from "./yaml-value.js";
import type { DiagnosticSink } from "./yaml-value.js";
import { applyOverrides, OverrideError, type Override } from "./overrides.js";
import { refusal, type FileAccess } from "./file-access.js";

/** `--set` overrides to apply while reading, and how many took effect. */
export interface OverrideSet { readonly list: readonly Override[]; readonly applied: Set<Override> }

/** Where a file was referred from (an include or `apply.file`), for "cannot read" messages. */
export interface FileReference { pos: SourcePos; path: string }

/** The non-empty documents of `file` (absolute path), each as its root value; undefined if unreadable. */
export function readYamlFile(file: string, sink: DiagnosticSink, from?: FileReference, overrides?: OverrideSet, access?: FileAccess): YamlValue[] | undefined {
  let text: string;
  const refused = access === undefined ? undefined : refusal(file, access);
  if (refused !== undefined) {
    sink.error(from?.pos ?? { file, line: 1, column: 1 }, from?.path ?? "", `cannot read ${relative(process.cwd(), file) || file}: ${refused}`);
    return undefined;
  }
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message;
    sink.error(from?.pos ?? { file, line: 1, column: 1 }, from?.path ?? "", `cannot read ${relative(process.cwd(), file) || file}: ${why}`);
    return undefined;
  }
  return readYamlText(text, file, sink, overrides);
}

/** The non-empty documents of a YAML text, positions reported against `file` (a path or a name such as "<input>"). */
export function readYamlText(text: string, file: string, sink: DiagnosticSink, overrides?: OverrideSet): YamlValue[] {
  const lineCounter = new LineCounter();
  // merge: YAML merge keys (`<<: *defaults`), which kubectl's YAML reader supports.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true });
  const out: YamlValue[] = [];
  for (const doc of docs) {
    const ctx = { file, lineCounter, doc, sink };
    for (const w of doc.warnings) sink.warn(positionOf(ctx, w.pos[0]), "", w.message);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) sink.error(positionOf(ctx, e.pos[0]), "", `invalid YAML: ${e.message}`);
      continue;
    }
    if (overrides !== undefined) {
      try {
        applyOverrides(doc, overrides.list, overrides.applied);
      } catch (e) {
        if (!(e instanceof OverrideError)) throw e;
        if (e.override !== undefined) overrides.applied.add(e.override);
        sink.error(positionOf(ctx, doc.contents?.range?.[0] ?? 0), "", e.message);
        continue;
      }
    }
    const root = doc.contents as Node | null;
    if (root === null || (root as { value?: unknown }).value === null) continue;
    out.push(new YamlValue(ctx, root, ""));
  }
  return out;
}
