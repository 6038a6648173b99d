import { describe, expect, it } from 'vitest';
import type { CarePlanState } from './bindings/CarePlanState';
import { carePlanForm, carePlanInputFromForm } from './carePlanForm';

const none: CarePlanState = { plan: null, adherence: null, intake_goals: 'Fewer headaches' };

describe('the care-plan form', () => {
  it('starts a new plan from the latest intake’s goals', () => {
    const f = carePlanForm(none, '2026-11-30');
    expect(f.goals).toBe('Fewer headaches');
    expect(f.starts_on).toBe('2026-11-30');
    expect(f.phases.length).toBe(2);
  });

  it('opens on the current plan, and sends blank numbers and units as null', () => {
    const state: CarePlanState = {
      ...none,
      plan: {
        client_id: 'c1',
        goals: 'Sleep better',
        phases: [{ every: 2, unit: 'weeks', for_weeks: null }],
        frequency: 'every 2 weeks',
        starts_on: '2026-09-01',
        next_reassessment_on: null,
        shared_with_physician: true,
        updated_by: 'tess',
        updated_at: '2026-09-01T10:00:00Z',
      },
    };
    const f = carePlanForm(state, '2026-11-30');
    expect(f.goals).toBe('Sleep better');
    expect(f.next_reassessment_on).toBe('');
    f.phases.push({ every: null, unit: '', for_weeks: 4 });
    expect(carePlanInputFromForm(f).phases).toEqual([
      { every: 2, unit: 'weeks', for_weeks: null },
      { every: null, unit: null, for_weeks: 4 },
    ]);
  });
});
