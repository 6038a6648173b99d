import { describe, expect, it } from 'vitest';
import { emptyMidasForm, MIDAS_QUESTIONS, midasInputFromForm } from './midasForm';

describe('the MIDAS form', () => {
  it('asks the five scored questions in the questionnaire’s order', () => {
    expect(MIDAS_QUESTIONS.map((q) => q.path)).toEqual([
      'missed_work',
      'reduced_work',
      'missed_household',
      'reduced_household',
      'missed_leisure',
    ]);
    expect(MIDAS_QUESTIONS.every((q) => q.label.includes('last 3 months'))).toBe(true);
  });

  it('sends blanks as null and numbers as typed (the core checks them)', () => {
    const f = emptyMidasForm('2026-11-30');
    f.missed_work = 2;
    f.reduced_work = 2.5;
    f.average_pain = Number.NaN;
    expect(midasInputFromForm(f)).toEqual({
      answered_on: '2026-11-30',
      missed_work: 2,
      reduced_work: 2.5,
      missed_household: null,
      reduced_household: null,
      missed_leisure: null,
      headache_days: null,
      average_pain: null,
    });
  });
});
