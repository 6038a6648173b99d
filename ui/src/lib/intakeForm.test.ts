import { describe, expect, it } from 'vitest';
import { emptyIntakeForm, intakeInputFromForm, painSitesFromForm, todayLocal } from './intakeForm';

describe('intake form', () => {
  it('starts on today, with nothing else filled', () => {
    expect(todayLocal(new Date(2026, 10, 2, 23, 59))).toBe('2026-11-02');
    const input = intakeInputFromForm(emptyIntakeForm('2026-11-02'), []);
    expect(input.assessed_on).toBe('2026-11-02');
    expect(input.headache_type).toBeNull();
    expect(input.headache_days).toBeNull();
    expect(input.pain_sites).toEqual([]);
  });

  it('builds pain sites from one choice per location, in list order, skipping “not present”', () => {
    expect(
      painSitesFromForm({ neck: 'left', temples: 'both', forehead: '' }, ['forehead', 'temples', 'behind_eyes', 'neck']),
    ).toEqual([
      { location: 'temples', side: 'both' },
      { location: 'neck', side: 'left' },
    ]);
    // a location the list does not know (vocabulary not loaded) still goes
    expect(painSitesFromForm({ jaw: 'right' }, [])).toEqual([{ location: 'jaw', side: 'right' }]);
  });

  it('sends numbers as typed (decimals too) and the unknown headache type as null', () => {
    const form = emptyIntakeForm('2026-11-02');
    form.headache_days = 12;
    form.usual_duration_hours = 3.5;
    form.usual_intensity = 6.5;
    form.headache_type = 'tension_type';
    form.triggers = ['stress'];
    form.red_flags = ['thunderclap'];
    const input = intakeInputFromForm(form, []);
    expect(input.headache_days).toBe(12);
    expect(input.usual_duration_hours).toBe(3.5);
    expect(input.usual_intensity).toBe(6.5);
    expect(input.headache_type).toBe('tension_type');
    expect(input.triggers).toEqual(['stress']);
    expect(input.red_flags).toEqual(['thunderclap']);
  });
});
