import { describe, expect, it } from 'vitest';
import type { Session } from './bindings/Session';
import {
  formFromSession,
  fromLocalInput,
  inputFromForm,
  marksToList,
  nextMark,
  startedAtFor,
  toLocalInput,
  warningsFor,
} from './sessionForm';

const session = (over: Partial<Session> = {}): Session => ({
  id: 's1',
  client_id: 'c1',
  therapist: 'ann',
  status: 'draft',
  started_at: new Date(2026, 10, 2, 9, 5, 42).toISOString(),
  duration_minutes: null,
  subjective: '',
  headache_since_last: '',
  objective: '',
  assessment: '',
  plan: '',
  pain_before: null,
  pain_after: null,
  headache_at_start: false,
  techniques: [],
  marks: [],
  chart: [],
  signed_by: null,
  signed_by_name: null,
  signed_at: null,
  home_care: [],
  amendments: [],
  corrected: [],
  version: 1,
  created_at: '',
  updated_at: '',
  ...over,
});

describe('body chart click cycle', () => {
  it('goes not marked → tension → trigger point → pain → treated → not marked', () => {
    const seen: (string | undefined)[] = [];
    let k = nextMark(undefined);
    for (let i = 0; i < 5; i++) {
      seen.push(k);
      k = nextMark(k);
    }
    expect(seen).toEqual(['tension', 'trigger_point', 'pain', 'treated', undefined]);
  });

  it('follows the order of the vocabulary it is given', () => {
    expect(nextMark(undefined, ['pain', 'treated'])).toBe('pain');
    expect(nextMark('pain', ['pain', 'treated'])).toBe('treated');
    expect(nextMark('treated', ['pain', 'treated'])).toBeUndefined();
    expect(nextMark('tension', ['pain', 'treated'])).toBeUndefined();
    expect(nextMark(undefined, [])).toBeUndefined();
  });

  it('sends marks as region ids and kinds, in region order, without unmarked regions', () => {
    expect(
      marksToList({ temporalis_right: 'trigger_point', frontalis: undefined, upper_trapezius_right: 'tension' }, [
        'upper_trapezius_right',
        'temporalis_right',
      ]),
    ).toEqual([
      { region: 'upper_trapezius_right', kind: 'tension' },
      { region: 'temporalis_right', kind: 'trigger_point' },
    ]);
  });
});

describe('local date and time', () => {
  it('shows an instant in local time for a datetime-local input', () => {
    expect(toLocalInput(new Date(2026, 0, 5, 7, 3, 59).toISOString())).toBe('2026-01-05T07:03');
    expect(toLocalInput('nonsense')).toBe('');
  });

  it('converts the input back to a UTC instant', () => {
    const local = '2026-03-29T14:30';
    const iso = fromLocalInput(local);
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    expect(new Date(iso).getTime()).toBe(new Date(2026, 2, 29, 14, 30).getTime());
    expect(toLocalInput(iso)).toBe(local);
  });

  it('sends empty or unreadable input as typed, for the core to answer', () => {
    expect(fromLocalInput('')).toBe('');
    expect(fromLocalInput('2026-13-45Tzz')).toBe('2026-13-45Tzz');
  });

  it('keeps the stored instant (with its seconds) while the input is unchanged', () => {
    const stored = new Date(2026, 10, 2, 9, 5, 42).toISOString();
    expect(startedAtFor(toLocalInput(stored), stored)).toBe(stored);
    expect(startedAtFor('2026-11-02T10:00', stored)).toBe(new Date(2026, 10, 2, 10, 0).toISOString());
  });
});

describe('the note sent on save', () => {
  it('round-trips a stored note', () => {
    const s = session({
      duration_minutes: 60,
      subjective: 'Two migraines',
      pain_before: 6,
      headache_at_start: true,
      techniques: [
        {
          technique_id: 't1',
          technique_name: 'Trigger point therapy',
          regions: ['upper_trapezius_right'],
          pressure: 'moderate',
          minutes: 25,
          reason: 'Referred pain',
          warnings: [],
        },
      ],
      marks: [{ region: 'temporalis_right', kind: 'pain' }],
      home_care: [{ item_id: 'h1', title: 'Chin tucks', instructions: 'Slide the chin back.', personal_line: 'Hold 5 s' }],
    });
    const input = inputFromForm(formFromSession(s), s.started_at);
    expect(input).toEqual({
      started_at: s.started_at,
      duration_minutes: 60,
      subjective: 'Two migraines',
      headache_since_last: '',
      objective: '',
      assessment: '',
      plan: '',
      pain_before: 6,
      pain_after: null,
      headache_at_start: true,
      techniques: [
        { technique_id: 't1', regions: ['upper_trapezius_right'], pressure: 'moderate', minutes: 25, reason: 'Referred pain' },
      ],
      marks: [{ region: 'temporalis_right', kind: 'pain' }],
      home_care: [{ item_id: 'h1', personal_line: 'Hold 5 s' }],
    });
  });

  it('sends an unchosen pressure and empty numbers as null, and decimals as they are', () => {
    const s = session();
    const form = formFromSession(s);
    form.pain_after = 3.5;
    form.techniques.push({ key: 1, technique_id: '', regions: [], pressure: '', minutes: 2.5, reason: '' });
    const input = inputFromForm(form, s.started_at);
    expect(input.pain_after).toBe(3.5);
    expect(input.techniques[0]).toEqual({ technique_id: '', regions: [], pressure: null, minutes: 2.5, reason: '' });
  });

  it('leaves out untouched rows at the end, keeping positions of the rows before them', () => {
    const s = session();
    const form = formFromSession(s);
    const blank = () => ({ key: 0, technique_id: '', regions: [], pressure: '' as const, minutes: null, reason: '' });
    form.techniques.push(blank(), { ...blank(), technique_id: 't1' }, blank(), blank());
    const input = inputFromForm(form, s.started_at);
    expect(input.techniques.map((t) => t.technique_id)).toEqual(['', 't1']);
    form.techniques = [blank()];
    expect(inputFromForm(form, s.started_at).techniques).toEqual([]);
  });

  it('leaves out untouched home-care rows at the end, and sends the rest in order', () => {
    const s = session();
    const form = formFromSession(s);
    const row = (item_id: string, personal_line: string) => ({ key: 0, item_id, personal_line });
    form.home_care.push(row('', 'hold 20 s'), row('h2', ''), row('', ''), row('', ''));
    expect(inputFromForm(form, s.started_at).home_care).toEqual([
      { item_id: '', personal_line: 'hold 20 s' },
      { item_id: 'h2', personal_line: '' },
    ]);
    form.home_care = [row('', '')];
    expect(inputFromForm(form, s.started_at).home_care).toEqual([]);
  });
});

describe('technique warnings', () => {
  it('belong to the row only while it holds the technique they were computed for', () => {
    const saved = {
      techniques: [
        {
          technique_id: 't5',
          technique_name: 'Cervical stretching',
          regions: [],
          pressure: null,
          minutes: null,
          reason: '',
          warnings: ['Recent neck injury: avoid cervical stretching.'],
        },
      ],
    };
    expect(warningsFor(saved, 0, 't5')).toEqual(['Recent neck injury: avoid cervical stretching.']);
    expect(warningsFor(saved, 0, 't1')).toEqual([]);
    expect(warningsFor(saved, 1, 't5')).toEqual([]);
    expect(warningsFor(null, 0, 't5')).toEqual([]);
  });
});
