// `--max-events`, `--max-pods`, `--max-windows`, `--max-memory`: the budget a run is checked against
// before it starts (runner/work-estimate.ts, docs/limits-and-budgets.md).
import { parseQuantity } from "../scenario/quantity.js";
import { DEFAULT_BUDGET, type Budget } from "../runner/work-estimate.js";
import { UsageError } from "./exit.js";
import { int } from "../report/number-text.js";

export interface BudgetArgs {
  maxEvents?: number | undefined;
  maxPods?: number | undefined;
  maxWindows?: number | undefined;
  /** A quantity: 4Gi, 512Mi, or bytes. */
  maxMemory?: string | undefined;
}

function positive(flag: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(typeof v === "number" && v > 0)) throw new UsageError(`${flag}: expected a positive number, got ${String(v)}`);
  return v;
}

export function budgetOf(a: BudgetArgs): Budget {
  let memoryBytes = DEFAULT_BUDGET.memoryBytes;
  if (a.maxMemory !== undefined) {
    try { memoryBytes = parseQuantity(a.maxMemory); } catch (e) { throw new UsageError(`--max-memory: ${(e as Error).message}`); }
    if (!(memoryBytes > 0)) throw new UsageError("--max-memory: must be more than 0");
  }
  return {
    events: positive("--max-events", a.maxEvents, DEFAULT_BUDGET.events),
    pods: positive("--max-pods", a.maxPods, DEFAULT_BUDGET.pods),
    windows: positive("--max-windows", a.maxWindows, DEFAULT_BUDGET.windows),
    memoryBytes,
  };
}

/** The yargs options of the budget (for `run` and `check`). */
export const BUDGET_OPTIONS = {
  "max-events": { type: "number", describe: `Refuse a run estimated above this many simulated events (default ${DEFAULT_BUDGET.events.toExponential(0)})` },
  "max-pods": { type: "number", describe: `Refuse a run with more pods at once (default ${int(DEFAULT_BUDGET.pods)})` },
  "max-windows": { type: "number", describe: `Refuse a run with more report windows per series (default ${int(DEFAULT_BUDGET.windows)})` },
  "max-memory": { type: "string", describe: "Refuse a run estimated to need more memory (default 2Gi)" },
} as const;
