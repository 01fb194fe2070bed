// Where streamed report lines go (access.log, traces.json): a file written in batches by report/,
// or a string in tests. Producers hand over text as requests complete and keep nothing themselves.
export interface LineSink {
  write(text: string): void;
  /** No more text: flush what is buffered and release the file. */
  close(): void;
}

/** A sink that keeps everything in memory (tests, small runs). */
export class StringSink implements LineSink {
  private readonly parts: string[] = [];
  closed = false;
  /** How many times text was handed over (batches). */
  writes = 0;
  write(text: string): void {
    this.writes++;
    this.parts.push(text);
  }
  close(): void {
    this.closed = true;
  }
  get text(): string {
    return this.parts.join("");
  }
}
