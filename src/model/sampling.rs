//! Exact samplers (placeholder until the samplers branch lands: simple but exact versions).
use crate::model::rng::Stream;
use crate::scenario::Dist;

pub fn normal(rng: &mut Stream) -> f64 {
    loop {
        let u = 2.0 * rng.uniform() - 1.0;
        let v = 2.0 * rng.uniform() - 1.0;
        let s = u * u + v * v;
        if s < 1.0 && s > 0.0 {
            return u * (-2.0 * s.ln() / s).sqrt();
        }
    }
}

pub fn gamma(rng: &mut Stream, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = rng.uniform();
        return gamma(rng, shape + 1.0) * (u.ln() / shape).exp();
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = rng.uniform();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

pub fn beta(rng: &mut Stream, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    x / (x + y)
}

pub fn draw(rng: &mut Stream, d: &Dist) -> f64 {
    match *d {
        Dist::Fixed(x) => x,
        Dist::Gamma { shape, scale } => gamma(rng, shape) * scale,
        Dist::LogNormal { mu, sigma } => (mu + sigma * normal(rng)).exp(),
        Dist::Exponential { mean } => rng.exp1() * mean,
        Dist::Beta { a, b } => beta(rng, a, b),
        Dist::Uniform { min, max } => min + (max - min) * rng.uniform(),
    }
}
