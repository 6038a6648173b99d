// Every IPC command, once: its name, its arguments, what it returns, and the one line that
// runs it in the core. From this table follow the Tauri handlers, the argument decoding
// (`commands.rs`), the app manifest and the capability file (`build.rs`), and the typed
// `Commands` map the UI calls through (`ui/src/lib/bindings/Commands.ts`). Adding a command
// is adding a line here.
//
// `|c, a|`: `c` reaches the core (`c.app`, `c.store`, `c.handle`, `c.progress`), `a` holds the
// decoded arguments. `with on_progress` adds a channel the page listens on.
command_table! {
    /// The app's phase and who is logged in; never fails.
    app_status() -> AppStatus = |c, _a| {
        crate::report_ready();
        Ok(c.app(|a| a.status()))
    };
    list_clients(query: ClientQuery) -> ClientPage = |c, a| c.store(|s| s.list_clients(&a.query));
    get_client(id: String) -> Client = |c, a| c.store(|s| s.get_client(&a.id));
    create_client(fields: ClientFields) -> Client = |c, a| c.store(|s| s.create_client(&a.fields));
    /// `version` is the one the form was loaded from; a stale one is a conflict.
    update_client(id: String, version: i64, fields: ClientFields) -> Client =
        |c, a| c.store(|s| s.update_client(&a.id, a.version, &a.fields));
    archive_client(id: String) -> Client = |c, a| c.store(|s| s.archive_client(&a.id));
    restore_client(id: String) -> Client = |c, a| c.store(|s| s.restore_client(&a.id));
    /// The record's history, oldest first.
    client_audit(id: String) -> Vec<AuditRecord> = |c, a| c.store(|s| s.client_audit(&a.id));
    /// Every vocabulary with its labels; never fails.
    vocabulary() -> Vocabulary = |_c, _a| Ok(stillpoint::domain::vocab::vocabulary());

    record_intake(client_id: String, input: IntakeInput) -> Intake =
        |c, a| c.store(|s| s.record_intake(&a.client_id, &a.input));
    list_intakes(client_id: String) -> Vec<Intake> = |c, a| c.store(|s| s.list_intakes(&a.client_id));
    acknowledge_red_flags(intake_id: String, referral_note: String) -> Intake =
        |c, a| c.store(|s| s.acknowledge_red_flags(&a.intake_id, &a.referral_note));
    client_alerts(client_id: String) -> ClientAlerts = |c, a| c.store(|s| s.client_alerts(&a.client_id));
    record_midas(client_id: String, input: MidasInput) -> MidasAssessment =
        |c, a| c.store(|s| s.record_midas(&a.client_id, &a.input));
    list_midas(client_id: String) -> Vec<MidasAssessment> = |c, a| c.store(|s| s.list_midas(&a.client_id));
    /// Corrects answers of a MIDAS with the reason; the answers as given are kept.
    correct_midas(id: String, reason: String, corrections: MidasCorrectionInput) -> MidasAssessment =
        |c, a| c.store(|s| s.correct_midas(&a.id, &a.reason, &a.corrections));
    care_plan(client_id: String) -> CarePlanState = |c, a| c.store(|s| s.care_plan(&a.client_id));
    set_care_plan(client_id: String, input: CarePlanInput) -> CarePlanState =
        |c, a| c.store(|s| s.set_care_plan(&a.client_id, &a.input));

    list_techniques(include_retired: bool) -> Vec<Technique> =
        |c, a| c.store(|s| s.list_techniques(a.include_retired));
    add_technique(input: TechniqueInput) -> Technique = |c, a| c.store(|s| s.add_technique(&a.input));
    update_technique(id: String, input: TechniqueInput) -> Technique =
        |c, a| c.store(|s| s.update_technique(&a.id, &a.input));
    set_technique_retired(id: String, retired: bool) -> Technique =
        |c, a| c.store(|s| s.set_technique_retired(&a.id, a.retired));
    list_home_care_items(include_retired: bool) -> Vec<HomeCareItem> =
        |c, a| c.store(|s| s.list_home_care_items(a.include_retired));
    add_home_care_item(input: HomeCareItemInput) -> HomeCareItem =
        |c, a| c.store(|s| s.add_home_care_item(&a.input));
    update_home_care_item(id: String, input: HomeCareItemInput) -> HomeCareItem =
        |c, a| c.store(|s| s.update_home_care_item(&a.id, &a.input));
    set_home_care_item_retired(id: String, retired: bool) -> HomeCareItem =
        |c, a| c.store(|s| s.set_home_care_item_retired(&a.id, a.retired));

    start_session(client_id: String) -> Session = |c, a| c.store(|s| s.start_session(&a.client_id));
    /// Kept on this computer when the clinic server is away.
    save_session_draft(id: String, input: SessionInput) -> Session =
        |c, a| c.app(|app| app.save_session_draft(&a.id, &a.input));
    sign_session(id: String) -> Session = |c, a| c.store(|s| s.sign_session(&a.id));
    /// `corrections`: the recorded values it corrects; absent, none.
    amend_session(id: String, reason: String, body: String, corrections: Option<SessionCorrectionInput>) -> Session =
        |c, a| c.store(|s| s.amend_session_correcting(&a.id, &a.reason, &a.body, &a.corrections.clone().unwrap_or_default()));
    get_session(id: String) -> Session = |c, a| c.store(|s| s.get_session(&a.id));
    list_sessions(client_id: String) -> Vec<SessionSummary> =
        |c, a| c.store(|s| s.list_sessions(&a.client_id));

    client_outcomes(client_id: String) -> ClientOutcomes =
        |c, a| c.store(|s| s.client_outcomes(&a.client_id));
    dashboard(query: DashboardQuery) -> Dashboard = |c, a| c.store(|s| s.dashboard(&a.query));
    search(query: SearchQuery) -> SearchResults = |c, a| c.store(|s| s.search(&a.query));
    /// The client, their timeline and their outcomes, in one call (the history screen).
    client_chart(client_id: String) -> ClientChart = |c, a| c.store(|s| s.client_chart(&a.client_id));
    client_history(client_id: String) -> ClientHistory =
        |c, a| c.store(|s| s.client_history(&a.client_id));
    /// A month of the headache diary (`YYYY-MM`); without one, the latest month with days.
    diary_month(client_id: String, month: Option<String>) -> DiaryMonth =
        |c, a| c.store(|s| s.diary_month(&a.client_id, a.month.as_deref()));
    /// One diary day, added or replacing that day.
    save_diary_day(client_id: String, input: DiaryDayInput, reason: Option<String>) -> DiaryDay =
        |c, a| c.store(|s| s.save_diary_day(&a.client_id, &a.input, a.reason.as_deref().unwrap_or("")));
    delete_diary_day(client_id: String, day: String, reason: Option<String>) -> () =
        |c, a| c.store(|s| s.delete_diary_day(&a.client_id, &a.day, a.reason.as_deref().unwrap_or("")));
    /// A diary file's text, read and checked against the diary; nothing written.
    preview_diary_csv(client_id: String, text: String) -> DiaryFile =
        |c, a| c.store(|s| s.preview_diary_csv(&a.client_id, &a.text));
    /// All or nothing; days already there unchanged are left as they are.
    import_diary_csv(client_id: String, text: String) -> DiaryImportReport =
        |c, a| c.store(|s| s.import_diary_csv(&a.client_id, &a.text));
    /// Asks where to save (the native dialog), then writes on a second connection; `null`
    /// when the dialog was cancelled. `session_id` is the note a handout is printed from.
    export(kind: ExportKind, client_id: Option<String>, session_id: Option<String>) with on_progress -> Option<ExportReport> =
        |c, a| c.export(a.kind, a.client_id.as_deref(), a.session_id.as_deref());

    /// First run: the administrator; returns the recovery key, shown once.
    setup(input: SetupInput) -> SetupDone = |c, a| c.app(|app| app.setup(&a.input));
    /// First run on a clinic's workstation: the server, its CA, and the first login.
    join_clinic(input: JoinInput) -> AppStatus = |c, a| c.app(|app| app.join_clinic(&a.input));
    /// The native open dialog for the clinic's CA certificate; `null` when cancelled.
    choose_ca_file() -> Option<String> = |c, _a| Ok(c.choose_ca_file());
    /// Whether the clinic server answers (always true on one computer).
    check_link() -> LinkStatus = |c, _a| Ok(c.app(|app| app.check_link()));
    /// Progress: the upgrade of the database, when this version needs one (copy, then migrations).
    login(username: String, password: String) with on_progress -> AppStatus =
        |c, a| c.app_reporting(|app, r| app.login_reporting(&a.username, &a.password, r));
    logout() -> AppStatus = |c, _a| Ok(c.app(|app| app.logout()));
    /// Lock the screen now (the lock button, or the idle timer).
    lock_now() -> AppStatus = |c, _a| Ok(c.app(|app| app.lock_now()));
    change_password(current_password: String, new_password: String) -> () =
        |c, a| c.app(|app| app.change_password(&a.current_password, &a.new_password));
    /// Forgotten password: the recovery key sets a new one and logs the user in. Progress as
    /// for `login`.
    recover(recovery_key: String, username: String, new_password: String) with on_progress -> AppStatus =
        |c, a| c.app_reporting(|app, r| app.recover_reporting(&a.recovery_key, &a.username, &a.new_password, r));

    list_users() -> Vec<User> = |c, _a| c.store(|s| s.list_users());
    add_user(input: NewUser) -> User = |c, a| c.app(|app| app.add_user(&a.input));
    set_user_disabled(username: String, disabled: bool) -> User =
        |c, a| c.store(|s| s.set_user_disabled(&a.username, a.disabled));
    set_user_password(username: String, password: String) -> () =
        |c, a| c.app(|app| app.set_user_password(&a.username, &a.password));
    /// A user's name and credentials: one's own ("Your account"), or anyone's for an
    /// administrator.
    update_profile(username: String, input: ProfileInput) -> User =
        |c, a| c.app(|app| app.update_profile(&a.username, &a.input));

    verify_audit() -> AuditVerification = |c, _a| c.store(|s| s.verify_audit());
    clinic_settings() -> ClinicSettings = |c, _a| c.store(|s| s.clinic_settings());
    update_clinic_settings(input: ClinicSettings) -> ClinicSettings =
        |c, a| c.store(|s| s.update_clinic_settings(&a.input));
    idle_lock_minutes() -> u32 = |c, _a| c.store(|s| s.idle_lock_minutes());
    set_idle_lock_minutes(minutes: u32) -> u32 =
        |c, a| c.app(|app| app.set_idle_lock_minutes(a.minutes));
    list_backups() -> Vec<BackupInfo> = |c, _a| c.app(|app| app.list_backups());
    /// A hot backup on a second connection, outside the lock; progress in pages.
    backup_now() with on_progress -> BackupReport = |c, _a| c.backup_now();
    /// Replace the database with a backup (a copy of the current one is kept first).
    restore_backup(name: String) -> AppStatus = |c, a| c.app(|app| app.restore_backup(&a.name));

    /// The version, where the data and backups are, and the schema; every role.
    about() -> About = |c, _a| c.app(|app| app.about());
    /// Open the data or backups folder in the file manager; the path is the core's.
    open_folder(folder: Folder) -> () = |c, a| c.open_folder(a.folder);
}
