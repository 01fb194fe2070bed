// State shared by the readers during one load: the diagnostics, the creation counter, every resource
// read so far (for references), and checks that must wait until every resource is known.
import type { AnyResource } from "./model.js";
import type { DiagnosticSink } from "./yaml-value.js";
import type { FileAccess } from "./file-access.js";

export class LoadState {
  private nextIndex = 0;
  /** Every resource read, from the initial files and from timeline applies (references may point at either). */
  readonly resources: AnyResource[] = [];
  private readonly deferred: (() => void)[] = [];
  /** The Simulation's `network.jwks`: what each jwksUri serves (JWKS text), read before deferred checks run. */
  readonly servedJwks = new Map<string, string>();

  constructor(readonly sink: DiagnosticSink, readonly access?: FileAccess) {}

  /** Global order of appearance; stands in for creationTimestamp. */
  takeCreationIndex(): number { return this.nextIndex++; }

  /** Runs `check` once every resource has been read (reference resolution). */
  defer(check: () => void): void { this.deferred.push(check); }

  runDeferred(): void {
    for (let i = 0; i < this.deferred.length; i++) this.deferred[i]!();
    this.deferred.length = 0;
  }

  /**
   * The resources of one kind read so far, in order. Kept per kind until another resource is read:
   * the readers' deferred checks ask once per resource, and a filter of every resource each time is
   * quadratic in the scenario's size (a 1,000-service mesh has 4,000 resources).
   */
  ofKind<K extends AnyResource["kind"]>(kind: K): readonly Extract<AnyResource, { kind: K }>[] {
    const n = this.resources.length;
    if (this.kindsAt !== n) {
      this.kinds.clear();
      this.kindsAt = n;
    }
    let list = this.kinds.get(kind);
    if (list === undefined) {
      list = this.resources.filter((r) => r.kind === kind);
      this.kinds.set(kind, list);
    }
    return list as readonly Extract<AnyResource, { kind: K }>[];
  }
  private readonly kinds = new Map<AnyResource["kind"], readonly AnyResource[]>();
  /** The number of resources `kinds` was built from. */
  private kindsAt = -1;

  find<K extends AnyResource["kind"]>(kind: K, name: string, namespace: string): Extract<AnyResource, { kind: K }> | undefined {
    return this.ofKind(kind).find((r) => r.metadata.name === name && r.metadata.namespace === namespace);
  }

  /** Namespaces the scenario knows: Namespace documents, every resource's namespace, default and the root. */
  knownNamespaces(): Set<string> {
    const out = new Set<string>(["default", "istio-system"]);
    for (const r of this.resources) {
      if (r.kind === "Namespace") out.add(r.metadata.name);
      else if (r.metadata.namespace) out.add(r.metadata.namespace);
    }
    return out;
  }
}
