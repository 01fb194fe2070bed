// Behaviours that changed across Istio releases, with the current (1.30-line) default.
// Each flag names the istiod feature flag it stands for.

export interface IstioCompat {
  /**
   * EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY: since 1.24 the default retry policy has no
   * retriable status codes; before, upstream 503s were retried by default. Default true.
   */
  excludeUnsafe503FromDefaultRetry: boolean;
  /**
   * Append "-shadow" to a mirrored request's authority. Istio ≤1.27 did; from 1.28
   * DISABLE_SHADOW_HOST_SUFFIX=true drops it. Default false (current behaviour).
   */
  shadowHostSuffix: boolean;
}

export const CURRENT_ISTIO: IstioCompat = Object.freeze({
  excludeUnsafe503FromDefaultRetry: true,
  shadowHostSuffix: false,
});

export function istioCompat(overrides: Partial<IstioCompat> | undefined): IstioCompat {
  return overrides === undefined ? CURRENT_ISTIO : { ...CURRENT_ISTIO, ...overrides };
}
