// Turning errors into the contract's exit codes: bad input → 2 with a plain message (never a stack
// trace), anything unexpected → 3.
import { ScenarioError } from "../scenario/index.js";

/** Bad command-line usage: an input error (exit 2). */
export class UsageError extends Error {}

export function exitWith(err: unknown): never {
  if (err instanceof ScenarioError || err instanceof UsageError) {
    process.stderr.write(`meshsim: ${err.message}\n`);
    process.exit(2);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`meshsim: internal error: ${e.message}\n`);
  if (process.env["MESHSIM_DEBUG"]) process.stderr.write(`${e.stack}\n`);
  process.exit(3);
}
