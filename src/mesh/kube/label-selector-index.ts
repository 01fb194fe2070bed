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
    // A loop, not forEach: the callback ran once per item of every index (2,000 calls building a
    // 1,000-service world), enough for V8 to compile it with TurboFan for nothing (docs/performance.md,
    // Goal 4, session 20).
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const ns = namespaceOf(item);
      const selector = selectorOf(item);
      let key: string | undefined;
      for (const k in selector) {
        key = labelPairKey(ns, k, selector[k]!);
        break;
      }
      const map = key === undefined ? this.unkeyed : this.byPair;
      const k = key ?? ns;
      const list = map.get(k);
      if (list === undefined) map.set(k, [i]);
      else list.push(i);
    }
  }

  /** The last question `first` answered: a pod's start asks it twice for the same labels object. */
  private lastNamespace = "";
  private lastLabels: Readonly<Record<string, string>> | null = null;
  private lastFirst: T | undefined = undefined;

  /**
   * The first item (in the given order) in `namespace` whose selector picks `labels`; what a scan with
   * `find` returns. Labels are compared by identity with the last question's (label sets are never
   * mutated: a pod's are its Deployment's template's), so the second of the two questions a pod's start
   * asks (its app's behaviour, then its Workload: mesh/kube/pod-controller.ts addPod) is not answered
   * again: at 1,000 pods the 2,000 lookups made V8 compile this for nothing (docs/performance.md, Goal 4).
   */
  first(namespace: string, labels: Readonly<Record<string, string>>): T | undefined {
    if (labels === this.lastLabels && namespace === this.lastNamespace) return this.lastFirst;
    let best = this.firstIn(this.unkeyed.get(namespace), labels, this.items.length);
    for (const k in labels) best = this.firstIn(this.byPair.get(labelPairKey(namespace, k, labels[k]!)), labels, best);
    const found = best < this.items.length ? this.items[best] : undefined;
    this.lastNamespace = namespace;
    this.lastLabels = labels;
    this.lastFirst = found;
    return found;
  }

  /** Every item in `namespace` whose selector picks `labels`, in the given order. */
  all(namespace: string, labels: Readonly<Record<string, string>>): T[] {
    const at: number[] = [];
    let lists = this.matching(this.unkeyed.get(namespace), labels, at) ? 1 : 0;
    // Each item is filed under one key, so no index comes twice.
    for (const k in labels) if (this.matching(this.byPair.get(labelPairKey(namespace, k, labels[k]!)), labels, at)) lists++;
    // Each list is in increasing order: from one list the indices need no sort.
    if (lists > 1) at.sort((a, b) => a - b);
    const out: T[] = [];
    for (const i of at) out.push(this.items[i]!);
    return out;
  }

  /** Appends to `at` the indices in `list` whose selector picks `labels`; whether it appended any. */
  private matching(list: readonly number[] | undefined, labels: Readonly<Record<string, string>>, at: number[]): boolean {
    if (list === undefined) return false;
    const before = at.length;
    for (const i of list) if (selects(this.selectorOf(this.items[i]!), labels)) at.push(i);
    return at.length > before;
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
