// An expectation's actual value in the unit its check was written in, so that the line compares like
// with like: "errorRate < 0.5% (actual 0.04%)", "p99 < 100ms (actual 30.4 ms)", "p99 < 1s
// (actual 0.0304 s)". summary.json keeps the metric's own unit (ms, 0..1, counts).
import { metricUnit } from "../scenario/index.js";
import type { ExpectCheck, Scenario } from "../scenario/model.js";

const LATENCY_UNITS: [suffix: string, ms: number][] = [["ns", 1e-6], ["us", 1e-3], ["µs", 1e-3], ["μs", 1e-3], ["ms", 1], ["s", 1000], ["m", 60_000], ["h", 3_600_000]];

/** Four significant digits, without trailing zeros. */
function sig(x: number): string {
  return String(Number(x.toPrecision(4)));
}

export function actualText(check: Pick<ExpectCheck, "metric" | "text">, actual: number | null | undefined): string {
  if (actual === null || actual === undefined) return "none";
  const unit = metricUnit(check.metric);
  if (unit === "fraction") return check.text.trim().endsWith("%") ? `${sig(actual * 100)}%` : sig(actual);
  if (unit === "latency") {
    // The unit of the check's last duration part: "1m30s" → s, "250ms" → ms.
    const written = LATENCY_UNITS.filter(([u]) => check.text.trim().endsWith(u)).sort((a, b) => b[0].length - a[0].length)[0];
    const [u, ms] = written ?? ["ms", 1];
    return `${sig(actual / ms)} ${u}`;
  }
  return sig(actual);
}

/** The checks of the Simulation in the order evaluateExpectations reports them. */
export function checksInOrder(s: Scenario): ExpectCheck[] {
  return s.simulation.expect.flatMap((e) => e.checks);
}
