// `--allow-outside-includes` and `--max-file-size`: which files a scenario may make meshsim read
// (scenario/file-access.ts, docs/limits-and-budgets.md).
import type { LoadOptions } from "../scenario/index.js";
import { parseQuantity } from "../scenario/quantity.js";
import { DEFAULT_MAX_FILE_BYTES } from "../scenario/file-access.js";
import { UsageError } from "./exit.js";

export interface LoadArgs {
  allowOutsideIncludes?: boolean | undefined;
  /** A quantity: 64Mi, or bytes. */
  maxFileSize?: string | undefined;
}

export function loadOptionsOf(a: LoadArgs): Omit<LoadOptions, "overrides"> {
  let maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  if (a.maxFileSize !== undefined) {
    try { maxFileBytes = parseQuantity(String(a.maxFileSize)); } catch (e) { throw new UsageError(`--max-file-size: ${(e as Error).message}`); }
    if (!(maxFileBytes > 0)) throw new UsageError("--max-file-size: must be more than 0");
  }
  return { allowOutsideIncludes: a.allowOutsideIncludes ?? false, maxFileBytes };
}

export const LOAD_OPTIONS = {
  "allow-outside-includes": { type: "boolean", describe: "Let include globs match files outside the Simulation's folder" },
  "max-file-size": { type: "string", describe: "The largest scenario file read (default 32Mi)" },
} as const;

/** The yargs arguments of LOAD_OPTIONS as LoadArgs. */
export function loadArgsOf(args: { "allow-outside-includes"?: boolean | undefined; "max-file-size"?: string | undefined }): LoadArgs {
  return { allowOutsideIncludes: args["allow-outside-includes"], maxFileSize: args["max-file-size"] };
}
