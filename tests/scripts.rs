//! Rhai scripts: the scripted stamp card, discount and points program give
//! exactly the built-ins' results for the same seed; the bundled example
//! scripts run; a script that misbehaves (runaway loop, deep recursion, huge
//! allocation, type mismatch, its own `throw`, a syntax error) stops the run
//! with exit code 2 and `FILE:LINE:COL` naming the cause; a native stub of
//! the `Hooks` trait drives the core without Rhai.

mod common;
use assert_cmd::Command;
use common::*;
use loyalsim::programs::hooks::*;
use loyalsim::scenario::*;
use std::path::Path;
use std::sync::Arc;

fn base() -> Scenario {
    let mut sc = scenario(
        400,
        Dist::Gamma {
            shape: 2.0,
            scale: 0.25,
        },
        Dropout::Hazard(0.02),
        Basket::Iid(Dist::Gamma {
            shape: 4.0,
            scale: 8.0,
        }),
        52.0,
    );
    sc.simulation.replications = 4;
    sc
}

fn params(src: &str) -> toml::Table {
    toml::from_str(src).unwrap()
}

fn scripted(name: &str, file: &str, p: toml::Table) -> ProgramSpec {
    let path = Path::new("scripts").join(file);
    let source = std::fs::read_to_string(&path).unwrap();
    let hooks = loyalsim::script::compile(&path, &source, &p, TimeUnit::Week).unwrap();
    let mut prog = program(name, 52.0);
    prog.script = Some(ScriptSpec {
        file: path,
        source,
        params: p,
        hooks,
    });
    prog
}

/// Run built-in and scripted program side by side; every metric of every
/// replication must be identical.
fn assert_same(builtin: ProgramSpec, script: ProgramSpec, basket: Option<Basket>) {
    assert_same_but(builtin, script, basket, &[], Response::for_unit("week"))
}

/// Like `assert_same`, ignoring the named metrics and period series.
fn assert_same_but(
    builtin: ProgramSpec,
    script: ProgramSpec,
    basket: Option<Basket>,
    ignore: &[&str],
    response: Response,
) {
    let mut sc = base();
    set_response(&mut sc, response);
    if let Some(b) = basket {
        sc.population.segments[0].basket = b;
    }
    sc.programs = vec![builtin, script];
    let mut out = run(&sc);
    assert_eq!(out.len(), 3);
    assert!(out[1][0] != out[0][0], "the program changes nothing");
    for arm in &mut out {
        for m in arm.iter_mut() {
            for (i, name) in loyalsim::stats::metrics::METRICS.iter().enumerate() {
                if ignore.contains(name) {
                    m.totals[i] = 0.0;
                }
            }
            for (i, name) in loyalsim::stats::metrics::PERIOD_SERIES.iter().enumerate() {
                if ignore.contains(name) {
                    m.series[i].clear();
                }
            }
        }
    }
    for (r, (a, b)) in out[1].iter().zip(&out[2]).enumerate() {
        assert!(a == b, "replication {r} differs:\n{a:?}\n{b:?}");
    }
}

#[test]
fn scripted_stamp_card_equals_the_built_in() {
    let mut b = program("built-in", 52.0);
    b.stamps = Some(Stamps {
        per_amount: None,
        carry_remainder: false,
        card_size: 8,
        reward_value: 12.0,
        prestamped: 2,
        min_basket: 15.0,
        card_expiry: None,
        reward_cost_ratio: 0.6,
    });
    let s = scripted(
        "script",
        "stamps.rhai",
        params(
            "card_size = 8\nreward_value = 12.0\nprestamped = 2\nmin_basket = 15.0\nreward_cost_ratio = 0.6",
        ),
    );
    // Every default in force but card abandonment, whose draws come from
    // the built-in card's program stream (a script has its own).
    let r = Response {
        card_abandonment: 0.0,
        ..Response::for_unit("week")
    };
    assert_same_but(b, s, None, &[], r);
}

#[test]
fn scripted_discount_equals_the_built_in() {
    let mut b = program("built-in", 52.0);
    b.discount = Some(Discount {
        tiers: vec![Tier {
            from: 0.0,
            rate: 0.07,
        }],
        basis: TierBasis::Spend,
    });
    let s = scripted("script", "discount.rhai", params("rate = 0.07"));
    assert_same(b, s, None);
}

#[test]
fn scripted_points_equal_the_built_in() {
    let mut b = program("built-in", 52.0);
    b.points = Some(Points {
        earn: 1.0,
        point_value: 0.01,
        redeem_threshold: 200.0,
        expiry: None,
        welcome_points: 0.0,
        redeem_probability: 1.0,
        reward_cost_ratio: 1.0,
        catalog: vec![],
    });
    let s = scripted(
        "script",
        "points.rhai",
        params("earn = 1.0\npoint_value = 0.01\nredeem_threshold = 200.0\nreward_cost_ratio = 1.0"),
    );
    // Whole-euro baskets keep point balances integral, so balance
    // arithmetic in the script rounds exactly like the wallet's.
    // The liability of points still held is valued from `[program.points]`
    // point_value, which a script-only program does not have.
    assert_same_but(
        b,
        s,
        Some(Basket::Iid(Dist::Fixed(23.0))),
        &["liability_end", "liability"],
        Response::for_unit("week"),
    );
}

/// A native stub: a 10% discount, stated as its incentive, no Rhai involved.
struct Stub;

impl Hooks for Stub {
    fn has_on_enrol(&self) -> bool {
        false
    }
    fn has_on_purchase(&self) -> bool {
        true
    }
    fn has_on_period(&self) -> bool {
        false
    }
    fn has_purchase_rate_multiplier(&self) -> bool {
        false
    }
    fn has_churn_multiplier(&self) -> bool {
        false
    }
    fn has_incentive(&self) -> bool {
        true
    }
    fn new_state(&self, _: &CustomerInfo<'_>, _: loyalsim::model::rng::Stream) -> HookState {
        HookState(Arc::new(()))
    }
    fn on_enrol(&self, _: &HookState, _: &mut MemberFacts, _: f64) -> Result<(), HookError> {
        Ok(())
    }
    fn on_purchase(
        &self,
        _: &HookState,
        _: &mut MemberFacts,
        p: &mut PurchaseFacts,
    ) -> Result<(), HookError> {
        p.discount = 0.1 * p.amount;
        Ok(())
    }
    fn on_period(&self, _: &HookState, _: &mut MemberFacts, _: f64) -> Result<(), HookError> {
        Ok(())
    }
    fn purchase_rate_multiplier(
        &self,
        _: &HookState,
        _: &MemberFacts,
        _: f64,
    ) -> Result<f64, HookError> {
        unreachable!("not defined")
    }
    fn churn_multiplier(&self, _: &HookState, _: &MemberFacts, _: f64) -> Result<f64, HookError> {
        unreachable!("not defined")
    }
    fn incentive(
        &self,
        _: &HookState,
        _: &MemberFacts,
        _: f64,
    ) -> Result<ScriptIncentive, HookError> {
        Ok(ScriptIncentive {
            discount: 0.1,
            ..ScriptIncentive::default()
        })
    }
}

#[test]
fn native_stub_drives_the_core_like_the_built_in_discount() {
    let mut sc = base();
    let mut b = program("built-in", 52.0);
    b.discount = Some(Discount {
        tiers: vec![Tier {
            from: 0.0,
            rate: 0.1,
        }],
        basis: TierBasis::Spend,
    });
    let mut s = program("stub", 52.0);
    s.script = Some(ScriptSpec {
        file: "stub".into(),
        source: String::new(),
        params: toml::Table::new(),
        hooks: HooksRef(Arc::new(Stub)),
    });
    // The stub states the same incentive as the built-in discount, so the
    // engine gives it the same response (every default in force).
    sc.programs = vec![b, s];
    let out = run(&sc);
    assert_eq!(format!("{:?}", out[1]), format!("{:?}", out[2]));
}

fn loyalsim() -> Command {
    let mut c = Command::cargo_bin("loyalsim").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn failing(name: &str, verb: &str) -> String {
    let out = loyalsim()
        .args([verb, &format!("tests/fixtures/scripts/{name}.toml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{name}: {out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("tests/fixtures/scripts/{name}.rhai:")),
        "{err}"
    );
    err
}

#[test]
fn misbehaving_scripts_stop_the_run_with_exit_code_2() {
    for (name, cause) in [
        ("runaway_loop", "max_operations"),
        ("deep_recursion", "max_call_levels"),
        ("huge_string", "max_string_size"),
        ("huge_array", "max_array_size"),
        ("type_mismatch", "runtime error"),
        ("throw", "no discount for you"),
    ] {
        let err = failing(name, "run");
        assert!(err.contains(cause), "{name}: {err}");
        insta::assert_snapshot!(format!("script_error_{name}"), err);
    }
}

#[test]
fn syntax_errors_are_found_by_validate_and_run() {
    let v = failing("syntax", "validate");
    let r = failing("syntax", "run");
    assert!(v.contains("syntax.rhai:3:"), "{v}");
    assert_eq!(v, r);
    insta::assert_snapshot!("script_error_syntax", v);
}

#[test]
fn example_script_scenarios_validate() {
    for name in [
        "script-tiers",
        "script-winback",
        "script-double-points",
        "script-behaviour",
    ] {
        loyalsim()
            .args(["validate", &format!("scenarios/{name}.toml")])
            .assert()
            .success();
    }
}

#[test]
fn scripted_results_do_not_depend_on_the_thread_count() {
    // ctx.random() draws from each customer's own stream.
    let json = |threads: &str| {
        loyalsim()
            .args([
                "run",
                "scenarios/script-double-points.toml",
                "--replications",
                "4",
                "--format",
                "json",
                "--threads",
                threads,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = json("1");
    assert!(!one.is_empty());
    assert_eq!(one, json("2"));
    assert_eq!(one, json("3"));
}

#[test]
fn kept_hook_results_change_no_result_of_the_bundled_scripted_scenarios() {
    // Hooks are called only when something they read may have changed
    // (src/script/memo.rs); with every hook run at every event instead,
    // every figure of every replication is the same, bit for bit.
    for name in [
        "script-tiers",
        "script-winback",
        "script-double-points",
        "script-behaviour",
    ] {
        let mut sc = load_file(Path::new(&format!("scenarios/{name}.toml"))).unwrap();
        sc.simulation.replications = 3;
        let kept = format!("{:?}", loyalsim::engine::run(&sc, &|| {}));
        let unit = sc.simulation.time_unit;
        for p in &mut sc.programs {
            if let Some(s) = p.script.as_mut() {
                let h = loyalsim::script::RhaiHooks::new(
                    &s.file,
                    &s.source,
                    &s.params,
                    unit,
                    loyalsim::script::Limits::default(),
                )
                .unwrap()
                .without_memo();
                s.hooks = HooksRef(Arc::new(h));
            }
        }
        let every = format!("{:?}", loyalsim::engine::run(&sc, &|| {}));
        assert!(
            kept == every,
            "{name}: results differ with kept hook results"
        );
    }
}

/// `sc` with every script's hooks compiled again and passed through `f`.
fn rebuilt(
    mut sc: Scenario,
    f: impl Fn(loyalsim::script::RhaiHooks) -> loyalsim::script::RhaiHooks,
) -> Scenario {
    let unit = sc.simulation.time_unit;
    for p in &mut sc.programs {
        if let Some(s) = p.script.as_mut() {
            let h = loyalsim::script::RhaiHooks::new(
                &s.file,
                &s.source,
                &s.params,
                unit,
                loyalsim::script::Limits::default(),
            )
            .unwrap();
            s.hooks = HooksRef(Arc::new(f(h)));
        }
    }
    sc
}

#[test]
fn hooks_evaluated_directly_change_no_result() {
    // Hooks within the part of Rhai evaluated directly (src/script/direct)
    // give every figure of every replication bit for bit as Rhai does; and
    // with every direct call checked against Rhai (answer, effects, inputs
    // read, operations), none differs (a difference panics).
    let mut scenarios: Vec<(String, Scenario)> = [
        "script-tiers",
        "script-winback",
        "script-double-points",
        "script-behaviour",
    ]
    .iter()
    .map(|name| {
        let mut sc = load_file(Path::new(&format!("scenarios/{name}.toml"))).unwrap();
        sc.simulation.replications = 3;
        (name.to_string(), sc)
    })
    .collect();
    for (file, p) in [
        (
            "stamps.rhai",
            "card_size = 8\nreward_value = 12.0\nprestamped = 2\nmin_basket = 15.0\nreward_cost_ratio = 0.6",
        ),
        (
            "points.rhai",
            "earn = 1.0\npoint_value = 0.01\nredeem_threshold = 200.0\nreward_cost_ratio = 1.0",
        ),
        ("discount.rhai", "rate = 0.07"),
    ] {
        let mut sc = base();
        sc.programs = vec![scripted("script", file, params(p))];
        scenarios.push((file.to_string(), sc));
    }
    for (name, sc) in scenarios {
        let direct = format!("{:?}", loyalsim::engine::run(&sc, &|| {}));
        let rhai = format!(
            "{:?}",
            loyalsim::engine::run(&rebuilt(sc.clone(), |h| h.without_direct()), &|| {})
        );
        assert!(direct == rhai, "{name}: results differ with direct hooks");
        let checked = format!(
            "{:?}",
            loyalsim::engine::run(&rebuilt(sc.clone(), |h| h.checking_direct()), &|| {})
        );
        assert!(direct == checked, "{name}: results differ when checked");
    }
}

#[test]
fn the_bundled_cards_hooks_are_evaluated_directly() {
    // The scripted stamp card, points and discount stay within what is
    // evaluated directly; hooks that draw `ctx.random()`, loop or use
    // arrays run in Rhai.
    let direct = |file: &str| {
        let path = Path::new("scripts").join(file);
        let source = std::fs::read_to_string(&path).unwrap();
        let p = params(
            "card_size = 8\nreward_value = 12.0\nprestamped = 2\nmin_basket = 15.0\n\
             reward_cost_ratio = 0.6\nearn = 1.0\npoint_value = 0.01\nredeem_threshold = 200.0\n\
             rate = 0.07\nhabit_lift = 0.2\nhabit_time = 26.0\nhabit_after = 3\nloyal_churn = 0.5",
        );
        loyalsim::script::RhaiHooks::new(
            &path,
            &source,
            &p,
            TimeUnit::Week,
            loyalsim::script::Limits::default(),
        )
        .unwrap()
        .direct_hooks()
    };
    assert_eq!(
        direct("stamps.rhai"),
        ["on_enrol", "on_purchase", "incentive"]
    );
    assert_eq!(direct("points.rhai"), ["on_purchase", "incentive"]);
    assert_eq!(direct("discount.rhai"), ["on_purchase", "incentive"]);
    assert_eq!(
        direct("behaviour.rhai"),
        ["purchase_rate_multiplier", "churn_multiplier"]
    );
    // `on_enrol` draws `ctx.random()`; the rest reads `member.state`.
    assert_eq!(direct("double_points.rhai"), ["on_purchase", "incentive"]);
    assert_eq!(
        direct("winback.rhai"),
        ["on_enrol", "on_purchase", "on_period", "incentive"]
    );
    // `on_enrol` pads an array, `on_period` sums one in a loop.
    assert_eq!(direct("tiered.rhai"), ["on_purchase", "incentive"]);
}

#[test]
fn validate_says_which_hooks_are_evaluated_directly_and_why_not() {
    let validate = |name: &str| {
        let out = loyalsim()
            .args(["validate", &format!("scenarios/{name}.toml")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let b = validate("script-behaviour");
    assert!(
        b.contains(
            "behaviour.rhai: evaluated directly: purchase_rate_multiplier, churn_multiplier\n"
        ),
        "{b}"
    );
    let t = validate("script-tiers");
    assert!(
        t.contains(
            "tiered.rhai: evaluated directly: on_purchase, incentive; run in Rhai: \
             on_enrol (the function `pad`), on_period (an array or an index)\n"
        ),
        "{t}"
    );
}

#[test]
fn validate_runs_each_hook_once_on_a_sample_member() {
    // A runtime error in a hook is found by `validate`, before any `run`,
    // with the same message (file, line, column, hook) as `run` gives.
    for name in [
        "missing_param",
        "runaway_loop",
        "deep_recursion",
        "huge_string",
        "huge_array",
        "type_mismatch",
        "throw",
    ] {
        let v = failing(name, "validate");
        let r = failing(name, "run");
        // `run` may add notes (few replications) before the error.
        assert_eq!(v.trim_end(), r.lines().last().unwrap_or_default(), "{name}");
    }
    let v = failing("missing_param", "validate");
    assert!(
        v.contains("missing_param.rhai:3:53:")
            && v.contains("params.rate")
            && v.contains("on_purchase"),
        "{v}"
    );
}
