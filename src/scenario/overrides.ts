// `--set` for `meshsim run` and `meshsim sweep`: replace one field of one document before the
// scenario is read, so every check and default applies to the new value as if it had been written.
//   spec.duration=120s                          the Simulation document
//   LoadGenerator/users:spec.rate=3000          the document of that kind and name
//   Deployment/reviews-v3:spec.replicas=[1,2,3] a list of values: a sweep's axis
import { isMap, isSeq, parse as parseYaml, type Document, type Node } from "yaml";
import { markAddedKeys } from "./override-keys.js";

export interface Override {
  /** The document's kind and metadata.name; undefined kind = the Simulation. */
  readonly kind: string | undefined;
  readonly name: string | undefined;
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  /** As written (for reports). */
  readonly text: string;
}

export class OverrideError extends Error {
  /** The override that could not be applied (it was meant for the document being read). */
  override?: Override;
}

/** `[Kind/name:]a.b[2].c=VALUE` where VALUE is YAML; `values` splits a flow list into one override each. */
export function parseSet(text: string): { target: Omit<Override, "value" | "text">; key: string; values: unknown[] } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new OverrideError(`--set ${JSON.stringify(text)}: expected [Kind/name:]path=value`);
  const lhs = text.slice(0, eq).trim();
  let rawValue: unknown;
  try {
    rawValue = parseYaml(text.slice(eq + 1));
  } catch (e) {
    throw new OverrideError(`--set ${JSON.stringify(text)}: value is not YAML: ${(e as Error).message}`);
  }
  let kind: string | undefined;
  let name: string | undefined;
  let pathText = lhs;
  const colon = lhs.indexOf(":");
  if (colon >= 0) {
    const ref = lhs.slice(0, colon);
    const slash = ref.indexOf("/");
    if (slash <= 0 || slash === ref.length - 1) throw new OverrideError(`--set ${JSON.stringify(text)}: expected Kind/name before ":"`);
    kind = ref.slice(0, slash);
    name = ref.slice(slash + 1);
    pathText = lhs.slice(colon + 1);
  }
  const path: (string | number)[] = [];
  for (const part of pathText.split(".")) {
    const m = /^([^[\]]+)((\[\d+\])*)$/.exec(part);
    if (m === null) throw new OverrideError(`--set ${JSON.stringify(text)}: invalid path ${JSON.stringify(pathText)}`);
    path.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  const values = Array.isArray(rawValue) ? rawValue : [rawValue];
  if (values.length === 0) throw new OverrideError(`--set ${JSON.stringify(text)}: empty list of values`);
  return { target: { kind, name, path }, key: lhs, values };
}

/** Single-valued `--set`s, as `meshsim run` takes them. */
export function parseOverrides(sets: readonly string[]): Override[] {
  return sets.map((text) => {
    const p = parseSet(text);
    if (p.values.length !== 1) throw new OverrideError(`--set ${JSON.stringify(text)}: a list of values is for \`meshsim sweep\``);
    return { ...p.target, value: p.values[0], text };
  });
}

/** Apply the overrides meant for this document (in place), adding each one that applied to `applied`. */
export function applyOverrides(doc: Document, overrides: readonly Override[], applied: Set<Override>): void {
  if (overrides.length === 0) return;
  const kind = doc.get("kind");
  const meta = doc.get("metadata") as { get?: (k: string) => unknown } | undefined;
  const name = meta?.get?.("name");
  for (const o of overrides) {
    const wanted = o.kind ?? "Simulation";
    if (kind !== wanted || (o.name !== undefined && name !== o.name)) continue;
    // A list index may replace an item or append one, never leave a hole (yaml would fill it with
    // nothing the loader can read).
    for (let k = 1; k < o.path.length; k++) {
      const idx = o.path[k];
      const parent = doc.getIn(o.path.slice(0, k), true);
      if (typeof idx === "number" && isSeq(parent) && idx > parent.items.length) {
        throw Object.assign(new OverrideError(`--set ${o.text}: ${o.path.slice(0, k).join(".")} has ${parent.items.length} item${parent.items.length === 1 ? "" : "s"}; index ${idx} is past its end (${parent.items.length} appends one)`), { override: o });
      }
      if (typeof idx === "number" && parent !== undefined && !isSeq(parent)) {
        throw Object.assign(new OverrideError(`--set ${o.text}: ${o.path.slice(0, k).join(".")} is not a list`), { override: o });
      }
    }
    const old = doc.getIn(o.path, true) as Node | undefined;
    // A missing field (and missing parents: `spec.mesh` not written) is added as YAML nodes, key
    // included: yaml's setIn would add a bare string key, which the loader cannot read.
    let at = o.path.length;
    while (at > 1 && doc.getIn(o.path.slice(0, at - 1), true) === undefined) at--;
    let value: unknown = o.value;
    for (let i = o.path.length - 1; i >= at; i--) value = { [String(o.path[i])]: value };
    const node = doc.createNode(value) as Node;
    // Keep the replaced value's position, so a message about the new value points at the field.
    if (old?.range) node.range = old.range;
    const parent = at === 1 ? doc.contents : doc.getIn(o.path.slice(0, at - 1), true);
    if (old === undefined && isMap(parent)) {
      const pair = doc.createPair(o.path[at - 1], node);
      markAddedKeys(pair.key, node);
      parent.add(pair);
    }
    else doc.setIn(o.path.slice(0, at), node);
    applied.add(o);
  }
}
