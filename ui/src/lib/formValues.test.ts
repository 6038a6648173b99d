import { describe, expect, it } from 'vitest';
import { dayOrNull, numberOrNull } from './formValues';

describe('form values', () => {
  it('reads number inputs: empty is null, anything else is a number', () => {
    expect(numberOrNull('')).toBeNull();
    expect(numberOrNull(null)).toBeNull();
    expect(numberOrNull(undefined)).toBeNull();
    expect(numberOrNull(Number.NaN)).toBeNull();
    expect(numberOrNull('7')).toBe(7);
    expect(numberOrNull('3.5')).toBe(3.5);
    expect(numberOrNull(0)).toBe(0);
  });

  it('sends empty date inputs as null so the core picks its default', () => {
    expect(dayOrNull('')).toBeNull();
    expect(dayOrNull('  ')).toBeNull();
    expect(dayOrNull('2025-03-01')).toBe('2025-03-01');
  });
});
