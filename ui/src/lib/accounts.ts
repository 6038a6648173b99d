// Labels and form helpers for the account screens (setup, login, recovery, users). Pure
// functions. No rule lives here: the core validates and names the field that is wrong.

import type { AppError } from './api';
import type { Role } from './bindings/Role';
import type { User } from './bindings/User';

// A `Record` over the union makes the compiler fail here when a role is added or removed.
const ROLE_LABELS: Record<Role, string> = {
  therapist: 'Therapist',
  manager: 'Clinic manager',
  administrator: 'Administrator',
};

/** The roles in the order the add-user form offers them. */
export const ROLES: readonly { value: Role; label: string }[] = (Object.keys(ROLE_LABELS) as Role[]).map(
  (value) => ({ value, label: ROLE_LABELS[value] }),
);

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? role;
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
