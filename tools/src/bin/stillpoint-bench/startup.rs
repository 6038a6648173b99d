//! Start-up time and memory: Stillpoint launched beside a bare Tauri window, timed until it
//! reports ready, and the PSS of it and its WebKit processes summed.

use std::path::Path;
use std::time::Instant;

use crate::ms;
use crate::report::{emit, percentile};

/// Every process below `pid` (the WebKit web and network processes of a Tauri app).
fn descendants(pid: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces.
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat"))
                && let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r)
                && let Some(ppid) = rest
                    .split_whitespace()
                    .nth(1)
                    .and_then(|x| x.parse::<u32>().ok())
            {
                parent_of.push((p, ppid));
            }
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for (child, parent) in &parent_of {
            if *parent == p {
                out.push(*child);
                frontier.push(*child);
            }
        }
    }
    out
}

fn pss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Launch `binary`, time until it prints "ready", let it settle, and sum the PSS of it and
/// its WebKit processes. Returns (milliseconds, MiB).
fn launch_once(binary: &str, data_dir: &Path) -> stillpoint::Result<(f64, f64)> {
    use std::io::BufRead;
    let start = Instant::now();
    let mut child = std::process::Command::new(binary)
        .env("STILLPOINT_REPORT_READY", "1")
        .env("STILLPOINT_DATA_DIR", data_dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| stillpoint::Error::internal("no stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line == "ready" {
                let _ = tx.send(());
            }
        }
    });
    let ready = rx.recv_timeout(std::time::Duration::from_secs(60));
    let elapsed = ms(start);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let tree = descendants(child.id());
    let pss: u64 = std::iter::once(child.id())
        .chain(tree.iter().copied())
        .map(pss_kb)
        .sum();
    for p in &tree {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(p.to_string())
            .status();
    }
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
    if ready.is_err() {
        return Err(stillpoint::Error::internal(format!(
            "{binary} never reported ready"
        )));
    }
    Ok((elapsed, pss as f64 / 1024.0))
}

/// Start-up time and memory of Stillpoint beside a bare Tauri window, alternating runs,
/// after one untimed launch of each (so neither is measured reading its binary and WebKit
/// from a cold disk cache, e.g. after the large backups).
pub(crate) fn startup(app: &str, bare: &str, runs: usize) -> stillpoint::Result<()> {
    let (mut ours_ms, mut bare_ms, mut ours_mb, mut bare_mb) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for binary in [app, bare] {
        let dir = tempfile::tempdir()?;
        launch_once(binary, dir.path())?;
    }
    for _ in 0..runs {
        let dir = tempfile::tempdir()?;
        let (t, m) = launch_once(app, dir.path())?;
        ours_ms.push(t);
        ours_mb.push(m);
        let dir = tempfile::tempdir()?;
        let (t, m) = launch_once(bare, dir.path())?;
        bare_ms.push(t);
        bare_mb.push(m);
    }
    let (o, b) = (percentile(&mut ours_ms, 0.5), percentile(&mut bare_ms, 0.5));
    emit(format!(
        "startup ours_ms={o:.0} bare_ms={b:.0} ratio={:.2}",
        o / b
    ));
    emit(format!(
        "memory ours_pss_mb={:.0} bare_pss_mb={:.0}",
        percentile(&mut ours_mb, 0.5),
        percentile(&mut bare_mb, 0.5)
    ));
    Ok(())
}
