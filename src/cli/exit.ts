// Turning errors into the contract's exit codes: bad input → 2 with a plain message (never a stack
// trace), anything unexpected → 3.
import { ScenarioError } from "../scenario/diagnostic.js";

/** Bad command-line usage: an input error (exit 2). */
export class UsageError extends Error {}

/** The exit code an error ends the command with: 2 for invalid input, 3 for anything else. */
export function exitCodeOf(err: unknown): 2 | 3 {
  return err instanceof ScenarioError || err instanceof UsageError ? 2 : 3;
}

export function exitWith(err: unknown): never {
  if (exitCodeOf(err) === 2) {
    process.stderr.write(`meshsim: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`meshsim: internal error: ${e.message}\n`);
  if (process.env["MESHSIM_DEBUG"]) process.stderr.write(`${e.stack}\n`);
  process.exit(3);
}
