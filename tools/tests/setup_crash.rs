//! First-run setup killed with SIGKILL at each of its steps, on an empty data folder and on
//! one holding a database from before encryption, and at a few random moments: every start
//! after the kill either opens the data or shows setup again with nothing half-made
//! (`stillpoint-crash setup`, which `make crash-test` runs with more random kills).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn every_kill_during_setup_restarts_cleanly() {
    let out = Command::new(env!("CARGO_BIN_EXE_stillpoint-crash"))
        .args(["setup", "--random", "4"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // Four steps and the end, on a new folder and on an unencrypted one, and the random four.
    assert_eq!(stdout.trim(), "setup-kills: 14 failures: 0", "{stderr}");
    for step in [
        "staging-open",
        "staging-written",
        "keys-written",
        "installed",
    ] {
        assert!(
            stderr.contains(&format!("killed fresh at {step}: then"))
                && stderr.contains(&format!("killed legacy at {step}: then")),
            "{stderr}"
        );
    }
}
