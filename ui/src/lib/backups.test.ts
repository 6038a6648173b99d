import { describe, expect, it } from 'vitest';
import type { BackupInfo } from './bindings/BackupInfo';
import { backupOutcome, backupProgressText, newestFirst, restoreWarning } from './backups';

describe('backups', () => {
  const b = (name: string, taken_at: string, before_restore = false): BackupInfo => ({
    name,
    path: `/data/backups/${name}`,
    taken_at,
    bytes: 2_200_000,
    before_restore,
    before_upgrade: false,
  });

  it('lists the newest first', () => {
    const list = [
      b('a.db', '2026-11-20T10:00:00Z'),
      b('c.db', '2026-11-23T10:15:00Z'),
      b('b.db', '2026-11-21T10:00:00Z', true),
    ];
    expect(newestFirst(list).map((x) => x.name)).toEqual(['c.db', 'b.db', 'a.db']);
    expect(list[0].name).toBe('a.db');
  });

  it('reports progress, then the verified result with what rotation removed', () => {
    expect(backupProgressText(null)).toBe('Starting the backup…');
    expect(backupProgressText({ done: 1200, total: 3400 })).toBe('Copying 1,200 of 3,400 pages…');
    expect(backupProgressText({ done: 3400, total: 3400 })).toBe('Checking the copy…');
    expect(backupProgressText({ done: 3400, total: 3400, step: 'Checking the copy (12 s so far)' })).toBe(
      'Checking the copy (12 s so far)…',
    );
    const report = {
      backup: b('stillpoint-20261123-101500.db', '2026-11-23T10:15:00Z'),
      rows_verified: 1234,
      removed: [] as string[],
    };
    expect(backupOutcome({ phase: 'done', report })).toBe(
      'Backed up and verified: 1,234 rows, 2.1 MB — stillpoint-20261123-101500.db',
    );
    expect(backupOutcome({ phase: 'done', report: { ...report, removed: ['old-1.db', 'old-2.db'] } })).toBe(
      'Backed up and verified: 1,234 rows, 2.1 MB — stillpoint-20261123-101500.db. Removed 2 older backups: old-1.db, old-2.db.',
    );
    expect(backupOutcome({ phase: 'error', error: { code: 'disk_full', message: 'The disk is full.' } })).toBe(
      'Not backed up. The disk is full.',
    );
    expect(backupOutcome({ phase: 'idle' })).toBe('');
  });

  it('says what a restore replaces and what it keeps', () => {
    const w = restoreWarning(b('x.db', '2026-11-23T10:15:00Z'));
    expect(w).toMatch(/replaced by the backup from \d+ Nov 2026, \d\d:\d\d/);
    expect(w).toMatch(/after it disappears/);
    expect(w).toMatch(/copy of the database as it is now is kept first/);
  });
});
