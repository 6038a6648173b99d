// The UI's idle timer: after some minutes without a key, a click or the wheel, it calls
// `onIdle` once (the app then locks itself and hides the screen). The core enforces the lock
// on its next command anyway; this only hides the screen promptly. Pure of the DOM, so it is
// tested alone with fake timers.

/** What counts as someone using the app. */
export const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

export interface IdleTimerOptions {
  minutes: number;
  /**
   * The minutes used when `minutes` is not a positive number: the core's default
   * (`Vocabulary.defaults.idle_lock_minutes`), asked for when needed. Without one, or with
   * none yet, the timer waits for a real setting (the core locks itself on its own anyway).
   */
  fallbackMinutes?: () => number;
  onIdle: () => void;
  /** The clock, in milliseconds (tests use fake timers, which fake `Date.now` too). */
  now?: () => number;
}

export class IdleTimer {
  private ms: number | null;
  private readonly fallback: () => number;
  private readonly onIdle: () => void;
  private readonly now: () => number;
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private active = false;

  constructor(opts: IdleTimerOptions) {
    this.fallback = opts.fallbackMinutes ?? (() => 0);
    this.ms = toMs(opts.minutes, this.fallback);
    this.onIdle = opts.onIdle;
    this.now = opts.now ?? (() => Date.now());
  }

  get running(): boolean {
    return this.active;
  }

  /** Start counting from now (again, if it was running). */
  start(): void {
    this.active = true;
    this.last = this.now();
    if (this.ms === null) this.clear();
    else this.schedule(this.ms);
  }

  stop(): void {
    this.active = false;
    this.clear();
  }

  /** Someone used the app. Cheap: only the time is noted; the timer re-arms itself. */
  activity(): void {
    if (this.active) this.last = this.now();
  }

  /** A new setting applies at once, counted from the last activity. */
  setMinutes(minutes: number): void {
    this.ms = toMs(minutes, this.fallback);
    if (this.active) this.check();
  }

  private schedule(delay: number): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, delay);
  }

  private check(): void {
    if (!this.active) return;
    if (this.ms === null) {
      this.clear();
      return;
    }
    const left = this.last + this.ms - this.now();
    if (left > 0) {
      this.schedule(left);
      return;
    }
    this.stop();
    this.onIdle();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Milliseconds for a setting, the fallback for a nonsense one; null when there is neither. */
function toMs(minutes: number, fallback: () => number): number | null {
  const usable = (m: number) => Number.isFinite(m) && m > 0;
  if (usable(minutes)) return minutes * 60_000;
  const f = fallback();
  return usable(f) ? f * 60_000 : null;
}

/** Call `onActivity` on every key, click or wheel on `target`; returns the way to stop. */
export function watchActivity(
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>,
  onActivity: () => void,
): () => void {
  const listener = () => onActivity();
  const options = { capture: true, passive: true };
  for (const type of ACTIVITY_EVENTS) target.addEventListener(type, listener, options);
  return () => {
    for (const type of ACTIVITY_EVENTS) target.removeEventListener(type, listener, options);
  };
}
