// A distribution as data (what the scenario YAML says), before it is bound to a seeded source.
// All values are milliseconds except the dimensionless `shape` and `alpha`.

export type DistributionSpec =
  | { dist: "constant"; value: number }
  | { dist: "exponential"; mean: number }
  | { dist: "lognormal"; median: number; p99: number }
  | { dist: "uniform"; min: number; max: number }
  | { dist: "normal"; mean: number; stddev: number }
  | { dist: "gamma"; mean: number; shape: number }
  | { dist: "pareto"; min: number; alpha: number }
  /** Points of the inverse CDF: `q` in [0, 1] ascending, `value` non-decreasing; linear in between. */
  | { dist: "empirical"; points: { q: number; value: number }[] };
