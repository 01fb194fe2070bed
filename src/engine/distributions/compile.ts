// A distribution parsed from YAML, compiled once into a plain `() => number` for the hot path.
import type { UniformSource } from "../rng.js";
import type { DistributionSpec } from "./spec.js";
import { constant } from "./constant.js";
import { empirical, empiricalMean } from "./empirical.js";
import { exponential } from "./exponential.js";
import { gamma } from "./gamma.js";
import { lognormal, lognormalMean } from "./lognormal.js";
import { truncatedNormal, truncatedNormalMean } from "./normal.js";
import { pareto } from "./pareto.js";
import { uniform } from "./uniform.js";

export function compileDistribution(spec: DistributionSpec, source: UniformSource): () => number {
  switch (spec.dist) {
    case "constant": return constant(spec.value);
    case "exponential": return exponential(source, spec.mean);
    case "lognormal": return lognormal(source, spec.median, spec.p99);
    case "uniform": return uniform(source, spec.min, spec.max);
    case "normal": return truncatedNormal(source, spec.mean, spec.stddev);
    case "gamma": return gamma(source, spec.mean, spec.shape);
    case "pareto": return pareto(source, spec.min, spec.alpha);
    case "empirical": return empirical(source, spec.points);
  }
}

/** The analytical mean of the draws (for the normal: of the distribution truncated at 0, as drawn). */
export function distributionMean(spec: DistributionSpec): number {
  switch (spec.dist) {
    case "constant": return spec.value;
    case "exponential": return spec.mean;
    case "lognormal": return lognormalMean(spec.median, spec.p99);
    case "uniform": return (spec.min + spec.max) / 2;
    case "normal": return truncatedNormalMean(spec.mean, spec.stddev);
    case "gamma": return spec.mean;
    case "pareto": return spec.alpha > 1 ? (spec.alpha * spec.min) / (spec.alpha - 1) : Infinity;
    case "empirical": return empiricalMean(spec.points);
  }
}
