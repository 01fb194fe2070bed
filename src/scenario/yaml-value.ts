// A YAML node with its position and field path, read into typed values. Every read that fails records
// an error (file:line:column + path) in the shared sink and returns undefined, so one pass over a
// document finds all its problems instead of stopping at the first.
import { isAlias, isMap, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node, YAMLMap } from "yaml";
import type { Diagnostic, SourcePos } from "./model.js";
import { parseDuration } from "./duration.js";
import { isAddedKey } from "./override-keys.js";
import { parseQuantity } from "./quantity.js";

/** Collects diagnostics of one load. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  error(pos: SourcePos, path: string, message: string): undefined {
    this.add({ severity: "error", pos, path, message });
    return undefined;
  }
  warn(pos: SourcePos, path: string, message: string): void {
    this.add({ severity: "warning", pos, path, message });
  }
  /** The same value may be read twice (e.g. the Simulation's spec); it is reported once. */
  private add(d: Diagnostic): void {
    const key = `${d.severity}\0${d.pos.file}\0${d.pos.line}\0${d.pos.column}\0${d.path}\0${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
  }
  get errors(): Diagnostic[] { return this.diagnostics.filter((d) => d.severity === "error"); }
  get warnings(): Diagnostic[] { return this.diagnostics.filter((d) => d.severity === "warning"); }
}

/** One parsed YAML document and where it came from. */
export interface DocContext {
  file: string;
  lineCounter: LineCounter;
  doc: Document;
  sink: DiagnosticSink;
}

export function positionOf(ctx: DocContext, offset: number): SourcePos {
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { file: ctx.file, line, column: col };
}

// Characters a terminal would act on or show ambiguously: C0/C1 controls, DEL, line separators, the
// replacement character invalid UTF-8 decodes to, and lone surrogates.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A key as a JSON string with every unprintable character escaped (`"a\u0007b"`). */
export function quoteKey(key: string): string {
  return JSON.stringify(key).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `a.b`, `a[2]`, and `a["sidecar.istio.io/inject"]` for keys that would read ambiguously. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  UNPRINTABLE.lastIndex = 0;
  if (key === "" || /[.\s[\]"]/.test(key) || UNPRINTABLE.test(key)) return `${path}[${quoteKey(key)}]`;
  return path ? `${path}.${key}` : key;
}

function describe(node: Node): string {
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
    return `the ${typeof v} ${String(v)}`;
  }
  return "a value";
}

export class YamlValue {
  readonly node: Node;
  constructor(readonly ctx: DocContext, node: Node, readonly path: string) {
    // Aliases read as the node they point at; the position stays where the alias is written.
    let n: Node = node;
    this.pos = positionOf(ctx, node.range?.[0] ?? 0);
    for (let i = 0; i < 32 && isAlias(n); i++) {
      const target = n.resolve(ctx.doc);
      if (!target) {
        ctx.sink.error(this.pos, path, `unknown anchor ${JSON.stringify(n.source)} (an anchor holds only within its own YAML document)`);
        break;
      }
      n = target as Node;
    }
    this.node = n;
  }
  readonly pos: SourcePos;

  error(message: string): undefined { return this.ctx.sink.error(this.pos, this.path, message); }
  warn(message: string): void { this.ctx.sink.warn(this.pos, this.path, message); }

  get isNull(): boolean { return isScalar(this.node) && this.node.value === null; }
  get isMap(): boolean { return isMap(this.node); }
  get isList(): boolean { return isSeq(this.node); }
  get isString(): boolean { return isScalar(this.node) && typeof this.node.value === "string"; }
  get isNumber(): boolean { return isScalar(this.node) && typeof this.node.value === "number"; }

  private wrong(expected: string): undefined {
    return this.error(`expected ${expected}, got ${describe(this.node)}`);
  }

  str(): string | undefined {
    return this.isString ? ((this.node as { value: string }).value) : this.wrong("a string");
  }

  nonEmptyStr(): string | undefined {
    const s = this.str();
    if (s === "") return this.error("must not be empty");
    return s;
  }

  num(opts: { min?: number; max?: number; minExclusive?: number } = {}): number | undefined {
    if (!this.isNumber) return this.wrong("a number");
    const v = (this.node as { value: number }).value;
    if (!Number.isFinite(v)) return this.error(`must be a finite number, got ${v}`);
    if (opts.min !== undefined && v < opts.min) return this.error(`must be >= ${opts.min}, got ${v}`);
    if (opts.minExclusive !== undefined && v <= opts.minExclusive) return this.error(`must be > ${opts.minExclusive}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) return this.error(`must be <= ${opts.max}, got ${v}`);
    return v;
  }

  int(opts: { min?: number; max?: number } = {}): number | undefined {
    if (!this.isNumber) return this.wrong("an integer");
    const v = (this.node as { value: number }).value;
    if (!Number.isSafeInteger(v)) return this.error(`expected an integer, got ${v}`);
    return this.num(opts);
  }

  port(): number | undefined { return this.int({ min: 1, max: 65535 }); }

  bool(): boolean | undefined {
    return isScalar(this.node) && typeof this.node.value === "boolean" ? this.node.value : this.wrong("true or false");
  }

  oneOf<T extends string>(values: readonly T[]): T | undefined {
    const s = this.str();
    if (s === undefined) return undefined;
    if (!(values as readonly string[]).includes(s)) {
      return this.error(`must be one of ${values.join(", ")}; got ${JSON.stringify(s)}`);
    }
    return s as T;
  }

  /** A duration string in ms (never a bare number: "3" is ambiguous). */
  duration(opts: { positive?: boolean } = {}): number | undefined {
    if (!this.isString) {
      if (this.isNumber) return this.error(`expected a duration string such as "${String((this.node as { value: number }).value)}s", got a bare number`);
      return this.wrong("a duration string such as 250ms or 1.5s");
    }
    let ms: number;
    try { ms = parseDuration((this.node as { value: string }).value); } catch (e) { return this.error((e as Error).message); }
    if (opts.positive && ms <= 0) return this.error("must be a positive duration");
    return ms;
  }

  /** Memory in bytes: a quantity string ("50Mi") or a number of bytes. */
  bytes(): number | undefined {
    if (this.isNumber) return this.num({ min: 0 });
    const s = this.str();
    if (s === undefined) return undefined;
    try { return parseQuantity(s); } catch (e) { return this.error((e as Error).message); }
  }

  map(): YamlMap | undefined {
    return isMap(this.node) ? new YamlMap(this, this.node) : this.wrong("a map");
  }

  list(): YamlValue[] | undefined {
    if (!isSeq(this.node)) return this.wrong("a list");
    const out: YamlValue[] = [];
    for (const [i, item] of this.node.items.entries()) {
      if (item === undefined || item === null) { this.ctx.sink.error(this.pos, childPath(this.path, i), "is missing"); continue; }
      out.push(new YamlValue(this.ctx, item as Node, childPath(this.path, i)));
    }
    return out;
  }

  strList(): string[] | undefined {
    const items = this.list();
    if (!items) return undefined;
    const out: string[] = [];
    let ok = true;
    for (const it of items) {
      const s = it.str();
      if (s === undefined) ok = false; else out.push(s);
    }
    return ok ? out : undefined;
  }

  /** A map of string to string (labels, annotations, selectors, headers to set). */
  strMap(): Record<string, string> | undefined {
    const m = this.map();
    if (!m) return undefined;
    const out: Record<string, string> = {};
    let ok = true;
    for (const [k, v] of m.entries()) {
      if (v === undefined) { out[k] = ""; continue; }
      const s = v.isString ? v.str() : v.error(`expected a string, got ${describe(v.node)} (quote it)`);
      if (s === undefined) ok = false; else out[k] = s;
    }
    return ok ? out : undefined;
  }

  /** Plain JavaScript value of an opaque subtree (e.g. TCP routes meshsim keeps but does not read). */
  plain(): unknown { return this.node.toJSON(); }
}

/** `<<`, YAML 1.1's merge key (parsed with `merge: true` its value is a symbol). */
function isMergeKey(key: Node | null): boolean {
  return key !== null && isScalar(key) && (typeof key.value === "symbol" || key.value === "<<");
}

function keyText(keyNode: Node | null): string {
  if (keyNode === null || keyNode === undefined) return "";
  if (isScalar(keyNode)) return String(keyNode.value);
  return typeof (keyNode as { toJSON?: unknown }).toJSON === "function" ? JSON.stringify(keyNode.toJSON()) : String(keyNode);
}

/**
 * The map's pairs with YAML merge keys resolved, as kubectl's YAML reader (go-yaml) does: keys written
 * in the map win over merged ones, and of several merged maps the earlier wins
 * (https://yaml.org/type/merge.html). `depth` bounds merges of merges.
 */
function pairsOf(map: YAMLMap, doc: Document, unknownAlias: (alias: Node) => void, depth = 0): { key: string; keyNode: Node | null; value: Node | null }[] {
  const own: { key: string; keyNode: Node | null; value: Node | null }[] = [];
  const merged: { key: string; keyNode: Node | null; value: Node | null }[] = [];
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    if (!isMergeKey(keyNode) || depth > 16) { own.push({ key: keyText(keyNode), keyNode, value: pair.value as Node | null }); continue; }
    const v = pair.value as Node | null;
    const sources = isSeq(v) ? (v.items as Node[]) : v === null ? [] : [v];
    for (let s of sources) {
      for (let i = 0; i < 32 && isAlias(s); i++) {
        const target = s.resolve(doc) as Node | undefined;
        if (target === undefined) { unknownAlias(s); break; }
        s = target;
      }
      if (isMap(s)) for (const p of pairsOf(s, doc, unknownAlias, depth + 1)) merged.push(p);
    }
  }
  const out = own.slice();
  const seen = new Set(own.map((p) => p.key));
  for (const p of merged) {
    if (seen.has(p.key)) continue;
    seen.add(p.key);
    out.push(p);
  }
  return out;
}

/** A YAML map whose keys are tracked: `done()` warns about every key nothing asked for. */
export class YamlMap {
  private readonly used = new Set<string>();
  private readonly byKey = new Map<string, { keyNode: Node | null; value: Node | null }>();

  constructor(readonly value: YamlValue, readonly node: YAMLMap) {
    const unknownAlias = (alias: Node) => {
      const source = (alias as { source?: string }).source ?? "";
      this.ctx.sink.error(positionOf(this.ctx, alias.range?.[0] ?? 0), childPath(this.path, "<<"), `unknown anchor ${JSON.stringify(source)} (an anchor holds only within its own YAML document)`);
    };
    for (const { key, keyNode, value: v } of pairsOf(node, value.ctx.doc, unknownAlias)) {
      // A key written twice: the YAML parser has already reported it; the first one counts.
      if (!this.byKey.has(key)) this.byKey.set(key, { keyNode, value: v });
    }
  }

  get pos(): SourcePos { return this.value.pos; }
  get path(): string { return this.value.path; }
  get ctx(): DocContext { return this.value.ctx; }
  error(message: string): undefined { return this.value.error(message); }

  keys(): string[] { return [...this.byKey.keys()]; }

  /** Whether the key is present with a non-null value. */
  has(key: string): boolean {
    const e = this.byKey.get(key);
    return !!e && e.value !== null && !(isScalar(e.value) && e.value.value === null);
  }

  /** The value under `key`; absent and explicit null both read as undefined. */
  get(key: string): YamlValue | undefined {
    this.used.add(key);
    const e = this.byKey.get(key);
    if (!e || !this.has(key)) return undefined;
    return new YamlValue(this.ctx, e.value!, childPath(this.path, key));
  }

  /** Like `get`, but records "is required" (at the map's position) when missing. */
  req(key: string): YamlValue | undefined {
    const v = this.get(key);
    if (!v) this.ctx.sink.error(this.pos, childPath(this.path, key), "is required");
    return v;
  }

  /** Position of a key as written, for messages about the key itself. */
  keyPos(key: string): SourcePos {
    const e = this.byKey.get(key);
    return positionOf(this.ctx, e?.keyNode?.range?.[0] ?? this.value.node.range?.[0] ?? 0);
  }

  /** All entries (marks them used); null values come as undefined. */
  entries(): [string, YamlValue | undefined][] {
    return this.keys().map((k) => [k, this.get(k)]);
  }

  /** Real fields of the resource that meshsim accepts but does not simulate. */
  ignore(...keys: string[]): void { for (const k of keys) this.used.add(k); }

  /** Keys among `keys` that are present. */
  present(keys: readonly string[]): string[] { return keys.filter((k) => this.has(k)); }

  /** Errors unless at most one (or, with `required`, exactly one) of `keys` is present. */
  exclusive(keys: readonly string[], required = false): string | undefined {
    const p = this.present(keys);
    if (p.length > 1) return this.error(`only one of ${keys.join(", ")} may be set; got ${p.join(" and ")}`);
    if (p.length === 0 && required) return this.error(`one of ${keys.join(", ")} is required`);
    return p[0];
  }

  /** Warns "unknown field" for every key nothing read. */
  done(): void {
    for (const [k] of this.byKey) {
      if (this.used.has(k)) continue;
      if (isAddedKey(this.byKey.get(k)?.keyNode)) this.ctx.sink.error(this.keyPos(k), childPath(this.path, k), "unknown field: the --set that adds it would change nothing");
      else this.ctx.sink.warn(this.keyPos(k), childPath(this.path, k), "unknown field; ignored");
    }
  }
}
