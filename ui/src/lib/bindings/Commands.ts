// Generated from src-tauri/src/command_table.rs by `make bindings`. Do not edit.
import type { Channel } from '@tauri-apps/api/core';
import type { About } from './About';
import type { AppStatus } from './AppStatus';
import type { AuditRecord } from './AuditRecord';
import type { AuditVerification } from './AuditVerification';
import type { BackupInfo } from './BackupInfo';
import type { BackupReport } from './BackupReport';
import type { CarePlanInput } from './CarePlanInput';
import type { CarePlanState } from './CarePlanState';
import type { Client } from './Client';
import type { ClientAlerts } from './ClientAlerts';
import type { ClientChart } from './ClientChart';
import type { ClientFields } from './ClientFields';
import type { ClientHistory } from './ClientHistory';
import type { ClientOutcomes } from './ClientOutcomes';
import type { ClientPage } from './ClientPage';
import type { ClientQuery } from './ClientQuery';
import type { ClinicSettings } from './ClinicSettings';
import type { Dashboard } from './Dashboard';
import type { DashboardQuery } from './DashboardQuery';
import type { DiaryDay } from './DiaryDay';
import type { DiaryDayInput } from './DiaryDayInput';
import type { DiaryFile } from './DiaryFile';
import type { DiaryImportReport } from './DiaryImportReport';
import type { DiaryMonth } from './DiaryMonth';
import type { ExportKind } from './ExportKind';
import type { ExportReport } from './ExportReport';
import type { Folder } from './Folder';
import type { HomeCareItem } from './HomeCareItem';
import type { HomeCareItemInput } from './HomeCareItemInput';
import type { Intake } from './Intake';
import type { IntakeInput } from './IntakeInput';
import type { JoinInput } from './JoinInput';
import type { LinkStatus } from './LinkStatus';
import type { MidasAssessment } from './MidasAssessment';
import type { MidasCorrectionInput } from './MidasCorrectionInput';
import type { MidasInput } from './MidasInput';
import type { NewUser } from './NewUser';
import type { ProfileInput } from './ProfileInput';
import type { Progress } from './Progress';
import type { SearchQuery } from './SearchQuery';
import type { SearchResults } from './SearchResults';
import type { Session } from './Session';
import type { SessionCorrectionInput } from './SessionCorrectionInput';
import type { SessionInput } from './SessionInput';
import type { SessionSummary } from './SessionSummary';
import type { SetupDone } from './SetupDone';
import type { SetupInput } from './SetupInput';
import type { Technique } from './Technique';
import type { TechniqueInput } from './TechniqueInput';
import type { User } from './User';
import type { Vocabulary } from './Vocabulary';

/** Every IPC command: the arguments the page sends (`null`: none) and what it gets back. */
export type Commands = {
  /** The app's phase and who is logged in; never fails. */
  app_status: { args: null; result: AppStatus };
  list_clients: { args: { query: ClientQuery, }; result: ClientPage };
  get_client: { args: { id: string, }; result: Client };
  create_client: { args: { fields: ClientFields, }; result: Client };
  /** `version` is the one the form was loaded from; a stale one is a conflict. */
  update_client: { args: { id: string, version: number, fields: ClientFields, }; result: Client };
  archive_client: { args: { id: string, }; result: Client };
  restore_client: { args: { id: string, }; result: Client };
  /** The record's history, oldest first. */
  client_audit: { args: { id: string, }; result: Array<AuditRecord> };
  /** Every vocabulary with its labels; never fails. */
  vocabulary: { args: null; result: Vocabulary };
  record_intake: { args: { clientId: string, input: IntakeInput, }; result: Intake };
  list_intakes: { args: { clientId: string, }; result: Array<Intake> };
  acknowledge_red_flags: { args: { intakeId: string, referralNote: string, }; result: Intake };
  client_alerts: { args: { clientId: string, }; result: ClientAlerts };
  record_midas: { args: { clientId: string, input: MidasInput, }; result: MidasAssessment };
  list_midas: { args: { clientId: string, }; result: Array<MidasAssessment> };
  /** Corrects answers of a MIDAS with the reason; the answers as given are kept. */
  correct_midas: { args: { id: string, reason: string, corrections: MidasCorrectionInput, }; result: MidasAssessment };
  care_plan: { args: { clientId: string, }; result: CarePlanState };
  set_care_plan: { args: { clientId: string, input: CarePlanInput, }; result: CarePlanState };
  list_techniques: { args: { includeRetired: boolean, }; result: Array<Technique> };
  add_technique: { args: { input: TechniqueInput, }; result: Technique };
  update_technique: { args: { id: string, input: TechniqueInput, }; result: Technique };
  set_technique_retired: { args: { id: string, retired: boolean, }; result: Technique };
  list_home_care_items: { args: { includeRetired: boolean, }; result: Array<HomeCareItem> };
  add_home_care_item: { args: { input: HomeCareItemInput, }; result: HomeCareItem };
  update_home_care_item: { args: { id: string, input: HomeCareItemInput, }; result: HomeCareItem };
  set_home_care_item_retired: { args: { id: string, retired: boolean, }; result: HomeCareItem };
  start_session: { args: { clientId: string, }; result: Session };
  /** Kept on this computer when the clinic server is away. */
  save_session_draft: { args: { id: string, input: SessionInput, }; result: Session };
  sign_session: { args: { id: string, }; result: Session };
  /** `corrections`: the recorded values it corrects; absent, none. */
  amend_session: { args: { id: string, reason: string, body: string, corrections: SessionCorrectionInput | null, }; result: Session };
  get_session: { args: { id: string, }; result: Session };
  list_sessions: { args: { clientId: string, }; result: Array<SessionSummary> };
  client_outcomes: { args: { clientId: string, }; result: ClientOutcomes };
  dashboard: { args: { query: DashboardQuery, }; result: Dashboard };
  search: { args: { query: SearchQuery, }; result: SearchResults };
  /** The client, their timeline and their outcomes, in one call (the history screen). */
  client_chart: { args: { clientId: string, }; result: ClientChart };
  client_history: { args: { clientId: string, }; result: ClientHistory };
  /** A month of the headache diary (`YYYY-MM`); without one, the latest month with days. */
  diary_month: { args: { clientId: string, month: string | null, }; result: DiaryMonth };
  /** One diary day, added or replacing that day. */
  save_diary_day: { args: { clientId: string, input: DiaryDayInput, reason: string | null, }; result: DiaryDay };
  delete_diary_day: { args: { clientId: string, day: string, reason: string | null, }; result: null };
  /** A diary file's text, read and checked against the diary; nothing written. */
  preview_diary_csv: { args: { clientId: string, text: string, }; result: DiaryFile };
  /** All or nothing; days already there unchanged are left as they are. */
  import_diary_csv: { args: { clientId: string, text: string, }; result: DiaryImportReport };
  /** Asks where to save (the native dialog), then writes on a second connection; `null` when the dialog was cancelled. `session_id` is the note a handout is printed from. */
  export: { args: { kind: ExportKind, clientId: string | null, sessionId: string | null, onProgress: Channel<Progress>, }; result: ExportReport | null };
  /** First run: the administrator; returns the recovery key, shown once. */
  setup: { args: { input: SetupInput, }; result: SetupDone };
  /** First run on a clinic's workstation: the server, its CA, and the first login. */
  join_clinic: { args: { input: JoinInput, }; result: AppStatus };
  /** The native open dialog for the clinic's CA certificate; `null` when cancelled. */
  choose_ca_file: { args: null; result: string | null };
  /** Whether the clinic server answers (always true on one computer). */
  check_link: { args: null; result: LinkStatus };
  /** Progress: the upgrade of the database, when this version needs one (copy, then migrations). */
  login: { args: { username: string, password: string, onProgress: Channel<Progress>, }; result: AppStatus };
  logout: { args: null; result: AppStatus };
  /** Lock the screen now (the lock button, or the idle timer). */
  lock_now: { args: null; result: AppStatus };
  change_password: { args: { currentPassword: string, newPassword: string, }; result: null };
  /** Forgotten password: the recovery key sets a new one and logs the user in. Progress as for `login`. */
  recover: { args: { recoveryKey: string, username: string, newPassword: string, onProgress: Channel<Progress>, }; result: AppStatus };
  list_users: { args: null; result: Array<User> };
  add_user: { args: { input: NewUser, }; result: User };
  set_user_disabled: { args: { username: string, disabled: boolean, }; result: User };
  set_user_password: { args: { username: string, password: string, }; result: null };
  /** A user's name and credentials: one's own ("Your account"), or anyone's for an administrator. */
  update_profile: { args: { username: string, input: ProfileInput, }; result: User };
  verify_audit: { args: null; result: AuditVerification };
  clinic_settings: { args: null; result: ClinicSettings };
  update_clinic_settings: { args: { input: ClinicSettings, }; result: ClinicSettings };
  idle_lock_minutes: { args: null; result: number };
  set_idle_lock_minutes: { args: { minutes: number, }; result: number };
  list_backups: { args: null; result: Array<BackupInfo> };
  /** A hot backup on a second connection, outside the lock; progress in pages. */
  backup_now: { args: { onProgress: Channel<Progress>, }; result: BackupReport };
  /** Replace the database with a backup (a copy of the current one is kept first). */
  restore_backup: { args: { name: string, }; result: AppStatus };
  /** The version, where the data and backups are, and the schema; every role. */
  about: { args: null; result: About };
  /** Open the data or backups folder in the file manager; the path is the core's. */
  open_folder: { args: { folder: Folder, }; result: null };
};
