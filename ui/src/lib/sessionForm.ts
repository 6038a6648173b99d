// The session note form: its state, the SessionInput it sends, the body-chart click cycle,
// local date-time conversion and where the core's errors go. Pure, so it is tested alone.

import type { BodyMark } from './bindings/BodyMark';
import type { MarkKind } from './bindings/MarkKind';
import type { Pressure } from './bindings/Pressure';
import type { Region } from './bindings/Region';
import type { Session } from './bindings/Session';
import type { SessionInput } from './bindings/SessionInput';
import { localDay, pad2 } from './format';
import { numberOrNull } from './formValues';

export interface TechniqueRow {
  /** Stable key for the row (rows can be removed from the middle). */
  key: number;
  technique_id: string;
  regions: Region[];
  pressure: '' | Pressure;
  minutes: number | null;
  reason: string;
}

/** One home-care item given in the plan, with the client's personal line. */
export interface HomeCareRow {
  key: number;
  item_id: string;
  personal_line: string;
}

export interface SessionFormState {
  /** `YYYY-MM-DDTHH:MM` in local time, as a datetime-local input holds it. */
  started_at: string;
  duration_minutes: number | null;
  subjective: string;
  headache_since_last: string;
  objective: string;
  assessment: string;
  plan: string;
  pain_before: number | null;
  pain_after: number | null;
  headache_at_start: boolean;
  techniques: TechniqueRow[];
  marks: Partial<Record<Region, MarkKind>>;
  home_care: HomeCareRow[];
}


/** An RFC 3339 instant as the local `YYYY-MM-DDTHH:MM` of a datetime-local input ('' if unreadable). */
export function toLocalInput(instant: string): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  return `${localDay(d)}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/**
 * A datetime-local value as an RFC 3339 UTC instant. An empty or unreadable value is sent as
 * typed, so the core answers with its own message under the field.
 */
export function fromLocalInput(local: string): string {
  if (local.trim() === '') return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

/**
 * The instant to send: the stored one (with its seconds) while the input still shows it,
 * otherwise the input's value converted.
 */
export function startedAtFor(local: string, stored: string): string {
  return toLocalInput(stored) === local ? stored : fromLocalInput(local);
}

// Every mark kind, in the order a click cycles through them when the vocabulary is missing.
const MARK_ORDER: Record<MarkKind, number> = { tension: 0, trigger_point: 1, pain: 2, treated: 3 };
export const DEFAULT_MARK_KINDS = Object.keys(MARK_ORDER) as MarkKind[];

/** The mark after `kind` in the click cycle: not marked → each kind in turn → not marked. */
export function nextMark(kind: MarkKind | undefined, kinds: readonly MarkKind[] = DEFAULT_MARK_KINDS): MarkKind | undefined {
  if (kinds.length === 0) return undefined;
  if (kind === undefined) return kinds[0];
  const i = kinds.indexOf(kind);
  return i === -1 || i === kinds.length - 1 ? undefined : kinds[i + 1];
}

/** The marks as data, in the vocabulary's region order (regions it does not list come last). */
export function marksToList(marks: Partial<Record<Region, MarkKind>>, regionOrder: readonly Region[] = []): BodyMark[] {
  const rank = (r: Region) => {
    const i = regionOrder.indexOf(r);
    return i === -1 ? regionOrder.length : i;
  };
  return (Object.entries(marks) as [Region, MarkKind | undefined][])
    .filter((e): e is [Region, MarkKind] => e[1] !== undefined)
    .sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([region, kind]) => ({ region, kind }));
}

export function marksFromList(marks: readonly BodyMark[]): Partial<Record<Region, MarkKind>> {
  const out: Partial<Record<Region, MarkKind>> = {};
  for (const m of marks) out[m.region] = m.kind;
  return out;
}

let nextKey = 1;
export const newRowKey = (): number => nextKey++;

export function emptyHomeCareRow(): HomeCareRow {
  return { key: newRowKey(), item_id: '', personal_line: '' };
}

export function emptyTechniqueRow(): TechniqueRow {
  return { key: newRowKey(), technique_id: '', regions: [], pressure: '', minutes: null, reason: '' };
}

/** The form filled from a stored note. */
export function formFromSession(s: Session): SessionFormState {
  return {
    started_at: toLocalInput(s.started_at),
    duration_minutes: s.duration_minutes,
    subjective: s.subjective,
    headache_since_last: s.headache_since_last,
    objective: s.objective,
    assessment: s.assessment,
    plan: s.plan,
    pain_before: s.pain_before,
    pain_after: s.pain_after,
    headache_at_start: s.headache_at_start,
    techniques: s.techniques.map((t) => ({
      key: newRowKey(),
      technique_id: t.technique_id,
      regions: [...t.regions],
      pressure: t.pressure ?? '',
      minutes: t.minutes,
      reason: t.reason,
    })),
    marks: marksFromList(s.marks),
    home_care: s.home_care.map((h) => ({ key: newRowKey(), item_id: h.item_id, personal_line: h.personal_line })),
  };
}

/** A row just added and not touched yet. */
export function isBlankRow(t: TechniqueRow): boolean {
  return t.technique_id === '' && t.regions.length === 0 && t.pressure === '' && t.minutes === null && t.reason === '';
}

/**
 * The full note to save. `storedStartedAt` is the instant the draft was loaded with.
 * Untouched rows at the end of the technique list are not content yet and are left out (so
 * adding a row does not fail a save before a technique is chosen); every other row is sent,
 * so the core's `techniques.<i>` errors and warnings line up with the rows on screen.
 */
export function inputFromForm(
  form: SessionFormState,
  storedStartedAt: string,
  regionOrder: readonly Region[] = [],
): SessionInput {
  return {
    started_at: startedAtFor(form.started_at, storedStartedAt),
    duration_minutes: numberOrNull(form.duration_minutes),
    subjective: form.subjective,
    headache_since_last: form.headache_since_last,
    objective: form.objective,
    assessment: form.assessment,
    plan: form.plan,
    pain_before: numberOrNull(form.pain_before),
    pain_after: numberOrNull(form.pain_after),
    headache_at_start: form.headache_at_start,
    techniques: withoutTrailingBlanks(form.techniques).map((t) => ({
      technique_id: t.technique_id,
      regions: [...t.regions],
      pressure: t.pressure === '' ? null : t.pressure,
      minutes: numberOrNull(t.minutes),
      reason: t.reason,
    })),
    marks: marksToList(form.marks, regionOrder),
    // As for techniques: untouched rows at the end are not content yet.
    home_care: withoutTrailing(form.home_care, (h) => h.item_id === '' && h.personal_line === '').map((h) => ({
      item_id: h.item_id,
      personal_line: h.personal_line,
    })),
  };
}

function withoutTrailing<T>(rows: T[], blank: (row: T) => boolean): T[] {
  let end = rows.length;
  while (end > 0 && blank(rows[end - 1])) end -= 1;
  return rows.slice(0, end);
}

function withoutTrailingBlanks(rows: TechniqueRow[]): TechniqueRow[] {
  let end = rows.length;
  while (end > 0 && isBlankRow(rows[end - 1])) end -= 1;
  return rows.slice(0, end);
}

/** The warnings the last save returned for row `i`, if that row still holds the same technique. */
export function warningsFor(
  saved: Pick<Session, 'techniques'> | null,
  i: number,
  techniqueId: string,
): string[] {
  const t = saved?.techniques[i];
  return t && t.technique_id === techniqueId ? t.warnings : [];
}
