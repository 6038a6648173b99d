//! On the clinic server each Stillpoint user is their own PostgreSQL login role, so the
//! server knows who is connected and applies its own rules (row-level security, the audit
//! actor; schema 11, `db/postgres/0002_roles.sql`). Nobody's password is kept anywhere but in
//! the server's SCRAM verifier, made here so the password itself never crosses in a
//! statement.
//!
//! A user's role is named from the clinic database and the username (`sp_` + 12 hex digits of
//! the database name's SHA-256 + `_` + username), so a workstation can name it from what the
//! person types, and several clinics (or the tests' many databases) share one server.

use sha2::{Digest, Sha256};

use crate::Store;
use crate::db::audit::AuditEntry;
use crate::db::sql::Engine;
use crate::db::tables::users;
use crate::error::{Error, ErrorCode, Result};
use crate::security::users::{NewUser, Permission, Role, User};

/// The login role of `username` in the clinic database `database`.
pub fn login_role(database: &str, username: &str) -> String {
    let digest = Sha256::digest(database.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sp_{hex}_{username}")
}

/// Table privileges every login role gets; row-level security narrows what a therapist's
/// role reaches. The audit log and its counter are only read: entries go through
/// `stillpoint_audit_append`.
const EVERY_ROLE: &str = "
    GRANT USAGE ON SCHEMA public TO {role};
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
    GRANT INSERT, UPDATE, DELETE ON clients, client_contraindications, client_name_prefixes,
        intakes, red_flag_acks, sessions, session_techniques, session_marks, amendments,
        search_docs, search_fts, search_terms, technique_outcome_totals TO {role};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};";

/// And what the catalogue, the clinic's details and the users need.
const MANAGING: &str = "GRANT INSERT, UPDATE ON techniques, technique_warnings TO {role};";
const ADMINISTERING: &str = "GRANT INSERT, UPDATE ON clinic_settings, users TO {role};";

impl Store {
    /// Add a user on the clinic server: their users row and their own login role with the
    /// password's SCRAM verifier, in one audited transaction. Needs a connection that may
    /// create roles (the clinic's owner).
    pub fn add_clinic_user(&mut self, input: &NewUser) -> Result<(User, String)> {
        self.require(Permission::Administer)?;
        if self.sql().engine() != Engine::Postgres {
            return Err(Error::new(
                ErrorCode::Storage,
                "Login roles exist on a clinic server only; on this computer users are added in Administration.",
            ));
        }
        let (username, display_name, role) = input.validated()?;
        if self.get_user(&username)?.is_some() {
            return Err(Error::field(
                "username",
                "That username is taken; choose another.",
            ));
        }
        let database: String = self
            .sql()
            .value("SELECT current_database()::text", crate::args![])?;
        let role_name = login_role(&database, &username);
        let quoted = format!("\"{role_name}\"");
        let verifier = postgres_protocol::password::scram_sha_256(input.password.as_bytes());
        // The verifier is base64 text with `$`, `:` and `=`; no quote can be in it.
        if verifier.contains('\'') {
            return Err(Error::internal("an unexpected SCRAM verifier"));
        }
        let mut grants = EVERY_ROLE.replace("{role}", &quoted);
        if matches!(role, Role::Manager | Role::Administrator) {
            grants.push_str(&MANAGING.replace("{role}", &quoted));
        }
        if role == Role::Administrator {
            grants.push_str(&ADMINISTERING.replace("{role}", &quoted));
        }
        self.write_sql(|tx, ctx| {
            users::insert(tx, &username, &display_name, role.id(), &ctx.now_text())?;
            tx.batch(&format!(
                "CREATE ROLE {quoted} LOGIN PASSWORD '{verifier}'; {grants}"
            ))?;
            tx.execute(
                "INSERT INTO user_logins (role_name, username) VALUES (?1, ?2)",
                crate::args![role_name, username],
            )?;
            Ok((
                (),
                AuditEntry {
                    action: "user.create",
                    entity: "user",
                    entity_id: username.clone(),
                    summary: format!(
                        "added {display_name} as {}, with their own login on the clinic server",
                        role.label().to_lowercase()
                    ),
                },
            ))
        })?;
        let user = self
            .get_user(&username)?
            .ok_or_else(|| Error::internal("the new user was not saved"))?;
        Ok((user, role_name))
    }
}
