// `include: [{file: x.yaml, namespace: foo}]`: the file's resources land in `foo`, as with
// `kubectl apply -n foo -f x.yaml`. Like kubectl, a resource that names another namespace is an error
// ("the namespace from the provided object does not match the namespace sent on the request":
// https://github.com/kubernetes/kubectl/blob/master/pkg/cmd/apply/apply.go), and cluster-scoped
// kinds keep no namespace.
import { Scalar, isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import { KINDS } from "./resource-kinds.js";
import type { YamlValue } from "./yaml-value.js";

function place(node: Node | null, ns: string, root: YamlValue, path: string): void {
  if (!isMap(node)) return;
  const kind = node.get("kind");
  const list = node.get("items", true) as unknown;
  if (kind === "List" && isSeq(list)) {
    list.items.forEach((item, i) => place(item as Node, ns, root, `${path}items[${i}].`));
    return;
  }
  if (typeof kind !== "string" || kind === "Simulation" || KINDS[kind]?.clusterScoped) return;
  const meta = node.get("metadata", true);
  if (!isMap(meta)) return;
  const current = (meta as YAMLMap).get("namespace", true);
  if (current === undefined || (isScalar(current) && (current.value === null || current.value === ""))) {
    (meta as YAMLMap).set(new Scalar("namespace"), new Scalar(ns));
    return;
  }
  if (isScalar(current) && current.value !== ns) {
    root.ctx.sink.error(root.pos, `${path}metadata.namespace`,
      `the namespace from the provided object ${JSON.stringify(current.value)} does not match the include's namespace ${JSON.stringify(ns)}`);
  }
}

/** Puts the document's resources in `namespace` (in place, before they are read). */
export function placeInNamespace(root: YamlValue, namespace: string): void {
  place(root.node, namespace, root, "");
}
