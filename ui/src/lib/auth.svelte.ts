// Who the main shell is for, and whether the screen is locked. The core decides both (it
// refuses every command with `locked` once it has locked itself); this only mirrors its
// answers so the shell knows what to show. No rule lives here.

import type { AppStatus } from './bindings/AppStatus';
import type { User } from './bindings/User';
import { vocab } from './vocab.svelte';

/**
 * Minutes without use before the lock, until the core's setting has been read: the core's
 * default (`Vocabulary.defaults`). 0 before the vocabulary is loaded, when nobody can be
 * logged in yet (the idle timer does not run then).
 */
export function defaultIdleMinutes(): number {
  return vocab.value?.defaults.idle_lock_minutes ?? 0;
}

export const auth = $state<{
  /** The core's latest answer about the app (login reason, last username, version). */
  status: AppStatus | null;
  /** The person the main shell is shown for; null on the setup and login screens. */
  user: User | null;
  /** The shell stays mounted underneath the lock screen until the same person logs in again. */
  locked: boolean;
  /** The idle lock, in minutes (the core's setting, read after each login; 0 before). */
  idleMinutes: number;
}>({ status: null, user: null, locked: false, idleMinutes: 0 });

// Counts logins and logouts. A call remembers the count it started in, so a `locked` answer
// to a call from before the latest login (or from a screen torn down by a logout) is ignored.
let epoch = 0;

export function sessionEpoch(): number {
  return epoch;
}

/** Someone is logged in: after setup, a login, a recovery, or unlocking the lock screen. */
export function signedIn(status: AppStatus): void {
  epoch += 1;
  auth.status = status;
  auth.user = status.user;
  auth.locked = false;
}

/** Nobody is logged in any more (log out, or "log in as someone else"). */
export function signedOut(status: AppStatus | null = null): void {
  epoch += 1;
  if (status) auth.status = status;
  auth.user = null;
  auth.locked = false;
}

/** Hide the shell behind the lock screen (the lock button, the idle timer). */
export function lockScreen(): void {
  if (auth.user) auth.locked = true;
}

/**
 * A command started in session `startedIn` was refused with `locked`: the core has locked
 * itself (idle) or nobody is logged in. Shows the lock screen over the shell.
 */
export function reportLocked(startedIn: number): void {
  if (auth.user && startedIn === epoch) auth.locked = true;
}
