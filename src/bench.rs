//! Benchmark scenarios shared by `benches/` and `examples/throughput.rs`, so
//! that the figures quoted in docs/performance.md come from one definition.

use crate::scenario::*;

/// The benchmark population: BG/NBD with the CDNOW estimates, 78 weeks, one
/// replication, fixed baskets. `variant` is `control` (no program, the
/// control arm only), `stamps` or `points` (that program only, default
/// response), `compare` (the control, stamps and points in one run, as users
/// run them), or `script-stamps` (scripts/stamps.rhai with the `stamps`
/// variant's card: same results as `stamps`, for the scripting overhead).
/// `control+stamps`, `control+points` and `control+script-stamps` run the
/// control and that one program together (what a program arm adds to a run).
pub fn bgnbd_scenario(customers: u64, variant: &str) -> Scenario {
    let horizon = 78.0;
    let programs = match variant {
        "stamps" => vec![stamps(horizon)],
        "points" => vec![points(horizon)],
        "compare" => vec![stamps(horizon), points(horizon)],
        "control+stamps" => vec![stamps(horizon)],
        "control+points" => vec![points(horizon)],
        "control+script-stamps" => script_stamps(horizon).into_iter().collect(),
        "script-stamps" => script_stamps(horizon).into_iter().collect(),
        _ => vec![],
    };
    let baseline = programs.is_empty() || variant == "compare" || variant.starts_with("control+");
    Scenario {
        name: format!("benchmark ({variant})"),
        path: None,
        simulation: Simulation {
            time_unit: TimeUnit::Week,
            horizon,
            replications: 1,
            seed: 1,
            report_every: 1.0,
            baseline,
        },
        business: Business {
            currency: "USD".into(),
            gross_margin: 0.4,
        },
        population: Population {
            cohort_source: None,
            customers,
            segments: vec![Segment {
                name: "all".into(),
                share: 1.0,
                purchase_rate: Dist::Gamma {
                    shape: 0.243,
                    scale: 1.0 / 4.414,
                },
                dropout: Dropout::Bg { a: 0.793, b: 2.426 },
                basket: Basket::Iid(Dist::Fixed(35.0)),
                response: Response::default(),
            }],
            cohort: None,
        },
        acquisition: None,
        response: Response::default(),
        assumptions: vec![],
        programs,
        notes: Default::default(),
    }
}

/// A 10-stamp card with a reward of 10 at cost ratio 0.6.
fn stamps(horizon: f64) -> ProgramSpec {
    ProgramSpec {
        stamps: Some(Stamps {
            per_amount: None,
            carry_remainder: false,
            card_size: 10,
            reward_value: 10.0,
            prestamped: 0,
            min_basket: 0.0,
            card_expiry: None,
            reward_cost_ratio: 0.6,
        }),
        ..ProgramSpec::open("stamps", horizon)
    }
}

/// One point per unit spent, 500-point vouchers, 52-week expiry.
fn points(horizon: f64) -> ProgramSpec {
    ProgramSpec {
        points: Some(Points {
            earn: 1.0,
            point_value: 0.01,
            redeem_threshold: 500.0,
            expiry: Some(52.0),
            welcome_points: 0.0,
            redeem_probability: 1.0,
            reward_cost_ratio: 1.0,
            catalog: vec![],
        }),
        ..ProgramSpec::open("points", horizon)
    }
}

/// The `stamps` card written in Rhai (`None` if the bundled script failed
/// to compile, which the test suite would catch).
fn script_stamps(horizon: f64) -> Option<ProgramSpec> {
    let source = include_str!("../scripts/stamps.rhai");
    let file = std::path::PathBuf::from("scripts/stamps.rhai");
    let params: toml::Table = toml::from_str(
        "card_size = 10\nreward_value = 10.0\nprestamped = 0\nmin_basket = 0.0\nreward_cost_ratio = 0.6",
    )
    .unwrap_or_default();
    let hooks = crate::script::compile(&file, source, &params, TimeUnit::Week).ok()?;
    Some(ProgramSpec {
        script: Some(ScriptSpec {
            file,
            source: source.to_string(),
            params,
            hooks,
        }),
        ..ProgramSpec::open("script-stamps", horizon)
    })
}
