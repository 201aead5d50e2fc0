/** Runs at most `concurrency` tasks at once, the rest in arrival order. */
export interface ConcurrencyLimiter {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly activeCount: number;
  /** Tasks waiting for a slot. */
  readonly pendingCount: number;
  /** The limit. */
  readonly concurrency: number;
}

/** Creates a limiter (p-limit's shape). `concurrency` must be an integer >= 1 or Infinity. */
export function createConcurrencyLimiter(concurrency: number): ConcurrencyLimiter {
  if (
    !(
      concurrency === Number.POSITIVE_INFINITY ||
      (Number.isInteger(concurrency) && concurrency >= 1)
    )
  ) {
    throw new RangeError(`\`concurrency\` must be an integer >= 1, got ${concurrency}`);
  }
  const queue: Array<() => void> = [];
  let activeCount = 0;

  const next = () => {
    activeCount--;
    queue.shift()?.();
  };

  const limit = <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = () => {
        activeCount++;
        task().then(resolve, reject).finally(next);
      };
      if (activeCount < concurrency) run();
      else queue.push(run);
    });

  return Object.defineProperties(limit, {
    activeCount: { get: () => activeCount },
    pendingCount: { get: () => queue.length },
    concurrency: { value: concurrency },
  }) as ConcurrencyLimiter;
}
