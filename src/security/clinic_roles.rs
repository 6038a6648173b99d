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
use crate::security::users::{NewUser, Permission, User};

/// The login role of `username` in the clinic database `database`.
pub fn login_role(database: &str, username: &str) -> String {
    let digest = Sha256::digest(database.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sp_{hex}_{username}")
}

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
        let verifier = postgres_protocol::password::scram_sha_256(input.password.as_bytes());
        let role_name = self.write_sql(|tx, ctx| {
            users::insert(tx, &username, &display_name, role.id(), &ctx.now_text())?;
            // The login, its privileges and its user_logins row, made by the owner's function
            // (schema 12), which checks that this connection may manage logins.
            let role_name: String = tx.value(
                "SELECT stillpoint_create_login(?1, ?2)",
                crate::args![username, verifier],
            )?;
            Ok((
                role_name,
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

impl Store {
    /// Set a user's password on the clinic server (an administrator for anyone, or the user
    /// for themself; the server's function checks which). Only the SCRAM verifier is sent.
    pub fn set_clinic_password(&mut self, username: &str, password: &str) -> Result<()> {
        if self.sql().engine() != Engine::Postgres {
            return Err(Error::new(
                ErrorCode::Storage,
                "Login passwords exist on a clinic server only.",
            ));
        }
        crate::security::users::validate_password(password)?;
        let username = crate::security::keys::normalize_username(username);
        let me = username == self.actor();
        if !me {
            self.require(Permission::Administer)?;
        }
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        self.write_sql(|tx, _| {
            tx.execute(
                "SELECT stillpoint_set_login_password(?1, ?2)",
                crate::args![username, verifier],
            )?;
            Ok((
                (),
                AuditEntry {
                    action: "user.password",
                    entity: "user",
                    entity_id: username.clone(),
                    summary: if me {
                        "changed their password".to_owned()
                    } else {
                        format!("set a new password for {username}")
                    },
                },
            ))
        })
    }
}

impl Store {
    /// Give a user who is already in `users` (moved in by an import) their own login on the
    /// clinic server, with `password`. Refused for a user who has one. Returns the login's name.
    pub fn give_clinic_login(&mut self, username: &str, password: &str) -> Result<String> {
        self.require(Permission::Administer)?;
        if self.sql().engine() != Engine::Postgres {
            return Err(Error::new(
                ErrorCode::Storage,
                "Login roles exist on a clinic server only.",
            ));
        }
        let username = crate::security::keys::normalize_username(username);
        let user = self
            .get_user(&username)?
            .ok_or_else(|| Error::field("username", "There is no user with that username."))?;
        crate::security::users::validate_password(password)?;
        let has: bool = self.sql().value(
            "SELECT EXISTS (SELECT 1 FROM user_logins WHERE username = ?1)",
            crate::args![username],
        )?;
        if has {
            return Err(Error::field(
                "username",
                "This user already has a login on the clinic server; set a new password instead.",
            ));
        }
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        self.write_sql(|tx, _| {
            let role_name: String = tx.value(
                "SELECT stillpoint_create_login(?1, ?2)",
                crate::args![username, verifier],
            )?;
            Ok((
                role_name,
                AuditEntry {
                    action: "user.login_created",
                    entity: "user",
                    entity_id: username.clone(),
                    summary: format!(
                        "gave {} their own login on the clinic server",
                        user.display_name
                    ),
                },
            ))
        })
    }
}
