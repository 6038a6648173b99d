// Labels and form helpers for the account screens (setup, login, recovery, users). Pure
// functions. No rule lives here: the core validates and names the field that is wrong.

import type { AppError } from './api';
import type { Role } from './bindings/Role';
import type { User } from './bindings/User';
import type { VocabOption } from './bindings/VocabOption';

/** A role as the core labels it (`Vocabulary.roles`, from `Role::label()`); its id until the vocabulary is loaded. */
export function roleLabel(role: Role, roles: readonly VocabOption<Role>[] | null | undefined): string {
  return roles?.find((r) => r.id === role)?.label ?? role;
}

export function userStatus(user: User): 'Active' | 'Disabled' {
  return user.disabled_at ? 'Disabled' : 'Active';
}

/**
 * The message under a "type it again" field, or null when the two agree. Only the typing is
 * compared here; what makes a good password is the core's to say.
 */
export function confirmError(password: string, confirm: string): string | null {
  if (password === confirm) return null;
  if (confirm === '') return 'Type the password again to confirm it.';
  return 'The two passwords are not the same. Type them again.';
}

/** The form field an error belongs under, when it is one of `fields`; null otherwise. */
export function fieldOf<F extends string>(err: AppError, fields: readonly F[]): F | null {
  return err.field !== undefined && (fields as readonly string[]).includes(err.field) ? (err.field as F) : null;
}

/**
 * The minutes typed into the idle-lock field as a whole number, or null when it is not one
 * (empty, a fraction, a sign). Whether the number is allowed is the core's to say.
 */
export function parseMinutes(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,6}$/.test(t)) return null;
  return Number(t);
}
