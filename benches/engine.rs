//! Engine benchmarks (criterion): one replication of the benchmark BG/NBD
//! population, as the control and under a stamp-card and a points program.
//! The figures in docs/performance.md come from `examples/throughput.rs`,
//! which times the 1,000,000-customer case; these run a smaller population
//! so `cargo bench` stays quick.
//!
//! cargo bench --bench engine

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

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

criterion_group!(benches, engine);
criterion_main!(benches);
