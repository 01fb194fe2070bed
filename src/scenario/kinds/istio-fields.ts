// Small Istio field types shared by several kinds: StringMatch, Percent, PortSelector, selectors.
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch
import { YAMLMap } from "yaml";
import type { PortSelector, StringMatch, Percent } from "../../proxy/api/networking.js";
import { re2js } from "../../proxy/route/re2-library.js";
import { YamlMap, YamlValue } from "../yaml-value.js";

/** `spec` of an Istio resource; an absent spec reads as `{}` (positioned at the document). */
export function specOf(doc: YamlMap): YamlMap | undefined {
  const v = doc.get("spec");
  if (v) return v.map();
  const empty = new YAMLMap();
  empty.range = doc.value.node.range ?? [0, 0, 0];
  return new YamlMap(new YamlValue(doc.ctx, empty, "spec"), empty);
}

/** Checks an RE2 pattern the way Envoy's safe_regex would accept it. */
export function checkRegex(v: YamlValue, pattern: string): boolean {
  // Istio's webhook rejects regexes longer than 1024 (a bound on Envoy's RE2 program size; longer
  // ones would be NACKed). https://github.com/istio/istio/pull/36143
  if (pattern.length > 1024) {
    v.error(`regex is too long: ${pattern.length} characters, at most 1024 (Istio's validation)`);
    return false;
  }
  try {
    re2js().compile(pattern);
    return true;
  } catch (e) {
    v.error(`invalid RE2 regular expression: ${(e as Error).message}`);
    return false;
  }
}

/** StringMatch: exactly one of exact, prefix, regex. */
export function readStringMatch(v: YamlValue): StringMatch | undefined {
  const m = v.map();
  if (!m) return undefined;
  const which = m.exclusive(["exact", "prefix", "regex"], true);
  let out: StringMatch | undefined;
  if (which) {
    const sv = m.get(which)!;
    const s = sv.str();
    if (s !== undefined) {
      if (which === "regex") { if (checkRegex(sv, s)) out = { regex: s }; }
      else out = which === "exact" ? { exact: s } : { prefix: s };
    }
  }
  m.done();
  return out;
}

/** Percent: `{value: 0..100}`. */
export function readPercent(v: YamlValue): Percent | undefined {
  const m = v.map();
  if (!m) return undefined;
  const value = m.get("value")?.num({ min: 0, max: 100 }) ?? 0;
  m.done();
  return { value };
}

export function readPortSelector(v: YamlValue): PortSelector | undefined {
  const m = v.map();
  if (!m) return undefined;
  const number = m.req("number")?.port();
  m.done();
  return number === undefined ? undefined : { number };
}

/** WorkloadSelector spelled `{matchLabels: {...}}` (security kinds, DestinationRule). */
export function readMatchLabels(v: YamlValue): { matchLabels: Record<string, string> } | undefined {
  const m = v.map();
  if (!m) return undefined;
  const matchLabels = m.get("matchLabels")?.strMap() ?? {};
  m.done();
  return { matchLabels };
}

/** WorkloadSelector spelled `{labels: {...}}` (ServiceEntry, Sidecar). */
export function readLabelsSelector(v: YamlValue): { labels: Record<string, string> } | undefined {
  const m = v.map();
  if (!m) return undefined;
  const labels = m.get("labels")?.strMap() ?? {};
  m.done();
  return { labels };
}

/** A list of strings that must not be empty when `required`. */
export function readHosts(m: YamlMap, key: string, required: boolean): string[] | undefined {
  const v = required ? m.req(key) : m.get(key);
  const hosts = v?.strList();
  if (hosts && required && hosts.length === 0) v!.error("at least one host is required");
  return hosts;
}
