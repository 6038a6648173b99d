import { describe, expect, it } from 'vitest';
import { ageLine, countText, groupThousands, formatDate, formatInstant, fullName, instantDate, listName, localDay, pad2, quotedPreferred } from './format';

const n = (first_name: string, last_name: string, preferred_name = '') => ({ first_name, last_name, preferred_name });

describe('names', () => {
  it('lists as "Last, First" and heads as "First Last"', () => {
    expect(listName(n('Ann', 'Lee'))).toBe('Lee, Ann');
    expect(fullName(n('Ann', 'Lee'))).toBe('Ann Lee');
  });

  it('never shows a dangling comma', () => {
    expect(listName(n('Ann', ''))).toBe('Ann');
    expect(listName(n('', 'Lee'))).toBe('Lee');
    expect(listName(n(' ', ' '))).toBe('Unnamed client');
  });

  it('quotes the preferred name only when there is one', () => {
    expect(quotedPreferred(n('Joanna', 'Lee', 'Jo'))).toBe('“Jo”');
    expect(quotedPreferred(n('Joanna', 'Lee'))).toBe('');
  });

  it('leaves markup as plain text (escaping is the view’s job)', () => {
    expect(listName(n('<img src=x onerror=alert(1)>', 'Lee'))).toBe('Lee, <img src=x onerror=alert(1)>');
  });
});

describe('dates', () => {
  it('shows calendar dates unambiguously', () => {
    expect(formatDate('1985-03-07')).toBe('7 Mar 1985');
    expect(formatDate('2000-12-31')).toBe('31 Dec 2000');
    expect(formatDate(null)).toBe('');
    expect(formatDate('not a date')).toBe('not a date');
  });

  it('shows instants in local time', () => {
    const local = new Date(2025, 2, 12, 14, 3).toISOString();
    expect(formatInstant(local)).toBe('12 Mar 2025, 14:03');
    expect(formatInstant('garbage')).toBe('garbage');
  });

  it('says the age with the date of birth', () => {
    expect(ageLine(38, '1985-03-07')).toBe('38 years old · born 7 Mar 1985');
    expect(ageLine(1, '2024-01-01')).toBe('1 year old · born 1 Jan 2024');
    expect(ageLine(0, '2025-01-01')).toBe('Under 1 year old · born 1 Jan 2025');
    expect(ageLine(null, null)).toBe('Date of birth not recorded');
  });
});

describe('counts', () => {
  it('counts clients, with thousands grouped', () => {
    expect(countText(1)).toBe('1 client');
    expect(countText(12)).toBe('12 clients');
    expect(countText(0)).toBe('0 clients');
    expect(countText(999)).toBe('999 clients');
    expect(countText(1000)).toBe('1,000 clients');
    expect(countText(100_000)).toBe('100,000 clients');
    expect(countText(1_234_567)).toBe('1,234,567 clients');
  });

  it('groups thousands the same in every locale', () => {
    expect(groupThousands(0)).toBe('0');
    expect(groupThousands(340)).toBe('340');
    expect(groupThousands(4_800_000)).toBe('4,800,000');
    expect(groupThousands(-12_000)).toBe('-12,000');
  });
});

describe('days and counts', () => {
  it('groups thousands whatever the locale', () => {
    expect(groupThousands(1234)).toBe('1,234');
    expect(groupThousands(1234567)).toBe('1,234,567');
    expect(groupThousands(12)).toBe('12');
  });

  it('gives the local day of an instant', () => {
    expect(instantDate('2026-03-12T12:00:00Z')).toMatch(/^1[123] Mar 2026$/);
    expect(instantDate(null)).toBe('');
    expect(instantDate('soon')).toBe('soon');
  });

  it('writes a day as a date input holds it', () => {
    expect(localDay(new Date(2026, 2, 5))).toBe('2026-03-05');
    expect(pad2(7)).toBe('07');
  });
});
