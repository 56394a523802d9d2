/** A pipeline's replies in order; the first command that failed fails the whole read (ioredis reports each beside the others). */
export function pipelineResults(results: Array<[Error | null, unknown]> | null): unknown[] {
  return (results ?? []).map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}
