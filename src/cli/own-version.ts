// meshsim's own version for `--version`, read from the package.json beside the code (src/ or dist/),
// not from the working directory's (yargs' default looks for the nearest package.json from there).
import { readFileSync } from "node:fs";

export function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name?: string; version?: string };
  return pkg.version ?? "unknown";
}
