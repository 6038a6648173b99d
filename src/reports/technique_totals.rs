//! Outcomes by technique, kept as running totals.
//!
//! The dashboard's "outcomes by technique" covers every signed session and every client's
//! responder status. Counted afresh it reads the whole clinic (seconds at a million notes),
//! so the totals live in `technique_outcome_totals` and move with the only two writes that
//! change them: signing a note and recording an intake. Each of those takes one client's
//! share of the totals before the write and after it, in the same transaction, and adds the
//! difference. [`recount`] counts everything afresh (the migration that made the table
//! uses it, through [`rebuild`]), and [`check`] compares the two, for tests.
//!
//! The table's statements are in [`crate::db::tables::technique_outcome_totals`]; what a
//! client's share is, and so what to add, is counted here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::db::sql::Conn;
use crate::db::tables::corrections;
use crate::db::tables::technique_outcome_totals::{self, TotalsRow};
use crate::domain::responder::{Responder, responder_status};
use crate::error::Result;

/// One technique's figures: from one client, or summed over the clinic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Signed sessions that used it, and how many of those recorded pain before and after.
    pub sessions: i64,
    pub sessions_with_pain: i64,
    /// Sum of pain before minus after over the sessions with both (whole points).
    pub pain_change_sum: i64,
    pub clients: i64,
    /// Clients with a responder status that can be measured (responder or not yet).
    pub clients_measurable: i64,
    pub responders: i64,
}

impl Totals {
    fn add(&mut self, o: &Totals, sign: i64) {
        self.sessions += sign * o.sessions;
        self.sessions_with_pain += sign * o.sessions_with_pain;
        self.pain_change_sum += sign * o.pain_change_sum;
        self.clients += sign * o.clients;
        self.clients_measurable += sign * o.clients_measurable;
        self.responders += sign * o.responders;
    }

    fn is_zero(&self) -> bool {
        *self == Totals::default()
    }

    /// The row that holds (or adds) these figures for a technique.
    fn stored(&self, technique_id: &str) -> TotalsRow {
        TotalsRow {
            technique_id: technique_id.to_owned(),
            sessions: self.sessions,
            sessions_with_pain: self.sessions_with_pain,
            pain_change_sum: self.pain_change_sum,
            clients: self.clients,
            clients_measurable: self.clients_measurable,
            responders: self.responders,
        }
    }

    /// A technique's figures as kept.
    fn from_stored(r: TotalsRow) -> (String, Totals) {
        (
            r.technique_id,
            Totals {
                sessions: r.sessions,
                sessions_with_pain: r.sessions_with_pain,
                pain_change_sum: r.pain_change_sum,
                clients: r.clients,
                clients_measurable: r.clients_measurable,
                responders: r.responders,
            },
        )
    }
}

/// One client's share of the totals, per technique id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Share(BTreeMap<String, Totals>);

fn status_counts(status: Responder) -> (i64, i64) {
    match status {
        Responder::Responder => (1, 1),
        Responder::NotYet => (1, 0),
        Responder::TooLittleData | Responder::NotMeasurable => (0, 0),
    }
}

/// A client's responder status from their baseline and latest intakes.
fn client_status(conn: Conn<'_>, client_id: &str) -> Result<Responder> {
    let (n, baseline, latest) = conn.one(
        "SELECT count(*),
            (SELECT headache_days FROM intakes b WHERE b.client_id = ?1
               ORDER BY assessed_on, recorded_at, id LIMIT 1),
            (SELECT headache_days FROM intakes l WHERE l.client_id = ?1
               ORDER BY assessed_on DESC, recorded_at DESC, id DESC LIMIT 1)
         FROM intakes WHERE client_id = ?1",
        crate::args![client_id],
        |r| {
            Ok((
                r.get::<usize>(0)?,
                r.get::<Option<u8>>(1)?,
                r.get::<Option<u8>>(2)?,
            ))
        },
    )?;
    Ok(responder_status(baseline, latest, n).0)
}

/// A signed note's pain before and after as the figures count them: an amendment's
/// correction where there is one, else as signed (SQL for a `sessions s`). Before schema 17
/// (the migration that made the totals runs at schema 7) there are no corrections to read.
fn pain_in_force(with_corrections: bool) -> String {
    if !with_corrections {
        return "s.pain_before, s.pain_after".to_owned();
    }
    format!(
        "{} AS pain_before, {} AS pain_after",
        corrections::latest("s.id", "s.pain_before", "pain_before"),
        corrections::latest("s.id", "s.pain_after", "pain_after")
    )
}

/// Per technique: signed sessions, those with pain before and after, and the pain change
/// summed over them (pain as corrected). A technique listed twice in one note counts that
/// note once. (The sum is cast back to BIGINT: PostgreSQL sums BIGINTs as NUMERIC.)
fn per_technique() -> String {
    format!(
        "SELECT technique_id, count(*),
           count(*) FILTER (WHERE pain_before IS NOT NULL AND pain_after IS NOT NULL),
           CAST(COALESCE(sum(pain_before - pain_after), 0) AS BIGINT)
         FROM (SELECT DISTINCT st.technique_id, s.id, {}
               FROM sessions s JOIN session_techniques st ON st.session_id = s.id
               WHERE s.status = 'signed' AND s.client_id = ?1) AS noted
         GROUP BY technique_id",
        pain_in_force(true)
    )
}

/// A client's share of the clinic's totals, as the database holds it now.
pub(crate) fn share(conn: Conn<'_>, client_id: &str) -> Result<Share> {
    let (measurable, responder) = status_counts(client_status(conn, client_id)?);
    let rows = conn.all(&per_technique(), crate::args![client_id], |r| {
        Ok((
            r.get::<String>(0)?,
            Totals {
                sessions: r.get(1)?,
                sessions_with_pain: r.get(2)?,
                pain_change_sum: r.get(3)?,
                clients: 1,
                clients_measurable: measurable,
                responders: responder,
            },
        ))
    })?;
    Ok(Share(rows.into_iter().collect()))
}

/// Move the totals from a client's share `before` a write to their share `after` it.
pub(crate) fn apply(conn: Conn<'_>, before: &Share, after: &Share) -> Result<()> {
    let ids: BTreeSet<&String> = before.0.keys().chain(after.0.keys()).collect();
    for id in ids {
        let mut d = Totals::default();
        if let Some(a) = after.0.get(id) {
            d.add(a, 1);
        }
        if let Some(b) = before.0.get(id) {
            d.add(b, -1);
        }
        if d.is_zero() {
            continue;
        }
        technique_outcome_totals::add(conn, &d.stored(id))?;
    }
    Ok(())
}

/// Every technique's totals, counted from the sessions and intakes themselves.
pub fn count_afresh(conn: Conn<'_>) -> Result<BTreeMap<String, Totals>> {
    count_afresh_as(conn, true)
}

/// [`count_afresh`], reading corrections or (before there is a table of them) not.
fn count_afresh_as(conn: Conn<'_>, with_corrections: bool) -> Result<BTreeMap<String, Totals>> {
    let mut status: HashMap<String, Responder> = HashMap::new();
    conn.each(
        "SELECT i.client_id, count(*),
            (SELECT headache_days FROM intakes b WHERE b.client_id = i.client_id
               ORDER BY assessed_on, recorded_at, id LIMIT 1),
            (SELECT headache_days FROM intakes l WHERE l.client_id = i.client_id
               ORDER BY assessed_on DESC, recorded_at DESC, id DESC LIMIT 1)
         FROM intakes i GROUP BY i.client_id",
        crate::args![],
        |r| {
            let (baseline, latest) = (r.get::<Option<u8>>(2)?, r.get::<Option<u8>>(3)?);
            let n = r.get::<usize>(1)?;
            status.insert(r.get(0)?, responder_status(baseline, latest, n).0);
            Ok(true)
        },
    )?;
    let mut out: BTreeMap<String, Totals> = BTreeMap::new();
    conn.each(
        &format!(
            "SELECT technique_id, client_id, count(*),
                count(*) FILTER (WHERE pain_before IS NOT NULL AND pain_after IS NOT NULL),
                CAST(COALESCE(sum(pain_before - pain_after), 0) AS BIGINT)
             FROM (SELECT DISTINCT st.technique_id, s.client_id, s.id, {}
                   FROM sessions s JOIN session_techniques st ON st.session_id = s.id
                   WHERE s.status = 'signed') AS noted
             GROUP BY technique_id, client_id",
            pain_in_force(with_corrections)
        ),
        crate::args![],
        |r| {
            let (technique, client): (String, String) = (r.get(0)?, r.get(1)?);
            let (measurable, responder) = status_counts(
                status
                    .get(&client)
                    .copied()
                    .unwrap_or(Responder::TooLittleData),
            );
            out.entry(technique).or_default().add(
                &Totals {
                    sessions: r.get(2)?,
                    sessions_with_pain: r.get(3)?,
                    pain_change_sum: r.get(4)?,
                    clients: 1,
                    clients_measurable: measurable,
                    responders: responder,
                },
                1,
            );
            Ok(true)
        },
    )?;
    Ok(out)
}

/// The totals as kept, techniques with nothing counted left out.
pub fn kept(conn: Conn<'_>) -> Result<BTreeMap<String, Totals>> {
    Ok(technique_outcome_totals::list(conn)?
        .into_iter()
        .map(Totals::from_stored)
        .filter(|(_, t)| !t.is_zero())
        .collect())
}

/// Count every total afresh and keep that.
pub fn recount(conn: Conn<'_>) -> Result<()> {
    recount_as(conn, true)
}

fn recount_as(conn: Conn<'_>, with_corrections: bool) -> Result<()> {
    let fresh = count_afresh_as(conn, with_corrections)?;
    technique_outcome_totals::delete_all(conn)?;
    apply(conn, &Share::default(), &Share(fresh))
}

/// The hook of the SQLite migration that made the table (0007): [`recount`] on it, at a
/// schema that has no corrections yet.
pub fn rebuild(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    recount_as(Conn::Sqlite(tx), false)
}

/// Whether the kept totals equal a fresh count (for tests and checks).
pub fn check(conn: Conn<'_>) -> Result<bool> {
    Ok(kept(conn)? == count_afresh(conn)?)
}
