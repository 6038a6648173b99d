// What an export button says while it runs and after.

import type { AppError } from './api';
import type { ExportReport } from './bindings/ExportReport';
import type { Progress } from './bindings/Progress';
import { plural } from './format';

export type ExportState =
  | { phase: 'idle' }
  | { phase: 'working'; progress: Progress | null }
  | { phase: 'done'; report: ExportReport }
  | { phase: 'cancelled' }
  | { phase: 'error'; error: AppError };

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function progressText(p: Progress | null): string {
  if (!p || p.total === 0) return 'Choose where to save…';
  return `Writing ${p.done} of ${p.total}…`;
}

export function exportOutcome(state: ExportState): string {
  switch (state.phase) {
    case 'done': {
      const r = state.report;
      const rows = r.path.toLowerCase().endsWith('.csv') ? `${plural(r.records, 'row', 'rows')}, ` : '';
      return `Saved ${rows}${fileSize(r.bytes)} to ${r.path}`;
    }
    case 'cancelled':
      return 'Not saved: the save dialog was cancelled.';
    case 'error':
      return `Not saved. ${state.error.message}`;
    default:
      return '';
  }
}
