// Labels and form helpers for the account screens (setup, login, recovery, users). Pure
// functions. No rule lives here: the core validates and names the field that is wrong.

import type { AppError } from './api';
import type { FormErrors } from './formErrors.svelte';
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
 * The error under the "type it again" field `field`, or null when the two agree. Only the
 * typing is compared here; what makes a good password is the core's to say.
 */
export function confirmError(password: string, confirm: string, field: string): AppError | null {
  if (password === confirm) return null;
  const message =
    confirm === '' ? 'Type the password again to confirm it.' : 'The two passwords are not the same. Type them again.';
  return { code: 'validation', field, message };
}

/**
 * Before a form with a "type it again" field is sent: when the two differ, the message goes
 * under `field` (the cursor with it) and the answer is true: nothing is sent.
 */
export async function refuseMismatch(errors: FormErrors, password: string, confirm: string, field: string): Promise<boolean> {
  const mismatch = confirmError(password, confirm, field);
  if (mismatch) await errors.show(mismatch);
  return mismatch !== null;
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
