//! Throughput of the engine on the benchmark population: one replication of
//! a BG/NBD customer base (CDNOW estimates r 0.243, alpha 4.414, a 0.793,
//! b 2.426) over 78 weeks, no acquisition (scenarios in `src/bench.rs`).
//!
//! cargo run --release --example throughput -- [CUSTOMERS] [THREADS] [RUNS] [VARIANTS]
//!
//! VARIANTS is one of control, stamps, points, script-stamps, compare,
//! control+stamps, control+points, control+script-stamps, minimal (the
//! exact minimal control loop of benches/support/minimal_loop.rs),
//! minimal-booked (the same loop making every booking the control makes, into
//! loyalsim's recorder), or several
//! separated by commas: they are then run in interleaved rounds (one run of
//! each per round, so load on a shared machine hits them alike) and each
//! median is also given as a ratio to the first variant's:
//!
//! cargo run --release --example throughput -- 1000000 2 15 control,stamps,points
//! cargo run --release --example throughput -- 200000 2 5 stamps,script-stamps
//!
//! Prints the median wall time per replication and purchase events per
//! second, and the process's peak memory (run one variant at a time to see
//! how memory grows with the customers: it should not).

use std::time::Instant;

#[path = "../benches/support/minimal_loop.rs"]
mod minimal_loop;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let customers: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(11);
    let variants: Vec<&str> = args
        .get(4)
        .map_or("control", String::as_str)
        .split(',')
        .collect();
    // `minimal` and `minimal-booked`: the exact minimal control loops
    // (benches/support/minimal_loop.rs), the yardsticks for `control`.
    let is_minimal = |v: &str| v == "minimal" || v == "minimal-booked";
    let scenarios: Vec<_> = variants
        .iter()
        .map(|v| (!is_minimal(v)).then(|| loyalsim::bench::bgnbd_scenario(customers, v)))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut times = vec![Vec::new(); variants.len()];
    let mut purchases = vec![0.0; variants.len()];
    for _ in 0..runs {
        for (i, sc) in scenarios.iter().enumerate() {
            let t = Instant::now();
            let Some(sc) = sc else {
                if variants[i] == "minimal" {
                    let out = pool.install(|| minimal_loop::control(customers, 1, 0));
                    times[i].push(t.elapsed().as_secs_f64());
                    purchases[i] = out.purchases.iter().sum();
                } else {
                    let rec = pool.install(|| minimal_loop::control_booked(customers, 1, 0));
                    times[i].push(t.elapsed().as_secs_f64());
                    purchases[i] = rec.total(loyalsim::engine::recorder::Flow::Purchases);
                }
                continue;
            };
            let out = pool.install(|| loyalsim::engine::run(sc, &|| {}));
            times[i].push(t.elapsed().as_secs_f64());
            let arm = out.arms.last().unwrap();
            purchases[i] = arm.replications[0].total(loyalsim::engine::recorder::Flow::Purchases);
        }
    }
    let mut first = None;
    for (i, variant) in variants.iter().enumerate() {
        let t = &mut times[i];
        t.sort_by(f64::total_cmp);
        let median = t[t.len() / 2];
        let base = *first.get_or_insert(median);
        println!(
            "{variant}: {customers} customers, 78 weeks, {threads} thread(s): median {median:.4} s per \
             replication (min {:.4}, max {:.4}, {runs} runs); {:.0} purchases; {:.1} M purchase \
             events/s; {:.2}× the first",
            t[0],
            t[t.len() - 1],
            purchases[i],
            purchases[i] / median / 1e6,
            median / base
        );
    }
    if let Some(kb) = max_rss_kb() {
        println!(
            "max resident memory of this process: {:.1} MB",
            kb as f64 / 1024.0
        );
    }
}

/// The peak resident set size in KB (Linux reports `ru_maxrss` in KB).
#[cfg(unix)]
fn max_rss_kb() -> Option<i64> {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    (unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0).then_some(u.ru_maxrss)
}

#[cfg(not(unix))]
fn max_rss_kb() -> Option<i64> {
    None
}
