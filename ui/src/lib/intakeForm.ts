// The symptom intake form: its state and the IntakeInput it sends. No rule lives here: the
// core checks ranges, required fields and how the answers relate, and says which field.

import type { AcuteMedKind } from './bindings/AcuteMedKind';
import type { HeadacheType } from './bindings/HeadacheType';
import type { IntakeInput } from './bindings/IntakeInput';
import type { PainLocation } from './bindings/PainLocation';
import type { PainSite } from './bindings/PainSite';
import type { RedFlag } from './bindings/RedFlag';
import type { Side } from './bindings/Side';
import type { Symptom } from './bindings/Symptom';
import type { Trigger } from './bindings/Trigger';
import { localDay } from './format';
import { numberOrNull } from './formValues';

export interface IntakeFormState {
  assessed_on: string;
  headache_type: '' | HeadacheType;
  physician_diagnosed: boolean;
  headache_days: number | null;
  migraine_days: number | null;
  usual_intensity: number | null;
  worst_intensity: number | null;
  usual_duration_hours: number | null;
  acute_med_days: number | null;
  acute_med_kinds: AcuteMedKind[];
  triggers: Trigger[];
  trigger_notes: string;
  /** One choice per location: '' is "not present". */
  pain_sites: Partial<Record<PainLocation, '' | Side>>;
  symptoms: Symptom[];
  sleep_quality: number | null;
  sleep_hours: number | null;
  stress: number | null;
  red_flags: RedFlag[];
  goals: string;
  notes: string;
}

export type IntakeField = keyof IntakeInput;

/** Today's calendar date on this machine, `YYYY-MM-DD`. */
export function todayLocal(now: Date = new Date()): string {
  return localDay(now);
}

export function emptyIntakeForm(today: string): IntakeFormState {
  return {
    assessed_on: today,
    headache_type: '',
    physician_diagnosed: false,
    headache_days: null,
    migraine_days: null,
    usual_intensity: null,
    worst_intensity: null,
    usual_duration_hours: null,
    acute_med_days: null,
    acute_med_kinds: [],
    triggers: [],
    trigger_notes: '',
    pain_sites: {},
    symptoms: [],
    sleep_quality: null,
    sleep_hours: null,
    stress: null,
    red_flags: [],
    goals: '',
    notes: '',
  };
}

/** The pain-site choices as `[{location, side}]`, in the order the locations are listed. */
export function painSitesFromForm(
  sites: Partial<Record<PainLocation, '' | Side>>,
  locationOrder: readonly PainLocation[],
): PainSite[] {
  const order = [...locationOrder];
  for (const l of Object.keys(sites) as PainLocation[]) if (!order.includes(l)) order.push(l);
  const out: PainSite[] = [];
  for (const location of order) {
    const side = sites[location];
    if (side) out.push({ location, side });
  }
  return out;
}

export function intakeInputFromForm(form: IntakeFormState, locationOrder: readonly PainLocation[]): IntakeInput {
  return {
    assessed_on: form.assessed_on,
    headache_type: form.headache_type === '' ? null : form.headache_type,
    physician_diagnosed: form.physician_diagnosed,
    headache_days: numberOrNull(form.headache_days),
    migraine_days: numberOrNull(form.migraine_days),
    usual_intensity: numberOrNull(form.usual_intensity),
    worst_intensity: numberOrNull(form.worst_intensity),
    usual_duration_hours: numberOrNull(form.usual_duration_hours),
    acute_med_days: numberOrNull(form.acute_med_days),
    acute_med_kinds: [...form.acute_med_kinds],
    triggers: [...form.triggers],
    trigger_notes: form.trigger_notes,
    pain_sites: painSitesFromForm(form.pain_sites, locationOrder),
    symptoms: [...form.symptoms],
    sleep_quality: numberOrNull(form.sleep_quality),
    sleep_hours: numberOrNull(form.sleep_hours),
    stress: numberOrNull(form.stress),
    red_flags: [...form.red_flags],
    goals: form.goals,
    notes: form.notes,
  };
}
