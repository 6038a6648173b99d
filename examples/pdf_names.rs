//! How long a client summary PDF takes and how big it is, by the script of the client's
//! name: `cargo run --release --example pdf_names`. The first PDF with a name outside
//! DejaVu also pays for scanning the installed fonts and reading the one it needs; later
//! ones reuse them. A measurement to read, not a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use stillpoint::db::OpenOptions;
use stillpoint::{ClientFields, Store};

fn main() -> stillpoint::Result<()> {
    let mut s = Store::open(OpenOptions::in_memory())?;
    let names = [
        ("Latin", "Zoë", "O'Brien"),
        ("Chinese", "王秀英", "Wang"),
        ("Chinese + emoji", "王秀英", "Wang 😀🧘"),
        ("Devanagari", "देवनागरी", "नाम"),
        ("Arabic", "مريم", "العلي"),
    ];
    println!(
        "{:<16} {:>10} {:>12} {:>14}",
        "name", "bytes", "first (ms)", "next 20 (ms)"
    );
    for (label, first, last) in names {
        let id = s
            .create_client(&ClientFields {
                first_name: first.into(),
                last_name: last.into(),
                ..Default::default()
            })?
            .id;
        let t = Instant::now();
        let pdf = s.client_summary_pdf(&id)?;
        let first_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        for _ in 0..20 {
            s.client_summary_pdf(&id)?;
        }
        let next_ms = t.elapsed().as_secs_f64() * 1000.0 / 20.0;
        println!(
            "{label:<16} {:>10} {first_ms:>12.1} {next_ms:>14.1}",
            pdf.len()
        );
    }
    Ok(())
}
