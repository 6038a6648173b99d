// The MIDAS form's state and the input it sends. The questions are worded as the
// questionnaire asks them; the score and grade come from the core.

import type { MidasInput } from './bindings/MidasInput';

export type MidasQuestionPath = 'missed_work' | 'reduced_work' | 'missed_household' | 'reduced_household' | 'missed_leisure';

export type MidasFormState = {
  answered_on: string;
} & Record<MidasQuestionPath | 'headache_days' | 'average_pain', number | null>;

export const MIDAS_QUESTIONS: readonly { path: MidasQuestionPath; label: string; help: string }[] = [
  {
    path: 'missed_work',
    label: 'On how many days in the last 3 months did you miss work or school because of your headaches?',
    help: '',
  },
  {
    path: 'reduced_work',
    label:
      'How many days in the last 3 months was your productivity at work or school reduced by half or more because of your headaches?',
    help: 'Do not include days counted in question 1 where you missed work or school.',
  },
  {
    path: 'missed_household',
    label: 'On how many days in the last 3 months did you not do household work because of your headaches?',
    help: '',
  },
  {
    path: 'reduced_household',
    label:
      'How many days in the last 3 months was your productivity in household work reduced by half or more because of your headaches?',
    help: 'Do not include days counted in question 3 where you did not do household work.',
  },
  {
    path: 'missed_leisure',
    label: 'On how many days in the last 3 months did you miss family, social or leisure activities because of your headaches?',
    help: '',
  },
];

export function emptyMidasForm(today: string): MidasFormState {
  return {
    answered_on: today,
    missed_work: null,
    reduced_work: null,
    missed_household: null,
    reduced_household: null,
    missed_leisure: null,
    headache_days: null,
    average_pain: null,
  };
}

/** A number box left empty (or cleared) is null: the core says whether it was required. */
const num = (v: number | null | undefined): number | null => (typeof v === 'number' && !Number.isNaN(v) ? v : null);

export function midasInputFromForm(f: MidasFormState): MidasInput {
  return {
    answered_on: f.answered_on,
    missed_work: num(f.missed_work),
    reduced_work: num(f.reduced_work),
    missed_household: num(f.missed_household),
    reduced_household: num(f.reduced_household),
    missed_leisure: num(f.missed_leisure),
    headache_days: num(f.headache_days),
    average_pain: num(f.average_pain),
  };
}
