import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Autosave, type SaveState } from './autosave';
import { deferred } from './testing';

/** A fake store: each save waits until the test settles it, and records what it was sent. */
function harness() {
  let text = '';
  const sent: string[] = [];
  const pending: ReturnType<typeof deferred<string>>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const states: SaveState[] = [];
  const saver = new Autosave<string, string>({
    delay: 400,
    snapshot: () => text,
    save: (v) => {
      sent.push(v);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const d = deferred<string>();
      pending.push(d);
      return d.promise.finally(() => {
        inFlight -= 1;
      });
    },
    onState: (s) => states.push(s),
  });
  return {
    saver,
    sent,
    states,
    type(t: string) {
      text = t;
      saver.change();
    },
    /** Settle the oldest unsettled save. */
    async settle(ok = true) {
      const d = pending.shift()!;
      if (ok) d.resolve('stored');
      else d.reject({ code: 'validation', message: 'Bad', field: 'pain_after' });
      await vi.advanceTimersByTimeAsync(0);
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get pendingCount() {
      return pending.length;
    },
  };
}

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves the latest state once typing pauses', async () => {
    const h = harness();
    h.type('T');
    h.type('Tw');
    await vi.advanceTimersByTimeAsync(300);
    h.type('Two');
    expect(h.saver.state).toBe('saving');
    await vi.advanceTimersByTimeAsync(399);
    expect(h.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sent).toEqual(['Two']);
    expect(h.saver.state).toBe('saving');
    await h.settle();
    expect(h.saver.state).toBe('saved');
    expect(h.states.at(-1)).toBe('saved');
  });

  it('never has two saves in flight, and saves once more after a change made during a save', async () => {
    const h = harness();
    h.type('a');
    await vi.advanceTimersByTimeAsync(400);
    expect(h.sent).toEqual(['a']);
    // typing goes on while the first save is slow
    h.type('ab');
    await vi.advanceTimersByTimeAsync(400);
    h.type('abc');
    await vi.advanceTimersByTimeAsync(400);
    expect(h.sent).toEqual(['a']);
    expect(h.saver.state).toBe('saving');
    await h.settle();
    // exactly one more save, with the latest text
    expect(h.sent).toEqual(['a', 'abc']);
    await h.settle();
    expect(h.pendingCount).toBe(0);
    expect(h.saver.state).toBe('saved');
    expect(h.maxInFlight).toBe(1);
  });

  it('a change during a save whose timer has not fired yet is saved when it fires', async () => {
    const h = harness();
    h.type('a');
    await vi.advanceTimersByTimeAsync(400);
    h.type('ab');
    await h.settle();
    expect(h.saver.state).toBe('saving');
    expect(h.sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(400);
    expect(h.sent).toEqual(['a', 'ab']);
    await h.settle();
    expect(h.saver.state).toBe('saved');
  });

  it('saves at once on request (leaving a field) and does nothing when nothing changed', async () => {
    const h = harness();
    h.saver.saveNow();
    expect(h.sent).toEqual([]);
    h.type('x');
    h.saver.saveNow();
    expect(h.sent).toEqual(['x']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sent).toEqual(['x']);
    await h.settle();
    expect(h.saver.state).toBe('saved');
  });

  it('reports a failed save, keeps the change unsaved, and retries on the next change', async () => {
    const h = harness();
    h.type('3.5');
    await vi.advanceTimersByTimeAsync(400);
    await h.settle(false);
    expect(h.saver.state).toBe('error');
    expect(h.saver.error).toMatchObject({ field: 'pain_after' });
    expect(h.saver.dirty).toBe(true);
    // no retry loop on its own
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.sent).toEqual(['3.5']);
    h.type('3');
    await vi.advanceTimersByTimeAsync(400);
    expect(h.sent).toEqual(['3.5', '3']);
    await h.settle();
    expect(h.saver.state).toBe('saved');
    expect(h.saver.error).toBe(null);
  });

  it('flush saves what is pending now and waits for it', async () => {
    const h = harness();
    h.type('abc');
    const done = h.saver.flush();
    expect(h.sent).toEqual(['abc']);
    await h.settle();
    await expect(done).resolves.toBe(true);
    expect(h.saver.state).toBe('saved');
  });

  it('flush waits for a save in flight, then saves the newer state', async () => {
    const h = harness();
    h.type('a');
    await vi.advanceTimersByTimeAsync(400);
    h.type('ab');
    const done = h.saver.flush();
    expect(h.sent).toEqual(['a']);
    await h.settle();
    expect(h.sent).toEqual(['a', 'ab']);
    await h.settle();
    await expect(done).resolves.toBe(true);
    expect(h.maxInFlight).toBe(1);
  });

  it('flush resolves false when the state cannot be saved, without looping', async () => {
    const h = harness();
    h.type('bad');
    const done = h.saver.flush();
    await h.settle(false);
    // the first failure inside the flush is the answer
    await expect(done).resolves.toBe(false);
    expect(h.sent).toEqual(['bad']);
    expect(h.saver.state).toBe('error');
  });

  it('flush retries once a state that failed before it was called', async () => {
    const h = harness();
    h.type('busy');
    await vi.advanceTimersByTimeAsync(400);
    await h.settle(false);
    const done = h.saver.flush();
    expect(h.sent).toEqual(['busy', 'busy']);
    await h.settle();
    await expect(done).resolves.toBe(true);
  });

  it('flush with nothing to save resolves at once', async () => {
    const h = harness();
    await expect(h.saver.flush()).resolves.toBe(true);
    expect(h.sent).toEqual([]);
  });
});

describe('autosave robustness', () => {
  it('reports a state that cannot be read as a failed save', async () => {
    const errors: unknown[] = [];
    const saver = new Autosave<string, string>({
      delay: 10,
      snapshot: () => {
        throw new Error('gone');
      },
      save: async (v) => v,
      onError: (e) => errors.push(e),
    });
    saver.change();
    await expect(saver.flush()).resolves.toBe(false);
    expect(saver.state).toBe('error');
    expect(errors).toHaveLength(1);
  });
});

describe('autosave with a save that throws at once', () => {
  it('reports the failure and does not hang', async () => {
    const saver = new Autosave<string, string>({
      delay: 10,
      snapshot: () => 'x',
      save: () => {
        throw new Error('not a promise');
      },
    });
    saver.change();
    await expect(saver.flush()).resolves.toBe(false);
    expect(saver.state).toBe('error');
  });
});
