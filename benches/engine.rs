//! Engine benchmarks (criterion): one replication of the benchmark BG/NBD
//! population, as the control and under a stamp-card and a points program.
//! The figures in docs/performance.md come from `examples/throughput.rs`,
//! which times the 1,000,000-customer case; these run a smaller population
//! so `cargo bench` stays quick.
//!
//! Also the control against the exact minimal loops (benches/support/minimal_loop.rs):
//! the bare one, and the one making every booking the control makes.
//!
//! cargo bench --bench engine

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "support/minimal_loop.rs"]
mod minimal_loop;

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("one replication, 100k BG/NBD customers, 78 weeks");
    group.sample_size(20);
    for variant in ["control", "stamps", "points"] {
        let sc = loyalsim::bench::bgnbd_scenario(100_000, variant);
        group.bench_function(variant, |b| {
            b.iter(|| black_box(loyalsim::engine::run(black_box(&sc), &|| {})))
        });
    }
    group.finish();
}

/// The control against the exact minimal loops doing the same draws
/// (benches/support/minimal_loop.rs), at the documented 1,000,000 customers:
/// `minimal` counts purchases per period and churned customers only,
/// `minimal-booked` makes every booking the control makes (its whole
/// replication, bit for bit). For the ratios, prefer the interleaved rounds of
/// `cargo run --release --example throughput -- 1000000 1 15 minimal,minimal-booked,control`.
fn control_vs_minimal(c: &mut Criterion) {
    let mut group = c.benchmark_group("control vs minimal loop, 1M BG/NBD customers, 78 weeks");
    group.sample_size(10);
    let sc = loyalsim::bench::bgnbd_scenario(1_000_000, "control");
    group.bench_function("minimal", |b| {
        b.iter(|| black_box(minimal_loop::control(1_000_000, 1, 0)))
    });
    group.bench_function("minimal-booked", |b| {
        b.iter(|| black_box(minimal_loop::control_booked(1_000_000, 1, 0)))
    });
    group.bench_function("control", |b| {
        b.iter(|| black_box(loyalsim::engine::run(black_box(&sc), &|| {})))
    });
    group.finish();
}

criterion_group!(benches, engine, control_vs_minimal);
criterion_main!(benches);
