// Helpers for the unit tests only (nothing in the app imports this file).

/** A promise the test settles by hand: `resolve` or `reject` when it chooses. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
