// Istio/protobuf duration strings as Kubernetes CRD validation reads them (Go's time.ParseDuration
// syntax: https://pkg.go.dev/time#ParseDuration), e.g. "250ms", "0.5s", "1m30s", "1h2m3.5s", "100us".

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};
// µs and μs (micro sign, Greek mu) as escapes: the bundle stays ASCII (esbuild.config.mjs, asciiComments).
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y;

/** Parses a duration string into milliseconds; throws an Error with a readable message otherwise. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === "") throw new Error("empty duration");
  if (s.startsWith("-")) throw new Error(`duration "${text}" must not be negative`);
  if (/^[+]?(\d+(\.\d*)?|\.\d+)$/.test(s)) {
    throw new Error(`duration "${text}" needs a unit, e.g. "${s}s" or "${s}ms"`);
  }
  let i = s.startsWith("+") ? 1 : 0;
  let total = 0;
  let parts = 0;
  while (i < s.length) {
    PART.lastIndex = i;
    const m = PART.exec(s);
    if (!m) throw new Error(`invalid duration "${text}" (expected e.g. 250ms, 0.5s, 1m30s, 24h)`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    i = PART.lastIndex;
    parts++;
  }
  if (parts === 0 || !Number.isFinite(total)) throw new Error(`invalid duration "${text}"`);
  return total;
}
