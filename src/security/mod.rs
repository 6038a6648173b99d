//! Who may do what: users and roles, the database key and its wrapping, encrypted backups,
//! and the gate the app opens through (setup, login, lock).

pub mod backup;
// What runs on the clinic's (Linux) server: file modes, chown, the PostgreSQL tools.
#[cfg(unix)]
pub mod clinic_backup;
pub mod clinic_link;
pub mod clinic_roles;
#[cfg(unix)]
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
    private_dir(dir)?;
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

/// Make `dir` and any missing parents, readable by this user alone (mode 0700): client
/// records, drafts and backups live in these folders. A folder already there is left as it is.
pub(crate) fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Make sure the database file `path` is readable and writable by this user alone (mode
/// 0600): an empty file is made so if it is not there yet (SQLite opens an empty file as a
/// new database, and gives its `-wal` and `-shm` files the database's mode), and a file an
/// older Stillpoint left readable by others (0644), with its `-wal` and `-shm`, is narrowed
/// where this user may.
pub(crate) fn private_file(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if std::fs::symlink_metadata(path).is_err() {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
            {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        // Narrowing is a courtesy, never a reason not to open: a file another user owns (a
        // folder shared by group) cannot be narrowed by this one, and opens as before.
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = std::path::PathBuf::from(name);
            if let Ok(meta) = std::fs::metadata(&file)
                && meta.is_file()
                && meta.permissions().mode() & 0o077 != 0
            {
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}
