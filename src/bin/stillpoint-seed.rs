//! `stillpoint-seed DATA_DIR`: write the demo clinic into a new database in DATA_DIR, as if
//! recorded over the ten weeks up to now. For demos, screenshots and end-to-end tests.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: stillpoint-seed DATA_DIR");
        return ExitCode::from(2);
    };
    let path = stillpoint::db::database_path(std::path::Path::new(&dir));
    match stillpoint::demo::seed_demo(&path, chrono::Utc::now()) {
        Ok(demo) => {
            println!(
                "{}",
                serde_json::json!({
                    "database": path.display().to_string(),
                    "ann": demo.ann, "ravi": demo.ravi, "maria": demo.maria, "li": demo.li,
                    "archived": demo.archived,
                    "ann_amended_session": demo.ann_amended_session, "li_draft": demo.li_draft,
                })
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("stillpoint-seed: {}", e.message);
            ExitCode::FAILURE
        }
    }
}
