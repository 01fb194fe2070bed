export function constant(value: number): () => number {
  return () => value;
}
