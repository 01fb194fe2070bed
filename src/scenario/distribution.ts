// Distributions as the scenario format writes them: a bare duration (constant) or {dist: ..., ...}.
// Parameters are checked here so a bad one is reported with its position.
import type { DistributionSpec } from "../engine/distributions/spec.js";
import type { YamlMap, YamlValue } from "./yaml-value.js";

const KINDS = ["constant", "exponential", "lognormal", "uniform", "normal", "gamma", "pareto", "empirical"] as const;

/** Parses `p50`, `p99.9`, and the summary's spellings `p999` (99.9) / `p9999` (99.99) into q in [0, 1]. */
export function percentileKey(key: string): number | undefined {
  const m = /^p(\d+(?:\.\d+)?)$/.exec(key);
  if (!m) return undefined;
  const digits = m[1]!;
  // Parsing "99.9e-2" (not 99.9 / 100) gives the double nearest 0.999.
  if (/^99+$/.test(digits) && digits.length > 2) return Number(`99.${digits.slice(2)}e-2`);
  return Number(digits) <= 100 ? Number(`${digits}e-2`) : undefined;
}

/** What a distribution's values are: durations ("5ms", in ms) or plain numbers (bytes). */
export type DistributionUnit = "duration" | "bytes";

/** One value in the unit: a duration string, or a non-negative number. */
function unitValue(v: YamlValue, unit: DistributionUnit, positive = false): number | undefined {
  if (unit === "duration") return v.duration({ positive });
  return v.num(positive ? { minExclusive: 0 } : { min: 0 });
}

export function readDistribution(v: YamlValue, unit: DistributionUnit = "duration"): DistributionSpec | undefined {
  if (!v.isMap) {
    const value = unitValue(v, unit);
    return value === undefined ? undefined : { dist: "constant", value };
  }
  const m = v.map()!;
  const dist = m.req("dist")?.oneOf(KINDS);
  if (!dist) { m.ignore(...m.keys()); return undefined; }
  const spec = readParams(m, dist, unit);
  m.done();
  return spec;
}

function readParams(m: YamlMap, dist: (typeof KINDS)[number], unit: DistributionUnit): DistributionSpec | undefined {
  const dur = (mm: YamlMap, key: string, positive: boolean): number | undefined => {
    const v = mm.req(key);
    return v && unitValue(v, unit, positive);
  };
  switch (dist) {
    case "constant": {
      const value = dur(m, "value", false);
      return value === undefined ? undefined : { dist, value };
    }
    case "exponential": {
      const mean = dur(m, "mean", true);
      return mean === undefined ? undefined : { dist, mean };
    }
    case "lognormal": {
      const median = dur(m, "median", true);
      const p99 = dur(m, "p99", true);
      if (median === undefined || p99 === undefined) return undefined;
      if (p99 <= median) return m.get("p99")!.error("p99 must be greater than median");
      return { dist, median, p99 };
    }
    case "uniform": {
      const min = dur(m, "min", false);
      const max = dur(m, "max", false);
      if (min === undefined || max === undefined) return undefined;
      if (max <= min) return m.get("max")!.error("max must be greater than min");
      return { dist, min, max };
    }
    case "normal": {
      const mean = dur(m, "mean", false);
      const stddev = dur(m, "stddev", true);
      return mean === undefined || stddev === undefined ? undefined : { dist, mean, stddev };
    }
    case "gamma": {
      const mean = dur(m, "mean", true);
      const shape = m.req("shape")?.num({ minExclusive: 0 });
      return mean === undefined || shape === undefined ? undefined : { dist, mean, shape };
    }
    case "pareto": {
      const min = dur(m, "min", true);
      const alpha = m.req("alpha")?.num({ minExclusive: 0 });
      return min === undefined || alpha === undefined ? undefined : { dist, min, alpha };
    }
    case "empirical": {
      const pm = m.req("percentiles")?.map();
      if (!pm) return undefined;
      const points: { q: number; value: number; key: string }[] = [];
      let ok = true;
      for (const [key, val] of pm.entries()) {
        const q = percentileKey(key);
        if (q === undefined) { ok = false; pm.ctx.sink.error(pm.keyPos(key), `${pm.path}.${key}`, "expected a percentile key p0..p100 (e.g. p50, p99.9)"); continue; }
        const value = val && unitValue(val, unit);
        if (value === undefined) { ok = false; if (!val) pm.ctx.sink.error(pm.keyPos(key), `${pm.path}.${key}`, "is required"); continue; }
        points.push({ q, value, key });
      }
      if (!ok) return undefined;
      points.sort((a, b) => a.q - b.q);
      if (points.length < 2) return pm.error("needs at least two percentiles");
      for (let i = 1; i < points.length; i++) {
        if (points[i]!.q === points[i - 1]!.q) return pm.error("the same percentile is given twice");
        if (points[i]!.value < points[i - 1]!.value) {
          return pm.error(`percentiles must not decrease: ${points[i]!.key} is below ${points[i - 1]!.key}`);
        }
      }
      return { dist, points: points.map(({ q, value }) => ({ q, value })) };
    }
  }
}
