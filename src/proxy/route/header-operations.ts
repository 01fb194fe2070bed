// VirtualService `headers` (route level and per destination), compiled to Envoy's
// request/response_headers_to_add / _to_remove. Envoy removes first, then sets/appends
// (HeaderParser::evaluateHeaders). Pseudo-headers and "host" cannot be touched; a `:authority` or
// `host` key in set/add becomes a host rewrite instead (istio/istio route.go TranslateHeadersOperations).
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers
import type { HeaderOperations, Headers } from "../api/networking.js";

export interface CompiledHeaderOps {
  readonly remove: readonly string[];
  /**
   * In Envoy's order: istiod emits `set` entries (OVERWRITE_IF_EXISTS_OR_ADD) then `add` entries
   * (APPEND_IF_EXISTS_OR_ADD), keys sorted within each group.
   */
  readonly entries: readonly HeaderEntry[];
}

export interface HeaderEntry {
  readonly key: string;
  readonly value: string;
  readonly append: boolean;
}

export interface CompiledHeaders {
  readonly request: CompiledHeaderOps | undefined;
  readonly response: CompiledHeaderOps | undefined;
  /** Host rewrite taken from request set/add of ":authority"/"host" ("set" wins). */
  readonly authority: string | undefined;
}

function isInternal(key: string): boolean {
  return key.startsWith(":") || key.toLowerCase() === "host";
}

function isAuthority(key: string): boolean {
  const k = key.toLowerCase();
  return k === ":authority" || k === "host";
}

function entriesOf(m: Record<string, string> | undefined, append: boolean): HeaderEntry[] {
  if (m === undefined) return [];
  return Object.keys(m).filter((k) => !isInternal(k)).sort().map((k) => ({ key: k.toLowerCase(), value: m[k] as string, append }));
}

function authorityOf(m: Record<string, string> | undefined): string | undefined {
  if (m === undefined) return undefined;
  let a: string | undefined;
  for (const k of Object.keys(m)) if (isAuthority(k)) a = m[k];
  return a;
}

export function compileHeaderOps(ops: HeaderOperations | undefined): CompiledHeaderOps | undefined {
  if (ops === undefined) return undefined;
  const remove = (ops.remove ?? []).filter((k) => !isInternal(k)).map((k) => k.toLowerCase());
  const entries = [...entriesOf(ops.set, false), ...entriesOf(ops.add, true)];
  if (remove.length === 0 && entries.length === 0) return undefined;
  return { remove, entries };
}

export function compileHeaders(h: Headers | undefined): CompiledHeaders | undefined {
  if (h === undefined) return undefined;
  const request = compileHeaderOps(h.request);
  const response = compileHeaderOps(h.response);
  const authority = authorityOf(h.request?.set) ?? authorityOf(h.request?.add);
  if (request === undefined && response === undefined && authority === undefined) return undefined;
  return { request, response, authority };
}

/** Concatenate two op lists, `a` applied first (so `b`'s "set" wins over `a`). */
export function concatHeaderOps(a: CompiledHeaderOps | undefined, b: CompiledHeaderOps | undefined): CompiledHeaderOps | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { remove: [...a.remove, ...b.remove], entries: [...a.entries, ...b.entries] };
}

/**
 * Apply ops to a header map; returns the input object itself when `ops` is undefined, a new object
 * otherwise. "add" appends to an existing value comma-joined (meshsim keeps one value per name).
 */
export function applyHeaderOps(
  ops: CompiledHeaderOps | undefined, headers: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (ops === undefined) return headers;
  const out: Record<string, string> = { ...headers };
  for (const k of ops.remove) delete out[k];
  for (const e of ops.entries) {
    const prev = out[e.key];
    out[e.key] = e.append && prev !== undefined ? `${prev},${e.value}` : e.value;
  }
  return out;
}
