//! Inputs in business terms (visits a year, customers lost a year, average
//! receipt, new customers a year): each resolves to exactly the model of its
//! statistical form, so the results for the same seed are byte-identical.

use loyalsim::scenario::{Dist, Dropout, Scenario, TimeUnit, hazard_from_lost_per_year, load_str};
use std::path::Path;

fn load(src: &str) -> Result<Scenario, String> {
    load_str(src, Some(Path::new("shop.toml"))).map_err(|e| e.message)
}

/// The whole results document (as JSON), for a byte comparison.
fn results(sc: &Scenario) -> String {
    let out = loyalsim::engine::run(sc, &|| {});
    loyalsim::report::json(&loyalsim::stats::build(sc, &out))
}

fn shop(unit: &str, segment: &str, acquisition: &str) -> String {
    format!(
        r#"[simulation]
name = "shop"
time_unit = "{unit}"
horizon = 12
replications = 20
seed = 7
[business]
gross_margin = 0.4
[population]
customers = 300
[[population.segment]]
name = "all"
share = 1
{segment}
[response]
uncertainty = false
{acquisition}
[[program]]
name = "stamps"
[program.stamps]
card_size = 8
reward_value = 20
[[program]]
name = "points"
[program.points]
earn = 1
point_value = 0.01
redeem_threshold = 300
[program.referral]
referrer_reward = 5
referee_reward = 5
"#
    )
}

/// Load both forms, check they resolve to the same segments and
/// acquisition, and that the results are byte-identical.
fn same(business: &str, statistical: &str) -> Scenario {
    let b = load(business).expect("business form loads");
    let s = load(statistical).expect("statistical form loads");
    assert_eq!(b.population, s.population);
    assert_eq!(b.acquisition, s.acquisition);
    assert!(!b.notes.resolved.is_empty());
    assert!(s.notes.resolved.is_empty());
    assert_eq!(results(&b), results(&s));
    b
}

#[test]
fn visits_a_year_with_a_word_is_the_gamma_it_stands_for() {
    // 18 visits a year = 1.5 a month; "similar" = cv 0.5 = shape 4.
    let b = same(
        &shop(
            "month",
            "visits_per_year = 18\nvisits_spread = \"similar\"\ndropout = \"none\"\nbasket = { fixed = 30 }",
            "",
        ),
        &shop(
            "month",
            "purchase_rate = { gamma = { shape = 4, mean = 1.5 } }\ndropout = \"none\"\nbasket = { fixed = 30 }",
            "",
        ),
    );
    assert_eq!(
        b.notes.resolved,
        vec![
            "population.segment[0]: visits_per_year = 18, visits_spread = \"similar\" = 0.5 -> purchase_rate = { gamma = { shape = 4, mean = 1.5 } } per month"
        ]
    );
}

#[test]
fn visits_a_year_with_a_cv_in_weeks() {
    // 52.18 weeks a year: 26 visits a year is 26 / (365.25 / 7) a week.
    let mean = 26.0 / (365.25 / 7.0);
    let b = same(
        &shop(
            "week",
            "visits_per_year = 26\nvisits_spread = 0.8\ndropout = \"none\"\nbasket = { fixed = 30 }",
            "",
        ),
        &shop(
            "week",
            &format!(
                "purchase_rate = {{ gamma = {{ shape = {:?}, scale = {:?} }} }}\ndropout = \"none\"\nbasket = {{ fixed = 30 }}",
                1.0 / (0.8f64 * 0.8),
                mean / (1.0 / (0.8f64 * 0.8))
            ),
            "",
        ),
    );
    assert_eq!(b.simulation.time_unit, TimeUnit::Week);
}

#[test]
fn default_visit_spread_is_varied() {
    let s = load(&shop(
        "month",
        "visits_per_year = 12\ndropout = \"none\"\nbasket = { fixed = 30 }",
        "",
    ))
    .expect("loads");
    assert_eq!(
        s.population.segments[0].purchase_rate,
        Dist::Gamma {
            shape: 1.0,
            scale: 1.0
        }
    );
}

#[test]
fn lost_a_year_is_the_hazard_that_loses_that_share() {
    let h = hazard_from_lost_per_year(0.3, TimeUnit::Month);
    assert!(((-12.0 * h).exp() - 0.7).abs() < 1e-14);
    let b = same(
        &shop(
            "month",
            "purchase_rate = { gamma = { shape = 2, mean = 1 } }\nlost_per_year = 0.3\nbasket = { fixed = 30 }",
            "",
        ),
        &shop(
            "month",
            &format!(
                "purchase_rate = {{ gamma = {{ shape = 2, mean = 1 }} }}\ndropout = {{ hazard = {h:?} }}\nbasket = {{ fixed = 30 }}"
            ),
            "",
        ),
    );
    assert_eq!(b.population.segments[0].dropout, Dropout::Hazard(h));
}

#[test]
fn mean_receipt_with_a_spread_is_the_lognormal_it_stands_for() {
    same(
        &shop(
            "month",
            "purchase_rate = { fixed = 1 }\ndropout = \"none\"\nmean_receipt = 40\nreceipt_spread = \"varied\"",
            "",
        ),
        &shop(
            "month",
            "purchase_rate = { fixed = 1 }\ndropout = \"none\"\nbasket = { lognormal = { mean = 40, sd = 40 } }",
            "",
        ),
    );
    // The default spread is "similar" (cv 0.5); "none" is a fixed receipt.
    same(
        &shop(
            "month",
            "purchase_rate = { fixed = 1 }\ndropout = \"none\"\nmean_receipt = 40",
            "",
        ),
        &shop(
            "month",
            "purchase_rate = { fixed = 1 }\ndropout = \"none\"\nbasket = { lognormal = { mean = 40, sd = 20 } }",
            "",
        ),
    );
    same(
        &shop(
            "month",
            "purchase_rate = { fixed = 1 }\ndropout = \"none\"\nmean_receipt = 40\nreceipt_spread = \"none\"",
            "",
        ),
        &shop(
            "month",
            "purchase_rate = { fixed = 1 }\ndropout = \"none\"\nbasket = { fixed = 40 }",
            "",
        ),
    );
}

const SEG: &str = "purchase_rate = { gamma = { shape = 2, mean = 1 } }\ndropout = { hazard = 0.03 }\nbasket = { fixed = 30 }";

#[test]
fn new_customers_a_year_and_the_share_from_recommendations() {
    // 120 a year = 10 a month; a quarter by recommendation: 2.5 a month
    // from 300 customers = 2.5 / 300 contacts per customer a month.
    same(
        &shop(
            "month",
            SEG,
            "[acquisition]\nnew_per_year = 120\nfrom_recommendations = 0.25",
        ),
        &shop(
            "month",
            SEG,
            &format!(
                "[acquisition]\norganic = 7.5\nreferral_rate = {:?}\nreferral_conversion = 1",
                0.25 * 10.0 / 300.0
            ),
        ),
    );
    // With a market size, the word of mouth at the start is scaled back up by
    // the share of the market not yet won (here 0.9).
    same(
        &shop(
            "month",
            SEG,
            "[acquisition]\nmarket_size = 3000\nnew_per_year = 120\nfrom_recommendations = 0.25",
        ),
        &shop(
            "month",
            SEG,
            &format!(
                "[acquisition]\nmarket_size = 3000\norganic = 7.5\nreferral_rate = {:?}\nreferral_conversion = 1",
                0.25 * 10.0 / (300.0 * ((3000.0 - 300.0) / 3000.0))
            ),
        ),
    );
    // Without recommendations, the word-of-mouth keys may still be given.
    same(
        &shop(
            "month",
            SEG,
            "[acquisition]\nnew_per_year = 60\nreferral_rate = 0.01\nreferral_conversion = 0.5",
        ),
        &shop(
            "month",
            SEG,
            "[acquisition]\norganic = 5\nreferral_rate = 0.01\nreferral_conversion = 0.5",
        ),
    );
}

fn error(segment: &str, acquisition: &str) -> String {
    load(&shop("month", segment, acquisition)).expect_err("must fail")
}

#[test]
fn both_forms_of_one_thing_are_an_error_naming_both() {
    let e = error(&format!("{SEG}\nvisits_per_year = 12"), "");
    assert_eq!(
        e,
        "shop.toml:17:19: population.segment[0].visits_per_year: `visits_per_year` and `purchase_rate` both give how often customers buy; give one of them (`visits_per_year` is resolved to `purchase_rate`)"
    );
    let e = error(&format!("{SEG}\nlost_per_year = 0.2"), "");
    assert!(e.contains("`lost_per_year` and `dropout` both give"), "{e}");
    let e = error(&format!("{SEG}\nmean_receipt = 20"), "");
    assert!(e.contains("`mean_receipt` and `basket` both give"), "{e}");
    let e = error(SEG, "[acquisition]\norganic = 3\nnew_per_year = 12");
    assert!(e.contains("`new_per_year` and `organic` both give"), "{e}");
    let e = error(
        SEG,
        "[acquisition]\nnew_per_year = 12\nfrom_recommendations = 0.2\nreferral_rate = 0.1",
    );
    assert!(
        e.contains("`from_recommendations` and `referral_rate` both give"),
        "{e}"
    );
}

#[test]
fn bad_business_values_are_explained() {
    let e = error(
        "visits_per_year = 12\nvisits_spread = \"very varid\"\ndropout = \"none\"\nbasket = { fixed = 1 }",
        "",
    );
    assert!(
        e.contains("unknown spread `very varid`; did you mean \"very varied\"?"),
        "{e}"
    );
    let e = error(
        "purchase_rate = { fixed = 1 }\nlost_per_year = 1\nbasket = { fixed = 1 }",
        "",
    );
    assert!(e.contains("lost_per_year: `1` is out of range"), "{e}");
    let e = error("name2 = 1", "");
    assert!(e.contains("unknown key"), "{e}");
    let e = error("dropout = \"none\"\nbasket = { fixed = 1 }", "");
    assert!(
        e.contains("population.segment[0].purchase_rate: missing required key; expected a distribution of purchases per time unit"),
        "{e}"
    );
    assert!(e.contains("or `visits_per_year = 14`"), "{e}");
    let e = error(SEG, "[acquisition]\nfrom_recommendations = 0.2");
    assert!(e.contains("add `new_per_year = ...`"), "{e}");
}
