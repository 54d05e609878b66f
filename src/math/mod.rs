//! Numerical building blocks with no model in them: the special functions
//! (ln Γ, ₂F₁, quadrature) and the distribution functions (incomplete gamma
//! and beta, normal CDF, Poisson tail). The bottom layer of the crate: it
//! imports nothing from it, so the behavioural model, the mechanisms, the
//! statistics and the fit can all use it. Pure (no I/O).

pub mod cdf;
pub mod special;
