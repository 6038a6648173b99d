import { describe, expect, it } from 'vitest';
import {
  actionTone,
  flagLabels,
  hoursOpenText,
  lastIntakeText,
  oneDecimal,
  painChange,
  periodCaption,
  periodRange,
  periodText,
  respondersText,
} from './dashboard';

describe('period', () => {
  it('captions the period with unambiguous dates', () => {
    expect(periodCaption('2025-03-01', '2025-03-30')).toBe('Sessions per therapist, 1 Mar 2025 – 30 Mar 2025');
    expect(periodText('2025-03-01', '2025-03-30')).toBe('1 Mar 2025 – 30 Mar 2025');
    expect(periodText('2025-03-05', '2025-03-05')).toBe('5 Mar 2025');
    expect(periodRange('2025-03-05', '2025-03-05')).toBe('5 Mar 2025 – 5 Mar 2025');
  });
});

describe('tiles and rows', () => {
  it('only flags a tile when there is something to do', () => {
    expect(actionTone(0, 'alarm')).toBe('normal');
    expect(actionTone(2, 'alarm')).toBe('alarm');
    expect(actionTone(1, 'warning')).toBe('warning');
  });

  it('says how long a note has been open', () => {
    expect(hoursOpenText(1)).toBe('open 1 hour');
    expect(hoursOpenText(30)).toBe('open 30 hours');
    expect(hoursOpenText(74)).toBe('open 3 days (74 hours)');
    expect(hoursOpenText(17324)).toBe('open 721 days (17,324 hours)');
  });

  it('says "never" for a client without an intake', () => {
    expect(lastIntakeText(null)).toBe('never');
    expect(lastIntakeText('2025-01-03')).toBe('3 Jan 2025');
  });

  it('labels red flags from the vocabulary, or readably without it', () => {
    const options = [{ id: 'thunderclap' as const, label: 'Thunderclap onset' }];
    expect(flagLabels(['thunderclap', 'recent_head_neck_injury'], options)).toEqual([
      'Thunderclap onset',
      'recent head neck injury',
    ]);
    expect(flagLabels(['fever'], undefined)).toEqual(['fever']);
  });
});

describe('outcomes by technique', () => {
  it('rounds to one decimal without a trailing ".0"', () => {
    expect(oneDecimal(2.5)).toBe('2.5');
    expect(oneDecimal(3)).toBe('3');
    expect(oneDecimal(2.04)).toBe('2');
    expect(oneDecimal(-0.01)).toBe('0');
  });

  it("shows the core's pain change wording, with the sessions it rests on", () => {
    // The wording is the core's (`pain_change_text`, src/reports/outcomes.rs); this only adds n.
    const less = '2.5 points less pain after sessions (mean)';
    expect(painChange(less, 4)).toEqual({ text: less, count: '(n = 4 sessions)' });
    expect(painChange('1.0 point less pain after sessions (mean)', 1)).toEqual({
      text: '1.0 point less pain after sessions (mean)',
      count: '(n = 1 session)',
    });
  });

  it('shows a dash and n = 0 when no session recorded pain before and after', () => {
    expect(painChange(null, 0)).toEqual({ text: '—', count: '(n = 0)' });
  });

  it('gives responders as "x of y clients (z%)"', () => {
    expect(respondersText({ responders: 2, clients_measurable: 3, responder_share_percent: 66.7 })).toBe(
      '2 of 3 clients (67%)',
    );
    expect(respondersText({ responders: 1, clients_measurable: 1, responder_share_percent: 100 })).toBe(
      '1 of 1 client (100%)',
    );
    expect(respondersText({ responders: 0, clients_measurable: 4, responder_share_percent: 0 })).toBe(
      '0 of 4 clients (0%)',
    );
  });

  it('says so when no client is measurable yet', () => {
    expect(respondersText({ responders: 0, clients_measurable: 0, responder_share_percent: null })).toBe(
      'no measurable clients yet',
    );
  });
});
