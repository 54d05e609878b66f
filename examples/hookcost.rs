//! Cost of one Rhai hook call, per hook, single thread: scripts/stamps.rhai
//! and an empty hook (a call with nothing in it).
//!
//! cargo run --release --example hookcost -- [CALLS]

use loyalsim::programs::hooks::PurchaseFacts;
use loyalsim::scenario::TimeUnit;
use std::path::Path;
use std::time::Instant;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let params: toml::Table = toml::from_str(
        "card_size = 10\nreward_value = 10.0\nprestamped = 0\nmin_basket = 0.0\nreward_cost_ratio = 0.6",
    )
    .unwrap();
    let stamps = include_str!("../scripts/stamps.rhai");
    let empty = "fn on_purchase(member, purchase, ctx) { }\n\
                 fn purchase_rate_multiplier(member, ctx) { 1.0 }\n\
                 fn churn_multiplier(member, ctx) { member.stamps; 1.0 }\n";
    for (name, src) in [("stamps.rhai", stamps), ("empty", empty)] {
        let h = loyalsim::script::compile(Path::new(name), src, &params, TimeUnit::Week).unwrap();
        let h = &*h.0;
        let (st, mut m) = loyalsim::script::probe::member(h, 30.0);
        let t = Instant::now();
        for i in 0..n {
            let mut p = PurchaseFacts {
                amount: 30.0,
                time: f64::from(i),
                ..Default::default()
            };
            h.on_purchase(&st, &mut m, &mut p).unwrap();
        }
        let a = t.elapsed().as_secs_f64() / f64::from(n) * 1e6;
        let t = Instant::now();
        let mut x = 0.0;
        for i in 0..n {
            x += h.purchase_rate_multiplier(&st, &m, f64::from(i)).unwrap();
        }
        let b = t.elapsed().as_secs_f64() / f64::from(n) * 1e6;
        let t = Instant::now();
        for i in 0..n {
            x += h.churn_multiplier(&st, &m, f64::from(i)).unwrap();
        }
        let c = t.elapsed().as_secs_f64() / f64::from(n) * 1e6;
        println!(
            "{name}: on_purchase {a:.2} µs, purchase_rate_multiplier {b:.2} µs, \
             churn_multiplier {c:.2} µs per call (checksum {x:.1})"
        );
    }
}
