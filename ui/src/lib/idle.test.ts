import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer, watchActivity } from './idle';

const MIN = 60_000;

describe('idle timer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once after the minutes without activity', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 10, onIdle });
    t.start();
    vi.advanceTimersByTime(10 * MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(t.running).toBe(false);
    vi.advanceTimersByTime(60 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('counts from the last activity', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 10, onIdle });
    t.start();
    vi.advanceTimersByTime(9 * MIN);
    t.activity();
    vi.advanceTimersByTime(9 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    t.activity();
    vi.advanceTimersByTime(10 * MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('does nothing once stopped, and ignores activity while stopped', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 1, onIdle });
    t.start();
    t.stop();
    t.activity();
    vi.advanceTimersByTime(5 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    expect(t.running).toBe(false);
  });

  it('restarts from zero after a new start', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 2, onIdle });
    t.start();
    vi.advanceTimersByTime(2 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
    t.start();
    vi.advanceTimersByTime(2 * MIN - 1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(2);
  });

  it('applies a new setting at once, counted from the last activity', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 10, onIdle });
    t.start();
    vi.advanceTimersByTime(3 * MIN);
    t.setMinutes(2);
    expect(onIdle).toHaveBeenCalledTimes(1);

    const later = vi.fn();
    const u = new IdleTimer({ minutes: 1, onIdle: later });
    u.start();
    u.setMinutes(5);
    vi.advanceTimersByTime(5 * MIN - 1);
    expect(later).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(later).toHaveBeenCalledTimes(1);
  });

  it("falls back to the core's default (10 minutes) for a nonsense setting", () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: Number.NaN, fallbackMinutes: () => 10, onIdle });
    t.start();
    vi.advanceTimersByTime(10 * MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('waits for a real setting when there is no default yet, then counts from the last activity', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 0, fallbackMinutes: () => 0, onIdle });
    t.start();
    vi.advanceTimersByTime(60 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    expect(t.running).toBe(true);
    t.activity();
    t.setMinutes(5);
    vi.advanceTimersByTime(5 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});

describe('watching activity', () => {
  it('counts keys, clicks and the wheel, and stops when asked', () => {
    const target = new EventTarget();
    const seen = vi.fn();
    const stop = watchActivity(target, seen);
    target.dispatchEvent(new Event('keydown'));
    target.dispatchEvent(new Event('pointerdown'));
    target.dispatchEvent(new Event('wheel'));
    target.dispatchEvent(new Event('mousemove'));
    expect(seen).toHaveBeenCalledTimes(3);
    stop();
    target.dispatchEvent(new Event('keydown'));
    expect(seen).toHaveBeenCalledTimes(3);
  });
});
