import { describe, expect, it } from 'vitest';
import { labelFor, markLabel, options, pressureOptions } from './vocabulary';

describe('vocabulary labels', () => {
  const pressures = [
    { id: 'light' as const, label: 'Light' },
    { id: 'moderate' as const, label: 'Moderate' },
    { id: 'firm' as const, label: 'Firm' },
  ];

  it('offers "Not stated" before the core’s pressures', () => {
    expect(pressureOptions(pressures)).toEqual([
      { value: '', label: 'Not stated' },
      { value: 'light', label: 'Light' },
      { value: 'moderate', label: 'Moderate' },
      { value: 'firm', label: 'Firm' },
    ]);
  });

  it('makes the options of a choice from a vocabulary, none while it is not loaded', () => {
    expect(options(pressures.slice(0, 1))).toEqual([{ value: 'light', label: 'Light' }]);
    expect(options(undefined)).toEqual([]);
  });

  it('labels an id from the vocabulary, or readably without one', () => {
    expect(labelFor(pressures, 'firm')).toBe('Firm');
    expect(labelFor(undefined, 'recent_neck_injury')).toBe('recent neck injury');
  });

  it('labels a mark for screen readers', () => {
    expect(markLabel(undefined, [])).toBe('not marked');
    expect(markLabel('trigger_point', [{ id: 'trigger_point', label: 'Trigger point' }])).toBe('Trigger point');
    expect(markLabel('trigger_point', undefined)).toBe('trigger point');
  });
});
