import { describe, expect, it } from 'vitest';
import type { SearchResults } from './bindings/SearchResults';
import {
  emptySuggestion,
  hitDate,
  hitKindLabel,
  hitTarget,
  isBlank,
  quotedQuery,
  shownCount,
  summaryText,
} from './search';

describe('query', () => {
  it('treats whitespace as an empty box', () => {
    expect(isBlank('')).toBe(true);
    expect(isBlank('   ')).toBe(true);
    expect(isBlank(' trap ')).toBe(false);
  });

  it('quotes the text back trimmed, markup and all', () => {
    expect(quotedQuery('  trap ')).toBe('“trap”');
    expect(quotedQuery('<script>')).toBe('“<script>”');
  });
});

describe('hits', () => {
  it('names every kind of record', () => {
    expect(hitKindLabel('session')).toBe('Session note');
    expect(hitKindLabel('amendment')).toBe('Amendment');
    expect(hitKindLabel('intake')).toBe('Intake');
    expect(hitKindLabel('client')).toBe('Client record');
  });

  it('shows days as dates and instants in local time', () => {
    expect(hitDate('2025-03-07')).toBe('7 Mar 2025');
    const local = new Date(2025, 2, 12, 14, 3).toISOString();
    expect(hitDate(local)).toBe('12 Mar 2025, 14:03');
  });

  it('opens the record a hit is in; an amendment opens its session', () => {
    expect(hitTarget('c1', { kind: 'client', record_id: 'c1' })).toEqual({ screen: 'client', clientId: 'c1' });
    expect(hitTarget('c1', { kind: 'session', record_id: 's1' })).toEqual({ screen: 'session', sessionId: 's1' });
    expect(hitTarget('c1', { kind: 'amendment', record_id: 's1' })).toEqual({ screen: 'session', sessionId: 's1' });
    expect(hitTarget('c1', { kind: 'intake', record_id: 'i1' })).toEqual({
      screen: 'intake',
      clientId: 'c1',
      intakeId: 'i1',
    });
  });
});

describe('summary', () => {
  const client = (id: string) => ({
    id,
    first_name: 'A',
    last_name: id,
    preferred_name: '',
    date_of_birth: null,
    phone: '',
    archived: false,
  });
  const hit = (record_id: string) => ({ kind: 'session' as const, record_id, at: '2025-01-01', snippet: [] });

  it('counts the hits an answer holds across groups', () => {
    const results: SearchResults = {
      groups: [
        { client: client('a'), hits: [hit('1'), hit('2')] },
        { client: client('b'), hits: [hit('3')] },
      ],
      total: 3,
      more: false,
      ordering: 'relevance',
    };
    expect(shownCount(results)).toBe(3);
    expect(shownCount({ groups: [], total: 0, more: false, ordering: 'newest' })).toBe(0);
  });

  it('says how many matched and in which order', () => {
    expect(summaryText(4, 4, 'relevance')).toBe('4 matches, by relevance');
    expect(summaryText(1, 1, 'relevance')).toBe('1 match, by relevance');
    expect(summaryText(23, 23, 'newest')).toBe('23 matches, newest first');
  });

  it('says when more matched than are shown', () => {
    expect(summaryText(50, 612, 'newest')).toBe(
      '612 matches, newest first — showing 50; add a word or a period to narrow the search',
    );
    // A common word is not counted to the end.
    expect(summaryText(50, 500, 'newest', true)).toBe(
      'More than 500 matches, newest first — showing 50; add a word or a period to narrow the search',
    );
  });
});

describe('no results', () => {
  it('suggests only what was not tried yet', () => {
    expect(emptySuggestion(false, false)).toBe('Try a shorter or different word, or tick “Include archived clients”.');
    expect(emptySuggestion(true, false)).toBe('Try a shorter or different word.');
    expect(emptySuggestion(true, true)).toBe('Try a shorter or different word, or search any date.');
  });
});
