// A downstream request's retry bookkeeping, made only when its first retry is decided (most requests
// never retry, as in Envoy, where the router creates its RetryState lazily): how many retries it has
// had, the hosts tried (for the previous_hosts predicate), and whether a retry holds a token of the
// cluster's max_retries circuit breaker while it waits out its back-off, then which try holds it.
// envoyproxy/envoy source/common/router/retry_state_impl.h (RetryStateImpl)
import type { Pod } from "../kube/pod.js";

export class RetryState {
  /** Retries so far (the next one is retries + 1). */
  retries = 0;
  /** A retry token taken for the retry waiting out its back-off. */
  token = false;
  /**
   * The try that holds the token once the retry runs (given back when it ends): here rather than a
   * flag on every try, which every routed hop would carry (docs/performance.md, Goal 4, session 24).
   */
  tokenTry: object | null = null;
  /** Hosts tried so far, in order. */
  readonly tried: Pod[];

  constructor(firstHost: Pod | null) {
    this.tried = firstHost === null ? [] : [firstHost];
  }
}
