//! Data export: clients and sessions as CSV (RFC 4180, UTF-8), and everything held about
//! one client as JSON (the client's right of access). Exports write to any `Write`, report
//! progress as they go, and read in pages so memory stays flat for large clinics.

use std::io::Write;

use serde::Serialize;
use ts_rs::TS;

use crate::Store;
use crate::db::audit::{self, AuditRecord};
use crate::db::sql::Conn;
use crate::domain::clients::Client;
use crate::domain::corrections::CorrectedField;
use crate::domain::intake::Intake;
use crate::domain::sessions::Session;
use crate::error::{Error, Result};
use crate::security::users::Permission;

/// How far an export has got.
pub use crate::progress::Progress;

/// Everything Stillpoint holds about one client.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClientExport {
    pub format: String,
    pub exported_at: String,
    pub client: Client,
    pub intakes: Vec<Intake>,
    pub sessions: Vec<Session>,
    /// The MIDAS questionnaires, oldest first, with the core's score and grade.
    pub midas: Vec<crate::domain::midas::MidasAssessment>,
    /// The current care plan, if any (its changes are in `audit`).
    pub care_plan: Option<crate::domain::care_plan::CarePlan>,
    pub audit: Vec<AuditRecord>,
}

const PAGE: u32 = 500;

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => Error::internal(format!("could not write the CSV: {other:?}")),
    }
}

impl Store {
    /// Every client (archived too, marked) as CSV, one row each.
    pub fn export_clients_csv(
        &self,
        out: impl Write,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<u32> {
        self.require(Permission::ClinicReports)?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "id",
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "phone",
            "email",
            "address",
            "emergency_contact_name",
            "emergency_contact_phone",
            "physician_name",
            "physician_contact",
            "occupation",
            "medical_history",
            "medications_preventive",
            "medications_acute",
            "allergies",
            "contraindications",
            "preferred_pressure",
            "consent_version",
            "consent_date",
            "notes",
            "created_at",
            "updated_at",
            "archived_at",
        ])
        .map_err(csv_error)?;
        let db = self.sql();
        let total: u32 = db.value("SELECT count(*) FROM clients", crate::args![])?;
        let mut done = 0u32;
        let mut after = String::new();
        loop {
            let ids: Vec<String> = db.all(
                &format!("SELECT id FROM clients WHERE id > ?1 ORDER BY id LIMIT {PAGE}"),
                crate::args![after],
                |r| r.get(0),
            )?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            for id in &ids {
                let c = self.get_client(id)?;
                let f = &c.fields;
                w.write_record([
                    c.id.as_str(),
                    &f.first_name,
                    &f.last_name,
                    &f.preferred_name,
                    f.date_of_birth.as_deref().unwrap_or(""),
                    &f.phone,
                    &f.email,
                    &f.address,
                    &f.emergency_contact_name,
                    &f.emergency_contact_phone,
                    &f.physician_name,
                    &f.physician_contact,
                    &f.occupation,
                    &f.medical_history,
                    &f.medications_preventive,
                    &f.medications_acute,
                    &f.allergies,
                    &f.contraindications,
                    &f.preferred_pressure.map(|p| p.id()).unwrap_or_default(),
                    &f.consent_version,
                    f.consent_date.as_deref().unwrap_or(""),
                    &f.notes,
                    &c.created_at,
                    &c.updated_at,
                    c.archived_at.as_deref().unwrap_or(""),
                ])
                .map_err(csv_error)?;
                done += 1;
            }
            progress(Progress::of(done, total));
        }
        w.flush()?;
        Ok(done)
    }

    /// Every session note as CSV: one row per note, techniques joined in one cell.
    pub fn export_sessions_csv(
        &self,
        out: impl Write,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<u32> {
        self.require(Permission::ClinicReports)?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "session_id",
            "client_id",
            "client_name",
            "therapist",
            "started_at",
            "duration_minutes",
            "status",
            "signed_by",
            "signed_at",
            "pain_before",
            "pain_after",
            "headache_at_start",
            "techniques",
            "subjective",
            "headache_since_last",
            "objective",
            "assessment",
            "plan",
            "amendments",
            "pain_before_corrected",
            "pain_after_corrected",
            "duration_minutes_corrected",
        ])
        .map_err(csv_error)?;
        let db = self.sql();
        let total: u32 = db.value("SELECT count(*) FROM sessions", crate::args![])?;
        let mut done = 0u32;
        let mut after = String::new();
        let num = |v: Option<u8>| v.map(|n| n.to_string()).unwrap_or_default();
        loop {
            let rows: Vec<(String, String)> = db.all(
                &format!(
                    "SELECT s.id, c.first_name || ' ' || c.last_name FROM sessions s
                     JOIN clients c ON c.id = s.client_id
                     WHERE s.id > ?1 ORDER BY s.id LIMIT {PAGE}"
                ),
                crate::args![after],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let Some((last, _)) = rows.last() else { break };
            after = last.clone();
            for (id, client_name) in &rows {
                let s = self.get_session(id)?;
                let techniques = s
                    .techniques
                    .iter()
                    .map(|t| t.technique_name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                // The value in force where an amendment corrected it (empty: as signed).
                let corrected = |f: CorrectedField| {
                    s.corrected
                        .iter()
                        .find(|c| c.field == f)
                        .map(|c| c.corrected.to_string())
                        .unwrap_or_default()
                };
                let amendments = s
                    .amendments
                    .iter()
                    .map(|a| format!("{} {} ({}): {}", a.created_at, a.author, a.reason, a.body))
                    .collect::<Vec<_>>()
                    .join("\n");
                w.write_record([
                    s.id.as_str(),
                    &s.client_id,
                    client_name,
                    &s.therapist,
                    &s.started_at,
                    &s.duration_minutes
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    match s.status {
                        crate::domain::sessions::SessionStatus::Draft => "draft",
                        crate::domain::sessions::SessionStatus::Signed => "signed",
                    },
                    s.signed_by.as_deref().unwrap_or(""),
                    s.signed_at.as_deref().unwrap_or(""),
                    &num(s.pain_before),
                    &num(s.pain_after),
                    if s.headache_at_start { "yes" } else { "no" },
                    &techniques,
                    &s.subjective,
                    &s.headache_since_last,
                    &s.objective,
                    &s.assessment,
                    &s.plan,
                    &amendments,
                    &corrected(CorrectedField::PainBefore),
                    &corrected(CorrectedField::PainAfter),
                    &corrected(CorrectedField::DurationMinutes),
                ])
                .map_err(csv_error)?;
                done += 1;
            }
            progress(Progress::of(done, total));
        }
        w.flush()?;
        Ok(done)
    }

    /// Everything held about one client, as one JSON document.
    pub fn export_client_json(&self, client_id: &str, out: impl Write) -> Result<()> {
        let client = self.get_client(client_id)?;
        let intakes = self.list_intakes(&client.id)?;
        let sessions = self
            .list_sessions(&client.id)?
            .iter()
            .map(|s| self.get_session(&s.id))
            .collect::<Result<Vec<_>>>()?;
        let mut trail = audit::list_for(self.sql(), "client", &client.id)?;
        for i in &intakes {
            trail.extend(audit::list_for(self.sql(), "intake", &i.id)?);
        }
        for s in &sessions {
            trail.extend(audit::list_for(self.sql(), "session", &s.id)?);
        }
        let midas = self.list_midas(&client.id)?;
        for m in &midas {
            trail.extend(audit::list_for(self.sql(), "midas", &m.id)?);
        }
        trail.extend(audit::list_for(self.sql(), "care_plan", &client.id)?);
        let care_plan = self.care_plan(&client.id)?.plan;
        trail.sort_by_key(|a| a.seq);
        let doc = ClientExport {
            format: "stillpoint-client-export/1".to_owned(),
            exported_at: crate::db::timestamp(self.now()),
            client,
            intakes,
            sessions,
            midas,
            care_plan,
            audit: trail,
        };
        serde_json::to_writer_pretty(out, &doc)
            .map_err(|e| Error::internal(format!("could not write the JSON export: {e}")))
    }
}

/// What can be exported to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportKind {
    ClientsCsv,
    SessionsCsv,
    /// One client's data (right of access); needs a client.
    ClientJson,
    /// One client's summary and referral letter; needs a client.
    ClientPdf,
    /// A session note's home care as the client's one-page handout; needs a session.
    HandoutPdf,
}

impl ExportKind {
    pub fn extension(self) -> &'static str {
        match self {
            ExportKind::ClientsCsv | ExportKind::SessionsCsv => "csv",
            ExportKind::ClientJson => "json",
            ExportKind::ClientPdf | ExportKind::HandoutPdf => "pdf",
        }
    }

    /// The file-type name shown in the save dialog's filter.
    pub fn file_type(self) -> &'static str {
        match self {
            ExportKind::ClientsCsv | ExportKind::SessionsCsv => "CSV spreadsheet",
            ExportKind::ClientJson => "JSON document",
            ExportKind::ClientPdf | ExportKind::HandoutPdf => "PDF document",
        }
    }

    fn needs_client(self) -> bool {
        matches!(self, ExportKind::ClientJson | ExportKind::ClientPdf)
    }

    fn needs_session(self) -> bool {
        self == ExportKind::HandoutPdf
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportReport {
    pub path: String,
    /// (A JSON number: exports are far below 2^53 bytes.)
    #[ts(type = "number")]
    pub bytes: u64,
    /// Rows written (CSV), or 1 for a one-client document.
    pub records: u32,
}

/// Keep what is safe in a file name on every desktop: letters, digits, space, `-`, `_`, `.`.
fn file_name_part(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with([' ', '-']) {
            out.push(if c.is_whitespace() { ' ' } else { '-' });
        }
    }
    let out: String = out.trim_matches([' ', '-', '.']).chars().take(60).collect();
    if out.is_empty() {
        "client".to_owned()
    } else {
        out
    }
}

impl Store {
    /// The file name the save dialog offers, e.g. `Ann Smith - summary 2026-11-23.pdf`.
    /// Checks the client exists first, so nobody picks a file for a record that is gone.
    pub fn suggested_export_name(
        &self,
        kind: ExportKind,
        client_id: Option<&str>,
        session_id: Option<&str>,
    ) -> Result<String> {
        if kind.needs_session() {
            let id = session_id
                .ok_or_else(|| Error::field("session_id", "Choose a session note to print."))?;
            let note = self.get_session(id)?;
            let c = self.get_client(&note.client_id)?;
            let who = file_name_part(&format!("{} {}", c.fields.first_name, c.fields.last_name));
            let day = note.started_at.get(..10).unwrap_or("");
            return Ok(format!("{who} - home care {day}.{}", kind.extension()));
        }
        if !kind.needs_client() {
            // Refused before the save dialog opens, not after a file was chosen.
            self.require(Permission::ClinicReports)?;
        }
        let today = self.today().format("%Y-%m-%d");
        let ext = kind.extension();
        let client = match (kind.needs_client(), client_id) {
            (true, Some(id)) => Some(self.get_client(id)?),
            (true, None) => return Err(Error::field("client_id", "Choose a client to export.")),
            (false, _) => None,
        };
        let who = client
            .map(|c| file_name_part(&format!("{} {}", c.fields.first_name, c.fields.last_name)));
        Ok(match (kind, who) {
            (ExportKind::ClientsCsv, _) => format!("Stillpoint clients {today}.{ext}"),
            (ExportKind::SessionsCsv, _) => format!("Stillpoint sessions {today}.{ext}"),
            (ExportKind::ClientJson, Some(w)) => format!("{w} - all records {today}.{ext}"),
            (ExportKind::ClientPdf, Some(w)) => format!("{w} - summary {today}.{ext}"),
            (_, _) => format!("Stillpoint export {today}.{ext}"),
        })
    }

    /// Write an export to `path` all at once: into a temporary file beside it, flushed to
    /// disk, then renamed over `path`. A failure (disk full, a crash) leaves any earlier file
    /// at `path` as it was and no half-written one. All of it is read from one snapshot.
    pub fn export_to_file(
        &self,
        kind: ExportKind,
        client_id: Option<&str>,
        session_id: Option<&str>,
        path: &std::path::Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ExportReport> {
        if kind.needs_client() && client_id.is_none() {
            return Err(Error::field("client_id", "Choose a client to export."));
        }
        if kind.needs_session() && session_id.is_none() {
            return Err(Error::field(
                "session_id",
                "Choose a session note to print.",
            ));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        if path.file_name().is_none() || path.is_dir() {
            return Err(Error::field(
                "path",
                "Choose a file name to save the export as.",
            ));
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".stillpoint-export-")
            .tempfile_in(dir)?;
        // One read transaction: the pages of a CSV and the parts of a document agree.
        let snapshot = Snapshot::begin(self.sql())?;
        let records = {
            let mut out = std::io::BufWriter::new(tmp.as_file_mut());
            let records = match (kind, client_id) {
                (ExportKind::HandoutPdf, _) => match session_id {
                    Some(id) => {
                        out.write_all(&self.home_care_handout_pdf(id)?)?;
                        1
                    }
                    None => 0,
                },
                (ExportKind::ClientsCsv, _) => self.export_clients_csv(&mut out, progress)?,
                (ExportKind::SessionsCsv, _) => self.export_sessions_csv(&mut out, progress)?,
                (ExportKind::ClientJson, Some(id)) => {
                    self.export_client_json(id, &mut out)?;
                    1
                }
                (ExportKind::ClientPdf, Some(id)) => {
                    out.write_all(&self.client_summary_pdf(id)?)?;
                    1
                }
                (_, None) => 0,
            };
            out.flush()?;
            records
        };
        snapshot.finish()?;
        tmp.as_file().sync_all()?;
        let bytes = tmp.as_file().metadata()?.len();
        tmp.persist(path).map_err(|e| Error::from(e.error))?;
        // The rename itself survives a power cut once the folder is flushed too.
        if let Ok(d) = std::fs::File::open(dir) {
            d.sync_all().ok();
        }
        Ok(ExportReport {
            path: path.display().to_string(),
            bytes,
            records,
        })
    }
}

/// A read transaction over the whole export, ended (rolled back: it wrote nothing) by
/// [`Snapshot::finish`] or, on an early return, when dropped.
struct Snapshot<'c> {
    conn: Conn<'c>,
    open: bool,
}

impl<'c> Snapshot<'c> {
    fn begin(conn: Conn<'c>) -> Result<Snapshot<'c>> {
        // SQLite's deferred transaction reads one snapshot from its first read on; on
        // PostgreSQL only REPEATABLE READ does (the default, READ COMMITTED, sees each
        // statement's own).
        conn.batch(conn.pick("BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ"))?;
        Ok(Snapshot { conn, open: true })
    }

    fn finish(mut self) -> Result<()> {
        self.open = false;
        self.conn.batch("ROLLBACK")
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.batch("ROLLBACK");
        }
    }
}

/// Where the save dialog starts: the user's Documents folder, else their home folder.
pub fn default_export_dir() -> Option<std::path::PathBuf> {
    let dirs = directories::UserDirs::new()?;
    Some(
        dirs.document_dir()
            .filter(|d| d.is_dir())
            .unwrap_or(dirs.home_dir())
            .to_path_buf(),
    )
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn file_names_keep_letters_and_drop_path_characters() {
        assert_eq!(file_name_part("Zoë O'Brien"), "Zoë O-Brien");
        assert_eq!(file_name_part("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_name_part("<script>"), "script");
        assert_eq!(file_name_part("  "), "client");
        assert_eq!(file_name_part("a\u{202e}b"), "a-b");
    }
}
