// The YAML keys a `--set` added (fields the file did not have). The loader warns "unknown field;
// ignored" about a key nothing reads; when a `--set` wrote that key, the user asked for a change that
// would have no effect (`--set mesh.proxy.profile=...` instead of `spec.mesh...`), so it is an error.
import { isMap, isPair, type Node } from "yaml";

const added = new WeakSet<object>();

/** Marks every key of a subtree a `--set` created, the pair's own key included. */
export function markAddedKeys(key: unknown, value: Node): void {
  if (key !== null && typeof key === "object") added.add(key);
  if (isMap(value)) for (const p of value.items) if (isPair(p)) markAddedKeys(p.key, p.value as Node);
}

export function isAddedKey(key: unknown): boolean {
  return key !== null && typeof key === "object" && added.has(key);
}
