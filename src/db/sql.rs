//! One way to run a statement on either engine.
//!
//! Statements are written once, in the SQL both SQLite and PostgreSQL accept, with numbered
//! placeholders `?1`, `?2`, …; on PostgreSQL they are rewritten to `$1`, `$2`, … (outside
//! string literals) and prepared once per connection. Where the dialects differ, the caller
//! picks with [`Conn::pick`], and says why beside it.
//!
//! Values cross as a small closed set of types — 64-bit integers, doubles, text, bytes,
//! null — because the PostgreSQL schema uses BIGINT, DOUBLE PRECISION, TEXT and BYTEA where
//! SQLite uses INTEGER, REAL, TEXT and BLOB. One row mapping reads both.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::{Error, ErrorCode, Result};

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// Anything that can be bound to a placeholder.
pub trait Arg {
    fn value(&self) -> Value<'_>;
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_arg!(i64, i32, i16, i8, u32, u16, u8);

impl Arg for bool {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl Arg for usize {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl Arg for u64 {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl Arg for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}
impl Arg for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl Arg for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl Arg for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Bytes(self)
    }
}
impl Arg for Vec<u8> {
    fn value(&self) -> Value<'_> {
        Value::Bytes(self)
    }
}
impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}
impl<T: Arg> Arg for Option<T> {
    fn value(&self) -> Value<'_> {
        match self {
            Some(v) => v.value(),
            None => Value::Null,
        }
    }
}
impl Arg for Value<'_> {
    fn value(&self) -> Value<'_> {
        *self
    }
}

/// The arguments of a statement: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    () => {
        &[] as &[&dyn $crate::db::sql::Arg]
    };
    ($($a:expr),+ $(,)?) => {
        &[$(&$a as &dyn $crate::db::sql::Arg),+] as &[&dyn $crate::db::sql::Arg]
    };
}

/// A value read from a column, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Owned {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A Rust type a column can be read into.
pub trait Column: Sized {
    fn from_owned(v: Owned) -> std::result::Result<Self, String>;
}

impl Column for Owned {
    fn from_owned(v: Owned) -> std::result::Result<Self, String> {
        Ok(v)
    }
}
impl Column for i64 {
    fn from_owned(v: Owned) -> std::result::Result<Self, String> {
        match v {
            Owned::Int(i) => Ok(i),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}
macro_rules! narrow_int {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn from_owned(v: Owned) -> std::result::Result<Self, String> {
                let i = i64::from_owned(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range"))
            }
        }
    )*};
}
narrow_int!(i32, u32, u16, u8, usize, u64);

impl Column for bool {
    fn from_owned(v: Owned) -> std::result::Result<Self, String> {
        Ok(i64::from_owned(v)? != 0)
    }
}
impl Column for f64 {
    fn from_owned(v: Owned) -> std::result::Result<Self, String> {
        match v {
            Owned::Real(f) => Ok(f),
            Owned::Int(i) => Ok(i as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}
impl Column for String {
    fn from_owned(v: Owned) -> std::result::Result<Self, String> {
        match v {
            Owned::Text(s) => Ok(s),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl Column for Vec<u8> {
    fn from_owned(v: Owned) -> std::result::Result<Self, String> {
        match v {
            Owned::Bytes(b) => Ok(b),
            Owned::Text(s) => Ok(s.into_bytes()),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}
impl<T: Column> Column for Option<T> {
    fn from_owned(v: Owned) -> std::result::Result<Self, String> {
        match v {
            Owned::Null => Ok(None),
            other => T::from_owned(other).map(Some),
        }
    }
}

/// One row of a result, on either engine.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `i` (from 0) as `T`.
    pub fn get<T: Column>(&self, i: usize) -> Result<T> {
        let owned = match self {
            Row::Sqlite(r) => sqlite_owned(r.get_ref(i)?),
            Row::Pg(r) => pg_owned(r, i)?,
        };
        T::from_owned(owned).map_err(|why| Error::internal(format!("column {i}: {why}")))
    }
}

pub(crate) fn sqlite_owned(v: rusqlite::types::ValueRef<'_>) -> Owned {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => Owned::Null,
        V::Integer(i) => Owned::Int(i),
        V::Real(f) => Owned::Real(f),
        V::Text(t) => Owned::Text(String::from_utf8_lossy(t).into_owned()),
        V::Blob(b) => Owned::Bytes(b.to_vec()),
    }
}

fn pg_owned(r: &postgres::Row, i: usize) -> Result<Owned> {
    use postgres::types::Type;
    let column = r
        .columns()
        .get(i)
        .ok_or_else(|| Error::internal(format!("no column {i}")))?;
    let ty = column.type_();
    let v = if *ty == Type::INT8 {
        r.try_get::<_, Option<i64>>(i)?.map(Owned::Int)
    } else if *ty == Type::INT4 {
        r.try_get::<_, Option<i32>>(i)?
            .map(|v| Owned::Int(i64::from(v)))
    } else if *ty == Type::INT2 {
        r.try_get::<_, Option<i16>>(i)?
            .map(|v| Owned::Int(i64::from(v)))
    } else if *ty == Type::BOOL {
        r.try_get::<_, Option<bool>>(i)?
            .map(|v| Owned::Int(i64::from(v)))
    } else if *ty == Type::FLOAT8 {
        r.try_get::<_, Option<f64>>(i)?.map(Owned::Real)
    } else if *ty == Type::FLOAT4 {
        r.try_get::<_, Option<f32>>(i)?
            .map(|v| Owned::Real(f64::from(v)))
    } else if *ty == Type::BYTEA {
        r.try_get::<_, Option<Vec<u8>>>(i)?.map(Owned::Bytes)
    } else if [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
    ]
    .contains(ty)
    {
        r.try_get::<_, Option<String>>(i)?.map(Owned::Text)
    } else {
        return Err(Error::internal(format!(
            "column {} has type {ty}, which Stillpoint does not read (cast it to BIGINT, DOUBLE PRECISION or TEXT)",
            column.name()
        )));
    };
    Ok(v.unwrap_or(Owned::Null))
}

/// A PostgreSQL connection and the statements prepared on it.
pub struct PgConn {
    client: RefCell<postgres::Client>,
    prepared: RefCell<HashMap<String, postgres::Statement>>,
    /// Exchanges with the server through the statement path (each a network round trip).
    trips: std::cell::Cell<u64>,
}

impl PgConn {
    pub fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            trips: std::cell::Cell::new(0),
        }
    }

    /// Round trips to the server so far through the statement path: one per statement run,
    /// one more the first time a statement is prepared on this connection, one per batch.
    pub fn round_trips(&self) -> u64 {
        self.trips.get()
    }

    fn trip(&self) {
        self.trips.set(self.trips.get() + 1);
    }

    /// The client itself, for work outside the statement path (COPY, notifications).
    pub fn client(&self) -> std::cell::RefMut<'_, postgres::Client> {
        self.client.borrow_mut()
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let text = dollar_placeholders(sql);
        self.trip();
        let stmt = self.client.borrow_mut().prepare(&text)?;
        self.prepared
            .borrow_mut()
            .insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    fn query(&self, sql: &str, args: &[&dyn Arg]) -> Result<Vec<postgres::Row>> {
        let stmt = self.statement(sql)?;
        let values: Vec<PgArg<'_>> = args.iter().map(|a| PgArg(a.value())).collect();
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.trip();
        Ok(self.client.borrow_mut().query(&stmt, &refs)?)
    }

    /// Planned for these values, every time: an unnamed statement, one round trip, no plan
    /// kept (see [`Conn::all_replanned`]).
    fn query_replanned(&self, sql: &str, args: &[&dyn Arg]) -> Result<Vec<postgres::Row>> {
        use postgres::types::Type;
        let text = dollar_placeholders(sql);
        let values: Vec<PgArg<'_>> = args.iter().map(|a| PgArg(a.value())).collect();
        let typed: Vec<(&(dyn postgres::types::ToSql + Sync), Type)> = values
            .iter()
            .map(|v| {
                let ty = match v.0 {
                    Value::Int(_) => Type::INT8,
                    Value::Real(_) => Type::FLOAT8,
                    Value::Bytes(_) => Type::BYTEA,
                    Value::Null | Value::Text(_) => Type::TEXT,
                };
                (v as &(dyn postgres::types::ToSql + Sync), ty)
            })
            .collect();
        self.trip();
        Ok(self.client.borrow_mut().query_typed(&text, &typed)?)
    }

    fn execute(&self, sql: &str, args: &[&dyn Arg]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        let values: Vec<PgArg<'_>> = args.iter().map(|a| PgArg(a.value())).collect();
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.trip();
        Ok(self.client.borrow_mut().execute(&stmt, &refs)?)
    }
}

/// `?1` becomes `$1` outside quoted text and identifiers.
pub fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                out.push('$');
            }
            None => out.push(c),
        }
    }
    out
}

/// A value bound on PostgreSQL: written as whatever type the server expects at that place,
/// so an integer can fill a BIGINT or an INTEGER, and a null any column.
#[derive(Debug)]
pub(crate) struct PgArg<'a>(pub(crate) Value<'a>);

impl postgres::types::ToSql for PgArg<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::{IsNull, Type};
        let mismatch = || -> Box<dyn std::error::Error + Sync + Send> {
            format!("a {:?} cannot be stored as {ty}", self.0).into()
        };
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => {
                if *ty == Type::INT8 {
                    i.to_sql(ty, out)
                } else if *ty == Type::INT4 {
                    i32::try_from(i).map_err(|_| mismatch())?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(i).map_err(|_| mismatch())?.to_sql(ty, out)
                } else if *ty == Type::FLOAT8 {
                    (i as f64).to_sql(ty, out)
                } else if *ty == Type::BOOL {
                    (i != 0).to_sql(ty, out)
                } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
                    i.to_string().as_str().to_sql(ty, out)
                } else {
                    Err(mismatch())
                }
            }
            Value::Real(f) => {
                if *ty == Type::FLOAT8 {
                    f.to_sql(ty, out)
                } else if *ty == Type::FLOAT4 {
                    (f as f32).to_sql(ty, out)
                } else {
                    Err(mismatch())
                }
            }
            Value::Text(s) => s.to_sql(ty, out),
            Value::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A connection to either engine, borrowed for the length of a read or a write.
#[derive(Clone, Copy)]
pub enum Conn<'c> {
    Sqlite(&'c rusqlite::Connection),
    Pg(&'c PgConn),
}

impl<'c> Conn<'c> {
    pub fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Pg(_) => Engine::Postgres,
        }
    }

    /// The statement for this engine, where the two dialects differ.
    pub fn pick<'s>(&self, sqlite: &'s str, postgres: &'s str) -> &'s str {
        match self {
            Conn::Sqlite(_) => sqlite,
            Conn::Pg(_) => postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (FTS5, backups, PRAGMAs).
    pub fn sqlite(&self) -> Option<&'c rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    /// Run a statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, args: &[&dyn Arg]) -> Result<usize> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let n = stmt.execute(rusqlite::params_from_iter(
                    args.iter().map(|a| SqArg(a.value())),
                ))?;
                Ok(n)
            }
            Conn::Pg(p) => Ok(usize::try_from(p.execute(sql, args)?).unwrap_or(usize::MAX)),
        }
    }

    /// Several statements without arguments (schema work).
    pub fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(p) => {
                p.trip();
                Ok(p.client.borrow_mut().batch_execute(sql)?)
            }
        }
    }

    /// Every row, mapped.
    pub fn all<T>(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, args, |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Each row in turn until `f` returns false. On SQLite rows are read as they come; on
    /// PostgreSQL the result arrives whole first.
    pub fn each(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        mut f: impl FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(
                    args.iter().map(|a| SqArg(a.value())),
                ))?;
                while let Some(r) = rows.next()? {
                    if !f(&Row::Sqlite(r))? {
                        break;
                    }
                }
                Ok(())
            }
            Conn::Pg(p) => {
                for r in p.query(sql, args)? {
                    if !f(&Row::Pg(&r))? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// Every row, mapped, from a statement planned for these very values each time it runs.
    ///
    /// PostgreSQL plans a prepared statement for its values the first five times, then may
    /// settle on one generic plan for any values. Where the best plan depends on the values,
    /// a generic plan can be a hundred times slower: full-text search, where a common word
    /// (most notes) is best read in index order until the page is full and a rare one from
    /// the GIN index. SQLite: the same as [`Conn::all`].
    pub fn all_replanned<T>(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Conn::Sqlite(_) => self.all(sql, args, f),
            Conn::Pg(p) => p
                .query_replanned(sql, args)?
                .iter()
                .map(|r| f(&Row::Pg(r)))
                .collect(),
        }
    }

    /// The first column of the first row, as [`Conn::value`], planned as
    /// [`Conn::all_replanned`] is.
    pub fn value_replanned<T: Column>(&self, sql: &str, args: &[&dyn Arg]) -> Result<T> {
        self.all_replanned(sql, args, |r| r.get(0))?
            .into_iter()
            .next()
            .ok_or_else(|| Error::internal(format!("no row from: {sql}")))
    }

    /// The first row, if there is one.
    pub fn optional<T>(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.each(sql, args, |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(false)
        })?;
        Ok(out)
    }

    /// The first row; an internal error when there is none (counts, sums: always a row).
    pub fn one<T>(
        &self,
        sql: &str,
        args: &[&dyn Arg],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.optional(sql, args, f)?
            .ok_or_else(|| Error::internal(format!("no row from: {sql}")))
    }

    /// The first column of the first row.
    pub fn value<T: Column>(&self, sql: &str, args: &[&dyn Arg]) -> Result<T> {
        self.one(sql, args, |r| r.get(0))
    }
}

struct SqArg<'a>(Value<'a>);

impl rusqlite::ToSql for SqArg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(i),
            Value::Real(f) => ValueRef::Real(f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::RAISE_EXCEPTION {
                // A trigger refusing the change: the same words as SQLite's RAISE(ABORT).
                return Self::new(
                    ErrorCode::Storage,
                    format!(
                        "The database could not complete the request ({}). Nothing was changed.",
                        db.message()
                    ),
                );
            }
            if *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
            {
                // The server is stopping or starting: like a lost connection.
                return Self::offline();
            }
            if *code == SqlState::DISK_FULL {
                return Self::new(
                    ErrorCode::DiskFull,
                    "The server's disk is full, so nothing was saved. Ask whoever runs the clinic server to free some space.",
                );
            }
            if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::LOCK_NOT_AVAILABLE
            {
                return Self::new(
                    ErrorCode::Busy,
                    "The clinic server is busy with another change. Wait a moment and try again.",
                );
            }
            return Self::new(
                ErrorCode::Storage,
                format!(
                    "The database could not complete the request ({}). Nothing was changed.",
                    db.message()
                ),
            );
        }
        let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
        if e.is_closed() || io {
            return Self::offline();
        }
        Self::new(
            ErrorCode::Storage,
            format!("The clinic server could not complete the request ({e}). Nothing was changed."),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            dollar_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND \"d?3\" = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND \"d?3\" = $12"
        );
    }

    #[test]
    fn one_mapping_reads_sqlite() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let conn = Conn::Sqlite(&c);
        conn.batch("CREATE TABLE t (a INTEGER, b TEXT, c REAL)")
            .unwrap();
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            crate::args![7, "zoë", Some(1.5)],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            crate::args![8, None::<String>, None::<f64>],
        )
        .unwrap();
        let rows: Vec<(i64, Option<String>, Option<f64>)> = conn
            .all("SELECT a, b, c FROM t ORDER BY a", crate::args![], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(
            rows,
            vec![(7, Some("zoë".into()), Some(1.5)), (8, None, None)]
        );
        assert_eq!(
            conn.value::<i64>("SELECT count(*) FROM t", crate::args![])
                .unwrap(),
            2
        );
        assert!(
            conn.optional("SELECT a FROM t WHERE a = ?1", crate::args![9], |r| r
                .get::<i64>(0))
                .unwrap()
                .is_none()
        );
    }
}
