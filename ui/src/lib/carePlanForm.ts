// The care-plan form's state and the input it sends. The adherence and the frequency in
// words come from the core.

import type { CarePlanInput } from './bindings/CarePlanInput';
import type { CarePlanState } from './bindings/CarePlanState';
import type { FrequencyUnit } from './bindings/FrequencyUnit';

export interface PhaseForm {
  every: number | null;
  unit: FrequencyUnit | '';
  for_weeks: number | null;
}

export interface CarePlanFormState {
  goals: string;
  phases: PhaseForm[];
  starts_on: string;
  next_reassessment_on: string;
  shared_with_physician: boolean;
}

export const UNIT_OPTIONS: readonly { value: FrequencyUnit; label: string }[] = [
  { value: 'weeks', label: 'weeks' },
  { value: 'days', label: 'days' },
];

export const newPhase = (): PhaseForm => ({ every: 1, unit: 'weeks', for_weeks: null });

/** The form for a client: their current plan, or a new one with the latest intake's goals. */
export function carePlanForm(state: CarePlanState, today: string): CarePlanFormState {
  const p = state.plan;
  if (!p) {
    return {
      goals: state.intake_goals,
      phases: [{ every: 1, unit: 'weeks', for_weeks: 6 }, { every: 2, unit: 'weeks', for_weeks: null }],
      starts_on: today,
      next_reassessment_on: '',
      shared_with_physician: false,
    };
  }
  return {
    goals: p.goals,
    phases: p.phases.map((ph) => ({ every: ph.every, unit: ph.unit, for_weeks: ph.for_weeks })),
    starts_on: p.starts_on,
    next_reassessment_on: p.next_reassessment_on ?? '',
    shared_with_physician: p.shared_with_physician,
  };
}

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && !Number.isNaN(v) ? v : null);

export function carePlanInputFromForm(f: CarePlanFormState): CarePlanInput {
  return {
    goals: f.goals,
    phases: f.phases.map((p) => ({ every: num(p.every), unit: p.unit === '' ? null : p.unit, for_weeks: num(p.for_weeks) })),
    starts_on: f.starts_on,
    next_reassessment_on: f.next_reassessment_on,
    shared_with_physician: f.shared_with_physician,
  };
}
