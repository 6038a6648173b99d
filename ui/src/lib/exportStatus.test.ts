import { describe, expect, it } from 'vitest';
import { exportOutcome, fileSize, progressText } from './exportStatus';

describe('export status', () => {
  it('sizes files in bytes, KB and MB', () => {
    expect(fileSize(900)).toBe('900 bytes');
    expect(fileSize(2048)).toBe('2.0 KB');
    expect(fileSize(5 * 1024 * 1024)).toBe('5.0 MB');
  });

  it('says how far it has got, or that it waits for the dialog', () => {
    expect(progressText(null)).toBe('Choose where to save…');
    expect(progressText({ done: 500, total: 1200 })).toBe('Writing 500 of 1200…');
  });

  it('names rows for CSV files and the path', () => {
    expect(
      exportOutcome({ phase: 'done', report: { path: '/home/a/s.csv', bytes: 2048, records: 3 } }),
    ).toBe('Saved 3 rows, 2.0 KB to /home/a/s.csv');
    expect(exportOutcome({ phase: 'done', report: { path: '/home/a/s.pdf', bytes: 100, records: 1 } })).toBe(
      'Saved 100 bytes to /home/a/s.pdf',
    );
    expect(exportOutcome({ phase: 'cancelled' })).toMatch(/cancelled/);
    expect(exportOutcome({ phase: 'error', error: { code: 'disk_full', message: 'The disk is full.' } })).toBe(
      'Not saved. The disk is full.',
    );
  });
});
