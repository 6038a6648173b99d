// The headache diary on screen: a month's rows for the grid, the calendar's cells, and the
// plain conversions between what the core returns and what a row edits. No rule lives here:
// the core checks every day (`src/domain/diary.rs`).

import type { DiaryDay } from './bindings/DiaryDay';
import type { DiaryDayInput } from './bindings/DiaryDayInput';
import type { DiaryMonth } from './bindings/DiaryMonth';
import { pad2 } from './format';

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "2026-11" as "November 2026". */
export function monthTitle(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  return `${MONTH_NAMES[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

export function emptyInput(day: string): DiaryDayInput {
  return {
    day,
    headache: false,
    peak_intensity: null,
    duration_hours: null,
    acute_meds: [],
    triggers: [],
    sleep_hours: null,
    sleep_quality: null,
    stress: null,
    menstruation: null,
    note: '',
  };
}

/** A stored day as the row edits it. */
export function inputOf(d: DiaryDay): DiaryDayInput {
  return {
    day: d.day,
    headache: d.headache,
    peak_intensity: d.peak_intensity,
    duration_hours: d.duration_hours,
    acute_meds: [...d.acute_meds],
    triggers: [...d.triggers],
    sleep_hours: d.sleep_hours,
    sleep_quality: d.sleep_quality,
    stress: d.stress,
    menstruation: d.menstruation,
    note: d.note,
  };
}

/** Nothing typed on the row (a day the diary does not hold stays out of it). */
export function isBlank(i: DiaryDayInput): boolean {
  return (
    !i.headache &&
    i.peak_intensity === null &&
    i.duration_hours === null &&
    i.acute_meds.length === 0 &&
    i.triggers.length === 0 &&
    i.sleep_hours === null &&
    i.sleep_quality === null &&
    i.stress === null &&
    i.menstruation === null &&
    i.note.trim() === ''
  );
}

/** A comparable form of a row (lists in order, numbers as numbers, an empty box as null). */
export function rowKey(i: DiaryDayInput): string {
  const n = (v: number | null | undefined | string) => (v === '' || v === undefined || v === null ? null : Number(v));
  return JSON.stringify({
    ...i,
    peak_intensity: n(i.peak_intensity),
    duration_hours: n(i.duration_hours),
    sleep_hours: n(i.sleep_hours),
    sleep_quality: n(i.sleep_quality),
    stress: n(i.stress),
    acute_meds: [...i.acute_meds].sort(),
    triggers: [...i.triggers].sort(),
    note: i.note.trim(),
  });
}

export interface DiaryRowData {
  day: string;
  /** "Tue 3". */
  label: string;
  /** "3 November 2026", for the labels screen readers hear. */
  longLabel: string;
  weekend: boolean;
  stored: DiaryDay | null;
}

/** The month's days up to today, one row each, with what the diary holds for them. */
export function monthRows(m: DiaryMonth): DiaryRowData[] {
  const byDay = new Map(m.days.map((d) => [d.day, d]));
  const rows: DiaryRowData[] = [];
  for (let n = 1; n <= m.days_in_month; n++) {
    const day = `${m.month}-${pad2(n)}`;
    if (day > m.today) break;
    const wd = (m.first_weekday + n - 1) % 7;
    rows.push({
      day,
      label: `${WEEKDAYS[wd]} ${n}`,
      longLabel: `${n} ${monthTitle(m.month)}`,
      weekend: wd >= 5,
      stored: byDay.get(day) ?? null,
    });
  }
  return rows;
}

/** How a headache day is shaded on the calendar, by its peak intensity. */
export type Shade = 'none' | 'mild' | 'moderate' | 'severe';

export const SHADES: { shade: Shade; label: string }[] = [
  { shade: 'none', label: 'No headache' },
  { shade: 'mild', label: 'Headache, peak 0–3' },
  { shade: 'moderate', label: 'Headache, peak 4–6' },
  { shade: 'severe', label: 'Headache, peak 7–10' },
];

export function shadeOf(d: DiaryDay): Shade {
  if (!d.headache) return 'none';
  const p = d.peak_intensity ?? 0;
  return p >= 7 ? 'severe' : p >= 4 ? 'moderate' : 'mild';
}

export interface CalendarCell {
  /** 1–31; null for the blanks before the 1st. */
  n: number | null;
  day: string;
  entry: DiaryDay | null;
}

/** The month as weeks of seven cells, Monday first. */
export function calendarWeeks(m: DiaryMonth): CalendarCell[][] {
  const byDay = new Map(m.days.map((d) => [d.day, d]));
  const cells: CalendarCell[] = [];
  for (let i = 0; i < m.first_weekday; i++) cells.push({ n: null, day: '', entry: null });
  for (let n = 1; n <= m.days_in_month; n++) {
    const day = `${m.month}-${pad2(n)}`;
    cells.push({ n, day, entry: byDay.get(day) ?? null });
  }
  while (cells.length % 7 !== 0) cells.push({ n: null, day: '', entry: null });
  const weeks: CalendarCell[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

export const WEEKDAY_NAMES = WEEKDAYS;

/** The month's headache days and the diary days recorded, for the calendar's summary line. */
export function monthSummary(m: DiaryMonth): string {
  const headache = m.days.filter((d) => d.headache).length;
  if (m.days.length === 0) return `No diary days recorded in ${monthTitle(m.month)}.`;
  return `${monthTitle(m.month)}: ${headache} headache ${headache === 1 ? 'day' : 'days'} of ${m.days.length} ${
    m.days.length === 1 ? 'day' : 'days'
  } recorded.`;
}
