// The reports `meshsim run` writes when `--format` is not given (report-contract.md): a module of its
// own so that the command line's help can name them without loading the run command (cli/main.ts).
export const DEFAULT_FORMATS = "json,md,html,prom";
