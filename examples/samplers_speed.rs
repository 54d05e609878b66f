//! Speed of the samplers in `loyalsim::model::sampling`: nanoseconds per
//! draw, the median of several timed runs of many draws each (the sum of the
//! draws goes through `black_box` so nothing is optimised away).
//!
//! Run: `cargo run --release --example samplers_speed`

use std::hint::black_box;
use std::time::Instant;

use loyalsim::model::rng::{Purpose, Stream};
use loyalsim::model::sampling::{
    GammaSampler, beta, draw, exponential, gamma, lognormal, normal, poisson,
};
use loyalsim::scenario::dist::Dist;

const DRAWS: usize = 2_000_000;
const RUNS: usize = 11;

fn time(name: &str, mut f: impl FnMut(&mut Stream) -> f64) {
    let mut rng = Stream::new(1, 0, 0, Purpose::Traits);
    // Warm up (and build the ziggurat tables).
    let mut acc = 0.0;
    for _ in 0..10_000 {
        acc += f(&mut rng);
    }
    let mut ns: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..DRAWS {
                acc += f(&mut rng);
            }
            start.elapsed().as_nanos() as f64 / DRAWS as f64
        })
        .collect();
    black_box(acc);
    ns.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{name:<28} {:>7.2} ns/draw  (min {:.2}, max {:.2})",
        ns[RUNS / 2],
        ns[0],
        ns[RUNS - 1]
    );
}

fn main() {
    println!("median of {RUNS} runs of {DRAWS} draws\n");
    time("next_u64 (baseline)", |r| r.next_u64() as f64);
    time("uniform", |r| r.uniform());
    time("Stream::exp1 (-ln U)", |r| r.exp1());
    time("exponential (ziggurat)", exponential);
    time("normal (ziggurat)", normal);
    time("lognormal(4.3, 0.45)", |r| lognormal(r, 4.3, 0.45));
    for k in [0.243, 0.793, 2.426, 6.25] {
        time(&format!("gamma({k})"), |r| gamma(r, k));
    }
    let g = GammaSampler::new(0.243);
    time("GammaSampler(0.243)", |r| g.sample(r));
    time("beta(0.793, 2.426)", |r| beta(r, 0.793, 2.426));
    time("beta(0.5, 0.5)", |r| beta(r, 0.5, 0.5));
    let d = Dist::Gamma {
        shape: 0.243,
        scale: 1.0 / 4.414,
    };
    time("draw(Dist::Gamma 0.243)", |r| draw(r, &d));
    for m in [0.7, 5.0, 9.9, 10.0, 100.0, 1e4] {
        time(&format!("poisson({m})"), |r| poisson(r, m) as f64);
    }
}
