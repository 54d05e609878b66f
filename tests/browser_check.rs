//! The real-browser check of report.html: open it in headless Chromium, save
//! a screenshot, and fail on a blank page, on charts that did not render, or
//! on console errors / attempted fetches. Skipped (with a clear SKIPPED line)
//! when Chromium is not installed; `.ci/install-browser.sh` installs it.
//!
//! Environment:
//! - `LOYALSIM_CHROMIUM`: the browser binary (default `/usr/bin/chromium`).
//! - `LOYALSIM_REPORT_DIR`: check this folder's report.html instead of
//!   building one from the sample scenario.
//!
//! The screenshot and the browser log are kept in
//! `target/tmp/browser-check/` for people to look at.
//! `tests/browser/check_report.sh` runs just this test.

mod common;
mod sample;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 4000;

fn chromium() -> PathBuf {
    std::env::var_os("LOYALSIM_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Run `cmd`, killing it after `limit`. Returns whether it exited successfully.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> Result<bool, String> {
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start chromium: {e}"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status.success()),
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("chromium did not finish within {limit:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("waiting for chromium: {e}")),
        }
    }
}

fn report_dir(work: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("LOYALSIM_REPORT_DIR") {
        return PathBuf::from(dir);
    }
    let dir = work.join("report");
    let r = sample::results(60);
    loyalsim::report::write_visuals(&dir, &r).expect("report written");
    dir
}

#[test]
fn report_renders_in_headless_chromium() {
    let browser = chromium();
    if !browser.exists() {
        println!(
            "SKIPPED: browser check of report.html: {} not found (install it with \
             .ci/install-browser.sh)",
            browser.display()
        );
        eprintln!(
            "SKIPPED: browser check (no chromium at {})",
            browser.display()
        );
        return;
    }
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-check");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let dir = report_dir(&work);
    let html = std::fs::canonicalize(dir.join("report.html")).expect("report.html exists");
    let shot = work.join("screenshot.png");
    let log = work.join("chromium.log");
    let profile = tempfile::tempdir().unwrap();

    let mut cmd = Command::new(&browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .arg(format!("--screenshot={}", shot.display()))
    .arg(format!("--window-size={WIDTH},{HEIGHT}"))
    .arg(format!("file://{}", html.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(std::fs::File::create(&log).unwrap());
    let ok = run_with_timeout(cmd, Duration::from_secs(120)).unwrap_or_else(|e| panic!("{e}"));
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(ok, "chromium failed; log:\n{log_text}");

    // Console output of any kind (the page has no scripts, so any message is
    // an error; Chromium logs console.error as INFO:CONSOLE) and failed fetches.
    let bad: Vec<&str> = log_text
        .lines()
        .filter(|l| {
            l.contains("Uncaught")
                || l.contains(":CONSOLE")
                || l.contains("Failed to load resource")
                || l.contains("net::ERR_")
        })
        .collect();
    assert!(
        bad.is_empty(),
        "console errors in report.html:\n{}",
        bad.join("\n")
    );

    // Not blank: no single colour covers nearly everything.
    let img = image::open(&shot).expect("screenshot decodes").to_rgb8();
    assert_eq!(
        (img.width(), img.height()),
        (WIDTH, HEIGHT),
        "screenshot size"
    );
    let mut counts = std::collections::HashMap::<[u8; 3], u64>::new();
    for p in img.pixels() {
        *counts.entry(p.0).or_default() += 1;
    }
    let total = (WIDTH * HEIGHT) as f64;
    let top = counts.values().copied().max().unwrap_or(0) as f64 / total;
    assert!(
        top < 0.97,
        "report.html looks blank: one colour covers {:.1}% of the page",
        top * 100.0
    );
    assert!(
        counts.len() > 200,
        "report.html looks blank: only {} colours",
        counts.len()
    );

    // The charts rendered: the first program's colour is on the page.
    let c = loyalsim::report::charts::palette::PROGRAM_COLOURS[0];
    let near = |p: &[u8; 3]| {
        (p[0] as i32 - c.0 as i32).abs() < 8
            && (p[1] as i32 - c.1 as i32).abs() < 8
            && (p[2] as i32 - c.2 as i32).abs() < 8
    };
    let coloured: u64 = counts
        .iter()
        .filter(|(p, _)| near(p))
        .map(|(_, n)| *n)
        .sum();
    assert!(
        coloured > 2000,
        "charts missing: {coloured} pixels in the first program's colour"
    );
    println!("browser check passed; screenshot: {}", shot.display());
}
