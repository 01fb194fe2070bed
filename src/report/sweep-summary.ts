// A sweep's result: for each point of the grid (one value per swept field), the mean of each
// client's figures over the replications (independent seeds) with a 95% confidence interval from
// Student's t — the interval a capacity planner should read before trusting a difference.
import type { Summary } from "./summary-types.js";

export interface Estimate {
  readonly mean: number;
  /** Half-width of the 95% confidence interval; null with a single replication. */
  readonly ci95: number | null;
}

export interface SweepPoint {
  readonly id: string;
  readonly set: Readonly<Record<string, unknown>>;
  readonly seeds: readonly number[];
  /** Replications whose every `expect` held. */
  readonly expectationsMet: number;
  readonly clients: Readonly<Record<string, Readonly<Record<"requests" | "errorRate" | "mean" | "p50" | "p99", Estimate>>>>;
}

export interface SweepSummary {
  readonly scenario: string;
  readonly axes: readonly { readonly key: string; readonly values: readonly unknown[] }[];
  readonly points: readonly SweepPoint[];
}

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile95(df: number): number {
  return df <= 30 ? T95[df - 1]! : 1.96 + 2.4 / df;
}

export function estimate(xs: readonly number[]): Estimate {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean: round(mean), ci95: null };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean: round(mean), ci95: round(tQuantile95(n - 1) * Math.sqrt(variance / n)) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function sweepPoint(id: string, set: Record<string, unknown>, runs: readonly Summary[]): SweepPoint {
  const sorted = [...runs].sort((a, b) => a.seed - b.seed);
  const names = [...new Set(sorted.flatMap((s) => Object.keys(s.clients)))].sort();
  const clients: Record<string, Record<"requests" | "errorRate" | "mean" | "p50" | "p99", Estimate>> = {};
  for (const name of names) {
    const cs = sorted.map((s) => s.clients[name]).filter((c) => c !== undefined);
    clients[name] = {
      requests: estimate(cs.map((c) => c.requests)),
      errorRate: estimate(cs.map((c) => c.errorRate)),
      mean: estimate(cs.map((c) => c.latencyMs.mean)),
      p50: estimate(cs.map((c) => c.latencyMs.p50)),
      p99: estimate(cs.map((c) => c.latencyMs.p99)),
    };
  }
  return {
    id, set, seeds: sorted.map((s) => s.seed),
    expectationsMet: sorted.filter((s) => s.expectations.every((e) => e.ok)).length,
    clients,
  };
}

function fmt(e: Estimate, unit = ""): string {
  return e.ci95 === null ? `${e.mean}${unit}` : `${e.mean} ± ${e.ci95}${unit}`;
}

export function renderSweepMarkdown(s: SweepSummary): string {
  const keys = s.axes.map((a) => a.key);
  const lines = [
    `# Sweep of ${s.scenario}`,
    "",
    `Means over the replications (seeds) of each point, ± the half-width of the 95% confidence interval (Student's t).`,
    "",
    `| ${[...keys, "client", "requests", "error rate", "mean (ms)", "p50 (ms)", "p99 (ms)", "expect met"].join(" | ")} |`,
    `|${[...keys, "c", "r", "e", "m", "p50", "p99", "x"].map(() => "---").join("|")}|`,
  ];
  for (const p of s.points) {
    for (const [name, c] of Object.entries(p.clients)) {
      lines.push(`| ${[...keys.map((k) => String(p.set[k])), name, fmt(c.requests), fmt(c.errorRate), fmt(c.mean), fmt(c.p50), fmt(c.p99), `${p.expectationsMet}/${p.seeds.length}`].join(" | ")} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
