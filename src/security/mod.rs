//! Who may do what: users and roles, the database key and its wrapping, encrypted backups,
//! and the gate the app opens through (setup, login, lock).

pub mod backup;
pub mod clinic_backup;
pub mod clinic_link;
pub mod clinic_roles;
pub mod clinic_server;
pub mod drafts;
pub mod gate;
pub mod import;
pub mod keys;
pub mod throttle;
pub mod users;

/// Write `bytes` to `path` so that a crash leaves the old file or the new one, never half
/// of one: a temporary file beside it, flushed to disk, renamed over it, the folder flushed.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> crate::Result<()> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".stillpoint-")
        .tempfile_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| crate::Error::from(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
    Ok(())
}
