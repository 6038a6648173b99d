//! The store the domain works on: the database (storage) and the role of whoever is
//! using it. Storage knows nothing of roles or of the domain; this is where the two meet,
//! and where the domain hands storage the work its migrations need.

use std::ops::{Deref, DerefMut};

use crate::db::{Database, Hooks, OpenOptions};
use crate::error::Result;
use crate::security::users::Role;

/// An open Stillpoint database and who is using it.
#[derive(Debug)]
pub struct Store {
    db: Database,
    /// The logged-in user's role; `None` (tools and tests) is allowed everything.
    role: Option<Role>,
}

/// What the domain gives storage: the migration hooks that fill new tables from the
/// records already there, and the per-connection set-up search needs.
pub(crate) const HOOKS: Hooks = Hooks {
    totals: crate::reports::technique_totals::rebuild,
    name_prefixes: crate::search::name_prefixes::index_existing,
    search_terms: crate::search::index::record_existing_words,
    on_open: crate::search::index::create_scratch,
    keep_copy: crate::security::backup::keep_before_upgrade,
};

impl Store {
    /// Open (and migrate) the database; nobody's role yet (tools and tests).
    pub fn open(options: OpenOptions) -> Result<Store> {
        Ok(Store {
            db: Database::open(options, HOOKS)?,
            role: None,
        })
    }

    /// Open (and migrate) the database, telling `report` how an upgrade goes when the file
    /// needs one (the login screen shows it).
    pub fn open_reporting(
        options: OpenOptions,
        report: &crate::progress::Reporter,
    ) -> Result<Store> {
        Ok(Store {
            db: Database::open_reporting(options, HOOKS, Some(report))?,
            role: None,
        })
    }

    /// Open the database for a user with `role`.
    pub fn open_as(options: OpenOptions, role: Role) -> Result<Store> {
        let mut store = Store::open(options)?;
        store.role = Some(role);
        Ok(store)
    }

    /// A second connection to the same file for long reads, with the same role.
    pub fn open_another(&self) -> Result<Store> {
        Ok(Store {
            db: self.db.open_another()?,
            role: self.role,
        })
    }

    /// The logged-in user's role; `None` for tools and tests.
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// Set once the user's row has been read at login.
    pub(crate) fn set_role(&mut self, role: Role) {
        self.role = Some(role);
    }

    /// Run many writes in one transaction (generators and imports: one disk flush instead
    /// of one per write). Each write inside is still all-or-nothing; if `f` fails, none land.
    pub fn bulk<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        Database::bulk(self, f)
    }
}

/// Create an unencrypted database at an older schema version, as an earlier Stillpoint
/// left it: for upgrade tests only.
#[doc(hidden)]
pub fn create_at_schema_version(
    path: &std::path::Path,
    version: usize,
) -> Result<rusqlite::Connection> {
    crate::db::create_at_schema_version(path, version, &HOOKS)
}

impl AsMut<Database> for Store {
    fn as_mut(&mut self) -> &mut Database {
        &mut self.db
    }
}

impl Deref for Store {
    type Target = Database;
    fn deref(&self) -> &Database {
        &self.db
    }
}

impl DerefMut for Store {
    fn deref_mut(&mut self) -> &mut Database {
        &mut self.db
    }
}
