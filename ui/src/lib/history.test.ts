import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from './bindings/TimelineEvent';
import {
  MINUS,
  changePercentText,
  eventTone,
  eventWhen,
  formatNumber,
  formatSigned,
  headacheDaysChange,
  kindLabel,
  meanPainChange,
  meanPainChangeText,
  openLabel,
  painChartEmpty,
  painSummary,
  responderLabel,
  sectionFor,
  weeksText,
} from './history';

const event = (over: Partial<TimelineEvent>): TimelineEvent => ({
  kind: 'session',
  at: '2026-03-03T14:03:00Z',
  opens: 'session',
  record_id: 'r1',
  title: 'Session note',
  detail: '',
  by: 'Jane',
  needs_attention: false,
  ...over,
});

const pain = (before: number, after: number, started_at = '2026-03-03T10:00:00Z') => ({
  session_id: `s-${started_at}`,
  started_at,
  before,
  after,
  change: before - after,
  corrected: false,
});

describe('numbers', () => {
  it('shows whole numbers bare and others with one decimal, with a true minus', () => {
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(2.25)).toBe('2.3');
    expect(formatNumber(-58.3)).toBe(`${MINUS}58.3`);
    expect(formatNumber(-0.01)).toBe('0.0');
  });

  it('signs changes explicitly, but not zero', () => {
    expect(formatSigned(3)).toBe('+3.0');
    expect(formatSigned(-2.5)).toBe('−2.5');
    expect(formatSigned(0)).toBe('0.0');
    expect(formatSigned(-0.04)).toBe('0.0');
  });
});

describe('timeline', () => {
  it('dates intakes by day and everything else by date and time', () => {
    expect(eventWhen({ at: '2026-03-03' })).toBe('3 Mar 2026');
    const d = new Date('2026-03-03T14:03:00Z');
    expect(eventWhen({ at: '2026-03-03T14:03:00Z' })).toBe(
      `${d.getDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]} ${d.getFullYear()}, ${String(d.getHours()).padStart(2, '0')}:03`,
    );
  });

  it('labels each kind, and an unsigned session as a draft', () => {
    expect(kindLabel(event({ kind: 'intake' }))).toBe('Intake');
    expect(kindLabel(event({ kind: 'red_flags', needs_attention: true }))).toBe('Red flags');
    expect(kindLabel(event({ kind: 'acknowledgement' }))).toBe('Acknowledged');
    expect(kindLabel(event({ kind: 'session' }))).toBe('Session');
    expect(kindLabel(event({ kind: 'session', needs_attention: true }))).toBe('Draft');
    expect(kindLabel(event({ kind: 'amendment' }))).toBe('Amendment');
  });

  it('raises the alarm only for open red flags and warns for other open items', () => {
    expect(eventTone(event({ kind: 'red_flags', needs_attention: true }))).toBe('alarm');
    expect(eventTone(event({ kind: 'red_flags', needs_attention: false }))).toBe('plain');
    expect(eventTone(event({ kind: 'session', needs_attention: true }))).toBe('warning');
    expect(eventTone(event({ kind: 'session', needs_attention: false }))).toBe('plain');
  });

  it('names the record the button opens', () => {
    expect(openLabel({ opens: 'intake' })).toBe('Open intake');
    expect(openLabel({ opens: 'session' })).toBe('Open note');
    expect(openLabel({ opens: 'midas' })).toBe('Show MIDAS trend');
    expect(openLabel({ opens: 'care_plan' })).toBe('Show care plan');
  });

  it('labels a MIDAS and the care plan, and shows them in their cards on this screen', () => {
    expect(kindLabel(event({ kind: 'midas' }))).toBe('MIDAS');
    expect(kindLabel(event({ kind: 'care_plan' }))).toBe('Care plan');
    expect(sectionFor({ opens: 'midas' })).toBe('history-midas');
    expect(sectionFor({ opens: 'care_plan' })).toBe('history-care-plan');
    expect(sectionFor({ opens: 'session' })).toBeNull();
    expect(sectionFor({ opens: 'intake' })).toBeNull();
  });
});

describe('outcome figures', () => {
  it('labels every responder status', () => {
    expect(responderLabel('responder')).toBe('Responder');
    expect(responderLabel('not_yet')).toBe('Not yet a responder');
    expect(responderLabel('too_little_data')).toBe('Too little data');
    expect(responderLabel('not_measurable')).toBe('Not measurable');
  });

  it('shows the mean pain change as after minus before, with the count', () => {
    // The core sends before − after: 2.5 means 2.5 points of relief.
    const four = [pain(7, 4), pain(6, 4), pain(8, 5), pain(5, 3)];
    // The wording is the core's (`pain_change_text`, src/reports/outcomes.rs); this only adds n.
    const less = '2.5 points less pain after sessions (mean)';
    expect(meanPainChangeText({ pain_change_text: less, session_pain: four })).toBe(`${less} (n = 4)`);
    expect(meanPainChangeText({ pain_change_text: null, session_pain: [] })).toBe('—');
    expect(meanPainChange({ pain_change_text: less, session_pain: four })).toMatchObject({ value: less, count: 'n = 4' });
    expect(meanPainChange({ pain_change_text: null, session_pain: [] })).toEqual({
      value: '—',
      figure: null,
      words: '—',
      count: 'n = 0',
    });
  });

  it('lays the core\'s pain-change wording out as its figure and the words after it, not reworded', () => {
    const m = meanPainChange({ pain_change_text: '2.8 points less pain after sessions (mean)', session_pain: [] });
    expect(m.figure).toBe('2.8');
    expect(m.words).toBe('points less pain after sessions (mean)');
    expect(`${m.figure} ${m.words}`).toBe(m.value);
    const none = meanPainChange({ pain_change_text: 'no change in pain after sessions (mean)', session_pain: [] });
    expect(none.figure).toBeNull();
    expect(none.words).toBe('no change in pain after sessions (mean)');
  });

  it('shows the change in headache days and the weeks, or a dash', () => {
    expect(changePercentText(-58.3)).toBe('−58.3%');
    expect(changePercentText(25)).toBe('+25%');
    expect(changePercentText(0)).toBe('0%');
    expect(changePercentText(null)).toBe('—');
    const two = [
      { date: '2026-03-03', value: 12 },
      { date: '2026-06-02', value: 5 },
    ];
    expect(headacheDaysChange({ baseline_headache_days: 12, latest_headache_days: 5, headache_days: two })).toBe(
      '12 → 5 days / 30',
    );
    expect(headacheDaysChange({ baseline_headache_days: 12, latest_headache_days: null, headache_days: two })).toBe('');
    // One intake is both baseline and latest: no change to show.
    expect(
      headacheDaysChange({ baseline_headache_days: 6, latest_headache_days: 6, headache_days: two.slice(0, 1) }),
    ).toBe('');
    expect(weeksText(9)).toBe('9');
    expect(weeksText(0)).toBe('0');
    expect(weeksText(null)).toBe('—');
  });
});

describe('chart summaries', () => {
  // The headache chart's summary comes from the core (outcomes.rs: the headache chart is
  // summarised from its own points).

  it('describes the mean pain change within sessions in words', () => {
    const four = [pain(7, 4), pain(6, 4), pain(8, 5), pain(5, 1)];
    expect(painSummary({ pain_change_text: '3.0 points less pain after sessions (mean)', session_pain: four })).toBe(
      'Pain within sessions: 3.0 points less pain after sessions (mean), over 4 sessions.',
    );
    expect(painSummary({ pain_change_text: '1.0 point more pain after sessions (mean)', session_pain: [pain(3, 4)] })).toBe(
      'Pain within sessions: 1.0 point more pain after sessions (mean), over 1 session.',
    );
    expect(painSummary({ pain_change_text: null, session_pain: [] })).toBe(
      'Pain within sessions: not measured yet (0 sessions).',
    );
  });

  it('says why the pain chart is not drawn', () => {
    expect(painChartEmpty(0)).toBe('No signed session with pain before and after yet.');
    expect(painChartEmpty(1)).toMatch(/second/);
  });
});
