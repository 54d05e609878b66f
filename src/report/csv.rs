//! Tidy CSV exports: `summary.csv` (one row per program × metric, for the
//! summary and the paired difference) and `periods.csv` (one row per
//! program × period × series).

use crate::stats::Results;
use std::fmt::Write;

/// `program,kind,metric,mean,sd,ci95_low,ci95_high,p05,p50,p95`.
pub fn summary(r: &Results) -> String {
    let mut out = String::from("program,kind,metric,mean,sd,ci95_low,ci95_high,p05,p50,p95\n");
    for p in &r.programs {
        let groups = std::iter::once(("summary", &p.summary))
            .chain(p.vs_baseline.as_ref().map(|v| ("vs_baseline", &v.metrics)));
        for (kind, metrics) in groups {
            for (m, s) in metrics {
                let _ = writeln!(
                    out,
                    "{},{kind},{m},{},{},{},{},{},{},{}",
                    field(&p.name),
                    s.mean,
                    s.sd,
                    s.ci95[0],
                    s.ci95[1],
                    s.p05,
                    s.p50,
                    s.p95
                );
            }
        }
    }
    out
}

/// `program,end,series,mean,p05,p95`.
pub fn periods(r: &Results) -> String {
    let mut out = String::from("program,end,series,mean,p05,p95\n");
    for p in &r.programs {
        for period in &p.periods {
            for (name, b) in &period.series {
                let _ = writeln!(
                    out,
                    "{},{},{name},{},{},{}",
                    field(&p.name),
                    period.end,
                    b.mean,
                    b.p05,
                    b.p95
                );
            }
        }
    }
    out
}

/// Quote a CSV field when it needs it (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
