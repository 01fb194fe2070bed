// One YAML document → a typed resource (or the Simulation document, handed back to the loader).
import type { ObjectMeta } from "../proxy/api/networking.js";
import type { AnyResource } from "./model.js";
import type { LoadState } from "./load-state.js";
import { readMetadata } from "./metadata.js";
import { GROUPED_KINDS, KINDS, SIMULATION } from "./resource-kinds.js";
import type { YamlMap, YamlValue } from "./yaml-value.js";
import { recordPosition } from "./resource-position.js";

export type DocumentResult =
  | { kind: "resource"; resource: AnyResource }
  | { kind: "simulation"; doc: YamlMap; metadata: ObjectMeta; root: YamlValue };

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Reads one document (a `v1 List` yields its items); records diagnostics for anything wrong. */
export function readDocument(root: YamlValue, state: LoadState): DocumentResult[] {
  const doc = root.map();
  if (!doc) return [];
  const apiVersionV = doc.req("apiVersion");
  const kindV = doc.req("kind");
  const apiVersion = apiVersionV?.nonEmptyStr();
  const kind = kindV?.nonEmptyStr();
  if (apiVersion === undefined || kind === undefined) { doc.ignore(...doc.keys()); return []; }
  const { group, version } = splitApiVersion(apiVersion);

  if (kind === "List" && group === "") {
    const out: DocumentResult[] = [];
    for (const item of doc.req("items")?.list() ?? []) for (const r of readDocument(item, state)) out.push(r);
    doc.ignore("metadata");
    doc.done();
    return out;
  }

  const entry: { group: string; versions: readonly string[]; clusterScoped?: boolean } | undefined =
    kind === "Simulation" ? SIMULATION : GROUPED_KINDS[`${group}/${kind}`] ?? KINDS[kind];
  if (!entry || entry.group !== group) {
    kindV!.warn(`unknown kind ${JSON.stringify(kind)} (apiVersion ${JSON.stringify(apiVersion)}); ignored`);
    return [];
  }
  if (!entry.versions.includes(version)) {
    apiVersionV!.error(`unsupported apiVersion ${JSON.stringify(apiVersion)} for ${kind} (supported: ${entry.versions.map((v) => (group ? `${group}/${v}` : v)).join(", ")})`);
    doc.ignore(...doc.keys());
    return [];
  }
  const metadata = readMetadata(doc, state.takeCreationIndex(), entry.clusterScoped ?? false, kind);
  if (kind === "Simulation") {
    if (!metadata) { doc.ignore(...doc.keys()); return []; }
    return [{ kind: "simulation", doc, metadata, root }];
  }
  // With bad metadata the spec is still read, so its errors are reported in the same run.
  const placeholder: ObjectMeta = { name: "", namespace: "default", labels: {}, annotations: {}, creationIndex: -1 };
  const resource = (entry as (typeof KINDS)[string]).read(doc, metadata ?? placeholder, root.pos, apiVersion, state);
  doc.ignore("status");
  doc.done();
  if (!resource || !metadata) return [];
  recordPosition(resource, root.pos);
  state.resources.push(resource);
  return [{ kind: "resource", resource }];
}
