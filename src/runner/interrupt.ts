// SIGINT and SIGTERM during a run: the handler only raises a flag; the sliced run (sliced-run.ts)
// looks at it between slices, stops the event loop and writes what it has. Exit codes follow the
// shell's 128 + signal number convention: 130 for SIGINT, 143 for SIGTERM
// (https://tldp.org/LDP/abs/html/exitcodes.html).
export type StopSignal = "SIGINT" | "SIGTERM";

export const SIGNAL_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export class Interrupt {
  /** The first signal received, or null. */
  signal: StopSignal | null = null;
  private readonly handlers = new Map<StopSignal, () => void>();

  /** Listen for SIGINT and SIGTERM until `remove()`; a second signal ends the process at once. */
  install(): this {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const h = () => {
        if (this.signal !== null) process.exit(SIGNAL_EXIT_CODE[sig]);
        this.signal = sig;
      };
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    return this;
  }

  remove(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
  }
}
