import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce, firstThen, latestOnly, prefetch } from './async';
import { deferred } from './testing';

describe('debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('calls once with the last arguments after typing pauses', () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d('a');
    vi.advanceTimersByTime(100);
    d('an');
    vi.advanceTimersByTime(100);
    d('ann');
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith('ann');
  });

  it('can be cancelled or flushed', () => {
    const fn = vi.fn();
    const d = debounce(fn, 150);
    d('x');
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).not.toHaveBeenCalled();
    d('y');
    d.flush();
    expect(fn).toHaveBeenCalledWith('y');
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(1);
    d.flush();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('latestOnly', () => {
  it('marks a slower earlier answer as stale', async () => {
    const slow = deferred<string>();
    const fast = deferred<string>();
    const calls = [slow, fast];
    const fetch = latestOnly((_q: string) => calls.shift()!.promise);

    const first = fetch('a');
    const second = fetch('ab');
    fast.resolve('result for ab');
    expect(await second).toEqual({ stale: false, value: 'result for ab' });
    slow.resolve('result for a');
    expect(await first).toEqual({ stale: true });
  });

  it('swallows errors of stale calls and throws those of the latest', async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    const calls = [a, b];
    const fetch = latestOnly(() => calls.shift()!.promise);
    const first = fetch();
    const second = fetch();
    a.reject(new Error('old'));
    b.reject(new Error('new'));
    expect(await first).toEqual({ stale: true });
    await expect(second).rejects.toThrow('new');
  });
});

describe('firstThen', () => {
  it('answers the first call with the request already under way, and reloads afresh', async () => {
    const load = vi.fn(async () => 'fresh');
    const next = firstThen(Promise.resolve('early'), load);
    expect(await next()).toBe('early');
    expect(load).not.toHaveBeenCalled();
    expect(await next()).toBe('fresh');
    expect(await next()).toBe('fresh');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('loads at once when nothing was started', async () => {
    const load = vi.fn(async () => 1);
    expect(await firstThen(undefined, load)()).toBe(1);
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('prefetch', () => {
  it('still throws to whoever awaits it', async () => {
    const failing = prefetch(Promise.reject(new Error('no')));
    await expect(failing).rejects.toThrow('no');
  });

  it('is not an unhandled rejection when nobody awaits it', async () => {
    // The tests run on Node, whose `process` reports unhandled rejections.
    type Listen = (event: string, listener: (e: unknown) => void) => void;
    const process = (globalThis as unknown as { process: { on: Listen; off: Listen } }).process;
    const seen: unknown[] = [];
    const onUnhandled = (e: unknown) => seen.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      prefetch(Promise.reject(new Error('never awaited')));
      await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
