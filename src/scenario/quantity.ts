// Kubernetes resource quantities for memory ("50Mi", "1Gi", "500M", plain bytes):
// https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/

const SUFFIX: Record<string, number> = {
  "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Bytes of a memory quantity; throws an Error with a readable message when malformed or negative. */
export function parseQuantity(text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*$/.exec(text);
  const mult = m ? SUFFIX[m[2]!] : undefined;
  if (!m || mult === undefined) throw new Error(`invalid quantity "${text}" (expected e.g. 50Mi, 1Gi, 500M)`);
  return Number(m[1]) * mult;
}

/** Millicores of a CPU quantity ("4", "0.5", "3500m"); throws an Error with a readable message when malformed. */
export function parseCpuMillis(text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(m?)\s*$/.exec(text);
  if (!m) throw new Error(`invalid CPU quantity "${text}" (expected e.g. 4, 0.5, 500m)`);
  return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}
