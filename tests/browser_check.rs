//! The real-browser check of the run report and the sweep report: open each
//! report.html in headless Chromium, save a screenshot, and fail on a blank
//! page, on charts that did not render, on a sweep heatmap whose cells the
//! browser paints in one colour although their values differ, or on console
//! errors / attempted fetches. Skipped (with a clear SKIPPED line) when
//! Chromium is not installed; `.ci/install-browser.sh` installs it.
//!
//! Environment:
//! - `LOYALSIM_CHROMIUM`: the browser binary (default `/usr/bin/chromium`).
//! - `LOYALSIM_REPORT_DIR`: check this folder's report.html instead of
//!   building one from the sample scenario.
//! - `LOYALSIM_SWEEP_DIR`: check this sweep folder's report.html instead of
//!   running a two-key sweep of `tests/fixtures/sweep/tiny.toml`.
//!
//! The screenshots and the browser logs are kept in
//! `target/tmp/browser-check/` for people to look at.
//! `tests/browser/check_report.sh` runs just these tests.

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

/// Open `html` in Chromium and save a `WIDTH` × `HEIGHT` screenshot as
/// `work/<name>.png`; fail on console errors or fetches. `None` (after a
/// SKIPPED line) when there is no browser.
fn screenshot(html: &Path, work: &Path, name: &str) -> Option<image::RgbImage> {
    let browser = chromium();
    if !browser.exists() {
        println!(
            "SKIPPED: browser check of {name}: {} not found (install it with \
             .ci/install-browser.sh)",
            browser.display()
        );
        eprintln!(
            "SKIPPED: browser check (no chromium at {})",
            browser.display()
        );
        return None;
    }
    let html = std::fs::canonicalize(html).expect("report.html exists");
    let shot = work.join(format!("{name}.png"));
    let log = work.join(format!("{name}.log"));
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
        "console errors in {name}:\n{}",
        bad.join("\n")
    );
    let img = image::open(&shot).expect("screenshot decodes").to_rgb8();
    assert_eq!(
        (img.width(), img.height()),
        (WIDTH, HEIGHT),
        "screenshot size"
    );
    println!("{name}: screenshot {}", shot.display());
    Some(img)
}

/// Pixel counts per colour.
fn colours(img: &image::RgbImage) -> std::collections::HashMap<[u8; 3], u64> {
    let mut counts = std::collections::HashMap::<[u8; 3], u64>::new();
    for p in img.pixels() {
        *counts.entry(p.0).or_default() += 1;
    }
    counts
}

/// Not blank: no single colour covers nearly everything.
fn assert_not_blank(counts: &std::collections::HashMap<[u8; 3], u64>, what: &str) {
    let total = (WIDTH * HEIGHT) as f64;
    let top = counts.values().copied().max().unwrap_or(0) as f64 / total;
    assert!(
        top < 0.97,
        "{what} looks blank: one colour covers {:.1}% of the page",
        top * 100.0
    );
    assert!(
        counts.len() > 200,
        "{what} looks blank: only {} colours",
        counts.len()
    );
}

/// Pixels within 8 per channel of `c`.
fn near(counts: &std::collections::HashMap<[u8; 3], u64>, c: [u8; 3]) -> u64 {
    counts
        .iter()
        .filter(|(p, _)| (0..3).all(|i| (p[i] as i32 - c[i] as i32).abs() < 8))
        .map(|(_, n)| *n)
        .sum()
}

fn work_dir(name: &str) -> PathBuf {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-check")
        .join(name);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    work
}

#[test]
fn report_renders_in_headless_chromium() {
    let work = work_dir("run");
    let dir = report_dir(&work);
    let Some(img) = screenshot(&dir.join("report.html"), &work, "screenshot") else {
        return;
    };
    let counts = colours(&img);
    assert_not_blank(&counts, "report.html");
    // The charts rendered: the first program's colour is on the page.
    let c = loyalsim::report::charts::palette::PROGRAM_COLOURS[0];
    let coloured = near(&counts, [c.0, c.1, c.2]);
    assert!(
        coloured > 2000,
        "charts missing: {coloured} pixels in the first program's colour"
    );
    println!("browser check of the run report passed");
}

fn sweep_dir(work: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("LOYALSIM_SWEEP_DIR") {
        return PathBuf::from(dir);
    }
    let dir = work.join("sweep");
    let out = Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .args([
            "sweep",
            "tests/fixtures/sweep/tiny.toml",
            "--set",
            "program[Stamp card].stamps.prestamped=0..2:1",
            "--replications",
            "20",
            "--quiet",
            "--out",
        ])
        .arg(&dir)
        .output()
        .expect("loyalsim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The fill colours of a heatmap's cells (filled rectangles of at least
/// 40 × 40 px, less than the whole chart).
fn cell_fills(svg: &str) -> Vec<[u8; 3]> {
    let mut out = Vec::new();
    for rect in svg.split("<rect ").skip(1) {
        let tag = &rect[..rect.find('>').unwrap_or(rect.len())];
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            let i = tag.find(&key)? + key.len();
            Some(&tag[i..i + tag[i..].find('"')?])
        };
        let num = |name: &str| {
            attr(name)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        if num("width") < 40.0 || num("height") < 40.0 || num("width") > 900.0 {
            continue;
        }
        let Some(hex) = attr("fill").and_then(|f| f.strip_prefix('#')) else {
            continue;
        };
        let h = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        out.push([h(0), h(2), h(4)]);
    }
    out
}

#[test]
fn sweep_report_renders_in_headless_chromium() {
    let work = work_dir("sweep");
    let dir = sweep_dir(&work);
    let Some(img) = screenshot(&dir.join("report.html"), &work, "sweep") else {
        return;
    };
    let counts = colours(&img);
    assert_not_blank(&counts, "the sweep's report.html");
    // Every heatmap: a program gets one only when the swept values change
    // its results, so its cells differ and must show on the page in
    // different colours (each of at least two colours filling a good part
    // of a cell).
    let heatmaps: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("sweep_") && n.ends_with(".svg")
        })
        .collect();
    assert!(!heatmaps.is_empty(), "the sweep report has charts");
    for svg in heatmaps {
        let text = std::fs::read_to_string(&svg).unwrap();
        let mut fills = cell_fills(&text);
        if fills.is_empty() {
            continue; // a line chart
        }
        fills.sort();
        fills.dedup();
        let shown = fills.iter().filter(|c| near(&counts, **c) > 400).count();
        assert!(
            shown >= 2,
            "{}: the heatmap shows {shown} cell colour(s) on the page although its values \
             differ ({} colours in the SVG)",
            svg.display(),
            fills.len()
        );
    }
    println!("browser check of the sweep report passed");
}
