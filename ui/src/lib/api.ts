// Typed calls to the Tauri commands. Each command's name, arguments and result come from the
// generated `Commands` map (src-tauri/src/command_table.rs), so a misspelled command or
// argument fails to compile. Every failure is turned into the one error shape the core sends
// (`{ code, message, field? }`), wrong arguments included, so a view only handles `AppError`.

import { Channel, invoke } from '@tauri-apps/api/core';
import type { About } from './bindings/About';
import type { AppStatus } from './bindings/AppStatus';
import type { Commands } from './bindings/Commands';
import type { AuditRecord } from './bindings/AuditRecord';
import type { AuditVerification } from './bindings/AuditVerification';
import type { BackupInfo } from './bindings/BackupInfo';
import type { BackupReport } from './bindings/BackupReport';
import type { ClientChart } from './bindings/ClientChart';
import type { ClinicSettings } from './bindings/ClinicSettings';
import type { NewUser } from './bindings/NewUser';
import type { SetupDone } from './bindings/SetupDone';
import type { SetupInput } from './bindings/SetupInput';
import type { JoinInput } from './bindings/JoinInput';
import type { LinkStatus } from './bindings/LinkStatus';
import type { ProfileInput } from './bindings/ProfileInput';
import type { User } from './bindings/User';
import type { Client } from './bindings/Client';
import type { ClientAlerts } from './bindings/ClientAlerts';
import type { ClientFields } from './bindings/ClientFields';
import type { ClientHistory } from './bindings/ClientHistory';
import type { ClientOutcomes } from './bindings/ClientOutcomes';
import type { Dashboard } from './bindings/Dashboard';
import type { DiaryDay } from './bindings/DiaryDay';
import type { DiaryDayInput } from './bindings/DiaryDayInput';
import type { DiaryFile } from './bindings/DiaryFile';
import type { DiaryImportReport } from './bindings/DiaryImportReport';
import type { DiaryMonth } from './bindings/DiaryMonth';
import type { DashboardQuery } from './bindings/DashboardQuery';
import type { ExportKind } from './bindings/ExportKind';
import type { ExportReport } from './bindings/ExportReport';
import type { Progress } from './bindings/Progress';
import type { SearchQuery } from './bindings/SearchQuery';
import type { SearchResults } from './bindings/SearchResults';
import type { ClientPage } from './bindings/ClientPage';
import type { ClientQuery } from './bindings/ClientQuery';
import type { Error as AppError } from './bindings/Error';
import type { Folder } from './bindings/Folder';
import type { ErrorCode } from './bindings/ErrorCode';
import type { Intake } from './bindings/Intake';
import type { IntakeInput } from './bindings/IntakeInput';
import type { MidasAssessment } from './bindings/MidasAssessment';
import type { MidasCorrectionInput } from './bindings/MidasCorrectionInput';
import type { MidasInput } from './bindings/MidasInput';
import type { CarePlanInput } from './bindings/CarePlanInput';
import type { CarePlanState } from './bindings/CarePlanState';
import type { Session } from './bindings/Session';
import type { SessionCorrectionInput } from './bindings/SessionCorrectionInput';
import type { SessionInput } from './bindings/SessionInput';
import type { SessionSummary } from './bindings/SessionSummary';
import type { HomeCareItem } from './bindings/HomeCareItem';
import type { HomeCareItemInput } from './bindings/HomeCareItemInput';
import type { Technique } from './bindings/Technique';
import type { TechniqueInput } from './bindings/TechniqueInput';
import type { Vocabulary } from './bindings/Vocabulary';
import { reportLocked, sessionEpoch } from './auth.svelte';
import { reportOffline } from './link.svelte';

export type { AppError };

// A `Record` over the union makes the compiler fail here when a code is added or removed.
const CODES: Record<ErrorCode, true> = {
  validation: true,
  not_found: true,
  conflict: true,
  database_too_new: true,
  upgrade_failed: true,
  not_open: true,
  disk_full: true,
  busy: true,
  storage: true,
  forbidden: true,
  locked: true,
  throttled: true,
  offline: true,
  internal: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CODES, value);
}

/** True for an error object sent by the core: a known code and a message. */
export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    isErrorCode(v.code) &&
    typeof v.message === 'string' &&
    (v.field === undefined || v.field === null || typeof v.field === 'string')
  );
}

const UNEXPECTED =
  'Stillpoint hit an unexpected problem. Try again; if it keeps happening, restart Stillpoint.';

function unexpected(detail: string): AppError {
  const d = detail.trim();
  return { code: 'internal', message: d ? `${UNEXPECTED} (${d})` : UNEXPECTED };
}

/**
 * Turn anything a call can throw into an `AppError`. The core's own errors pass through;
 * anything else (a string from Tauri itself, such as a refused permission, a JS `Error`,
 * junk) becomes an
 * `internal` error that keeps the original text as detail.
 */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) {
    const out: AppError = { code: e.code, message: e.message };
    if (typeof e.field === 'string' && e.field !== '') out.field = e.field;
    return out;
  }
  if (typeof e === 'string') return unexpected(e);
  if (e instanceof Error) return unexpected(e.message);
  if (typeof e === 'object' && e !== null) {
    const m = (e as Record<string, unknown>).message;
    if (typeof m === 'string') return unexpected(m);
  }
  return unexpected('');
}

type Name = keyof Commands;
type ArgsOf<K extends Name> = Commands[K]['args'];
/** No second argument for a command that takes none; otherwise exactly its arguments. */
type CallArgs<K extends Name> = ArgsOf<K> extends null ? [] : [ArgsOf<K>];

/**
 * Call a command by its name in the generated `Commands` map: a misspelled command, a
 * missing or misspelled argument, or a wrong result type fails to compile.
 */
async function call<K extends Name>(command: K, ...args: CallArgs<K>): Promise<Commands[K]['result']> {
  const startedIn = sessionEpoch();
  try {
    return await invoke<Commands[K]['result']>(command, args[0] ?? undefined);
  } catch (e) {
    const err = toAppError(e);
    // The core has locked itself (idle) or nobody is logged in: the lock screen covers the
    // shell; the caller still gets the error (and e.g. the note's autosave retries later).
    if (err.code === 'locked') reportLocked(startedIn);
    if (err.code === 'offline') reportOffline(err.message);
    throw err;
  }
}

/** Never fails in the app; outside Tauri (or on a bug) it rejects with an `AppError`. */
export function appStatus(): Promise<AppStatus> {
  return call('app_status');
}

export function listClients(query: ClientQuery): Promise<ClientPage> {
  return call('list_clients', { query });
}

export function getClient(id: string): Promise<Client> {
  return call('get_client', { id });
}

export function createClient(fields: ClientFields): Promise<Client> {
  return call('create_client', { fields });
}

/** `version` is the `Client.version` the form was loaded from; a stale one is a `conflict`. */
export function updateClient(id: string, version: number, fields: ClientFields): Promise<Client> {
  return call('update_client', { id, version, fields });
}

export function archiveClient(id: string): Promise<Client> {
  return call('archive_client', { id });
}

export function restoreClient(id: string): Promise<Client> {
  return call('restore_client', { id });
}

/** The record's history, oldest first. */
export function clientAudit(id: string): Promise<AuditRecord[]> {
  return call('client_audit', { id });
}

/** Every vocabulary with its labels (never fails in the app). */
export function vocabulary(): Promise<Vocabulary> {
  return call('vocabulary');
}

// Intake, techniques and sessions: typed calls for the screens that come next.

export function recordIntake(clientId: string, input: IntakeInput): Promise<Intake> {
  return call('record_intake', { clientId, input });
}

export function listIntakes(clientId: string): Promise<Intake[]> {
  return call('list_intakes', { clientId });
}

export function acknowledgeRedFlags(intakeId: string, referralNote: string): Promise<Intake> {
  return call('acknowledge_red_flags', { intakeId, referralNote });
}

export function clientAlerts(clientId: string): Promise<ClientAlerts> {
  return call('client_alerts', { clientId });
}

export function recordMidas(clientId: string, input: MidasInput): Promise<MidasAssessment> {
  return call('record_midas', { clientId, input });
}

export function listMidas(clientId: string): Promise<MidasAssessment[]> {
  return call('list_midas', { clientId });
}

export function correctMidas(id: string, reason: string, corrections: MidasCorrectionInput): Promise<MidasAssessment> {
  return call('correct_midas', { id, reason, corrections });
}

export function carePlan(clientId: string): Promise<CarePlanState> {
  return call('care_plan', { clientId });
}

export function setCarePlan(clientId: string, input: CarePlanInput): Promise<CarePlanState> {
  return call('set_care_plan', { clientId, input });
}

export function listTechniques(includeRetired: boolean): Promise<Technique[]> {
  return call('list_techniques', { includeRetired });
}

export function addTechnique(input: TechniqueInput): Promise<Technique> {
  return call('add_technique', { input });
}

export function updateTechnique(id: string, input: TechniqueInput): Promise<Technique> {
  return call('update_technique', { id, input });
}

export function setTechniqueRetired(id: string, retired: boolean): Promise<Technique> {
  return call('set_technique_retired', { id, retired });
}

export function listHomeCareItems(includeRetired: boolean): Promise<HomeCareItem[]> {
  return call('list_home_care_items', { includeRetired });
}

export function addHomeCareItem(input: HomeCareItemInput): Promise<HomeCareItem> {
  return call('add_home_care_item', { input });
}

export function updateHomeCareItem(id: string, input: HomeCareItemInput): Promise<HomeCareItem> {
  return call('update_home_care_item', { id, input });
}

export function setHomeCareItemRetired(id: string, retired: boolean): Promise<HomeCareItem> {
  return call('set_home_care_item_retired', { id, retired });
}

export function startSession(clientId: string): Promise<Session> {
  return call('start_session', { clientId });
}

export function saveSessionDraft(id: string, input: SessionInput): Promise<Session> {
  return call('save_session_draft', { id, input });
}

export function signSession(id: string): Promise<Session> {
  return call('sign_session', { id });
}

/** An amendment of a signed note, which may correct its pain before, pain after or duration. */
export function amendSession(
  id: string,
  reason: string,
  body: string,
  corrections: SessionCorrectionInput,
): Promise<Session> {
  return call('amend_session', { id, reason, body, corrections });
}

export function getSession(id: string): Promise<Session> {
  return call('get_session', { id });
}

export function listSessions(clientId: string): Promise<SessionSummary[]> {
  return call('list_sessions', { clientId });
}

// Histories, outcomes, the dashboard, search and exports.

/** The client, their timeline and their outcomes, in one call (the history screen). */
export function clientChart(clientId: string): Promise<ClientChart> {
  return call('client_chart', { clientId });
}

/** Intakes, red flags, acknowledgements, sessions and amendments, newest first. */
export function clientHistory(clientId: string): Promise<ClientHistory> {
  return call('client_history', { clientId });
}

// The headache diary.

/** A month (`YYYY-MM`) of the client's diary; null: the latest month with days. */
export function diaryMonth(clientId: string, month: string | null): Promise<DiaryMonth> {
  return call('diary_month', { clientId, month });
}

/** One day, added or replacing that day. */
/** `reason`: why a day recorded before today is changed (the core asks for it then). */
export function saveDiaryDay(clientId: string, input: DiaryDayInput, reason: string | null = null): Promise<DiaryDay> {
  return call('save_diary_day', { clientId, input, reason });
}

export function deleteDiaryDay(clientId: string, day: string, reason: string | null = null): Promise<null> {
  return call('delete_diary_day', { clientId, day, reason });
}

/** A diary file's text checked against the diary; nothing is written. */
export function previewDiaryCsv(clientId: string, text: string): Promise<DiaryFile> {
  return call('preview_diary_csv', { clientId, text });
}

/** All or nothing; days already there unchanged are left as they are. */
export function importDiaryCsv(clientId: string, text: string): Promise<DiaryImportReport> {
  return call('import_diary_csv', { clientId, text });
}

export function clientOutcomes(clientId: string): Promise<ClientOutcomes> {
  return call('client_outcomes', { clientId });
}

export function dashboard(query: DashboardQuery): Promise<Dashboard> {
  return call('dashboard', { query });
}

export function search(query: SearchQuery): Promise<SearchResults> {
  return call('search', { query });
}

/**
 * Ask where to save (the native dialog) and write the export there, reporting progress.
 * Resolves to `null` when the user cancels the dialog. `clientId` is needed for
 * `client_json` and `client_pdf`; `sessionId` for `handout_pdf`.
 */
export function exportTo(
  kind: ExportKind,
  clientId: string | null,
  onProgress: (p: Progress) => void = () => {},
  sessionId: string | null = null,
): Promise<ExportReport | null> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return call('export', { kind, clientId, sessionId, onProgress: channel });
}

// First run, login and the lock. A `locked` error from any command means the app locked
// itself (idle) or nobody is logged in: show the login screen, keep what is on screen.

/** First run: the administrator; returns the recovery key, to show once. */
export function setup(input: SetupInput): Promise<SetupDone> {
  return call('setup', { input });
}

/** First run on a clinic's workstation: the server, its CA, and the first login. */
export function joinClinic(input: JoinInput): Promise<AppStatus> {
  return call('join_clinic', { input });
}

/** The native open dialog for the clinic's CA certificate; null when cancelled. */
export function chooseCaFile(): Promise<string | null> {
  return call('choose_ca_file');
}

/** Whether the clinic server answers (always true on a single computer). */
export function checkLink(): Promise<LinkStatus> {
  return call('check_link');
}

/**
 * Log in. When this version of Stillpoint must upgrade the database first, `onProgress` hears
 * how it goes (the copy kept before it, then each migration), in the core's words (`step`).
 */
export function login(
  username: string,
  password: string,
  onProgress: (p: Progress) => void = () => {},
): Promise<AppStatus> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return call('login', { username, password, onProgress: channel });
}

export function logout(): Promise<AppStatus> {
  return call('logout');
}

/** Lock the screen now (the lock button, or the idle timer); the login screen follows. */
export function lockNow(): Promise<AppStatus> {
  return call('lock_now');
}

export function changePassword(current: string, newPassword: string): Promise<void> {
  return call('change_password', { currentPassword: current, newPassword }).then(() => undefined);
}

/** Forgotten password: the recovery key sets a new one for `username` and logs them in. */
export function recover(
  recoveryKey: string,
  username: string,
  newPassword: string,
  onProgress: (p: Progress) => void = () => {},
): Promise<AppStatus> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return call('recover', { recoveryKey, username, newPassword, onProgress: channel });
}

// Administration (administrators only; others get `forbidden`).

export function listUsers(): Promise<User[]> {
  return call('list_users');
}

export function addUser(input: NewUser): Promise<User> {
  return call('add_user', { input });
}

export function setUserDisabled(username: string, disabled: boolean): Promise<User> {
  return call('set_user_disabled', { username, disabled });
}

export function setUserPassword(username: string, password: string): Promise<void> {
  return call('set_user_password', { username, password }).then(() => undefined);
}

/** A user's name and credentials: one's own ("Your account"), or anyone's for an administrator. */
export function updateProfile(username: string, input: ProfileInput): Promise<User> {
  return call('update_profile', { username, input });
}

export function verifyAudit(): Promise<AuditVerification> {
  return call('verify_audit');
}

export function clinicSettings(): Promise<ClinicSettings> {
  return call('clinic_settings');
}

export function updateClinicSettings(input: ClinicSettings): Promise<ClinicSettings> {
  return call('update_clinic_settings', { input });
}

export function idleLockMinutes(): Promise<number> {
  return call('idle_lock_minutes');
}

export function setIdleLockMinutes(minutes: number): Promise<number> {
  return call('set_idle_lock_minutes', { minutes });
}

export function listBackups(): Promise<BackupInfo[]> {
  return call('list_backups');
}

/** A hot backup into the backups folder, verified; progress in pages. */
export function backupNow(onProgress: (p: Progress) => void = () => {}): Promise<BackupReport> {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  return call('backup_now', { onProgress: channel });
}

/** Replace the database with a backup (a copy of the current one is kept first). */
export function restoreBackup(name: string): Promise<AppStatus> {
  return call('restore_backup', { name });
}

/** The version, where the data and backups are, and the schema (every role). */
export function about(): Promise<About> {
  return call('about');
}

/** Open the data or backups folder in the file manager (the core names the path). */
export function openFolder(folder: Folder): Promise<null> {
  return call('open_folder', { folder });
}
