// How names, dates and counts are shown. Pure functions, so they are tested alone.

interface Names {
  first_name: string;
  last_name: string;
  preferred_name: string;
}

/** Short month names, January first. */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const joinNonEmpty = (parts: string[], sep: string): string =>
  parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .join(sep);

/** "Last, First" for lists, where people are sorted by last name. */
export function listName(n: Names): string {
  return joinNonEmpty([n.last_name, n.first_name], ', ') || 'Unnamed client';
}

/** "First Last" for headings. */
export function fullName(n: Names): string {
  return joinNonEmpty([n.first_name, n.last_name], ' ') || 'Unnamed client';
}

/** The preferred name in quotes ("“Jo”"), or '' when there is none. */
export function quotedPreferred(n: Names): string {
  const p = n.preferred_name.trim();
  return p ? `“${p}”` : '';
}

/**
 * A calendar date (`YYYY-MM-DD`) as "12 Mar 1985": unambiguous whatever the locale. Returns
 * the input unchanged when it is not such a date, and '' for null.
 */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return date;
  return `${Number(m[3])} ${MONTHS[month - 1]} ${m[1]}`;
}

/** 7 as "07". */
export const pad2 = (n: number): string => String(n).padStart(2, '0');

/** An RFC 3339 instant in local time, as "12 Mar 2025, 14:03". */
export function formatInstant(instant: string | null | undefined): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** The local calendar day of an RFC 3339 instant, as "12 Mar 2025". */
export function instantDate(instant: string | null | undefined): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** A day as a date input holds it, `YYYY-MM-DD`, on this machine's calendar. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** "38 years old · born 12 Mar 1985", or a plain note when the date of birth is unknown. */
export function ageLine(age: number | null, dateOfBirth: string | null): string {
  if (!dateOfBirth) return 'Date of birth not recorded';
  const born = `born ${formatDate(dateOfBirth)}`;
  if (age === null) return born.charAt(0).toUpperCase() + born.slice(1);
  const years = age < 1 ? 'Under 1 year old' : age === 1 ? '1 year old' : `${age} years old`;
  return `${years} · ${born}`;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A whole number with thousands separated by commas, whatever the locale: "100,000". */
export function groupThousands(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 client", "100,000 clients": every match is reachable by scrolling the list. */
export function countText(total: number): string {
  return `${groupThousands(total)} ${total === 1 ? 'client' : 'clients'}`;
}
