//! Uncertainty analysis benchmark (criterion): sensitivity, variance split
//! and EVPPI for 200 replications × 4 programs (plus the control) × 10
//! uncertain assumptions, the size of a default run with uncertainty on.
//! The goal is well under a second for the whole analysis.
//!
//! cargo bench --bench uncertainty

use criterion::{Criterion, criterion_group, criterion_main};
use loyalsim::model::rng::Stream;
use loyalsim::model::sampling::{draw, normal};
use loyalsim::scenario::Dist;
use loyalsim::stats::uncertainty::{Assumption, analyse, sensitivity, value_of_information};
use std::hint::black_box;

const REPLICATIONS: usize = 200;
const PROGRAMS: usize = 4;
const KEYS: usize = 10;

/// A synthetic run: names, draws per key, (p05, p95) per key, profits per replication and arm.
struct Run {
    names: Vec<String>,
    theta: Vec<Vec<f64>>,
    ranges: Vec<(f64, f64)>,
    nb: Vec<Vec<f64>>,
}

/// Ten assumptions from assorted distributions; profits that depend on a
/// few of them, nonlinearly, plus chance.
fn data() -> Run {
    let dists = [
        Dist::Uniform { min: 0.5, max: 2.0 },
        Dist::Triangular {
            min: 0.02,
            mode: 0.07,
            max: 0.3,
        },
        Dist::Beta { a: 2.0, b: 5.0 },
        Dist::Gamma {
            shape: 4.0,
            scale: 0.25,
        },
        Dist::lognormal_from_moments(1.0, 0.3),
        Dist::Uniform { min: 0.0, max: 1.0 },
        Dist::Beta { a: 5.0, b: 2.0 },
        Dist::Triangular {
            min: 0.0,
            mode: 0.5,
            max: 1.0,
        },
        Dist::Exponential { mean: 0.5 },
        Dist::Uniform { min: 0.8, max: 1.2 },
    ];
    let mut rng = Stream::for_analysis(2026);
    let theta: Vec<Vec<f64>> = dists
        .iter()
        .map(|d| (0..REPLICATIONS).map(|_| draw(&mut rng, d)).collect())
        .collect();
    let ranges = dists
        .iter()
        .map(|d| (d.quantile(0.05), d.quantile(0.95)))
        .collect();
    let nb = (0..REPLICATIONS)
        .map(|r| {
            let t: Vec<f64> = theta.iter().map(|k| k[r]).collect();
            let control = 20_000.0 + 800.0 * normal(&mut rng);
            let mut row = vec![control];
            for p in 0..PROGRAMS {
                let effect = 3_000.0 * (t[0] - 1.0) + 40_000.0 * (t[1] - 0.07) * (p as f64 + 1.0)
                    - 2_000.0 * t[2] * t[2]
                    + 500.0 * (t[3] - 1.0)
                    + 300.0 * p as f64;
                row.push(control + effect + 400.0 * normal(&mut rng));
            }
            row
        })
        .collect();
    Run {
        names: (0..KEYS).map(|k| format!("key{k}")).collect(),
        theta,
        ranges,
        nb,
    }
}

fn uncertainty(c: &mut Criterion) {
    let Run {
        names,
        theta,
        ranges,
        nb,
    } = data();
    let keys: Vec<Assumption<'_>> = (0..KEYS)
        .map(|k| Assumption {
            key: &names[k],
            draws: &theta[k],
            p05: ranges[k].0,
            p95: ranges[k].1,
        })
        .collect();
    let extra: Vec<f64> = nb.iter().map(|r| r[1] - r[0]).collect();
    let mut group = c.benchmark_group("200 replications, 4 programs, 10 assumptions");
    group.sample_size(20);
    group.bench_function("analyse (all)", |b| {
        b.iter(|| black_box(analyse(black_box(&keys), black_box(&nb))))
    });
    group.bench_function("value_of_information", |b| {
        b.iter(|| black_box(value_of_information(black_box(&keys), black_box(&nb))))
    });
    group.bench_function("sensitivity (one program)", |b| {
        b.iter(|| black_box(sensitivity(black_box(&keys), black_box(&extra))))
    });
    group.finish();
}

criterion_group!(benches, uncertainty);
criterion_main!(benches);
