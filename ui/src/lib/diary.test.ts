import { describe, expect, it } from 'vitest';
import type { DiaryMonth } from './bindings/DiaryMonth';
import { calendarWeeks, emptyInput, inputOf, isBlank, monthRows, monthSummary, monthTitle, rowKey, shadeOf } from './diary';

const day = (d: string, headache: boolean, peak: number | null) => ({
  ...emptyInput(d),
  headache,
  peak_intensity: peak,
  corrections: [],
  reason_needed: false,
});

const nov: DiaryMonth = {
  month: '2026-11',
  first_weekday: 6,
  days_in_month: 30,
  days: [day('2026-11-03', true, 7), day('2026-11-04', false, null)],
  previous: '2026-10',
  next: '2026-12',
  latest_month: '2026-11',
  today: '2026-11-05',
};

describe('diary', () => {
  it('names the month', () => {
    expect(monthTitle('2026-11')).toBe('November 2026');
  });

  it('lists the days up to today, with what the diary holds', () => {
    const rows = monthRows(nov);
    expect(rows.map((r) => r.label)).toEqual(['Sun 1', 'Mon 2', 'Tue 3', 'Wed 4', 'Thu 5']);
    expect(rows[2].stored?.peak_intensity).toBe(7);
    expect(rows[0].weekend).toBe(true);
  });

  it('lays the month out in weeks starting on Monday', () => {
    const weeks = calendarWeeks(nov);
    expect(weeks.length).toBe(6);
    expect(weeks[0].slice(0, 6).every((c) => c.n === null)).toBe(true);
    expect(weeks[0][6].n).toBe(1);
    expect(weeks[1][1].entry?.headache).toBe(true);
  });

  it('shades by peak intensity and leaves clear days plain', () => {
    expect(shadeOf(day('x', true, 7))).toBe('severe');
    expect(shadeOf(day('x', true, 4))).toBe('moderate');
    expect(shadeOf(day('x', true, 0))).toBe('mild');
    expect(shadeOf(day('x', false, null))).toBe('none');
    expect(monthSummary(nov)).toBe('November 2026: 1 headache day of 2 days recorded.');
  });

  it('tells a blank row and compares rows whatever the order of their lists', () => {
    expect(isBlank(emptyInput('2026-11-01'))).toBe(true);
    const a = { ...emptyInput('d'), triggers: ['stress', 'poor_sleep'] as never, note: 'x ' };
    const b = { ...emptyInput('d'), triggers: ['poor_sleep', 'stress'] as never, note: 'x' };
    expect(rowKey(a)).toBe(rowKey(b));
    expect(isBlank(a)).toBe(false);
  });
});

describe('inputOf', () => {
  it('sends only what the day input holds (the core refuses unknown fields)', () => {
    const stored = { ...day('2026-11-03', true, 7), reason_needed: true };
    expect(Object.keys(inputOf(stored)).sort()).toEqual(Object.keys(emptyInput('2026-11-03')).sort());
    expect(inputOf(stored).peak_intensity).toBe(7);
  });
});
