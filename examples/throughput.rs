//! Throughput of the engine on the benchmark population: one replication of
//! a BG/NBD customer base (CDNOW estimates r 0.243, alpha 4.414, a 0.793,
//! b 2.426) over 78 weeks, no program, no acquisition.
//!
//! cargo run --release --example throughput -- [CUSTOMERS] [THREADS] [RUNS]
//!
//! cargo run --release --example throughput -- 1000000 2 5 stamps
//! cargo run --release --example throughput -- 1000000 2 5 script-stamps
//! (the built-in stamp card against scripts/stamps.rhai, same results)
//!
//! Prints the median wall time per replication, the CPU work per core
//! (wall × threads) and purchase events per second.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let customers: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(11);
    let variant = args.get(4).map(String::as_str).unwrap_or("control");
    let sc = loyalsim::bench::bgnbd_scenario(customers, variant);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut times = Vec::new();
    let mut purchases = 0.0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = pool.install(|| loyalsim::engine::run(&sc, &|| {}));
        times.push(t.elapsed().as_secs_f64());
        let arm = out.arms.last().unwrap();
        purchases = arm.replications[0].total(loyalsim::engine::recorder::Flow::Purchases);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{variant}: {customers} customers, 78 weeks, {threads} thread(s): median {:.4} s per replication \
         (min {:.4}, max {:.4}, {runs} runs); {:.0} purchases; {:.1} M purchase events/s",
        median,
        times[0],
        times[times.len() - 1],
        purchases,
        purchases / median / 1e6
    );
}
