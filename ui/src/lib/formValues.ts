// What a form's inputs hold, as the payload the core takes: no rule, only the conversion
// (the core checks the values and names the field that is wrong).

/** A number input's value: empty (or unreadable) is null, anything else is sent as the number it is. */
export function numberOrNull(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  return v.trim() === '' ? null : Number(v);
}

/** A date input's value, or null when it is empty (the core's default: no date, no limit). */
export function dayOrNull(value: string): string | null {
  const v = value.trim();
  return v === '' ? null : v;
}
