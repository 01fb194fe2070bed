// A strict checker of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), for tests: no
// parser package is installed. Returns the problems found (empty = valid) and the parsed samples.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?Inf|NaN)$/;

function parseValue(s: string): number | null {
  if (!VALUE.test(s)) return null;
  if (s === "NaN") return Number.NaN;
  if (s.endsWith("Inf")) return s.startsWith("-") ? -Infinity : Infinity;
  return Number(s);
}

/** Parse `{a="x",b="y"}` strictly (escapes \\ \" \n only); returns null when malformed. */
function parseLabels(s: string): { labels: Record<string, string>; rest: string } | null {
  const labels: Record<string, string> = {};
  let i = 1;
  while (i < s.length && s[i] !== "}") {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(s.slice(i));
    if (m === null) return null;
    const name = m[1]!;
    i += m[0].length;
    let v = "";
    for (;;) {
      if (i >= s.length) return null;
      const ch = s[i]!;
      if (ch === "\\") {
        const n = s[i + 1];
        if (n === "\\") v += "\\";
        else if (n === '"') v += '"';
        else if (n === "n") v += "\n";
        else return null;
        i += 2;
      } else if (ch === '"') {
        i++;
        break;
      } else if (ch === "\n") {
        return null;
      } else {
        v += ch;
        i++;
      }
    }
    if (name in labels || !LABEL.test(name)) return null;
    labels[name] = v;
    if (s[i] === ",") i++;
    else if (s[i] !== "}") return null;
  }
  if (s[i] !== "}") return null;
  return { labels, rest: s.slice(i + 1) };
}

/** The family a sample belongs to: histogram samples drop _bucket/_sum/_count. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (types.get(base) === "histogram" || types.get(base) === "summary") return base;
    }
  }
  return name;
}

export function checkExposition(text: string): { problems: string[]; samples: Sample[] } {
  const problems: string[] = [];
  const samples: Sample[] = [];
  if (!text.endsWith("\n")) problems.push("the text must end with a line feed");
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const seenSeries = new Set<string>();
  const finished = new Set<string>();
  let current: string | null = null;
  const enter = (family: string, n: number): void => {
    if (family === current) return;
    if (finished.has(family)) problems.push(`line ${n}: family ${family} is not contiguous`);
    if (current !== null) finished.add(current);
    current = family;
  };
  lines.forEach((line, idx) => {
    const n = idx + 1;
    if (line === "") return problems.push(`line ${n}: empty line`) && undefined;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (m === null) return; // a plain comment
      const [, kind, name, rest] = m;
      if (!METRIC.test(name!)) problems.push(`line ${n}: bad metric name ${name}`);
      if (kind === "TYPE") {
        if (!TYPES.has(rest ?? "")) problems.push(`line ${n}: bad type ${rest}`);
        if (types.has(name!)) problems.push(`line ${n}: second TYPE for ${name}`);
        if (samples.some((s) => s.name === name || s.name.startsWith(`${name}_`))) problems.push(`line ${n}: TYPE after samples of ${name}`);
        types.set(name!, rest!);
      } else {
        if (helps.has(name!)) problems.push(`line ${n}: second HELP for ${name}`);
        helps.add(name!);
        if (/\\[^\\n]/.test(rest ?? "")) problems.push(`line ${n}: bad escape in HELP`);
      }
      enter(name!, n);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(.*)$/.exec(line);
    if (m === null) return problems.push(`line ${n}: bad metric name`) && undefined;
    const name = m[1]!;
    let rest = m[2]!;
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) {
      const parsed = parseLabels(rest);
      if (parsed === null) return problems.push(`line ${n}: bad labels`) && undefined;
      labels = parsed.labels;
      rest = parsed.rest;
    }
    const parts = rest.split(" ");
    if (parts[0] !== "" || parts.length < 2 || parts.length > 3) return problems.push(`line ${n}: expected " value [timestamp]"`) && undefined;
    const value = parseValue(parts[1]!);
    if (value === null) return problems.push(`line ${n}: bad value ${parts[1]}`) && undefined;
    if (parts.length === 3 && !/^-?\d+$/.test(parts[2]!)) problems.push(`line ${n}: bad timestamp`);
    const family = familyOf(name, types);
    enter(family, n);
    const type = types.get(family);
    if (type === undefined) problems.push(`line ${n}: sample of ${family} before its TYPE`);
    if (type === "counter" && !(value >= 0)) problems.push(`line ${n}: negative counter`);
    if (type === "histogram" && name === `${family}_bucket` && !("le" in labels)) problems.push(`line ${n}: bucket without le`);
    if (type === "histogram" && name === family) problems.push(`line ${n}: histogram sample without a suffix`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seenSeries.has(key)) problems.push(`line ${n}: duplicate series ${key}`);
    seenSeries.add(key);
    samples.push({ name, labels, value });
  });

  // Histograms: le ascending, cumulative counts non-decreasing, +Inf present and equal to _count, _sum present.
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const groups = new Map<string, { le: number; v: number }[]>();
    const keyOf = (l: Record<string, string>): string => JSON.stringify(Object.entries(l).filter(([k]) => k !== "le").sort(([a], [b]) => (a < b ? -1 : 1)));
    for (const s of samples) {
      if (s.name !== `${family}_bucket`) continue;
      const le = parseValue(s.labels.le ?? "");
      if (le === null) { problems.push(`${family}: bad le ${s.labels.le}`); continue; }
      const k = keyOf(s.labels);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push({ le, v: s.value });
    }
    for (const [k, buckets] of groups) {
      for (let i = 1; i < buckets.length; i++) {
        if (!(buckets[i]!.le > buckets[i - 1]!.le)) problems.push(`${family}${k}: le not ascending`);
        if (buckets[i]!.v < buckets[i - 1]!.v) problems.push(`${family}${k}: bucket counts decrease`);
      }
      const inf = buckets[buckets.length - 1];
      if (inf === undefined || inf.le !== Infinity) { problems.push(`${family}${k}: no +Inf bucket`); continue; }
      const count = samples.find((s) => s.name === `${family}_count` && keyOf(s.labels) === k);
      const sum = samples.find((s) => s.name === `${family}_sum` && keyOf(s.labels) === k);
      if (count === undefined || count.value !== inf.v) problems.push(`${family}${k}: +Inf bucket differs from _count`);
      if (sum === undefined) problems.push(`${family}${k}: no _sum`);
    }
  }
  return { problems, samples };
}
