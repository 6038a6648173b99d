// What the backups section says while a backup runs and after, and the restore warning.

import type { AppError } from './api';
import type { BackupInfo } from './bindings/BackupInfo';
import type { BackupReport } from './bindings/BackupReport';
import type { Progress } from './bindings/Progress';
import { fileSize } from './exportStatus';
import { formatInstant, groupThousands, plural } from './format';

export type BackupState =
  | { phase: 'idle' }
  | { phase: 'working'; progress: Progress | null }
  | { phase: 'done'; report: BackupReport }
  | { phase: 'error'; error: AppError };

export function backupProgressText(p: Progress | null): string {
  if (!p || p.total === 0) return 'Starting the backup…';
  // While the copy is checked the core says so, with the seconds so far.
  if (p.done >= p.total) return `${p.step ?? 'Checking the copy'}…`;
  return `Copying ${groupThousands(p.done)} of ${groupThousands(p.total)} pages…`;
}

export function backupOutcome(state: BackupState): string {
  switch (state.phase) {
    case 'working':
      return backupProgressText(state.progress);
    case 'done': {
      const r = state.report;
      const text = `Backed up and verified: ${groupThousands(r.rows_verified)} rows, ${fileSize(r.backup.bytes)} — ${r.backup.name}`;
      if (r.removed.length === 0) return text;
      return `${text}. Removed ${plural(r.removed.length, 'older backup', 'older backups')}: ${r.removed.join(', ')}.`;
    }
    case 'error':
      return `Not backed up. ${state.error.message}`;
    default:
      return '';
  }
}

/** Newest first (RFC 3339 instants in UTC sort as text; parsed here to be safe). */
export function newestFirst(backups: readonly BackupInfo[]): BackupInfo[] {
  const t = (b: BackupInfo) => {
    const ms = Date.parse(b.taken_at);
    return Number.isNaN(ms) ? 0 : ms;
  };
  return [...backups].sort((a, b) => t(b) - t(a) || b.name.localeCompare(a.name));
}

/** What restoring `b` does, for the confirmation. */
export function restoreWarning(b: BackupInfo): string {
  return (
    `The database will be replaced by the backup from ${formatInstant(b.taken_at)}. ` +
    'Everything recorded after it disappears from the working database. ' +
    'A copy of the database as it is now is kept first, listed here as “Kept before a restore”.'
  );
}
