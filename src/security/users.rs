//! People who use Stillpoint, their roles, and what each role may do. The rules are enforced
//! here in the core, before any data is read or written; the UI only hides what a role
//! cannot use. A refusal is an error (`forbidden`) and an audit entry.
//!
//! - therapist: charts their own sessions and reads their own clients (those they registered
//!   or have charted for);
//! - manager: reads every history and the dashboard, exports, amends notes with a reason,
//!   keeps the technique catalogue;
//! - administrator: everything a manager may do, plus users, backups, settings and the audit
//!   check; may chart too (in a one-person practice the owner is all three).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::tables::users::{self, UserRow};
use crate::domain::validate::{self, Lines};
use crate::error::{Error, ErrorCode, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Therapist,
    Manager,
    Administrator,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Therapist => "therapist",
            Role::Manager => "manager",
            Role::Administrator => "administrator",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Therapist => "Therapist",
            Role::Manager => "Clinic manager",
            Role::Administrator => "Administrator",
        }
    }

    pub fn from_id(id: &str) -> Option<Role> {
        [Role::Therapist, Role::Manager, Role::Administrator]
            .into_iter()
            .find(|r| r.id() == id)
    }
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Therapist, Role::Manager, Role::Administrator];

    /// What this role may do, in the order of [`Permission::ALL`].
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| allows(self, *p))
            .collect()
    }

    /// The screens of the app this role uses, in the sidebar's order.
    pub fn sections(self) -> Vec<Section> {
        Section::ALL
            .iter()
            .copied()
            .filter(|s| s.needs().is_none_or(|p| allows(self, p)))
            .collect()
    }
}

/// What a role may do. Each core operation names the one it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Permission {
    /// Register clients, record intakes, start, write and sign their own session notes.
    Chart,
    /// Read every client, not only one's own.
    ReadAllClients,
    /// Amend a signed note someone else wrote.
    AmendAnyNote,
    /// The clinic dashboard and clinic-wide exports.
    ClinicReports,
    /// Add, rename and retire techniques.
    ManageTechniques,
    /// Users, backups, settings, the audit check.
    Administer,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::Chart,
        Permission::ReadAllClients,
        Permission::AmendAnyNote,
        Permission::ClinicReports,
        Permission::ManageTechniques,
        Permission::Administer,
    ];

    fn describe(self) -> &'static str {
        match self {
            Permission::Chart => "chart sessions",
            Permission::ReadAllClients => "read every client's record",
            Permission::AmendAnyNote => "amend another therapist's note",
            Permission::ClinicReports => "see clinic reports and exports",
            Permission::ManageTechniques => "change the technique catalogue",
            Permission::Administer => "manage users, backups and settings",
        }
    }
}

/// The screens of the app (the sidebar's items). Which ones a user sees follows from their
/// role's permissions: the UI shows what the core lists and keeps no table of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Section {
    Clients,
    Search,
    Dashboard,
    Techniques,
    Admin,
    /// The version, where the data and backups are, the schema, the libraries' licences.
    About,
}

impl Section {
    /// In the sidebar's order.
    pub const ALL: &'static [Section] = &[
        Section::Clients,
        Section::Search,
        Section::Dashboard,
        Section::Techniques,
        Section::Admin,
        Section::About,
    ];

    /// The permission a role needs to see this screen; `None` for every role. (Clients and
    /// search show each user the clients they may read; every role reads the techniques.)
    pub fn needs(self) -> Option<Permission> {
        match self {
            Section::Clients | Section::Search | Section::Techniques | Section::About => None,
            Section::Dashboard => Some(Permission::ClinicReports),
            Section::Admin => Some(Permission::Administer),
        }
    }
}

pub fn allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Therapist => matches!(p, Chart),
        Role::Manager => matches!(
            p,
            ReadAllClients | AmendAnyNote | ClinicReports | ManageTechniques
        ),
        Role::Administrator => true,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct User {
    pub username: String,
    pub display_name: String,
    /// Professional credentials shown after the name, e.g. "RMT"; empty when none.
    pub credentials: String,
    /// How the person is named wherever they appear: "Robin Lee, RMT" (the name, then the
    /// credentials when set).
    pub name_with_credentials: String,
    pub role: Role,
    pub created_at: String,
    pub disabled_at: Option<String>,
}

/// A new user, as the administrator enters them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Option<Role>,
    pub password: String,
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// The longest credentials, e.g. "RMT, CLT" (characters).
pub const MAX_CREDENTIALS_CHARS: usize = 40;

/// "Robin Lee, RMT": the name, then the credentials when there are any.
pub fn name_with_credentials(display_name: &str, credentials: &str) -> String {
    if credentials.is_empty() {
        display_name.to_owned()
    } else {
        format!("{display_name}, {credentials}")
    }
}

/// The same in SQL, for a `users` alias: one expression both engines accept.
pub(crate) fn name_with_credentials_sql(alias: &str) -> String {
    format!(
        "(CASE WHEN {alias}.credentials = '' THEN {alias}.display_name \
         ELSE {alias}.display_name || ', ' || {alias}.credentials END)"
    )
}

/// A person's name as it appears on records, from their username; the username itself
/// when no user has it (records imported from elsewhere).
pub(crate) fn person_sql(username_expr: &str) -> String {
    format!(
        "COALESCE((SELECT {} FROM users pu WHERE pu.username = {username_expr}), {username_expr})",
        name_with_credentials_sql("pu")
    )
}

/// Credentials: optional, one line, short, letters, digits, spaces and `. , - ( ) / &`.
pub fn validate_credentials(credentials: &str) -> Result<String> {
    let c = validate::text(
        "credentials",
        "Credentials",
        credentials,
        MAX_CREDENTIALS_CHARS,
        Lines::One,
    )?;
    let ok = c.chars().all(|ch| {
        ch.is_alphanumeric() || matches!(ch, ' ' | '.' | ',' | '-' | '(' | ')' | '/' | '&')
    });
    if !ok {
        return Err(Error::field(
            "credentials",
            "Credentials are letters and abbreviations, e.g. RMT or RMT, CLT.",
        ));
    }
    Ok(c)
}

/// What a user may change about themself (and an administrator about anyone): the name
/// shown on records and the credentials after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[serde(default)]
#[ts(export)]
pub struct ProfileInput {
    pub display_name: String,
    pub credentials: String,
}

/// Lowercase letters, digits, `.`, `_`, `-`; 2 to 32; starting with a letter or digit.
pub fn validate_username(name: &str) -> Result<String> {
    let u = crate::security::keys::normalize_username(name);
    let ok_chars = u
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let first_ok = u
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if u.is_empty() {
        return Err(Error::field("username", "Enter a username, e.g. jo.park."));
    }
    if !(ok_chars && first_ok && (2..=32).contains(&u.chars().count())) {
        return Err(Error::field(
            "username",
            "A username has 2 to 32 letters a–z, digits, dots, dashes or underscores, e.g. jo.park.",
        ));
    }
    Ok(u)
}

pub fn validate_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Error::field(
            "password",
            format!(
                "Use at least {MIN_PASSWORD_CHARS} characters for the password; a short sentence is easy to remember."
            ),
        ));
    }
    if n > 200 {
        return Err(Error::field(
            "password",
            "Use at most 200 characters for the password.",
        ));
    }
    if password.chars().any(char::is_control) {
        return Err(Error::field(
            "password",
            "The password contains an invisible control character.",
        ));
    }
    Ok(())
}

impl NewUser {
    pub fn validated(&self) -> Result<(String, String, Role)> {
        let username = validate_username(&self.username)?;
        let display_name = validate::name("display_name", "Full name", &self.display_name, 100)?;
        let role = self
            .role
            .ok_or_else(|| Error::field("role", "Choose a role."))?;
        validate_password(&self.password)?;
        Ok((username, display_name, role))
    }
}

impl User {
    /// The user from their stored row (an unknown role reads as the least one).
    fn from_stored(r: UserRow) -> User {
        User {
            role: Role::from_id(&r.role).unwrap_or(Role::Therapist),
            name_with_credentials: name_with_credentials(&r.display_name, &r.credentials),
            username: r.username,
            display_name: r.display_name,
            credentials: r.credentials,
            created_at: r.created_at,
            disabled_at: r.disabled_at,
        }
    }
}

/// Single-quote a value for SQL text. Usernames are already restricted to `[a-z0-9._-]`;
/// this is a second guard.
pub(crate) fn sql_text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

impl Store {
    /// Refuse unless the logged-in role allows `p`; a refusal is recorded in the audit log.
    /// A store opened without a role (tools and tests) is allowed everything.
    pub(crate) fn require(&self, p: Permission) -> Result<()> {
        match self.role() {
            None => Ok(()),
            Some(role) if allows(role, p) => Ok(()),
            Some(role) => Err(self.deny(role, p.describe())),
        }
    }

    /// Refuse unless the role allows at least one of `ps`.
    pub(crate) fn require_any(&self, ps: &[Permission]) -> Result<()> {
        match self.role() {
            None => Ok(()),
            Some(role) if ps.iter().any(|p| allows(role, *p)) => Ok(()),
            Some(role) => Err(self.deny(role, ps.first().map_or("do this", |p| p.describe()))),
        }
    }

    /// Charting a note: only its own therapist writes or signs it.
    pub(crate) fn require_own_note(&self, therapist: &str) -> Result<()> {
        self.require(Permission::Chart)?;
        match self.role() {
            Some(role) if therapist != self.actor() => {
                Err(self.deny(role, "write in another therapist's session note"))
            }
            _ => Ok(()),
        }
    }

    fn deny(&self, role: Role, what: &str) -> Error {
        let summary = format!("refused: a {} may not {what}", role.id());
        // Best effort: the refusal stands even if it cannot be recorded.
        let _ = self.record_alone(&AuditEntry {
            action: "access.denied",
            entity: "user",
            entity_id: self.actor().to_owned(),
            summary,
        });
        // An administrator asked to ask an administrator would be going in circles.
        let next = if role == Role::Administrator {
            "Only the therapist it belongs to may."
        } else {
            "Ask an administrator if you need to."
        };
        Error::new(
            ErrorCode::Forbidden,
            format!(
                "Your role ({}) may not {what}. {next}",
                role.label().to_lowercase()
            ),
        )
    }

    /// Append `entry` to the audit log in a transaction of its own: a refusal happens in a
    /// read, which holds no write transaction.
    fn record_alone(&self, entry: &AuditEntry) -> Result<()> {
        self.append_alone(entry)
    }

    /// SQL condition on a clients table alias: the clients this user may read.
    /// `None` when they may read every client.
    pub(crate) fn visible_clients_sql(&self, alias: &str) -> Option<String> {
        let role = self.role()?;
        if allows(role, Permission::ReadAllClients) {
            return None;
        }
        let me = sql_text(self.actor());
        Some(format!(
            "({alias}.created_by = {me}
              OR {alias}.id IN (SELECT client_id FROM sessions WHERE therapist = {me})
              OR {alias}.id IN (SELECT client_id FROM intakes WHERE recorded_by = {me}))"
        ))
    }

    /// Refuse (not found, as if it were not there) a client this user may not read.
    pub(crate) fn require_client(&self, client_id: &str) -> Result<()> {
        let Some(cond) = self.visible_clients_sql("c") else {
            return Ok(());
        };
        let visible: bool = self.sql().value(
            &format!("SELECT EXISTS (SELECT 1 FROM clients c WHERE c.id = ?1 AND {cond})"),
            crate::args![client_id],
        )?;
        if visible {
            Ok(())
        } else {
            Err(match self.role() {
                Some(role) => self.deny(role, "read a client who is not theirs"),
                None => Error::not_found("client"),
            })
        }
    }

    pub fn list_users(&self) -> Result<Vec<User>> {
        self.require(Permission::Administer)?;
        Ok(users::list(self.sql())?
            .into_iter()
            .map(User::from_stored)
            .collect())
    }

    /// Every username with the name it appears under on records ("Robin Lee, RMT").
    pub(crate) fn person_names(&self) -> Result<std::collections::HashMap<String, String>> {
        Ok(users::list(self.sql())?
            .into_iter()
            .map(|r| {
                let name = name_with_credentials(&r.display_name, &r.credentials);
                (r.username, name)
            })
            .collect())
    }

    pub fn get_user(&self, username: &str) -> Result<Option<User>> {
        let username = crate::security::keys::normalize_username(username);
        Ok(users::get(self.sql(), &username)?.map(User::from_stored))
    }

    /// Add the user row only (the login, a key file entry or a server role, is the caller's:
    /// see `App::add_user`). The first user may be added by a store without a role (setup);
    /// later ones need an administrator.
    pub fn insert_user(&mut self, username: &str, display_name: &str, role: Role) -> Result<User> {
        self.require(Permission::Administer)?;
        if self.get_user(username)?.is_some() {
            return Err(Error::field(
                "username",
                "That username is taken; choose another.",
            ));
        }
        let display_name =
            validate::text("display_name", "Full name", display_name, 100, Lines::One)?;
        let username = username.to_owned();
        self.write_sql(|tx, ctx| {
            users::insert(tx, &username, &display_name, role.id(), &ctx.now_text())?;
            Ok((
                (),
                AuditEntry {
                    action: "user.create",
                    entity: "user",
                    entity_id: username.clone(),
                    summary: format!("added {display_name} as {}", role.label().to_lowercase()),
                },
            ))
        })?;
        self.get_user(&username)?
            .ok_or_else(|| Error::internal("the new user was not saved"))
    }

    pub fn set_user_disabled(&mut self, username: &str, disabled: bool) -> Result<User> {
        self.require(Permission::Administer)?;
        let username = crate::security::keys::normalize_username(username);
        if disabled && username == self.actor() {
            return Err(Error::field(
                "username",
                "You cannot disable your own account.",
            ));
        }
        let user = self
            .get_user(&username)?
            .ok_or_else(|| Error::not_found("user"))?;
        if disabled && user.role == Role::Administrator {
            let admins = users::count_enabled_administrators(self.sql())?;
            if admins <= 1 {
                return Err(Error::field("username", "Keep at least one administrator."));
            }
        }
        self.write_sql(|tx, ctx| {
            let now = ctx.now_text();
            users::set_disabled(tx, &username, disabled.then_some(now.as_str()))?;
            if tx.engine() == crate::db::sql::Engine::Postgres {
                // On the clinic server a disabled user's login is taken away too (schema 12).
                tx.execute(
                    "SELECT stillpoint_set_login_enabled(?1, ?2)",
                    crate::args![username, !disabled],
                )?;
            }
            Ok((
                (),
                AuditEntry {
                    action: if disabled {
                        "user.disable"
                    } else {
                        "user.enable"
                    },
                    entity: "user",
                    entity_id: username.clone(),
                    summary: if disabled {
                        "disabled the account"
                    } else {
                        "enabled the account"
                    }
                    .to_owned(),
                },
            ))
        })?;
        self.get_user(&username)?
            .ok_or_else(|| Error::not_found("user"))
    }

    /// Change a user's name and credentials: one's own, or anyone's for an administrator.
    /// On the clinic server the change goes through `stillpoint_set_profile`, which checks
    /// the same on the server (a therapist's login may change its own row only).
    pub fn update_profile(&mut self, username: &str, input: &ProfileInput) -> Result<User> {
        // A username that cannot exist is refused before it reaches a query.
        let username = validate_username(username)?;
        if username != self.actor() {
            self.require(Permission::Administer)?;
        }
        let user = self
            .get_user(&username)?
            .ok_or_else(|| Error::not_found("user"))?;
        let display_name = validate::name("display_name", "Full name", &input.display_name, 100)?;
        let credentials = validate_credentials(&input.credentials)?;
        if display_name == user.display_name && credentials == user.credentials {
            return Ok(user);
        }
        self.write_sql(|tx, _| {
            if tx.engine() == crate::db::sql::Engine::Postgres {
                tx.execute(
                    "SELECT stillpoint_set_profile(?1, ?2, ?3)",
                    crate::args![username, display_name, credentials],
                )?;
            } else {
                users::set_profile(tx, &username, &display_name, &credentials)?;
            }
            Ok((
                (),
                AuditEntry {
                    action: "user.profile",
                    entity: "user",
                    entity_id: username.clone(),
                    summary: format!(
                        "named {}",
                        name_with_credentials(&display_name, &credentials)
                    ),
                },
            ))
        })?;
        self.get_user(&username)?
            .ok_or_else(|| Error::not_found("user"))
    }

    /// Record a login, logout, lock, password change or recovery in the audit log.
    /// A wrong password typed at the login screen, recorded at the next successful login.
    pub(crate) fn audit_login_failure(&mut self, username: &str, summary: &str) -> Result<()> {
        let (who, summary) = (username.to_owned(), summary.to_owned());
        self.write_sql(|_, _| {
            Ok((
                (),
                AuditEntry {
                    action: "user.login_failed",
                    entity: "user",
                    entity_id: who,
                    summary,
                },
            ))
        })
    }

    pub(crate) fn audit_account(&mut self, action: &'static str, summary: &str) -> Result<()> {
        let who = self.actor().to_owned();
        let summary = summary.to_owned();
        self.write_sql(|_, _| {
            Ok((
                (),
                AuditEntry {
                    action,
                    entity: "user",
                    entity_id: who,
                    summary,
                },
            ))
        })
    }
}

impl Store {
    /// Walk the audit chain from the first entry and report the first link that does not
    /// hold (administrators only).
    pub fn verify_audit(&self) -> Result<crate::db::audit::AuditVerification> {
        self.require(Permission::Administer)?;
        crate::db::audit::verify(self.sql())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_allow_what_the_issue_says() {
        use Permission::*;
        assert!(allows(Role::Therapist, Chart));
        for p in [
            ReadAllClients,
            AmendAnyNote,
            ClinicReports,
            ManageTechniques,
            Administer,
        ] {
            assert!(!allows(Role::Therapist, p), "{p:?}");
        }
        assert!(!allows(Role::Manager, Chart));
        assert!(!allows(Role::Manager, Administer));
        assert!(allows(Role::Manager, ClinicReports) && allows(Role::Manager, AmendAnyNote));
        assert!(allows(Role::Administrator, Administer) && allows(Role::Administrator, Chart));
    }

    #[test]
    fn each_role_sees_the_sections_its_permissions_allow() {
        use Section::*;
        assert_eq!(
            Role::Therapist.sections(),
            [Clients, Search, Techniques, About]
        );
        assert_eq!(
            Role::Manager.sections(),
            [Clients, Search, Dashboard, Techniques, About]
        );
        assert_eq!(Role::Administrator.sections(), Section::ALL);
        assert_eq!(Role::Therapist.permissions(), [Permission::Chart]);
        assert_eq!(Role::Administrator.permissions(), Permission::ALL);
    }

    #[test]
    fn names_carry_credentials_when_set() {
        assert_eq!(name_with_credentials("Robin Lee", ""), "Robin Lee");
        assert_eq!(name_with_credentials("Robin Lee", "RMT"), "Robin Lee, RMT");
        assert_eq!(validate_credentials("  RMT, CLT ").unwrap(), "RMT, CLT");
        assert_eq!(validate_credentials("").unwrap(), "");
        for bad in ["<RMT>", "RMT\nCLT", &"x".repeat(41), "R;T"] {
            assert_eq!(
                validate_credentials(bad).unwrap_err().field.as_deref(),
                Some("credentials"),
                "{bad}"
            );
        }
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert_eq!(validate_username(" Jo.Park ").unwrap(), "jo.park");
        for bad in ["", "j", ".jo", "jo park", "jö", "<script>", "'; drop"] {
            assert_eq!(
                validate_username(bad).unwrap_err().field.as_deref(),
                Some("username"),
                "{bad}"
            );
        }
        assert!(validate_password("short").is_err());
        assert!(validate_password("a long enough passphrase").is_ok());
        assert!(validate_password(&"x".repeat(201)).is_err());
    }
}
