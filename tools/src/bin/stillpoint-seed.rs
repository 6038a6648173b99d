//! `stillpoint-seed DATA_DIR`: set up a new, encrypted data folder with the demo accounts
//! (admin, jo.park, sam.lee, mia.manager; password "demo password") and write the demo clinic
//! into it, as if recorded over the ten weeks up to now. For demos, screenshots and tests.
//!
//! `stillpoint-seed DATA_DIR --clients N`: the same accounts, and a synthetic clinic of N
//! clients (with notes) instead, for trying the app at scale.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: stillpoint-seed DATA_DIR");
        return ExitCode::from(2);
    };
    let dir = std::path::Path::new(&dir);
    let path = stillpoint::db::database_path(dir);
    let args: Vec<String> = std::env::args().skip(2).collect();
    if let [flag, n] = args.as_slice()
        && flag == "--clients"
    {
        let Ok(clients) = n.parse::<usize>() else {
            eprintln!("usage: stillpoint-seed DATA_DIR [--clients N]");
            return ExitCode::from(2);
        };
        let size = stillpoint_tools::synth::Size {
            clients,
            max_sessions_per_client: 12,
        };
        let made = stillpoint_tools::demo::demo_accounts(dir, stillpoint::db::system_clock())
            .and_then(|key| {
                stillpoint_tools::synth::generate(dir, size, 42, chrono::Utc::now(), Some(key))
            });
        return match made {
            Ok(s) => {
                println!(
                    "{}",
                    serde_json::json!({
                        "database": path.display().to_string(),
                        "password": stillpoint_tools::demo::DEMO_PASSWORD,
                        "clients": s.clients, "sessions": s.sessions,
                    })
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("stillpoint-seed: {}", e.message);
                ExitCode::FAILURE
            }
        };
    }
    match stillpoint_tools::demo::seed_demo(dir, chrono::Utc::now()) {
        Ok(demo) => {
            println!(
                "{}",
                serde_json::json!({
                    "database": path.display().to_string(),
                "password": stillpoint_tools::demo::DEMO_PASSWORD,
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
