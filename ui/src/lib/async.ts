// Small helpers for typing-driven requests: wait until typing pauses, and drop answers
// that arrive after a newer request was made.

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Forget a pending call. */
  cancel(): void;
  /** Run a pending call now. */
  flush(): void;
}

/** Call `fn` once `ms` milliseconds have passed without another call (last arguments win). */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | undefined;
  const run = () => {
    timer = undefined;
    const args = pending;
    pending = undefined;
    if (args) fn(...args);
  };
  const debounced = (...args: A) => {
    pending = args;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending = undefined;
  };
  debounced.flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    run();
  };
  return debounced;
}

export type Latest<T> = { stale: false; value: T } | { stale: true };

/**
 * Wraps an async function so only the answer to the most recent call counts: an earlier,
 * slower answer resolves as `{ stale: true }` and must be ignored. Errors of stale calls are
 * swallowed the same way; errors of the latest call are thrown.
 */
export function latestOnly<A extends unknown[], T>(
  fn: (...args: A) => Promise<T>,
): (...args: A) => Promise<Latest<T>> {
  let seq = 0;
  return async (...args: A) => {
    const mine = ++seq;
    try {
      const value = await fn(...args);
      return mine === seq ? { stale: false, value } : { stale: true };
    } catch (e) {
      if (mine !== seq) return { stale: true };
      throw e;
    }
  };
}

/**
 * A request started before anyone waits for it (a page starts its parts' loads at once, in
 * parallel): a failure is still thrown to whoever awaits it, but is not reported as unhandled
 * when the part that would have awaited it never shows (the page itself failed to load).
 */
export function prefetch<T>(request: Promise<T>): Promise<T> {
  request.catch(() => undefined);
  return request;
}

/**
 * A loader whose first call answers with `first` (a request already under way, when there is
 * one) and every later call (a reload) with a new `load()`.
 */
export function firstThen<T>(first: Promise<T> | undefined, load: () => Promise<T>): () => Promise<T> {
  let pending = first;
  return () => {
    const answer = pending ?? load();
    pending = undefined;
    return answer;
  };
}
