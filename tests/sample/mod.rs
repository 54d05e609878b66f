//! A sample scenario built in code (Olga's boutique: a discount card, bonus
//! points with expiry, a stamp card and a referral bonus), run for real, for
//! the report, chart and browser tests. Built programmatically so these tests
//! do not depend on the TOML loader.
#![allow(dead_code)]

use crate::common;
use loyalsim::scenario::*;
use loyalsim::stats::Results;

/// The scenario: two segments, word of mouth, four programs.
pub fn scenario(replications: u32) -> Scenario {
    let mut sc = common::scenario(
        500,
        Dist::Gamma {
            shape: 2.0,
            scale: 0.5,
        },
        Dropout::Hazard(0.03),
        Basket::Iid(Dist::lognormal_from_moments(85.0, 40.0)),
        24.0,
    );
    sc.name = "Olga's boutique <test & co>".into();
    sc.simulation.time_unit = TimeUnit::Month;
    sc.simulation.replications = replications;
    sc.simulation.seed = 7;
    sc.business.gross_margin = 0.45;
    let mut occasional = sc.population.segments[0].clone();
    occasional.name = "occasional".into();
    occasional.share = 0.7;
    occasional.purchase_rate = Dist::Gamma {
        shape: 1.0,
        scale: 0.3,
    };
    occasional.dropout = Dropout::Hazard(0.05);
    occasional.response.goal_gradient = 0.4;
    sc.population.segments[0].name = "regulars".into();
    sc.population.segments[0].share = 0.3;
    sc.population.segments.push(occasional);
    sc.acquisition = Some(Acquisition {
        market_size: Some(5000.0),
        innovation: 0.002,
        organic: 2.0,
        referral_rate: 0.05,
        referral_conversion: 0.3,
    });
    let h = sc.simulation.horizon;

    let mut discount = common::program("5% discount card", h);
    discount.discount = Some(Discount {
        tiers: vec![Tier {
            from: 0.0,
            rate: 0.05,
        }],
        basis: TierBasis::Spend,
    });
    discount.costs.setup = 300.0;

    let mut points = common::program("Bonus points", h);
    points.points = Some(Points {
        earn: 1.0,
        point_value: 0.02,
        redeem_threshold: 300.0,
        expiry: Some(12.0),
        welcome_points: 50.0,
        redeem_probability: 0.8,
        reward_cost_ratio: 0.55,
        catalog: vec![],
    });
    points.costs.setup = 800.0;
    points.costs.per_unit = 30.0;

    let mut stamps = common::program("Stamp card", h);
    stamps.stamps = Some(Stamps {
        per_amount: None,
        carry_remainder: false,
        card_size: 10,
        reward_value: 40.0,
        prestamped: 2,
        min_basket: 20.0,
        card_expiry: None,
        reward_cost_ratio: 0.55,
    });
    stamps.costs.setup = 100.0;

    let mut referral = common::program("Referral bonus", h);
    referral.referral = Some(Referral {
        referrer_reward: 10.0,
        referee_reward: 10.0,
        referral_boost: None,
    });

    sc.programs = vec![discount, points, stamps, referral];
    sc
}

/// Run the sample scenario and build its results document.
pub fn results(replications: u32) -> Results {
    let sc = scenario(replications);
    let out = loyalsim::engine::run(&sc, &|| {});
    loyalsim::stats::build(&sc, &out)
}
