// istiod's endpoint index: what it remembers of each service's endpoints to decide whether an
// endpoint change is an incremental EDS push or a full push. A service istiod has never had
// endpoints for is new (a full push: its clusters and routes are built now), and so is a change in
// the set of service accounts behind a service (they go into the clusters' SAN checks). A service
// whose endpoints drop to none keeps its entry and its service accounts (istiod keeps the key so that
// a crash-looping pod does not cause full pushes), so coming back with the same accounts is
// incremental again.
// https://github.com/istio/istio/blob/master/pilot/pkg/model/endpointshards.go
// (EndpointIndex.UpdateServiceEndpoints, updateShardServiceAccount), pilot/pkg/xds/eds.go (EDSUpdate:
// FullPush ⇒ ConfigKey kind ServiceEntry, else kind Endpoints)
import type { EndpointSnapshot } from "../mesh/sidecar/proxy-xds.js";

/** Service accounts of a service's endpoints, as a sorted key. */
function accountsOf(pods: readonly { readonly serviceAccount: string }[]): string {
  const set = new Set<string>();
  for (const p of pods) if (p.serviceAccount !== "") set.add(p.serviceAccount);
  return [...set].sort().join(",");
}

export class EndpointIndex {
  /** Services istiod has an entry for, with the service accounts last computed for them. */
  private readonly accounts = new Map<string, string>();

  /** istiod's index at start: every service that has endpoints then. */
  constructor(initial: EndpointSnapshot) {
    for (const [fqdn, pods] of initial.byFqdn) if (pods.length > 0) this.accounts.set(fqdn, accountsOf(pods));
  }

  /** A service's endpoints changed: does istiod make it a full push (true) or an incremental one? */
  update(fqdn: string, pods: readonly { readonly serviceAccount: string }[]): boolean {
    // No endpoints: the shard is deleted but the key and its service accounts stay (incremental).
    if (pods.length === 0) return false;
    const before = this.accounts.get(fqdn);
    const now = accountsOf(pods);
    this.accounts.set(fqdn, now);
    return before === undefined || before !== now;
  }
}
