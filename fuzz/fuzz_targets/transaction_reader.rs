//! Fuzz the transaction reader behind `loyalsim fit`: any bytes must read
//! into customer summaries or give an input error, never panic, hang or
//! exhaust memory, and the tracking table stays small whatever the dates.
//! The first byte picks the options (date format, skipping
//! bad rows, the time unit).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalsim::fit::reader::{ReadOptions, read_transactions};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, csv)) = data.split_first() else {
        return;
    };
    let o = ReadOptions {
        customer: "customer".into(),
        date: "date".into(),
        amount: "amount".into(),
        amount_required: pick & 1 != 0,
        date_format: (pick & 2 != 0).then(|| "%d/%m/%Y".to_string()),
        skip_invalid: pick & 4 != 0,
        cal_end: None,
    };
    let unit_days = match (pick >> 3) & 3 {
        0 => 1.0,
        1 => 7.0,
        _ => 365.25 / 12.0,
    };
    if let Ok((acc, _)) = read_transactions(csv, "fuzz.csv", &o, |_| {}) {
        let s = acc.summarize(unit_days);
        let _ = s.rfm();
        let _ = s.spend();
        let _ = s.cohort_starts();
        // The tracking table's size must not grow with the date span.
        let rows = loyalsim::fit::tracking(
            loyalsim::fit::Model::Bgnbd,
            &[0.24, 4.4, 0.79, 2.4],
            &s,
        );
        assert!(rows.len() <= loyalsim::fit::data::MAX_TRACKING_PERIODS);
    }
});
