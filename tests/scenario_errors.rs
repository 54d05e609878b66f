//! Scenario loading from the outside: every class of bad input has a fixture
//! under `tests/fixtures/bad/` and its exact message pinned by a snapshot;
//! `tests/fixtures/good/full.toml` (every key, every distribution) must
//! resolve to known values; `--set` overrides are checked against both.
//!
//! Cargo runs integration tests with the crate root as working directory, so
//! the relative fixture paths below are also what the messages show.

use loyalsim::scenario::{
    Basket, Dist, Dropout, Override, Scenario, TierBasis, TimeUnit, load_file,
    load_str_with_overrides,
};
use std::path::Path;

/// The message for a fixture that must fail to load.
fn error_of(name: &str) -> String {
    let path = format!("tests/fixtures/bad/{name}.toml");
    match load_file(Path::new(&path)) {
        Ok(_) => panic!("{path} loaded but should have failed"),
        Err(e) => e.message,
    }
}

macro_rules! bad_fixtures {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), error_of(stringify!($name)));
        }
    )*};
}

bad_fixtures!(
    unknown_key,
    unknown_top_level,
    syntax_error,
    missing_key,
    missing_table,
    wrong_type,
    probability_out_of_range,
    shares_sum,
    duplicate_program,
    missing_script,
    dist_two_keys,
    dist_unknown_kind,
    dist_gamma_rate_and_mean,
    dist_gamma_gamma_q,
    dist_gamma_gamma_rate,
    dist_triangular_mode,
    dist_triangular_max,
    dropout_unknown,
    discount_rate,
    discount_tiers_order,
    prestamped,
    card_size_zero,
    innovation_without_market,
    cohort_missing_file,
    cohort_bad_row,
    cohort_count_mismatch,
    time_unit,
    too_many_periods,
    too_much_work,
    unbounded_word_of_mouth,
    bare_number_distribution,
    bare_number_dropout,
    decimal_comma,
    single_bracket_segment,
    key_in_wrong_table,
    not_utf8,
    winback_response,
    winback_response_range,
    response_draws_overflow,
    winback_response_kind,
    winback_negative_cost,
    winback_after_zero,
    winback_max_messages,
    welcome_discount,
    welcome_gift_negative,
    table_as_list,
);

const BOUTIQUE: &str = "tests/fixtures/good/boutique.toml";

fn load_with(path: &str, sets: &[(&str, toml::Value)]) -> Result<Scenario, String> {
    let src = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let overrides: Vec<Override> = sets
        .iter()
        .map(|(k, v)| Override {
            key: k.to_string(),
            value: v.clone(),
        })
        .collect();
    load_str_with_overrides(&src, Some(Path::new(path)), &overrides).map_err(|e| e.message)
}

fn override_error(key: &str, value: toml::Value) -> String {
    match load_with(BOUTIQUE, &[(key, value)]) {
        Ok(_) => panic!("--set {key} should have failed"),
        Err(m) => m,
    }
}

#[test]
fn override_unknown_key() {
    insta::assert_snapshot!(
        "override_unknown_key",
        override_error("program[Stamp card].stamps.crad_size", 8.into())
    );
}

#[test]
fn override_unknown_section() {
    insta::assert_snapshot!(
        "override_unknown_section",
        override_error("simulaton.seed", 3.into())
    );
}

#[test]
fn override_unknown_program() {
    insta::assert_snapshot!(
        "override_unknown_program",
        override_error("program[Stamp crad].stamps.card_size", 8.into())
    );
}

#[test]
fn override_shares_sum() {
    insta::assert_snapshot!(
        "override_shares_sum",
        override_error("population.segment[0].share", 0.5.into())
    );
}

#[test]
fn override_bad_value() {
    insta::assert_snapshot!(
        "override_bad_value",
        override_error("program[2].stamps.card_size", 0.into())
    );
}

#[test]
fn override_extreme_numbers_stay_short() {
    // `--set` (and a `[sweep]` table's values) were echoed as TOML writes
    // them: 1e-300 with 300 zeros, 1e300 with 300 digits.
    let m = override_error("simulation.report_every", 1e-300.into());
    assert!(
        m.contains(": --set simulation.report_every=1e-300: simulation.report_every: "),
        "{m}"
    );
    let v: toml::Value =
        toml::from_str::<toml::Table>("v = { fixed = -1e300 }").unwrap()["v"].clone();
    let m = override_error("population.segment[0].basket", v);
    assert!(
        m.contains(": --set population.segment[0].basket={ fixed = -1e300 }: "),
        "{m}"
    );
    // Ordinary numbers are shown as before.
    let m = override_error("simulation.replications", 1e9.into());
    assert!(
        m.contains("--set simulation.replications=1000000000.0: "),
        "{m}"
    );
}

#[test]
fn overrides_set_existing_and_new_keys() {
    let s = load_with(
        BOUTIQUE,
        &[
            ("program[Stamp card].stamps.card_size", 12.into()),
            ("program[1].points.expiry", 6.into()),
            ("program[0].points.expiry", 6.into()),
            ("program[0].points.earn", 1.into()),
            ("program[0].points.point_value", 0.02.into()),
            ("program[0].points.redeem_threshold", 100.into()),
            ("segment[regulars].share", 0.5.into()),
            ("population.segment[1].share", 0.5.into()),
            ("simulation.seed", 3.into()),
            ("response.goal_gradient", 0.5.into()),
        ],
    )
    .expect("overrides apply");
    assert_eq!(s.programs[2].stamps.as_ref().expect("stamps").card_size, 12);
    assert_eq!(
        s.programs[1].points.as_ref().expect("points").expiry,
        Some(6.0)
    );
    // A section absent from the file can be created by overrides.
    let p0 = s.programs[0].points.as_ref().expect("points added");
    assert_eq!(
        (p0.earn, p0.point_value, p0.redeem_threshold),
        (1.0, 0.02, 100.0)
    );
    assert_eq!(s.population.segments[0].share, 0.5);
    assert_eq!(s.simulation.seed, 3);
    assert_eq!(s.response.goal_gradient, 0.5);
    assert_eq!(s.population.segments[1].response.goal_gradient, 0.5);
}

#[test]
fn boutique_loads_with_defaults() {
    let s = load_file(Path::new(BOUTIQUE)).expect("boutique loads");
    assert_eq!(s.name, "Olga's boutique");
    assert_eq!(s.programs.len(), 5);
    assert_eq!(s.programs[0].mechanisms(), vec!["discount"]);
    assert_eq!(s.programs[3].mechanisms(), vec!["points", "referral"]);
    assert_eq!(s.response, loyalsim::scenario::Response::default());
    let stamps = s.programs[2].stamps.as_ref().expect("stamps");
    // Stamps reward cost defaults to the cost of goods: 1 - gross margin.
    assert!((stamps.reward_cost_ratio - 0.55).abs() < 1e-12);
    assert_eq!(
        (stamps.prestamped, stamps.min_basket, stamps.card_expiry),
        (0, 0.0, None)
    );
    assert_eq!(
        s.programs[1]
            .points
            .as_ref()
            .expect("points")
            .redeem_probability,
        1.0
    );
    let script = s.programs[4].script.as_ref().expect("script");
    assert_eq!(script.file, Path::new("tests/fixtures/good/tiered.rhai"));
    assert!(script.source.contains("fn on_purchase"));
    assert_eq!(
        script.params.get("gold").and_then(toml::Value::as_float),
        Some(1000.0)
    );
}

#[test]
fn name_defaults_to_the_file_stem() {
    let src = std::fs::read_to_string(BOUTIQUE).expect("read");
    let src = src.replace("name = \"Olga's boutique\"\n", "");
    let s = loyalsim::scenario::load_str(&src, Some(Path::new("somewhere/olga.toml")));
    // The script is resolved against `somewhere/`, which does not exist.
    assert!(s.is_err());
    let src = src.replace(
        "file = \"tiered.rhai\"",
        "file = \"tests/fixtures/good/tiered.rhai\"",
    );
    let s = loyalsim::scenario::load_str(&src, None).expect("loads from text");
    assert_eq!(s.name, "scenario");
    let s = loyalsim::scenario::load_str(&src, Some(Path::new("olga.toml"))).expect("loads");
    assert_eq!(s.name, "olga");
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12 * b.abs().max(1.0)
}

#[test]
fn full_scenario_resolves_every_key() {
    let s = load_file(Path::new("tests/fixtures/good/full.toml")).expect("full loads");
    assert_eq!(s.name, "Everything");
    let sim = &s.simulation;
    assert_eq!(sim.time_unit, TimeUnit::Week);
    assert_eq!((sim.horizon, sim.replications, sim.seed), (52.0, 50, 42));
    assert_eq!((sim.report_every, sim.baseline), (4.0, false));
    assert_eq!(s.business.currency, "CHF");
    assert_eq!(s.business.gross_margin, 0.4);

    // Cohort: five rows, sorted.
    let pop = &s.population;
    assert_eq!(pop.customers, 5);
    assert_eq!(pop.cohort.as_deref(), Some(&[0.0, 0.0, 0.5, 1.25, 2.0][..]));

    // Distributions: each parameterisation reduced to one.
    let seg = &pop.segments;
    assert_eq!(seg.len(), 6);
    assert_eq!(
        seg[0].purchase_rate,
        Dist::Gamma {
            shape: 2.0,
            scale: 0.6
        }
    );
    assert_eq!(seg[0].dropout, Dropout::Hazard(0.02));
    let Basket::Iid(Dist::LogNormal { mu, sigma }) = seg[0].basket else {
        panic!("lognormal basket expected, got {:?}", seg[0].basket);
    };
    let s2 = (1.0f64 + (40.0f64 / 85.0).powi(2)).ln();
    assert!(close(sigma, s2.sqrt()) && close(mu, 85.0f64.ln() - s2 / 2.0));
    assert_eq!(
        seg[1].purchase_rate,
        Dist::Gamma {
            shape: 0.5,
            scale: 0.5
        }
    );
    assert_eq!(seg[1].dropout, Dropout::Bg { a: 1.0, b: 3.0 });
    assert_eq!(
        seg[1].basket,
        Basket::GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44
        }
    );
    assert_eq!(seg[2].purchase_rate, Dist::Exponential { mean: 0.4 });
    assert_eq!(
        seg[2].dropout,
        Dropout::Pareto {
            shape: 1.5,
            rate: 10.0
        }
    );
    assert_eq!(
        seg[2].basket,
        Basket::Iid(Dist::Uniform {
            min: 10.0,
            max: 30.0
        })
    );
    assert_eq!(seg[3].purchase_rate, Dist::Fixed(2.0));
    assert_eq!(seg[3].dropout, Dropout::None);
    assert_eq!(
        seg[3].basket,
        Basket::Iid(Dist::Gamma {
            shape: 4.0,
            scale: 10.0
        })
    );
    assert_eq!(seg[4].purchase_rate, Dist::Beta { a: 1.0, b: 4.0 });
    // A log-normal with sd = 0 is a fixed value.
    assert_eq!(seg[4].basket, Basket::Iid(Dist::Fixed(25.0)));
    assert_eq!(
        seg[5].purchase_rate,
        Dist::Triangular {
            min: 0.1,
            mode: 0.2,
            max: 0.6
        }
    );
    // A triangle of zero width is a fixed value, like a zero-width uniform.
    assert_eq!(seg[5].basket, Basket::Iid(Dist::Fixed(30.0)));

    // Response: global keys, then segment overrides on top.
    assert_eq!(s.response.discount_elasticity, 1.2);
    assert_eq!(s.response.referral_boost, 1.5);
    assert_eq!(seg[0].response.discount_elasticity, 1.5);
    assert_eq!(seg[0].response.reward_perceived, 0.8);
    assert_eq!(seg[0].response.goal_gradient, 0.3);
    assert_eq!(seg[1].response, s.response);

    let acq = s.acquisition.as_ref().expect("acquisition");
    assert_eq!(acq.market_size, Some(20000.0));
    assert_eq!((acq.innovation, acq.organic), (0.002, 1.5));
    assert_eq!((acq.referral_rate, acq.referral_conversion), (0.05, 0.3));

    let p = &s.programs;
    assert_eq!(p.len(), 8);
    assert_eq!((p[0].enrolment, p[0].start, p[0].end), (0.6, 4.0, 40.0));
    assert_eq!(p[0].costs.setup + p[0].costs.per_member, 502.0);
    assert_eq!(
        (p[0].costs.per_member_per_unit, p[0].costs.per_unit),
        (0.1, 30.0)
    );
    let d = p[0].discount.as_ref().expect("discount");
    assert_eq!(
        (d.tiers.len(), d.tiers[0].from, d.tiers[0].rate),
        (1, 0.0, 0.05)
    );
    // Defaults: everyone enrols, for the whole horizon.
    assert_eq!((p[1].enrolment, p[1].start, p[1].end), (1.0, 0.0, 52.0));
    // Tiers starting above 0 get a 0% tier from 0.
    let d = p[1].discount.as_ref().expect("discount");
    let tiers: Vec<(f64, f64)> = d.tiers.iter().map(|t| (t.from, t.rate)).collect();
    assert_eq!(tiers, vec![(0.0, 0.0), (200.0, 0.03), (500.0, 0.05)]);
    assert_eq!(d.basis, TierBasis::Spend);
    let d = p[2].discount.as_ref().expect("discount");
    assert_eq!((d.basis, d.tiers.len()), (TierBasis::Purchases, 2));

    let pts = p[3].points.as_ref().expect("points");
    assert_eq!(
        (pts.earn, pts.point_value, pts.redeem_threshold),
        (1.0, 0.01, 500.0)
    );
    assert_eq!((pts.expiry, pts.welcome_points), (Some(26.0), 100.0));
    assert_eq!((pts.redeem_probability, pts.reward_cost_ratio), (0.8, 0.6));
    assert_eq!(pts.catalog.len(), 2);
    assert_eq!(
        (pts.catalog[1].points, pts.catalog[1].value),
        (1000.0, 12.0)
    );

    let st = p[4].stamps.as_ref().expect("stamps");
    assert_eq!(
        (st.card_size, st.prestamped, st.reward_value),
        (10, 2, 40.0)
    );
    assert_eq!(
        (st.min_basket, st.card_expiry, st.reward_cost_ratio),
        (15.0, Some(12.0), 0.5)
    );
    let st = p[5].stamps.as_ref().expect("stamps");
    assert!(close(st.reward_cost_ratio, 0.6), "1 - gross_margin");

    let r = p[6].referral.as_ref().expect("referral");
    assert_eq!(
        (r.referrer_reward, r.referee_reward, r.referral_boost),
        (10.0, 5.0, Some(3.0))
    );
    let sc = p[7].script.as_ref().expect("script");
    assert_eq!(sc.file, Path::new("tests/fixtures/good/tiered.rhai"));
    assert_eq!(
        sc.params.get("silver").and_then(toml::Value::as_float),
        Some(300.0)
    );
}
