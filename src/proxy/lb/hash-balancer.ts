// Shared mechanics of the consistent-hash balancers (Envoy ThreadAwareLoadBalancerBase): the
// request hash picks the priority (hash % 100) and then the host from a table built per host list
// (healthy hosts of a priority, or all of them in panic), rebuilt when health changes. No hash key
// on the request ⇒ a random hash (effectively RANDOM).
import type { HostSet } from "./host-set.js";
import { randomHash } from "./hash.js";
import { BaseLoadBalancer, type PickContext } from "./load-balancer.js";

export abstract class HashLoadBalancer<Table> extends BaseLoadBalancer {
  /** The current request's hash. */
  protected requestHash = 0;
  private tables: (Table | undefined)[] = [];
  private tablesVersion = -1;

  protected override beginPick(ctx: PickContext | undefined): void {
    this.requestHash = ctx?.hash ?? randomHash(this.source);
  }

  protected override priorityDraw(): number {
    return (this.requestHash % 100) + 1;
  }

  protected choose(source: number, count: number, _ctx: PickContext | undefined, attempt: number): number {
    if (this.tablesVersion !== this.set.version) {
      this.tables = [];
      this.tablesVersion = this.set.version;
    }
    let t = this.tables[source];
    if (t === undefined) t = this.tables[source] = this.build(this.set, source, count);
    return this.lookup(t, this.requestHash, attempt);
  }

  /** Build the table over the `count` hosts of `source`. */
  protected abstract build(set: HostSet, source: number, count: number): Table;
  /** The host for `hash`; attempt > 0 (retry host predicate) perturbs the choice like Envoy. */
  protected abstract lookup(table: Table, hash: number, attempt: number): number;
}
