// The draft autosave queue: every change schedules a save of the whole current state after
// typing pauses; never two saves in flight; a change made during a save gets one more save
// afterwards; a flush saves now and waits until everything typed is stored (or failed).
// Pure of the DOM and of Svelte, so it is tested alone with fake timers.

export type SaveState = 'saved' | 'saving' | 'error';

export interface AutosaveOptions<T, R> {
  /** The full current state, read when a save starts (so the latest state is always sent). */
  snapshot: () => T;
  save: (value: T) => Promise<R>;
  /** Milliseconds without a change before a save starts. */
  delay: number;
  /** After each successful save, with the result and the state that was sent. */
  onSaved?: (result: R, sent: T) => void;
  /** After each failed save (`sent` is undefined when the state could not even be read). */
  onError?: (error: unknown, sent: T | undefined) => void;
  /** Whenever the state (saved / saving / error) may have changed. */
  onState?: (state: SaveState) => void;
}

export class Autosave<T, R> {
  private readonly opts: AutosaveOptions<T, R>;
  /** Counts changes; `saved` is the change count the store is known to hold. */
  private version = 0;
  private saved = 0;
  /** The change count whose save failed last (-1: none since the last success). */
  private failed = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | null = null;
  /** The timer fired (or a save was asked for) while a save was in flight. */
  private queued = false;
  private lastError: unknown = null;

  constructor(opts: AutosaveOptions<T, R>) {
    this.opts = opts;
  }

  /** saved: the store holds everything; saving: a save is pending or in flight; error: the last save failed. */
  get state(): SaveState {
    if (this.inFlight || this.timer !== undefined || this.queued) return 'saving';
    if (this.saved >= this.version) return 'saved';
    return this.lastError !== null ? 'error' : 'saving';
  }

  get error(): unknown {
    return this.lastError;
  }

  /** True while there is something typed that the store does not hold yet. */
  get dirty(): boolean {
    return this.saved < this.version;
  }

  /** Something changed: save it once typing pauses. */
  change(): void {
    this.version += 1;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.opts.delay);
    this.emit();
  }

  /** Save now (e.g. on leaving a text field) without waiting for the pause. */
  saveNow(): void {
    this.clearTimer();
    this.run();
    this.emit();
  }

  /**
   * Save whatever is not stored yet and wait until it is. Resolves true when the store holds
   * everything, false when a save failed (the error is in `error`).
   */
  async flush(): Promise<boolean> {
    this.clearTimer();
    let tried = -1;
    for (;;) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      if (this.saved >= this.version) {
        this.emit();
        return true;
      }
      // This exact state already failed once during this flush: report it.
      if (tried === this.version && this.failed === this.version) {
        this.emit();
        return false;
      }
      tried = this.version;
      this.queued = false;
      this.start();
    }
  }

  /** Forget a pending timer (the owner flushes first when it wants the state kept). */
  cancel(): void {
    this.clearTimer();
    this.queued = false;
    this.emit();
  }

  private run(): void {
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    if (this.saved < this.version) this.start();
  }

  private start(): void {
    const sentVersion = this.version;
    // Read the state and start the save now (so a flush sends exactly what is on screen);
    // anything thrown on the way is a failed save like any other.
    let value: T | undefined;
    let saving: Promise<R>;
    try {
      value = this.opts.snapshot();
      saving = Promise.resolve(this.opts.save(value));
    } catch (e) {
      saving = Promise.reject(e);
    }
    // The body below always waits on `saving` first, so `inFlight` is set before it clears it.
    this.inFlight = (async () => {
      let ok = false;
      let result: R | undefined;
      try {
        result = await saving;
        ok = true;
        this.saved = Math.max(this.saved, sentVersion);
        this.failed = -1;
        this.lastError = null;
      } catch (e) {
        this.failed = sentVersion;
        this.lastError = e;
      } finally {
        this.inFlight = null;
      }
      if (ok) this.opts.onSaved?.(result as R, value as T);
      else this.opts.onError?.(this.lastError, value);
      if (this.queued) {
        this.queued = false;
        this.run();
      }
      this.emit();
    })();
    this.emit();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(): void {
    this.opts.onState?.(this.state);
  }
}
