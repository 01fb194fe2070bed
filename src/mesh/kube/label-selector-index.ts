// Equality-based label selectors (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#equality-based-requirement)
// answered by lookup instead of a scan: every selector is filed under its namespace and ONE of its
// key=value pairs, so the selectors that can pick a set of labels are those filed under one of the
// labels' pairs (or with no pair at all). With one Workload or Service per pod, a scan of all of them
// per pod is quadratic in the mesh's size (1,000 services: 10⁶ comparisons to start the pods).
import { selects } from "./pod.js";

/** The Map key of one label pair in a namespace. */
export const labelPairKey = (namespace: string, key: string, value: string): string => `${namespace}\u0000${key}\u0000${value}`;

/** Items selected by (namespace, equality selector), in their given order. */
export class LabelSelectorIndex<T> {
  /** Item indices (increasing) by namespace and the first pair of their selector. */
  private readonly byPair = new Map<string, number[]>();
  /** Item indices (increasing) by namespace, for empty selectors (which pick every pod). */
  private readonly unkeyed = new Map<string, number[]>();

  constructor(
    private readonly items: readonly T[],
    namespaceOf: (item: T) => string,
    private readonly selectorOf: (item: T) => Readonly<Record<string, string>>,
  ) {
    items.forEach((item, i) => {
      const ns = namespaceOf(item);
      const selector = selectorOf(item);
      let key: string | undefined;
      for (const k in selector) {
        key = labelPairKey(ns, k, selector[k]!);
        break;
      }
      const map = key === undefined ? this.unkeyed : this.byPair;
      const k = key ?? ns;
      let list = map.get(k);
      if (list === undefined) map.set(k, (list = []));
      list.push(i);
    });
  }

  /** The first item (in the given order) in `namespace` whose selector picks `labels`; what a scan with `find` returns. */
  first(namespace: string, labels: Readonly<Record<string, string>>): T | undefined {
    let best = this.firstIn(this.unkeyed.get(namespace), labels, this.items.length);
    for (const k in labels) best = this.firstIn(this.byPair.get(labelPairKey(namespace, k, labels[k]!)), labels, best);
    return best < this.items.length ? this.items[best] : undefined;
  }

  /** Every item in `namespace` whose selector picks `labels`, in the given order. */
  all(namespace: string, labels: Readonly<Record<string, string>>): T[] {
    const at: number[] = [];
    const add = (list: readonly number[] | undefined): void => {
      if (list !== undefined) for (const i of list) if (selects(this.selectorOf(this.items[i]!), labels)) at.push(i);
    };
    add(this.unkeyed.get(namespace));
    // Each item is filed under one key, so no index comes twice.
    for (const k in labels) add(this.byPair.get(labelPairKey(namespace, k, labels[k]!)));
    return at.sort((a, b) => a - b).map((i) => this.items[i]!);
  }

  /** The smallest index below `below` in `list` whose selector picks `labels` (else `below`). */
  private firstIn(list: readonly number[] | undefined, labels: Readonly<Record<string, string>>, below: number): number {
    if (list === undefined) return below;
    for (const i of list) {
      if (i >= below) break;
      if (selects(this.selectorOf(this.items[i]!), labels)) return i;
    }
    return below;
  }
}
