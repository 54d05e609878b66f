//! Direct evaluation against Rhai, expression by expression: the same
//! answers bit for bit, the same errors (Rhai's, since every case Rhai
//! reports is handed to it), the same operations charged.

use crate::model::scenario::TimeUnit;
use crate::programs::hooks::{Hooks, PurchaseFacts};
use crate::script::{Limits, RhaiHooks, probe};
use std::path::Path;

/// Hooks of `src` without kept results (so that every call is evaluated:
/// the first of a path in Rhai, the later ones directly).
fn hooks(src: &str) -> RhaiHooks {
    let params: toml::Table = toml::from_str("size = 8\nvalue = 12.5\nflag = true").unwrap();
    RhaiHooks::new(
        Path::new("t.rhai"),
        src,
        &params,
        TimeUnit::Week,
        Limits::default(),
    )
    .unwrap()
    .without_memo()
}

/// Three calls of `incentive` for a member with 3 stamps and 2.5 points at
/// tenure 1, 2, 3 (the first call of a path runs in Rhai, later ones
/// directly): the answers or errors, and the member's usage after each.
fn incentive_calls(h: &RhaiHooks) -> Vec<String> {
    let (st, mut m) = probe::member(h, 20.0);
    m.stamps = 3;
    m.points = 2.5;
    m.spend = 41.25;
    m.purchases = 4;
    (1..=3)
        .map(|i| {
            m.tenure = f64::from(i);
            let r = h.incentive(&st, &m, f64::from(i) + 0.5);
            format!("{r:?} {:?}", h.usage(&st))
        })
        .collect()
}

/// Baskets the purchase tests cycle through.
const AMOUNTS: [f64; 3] = [10.0, 20.0, 35.5];

/// `on_purchase` for one member, a call per (amount, time) in turn: the
/// answer, the purchase, the member and their usage after each call.
fn purchase_calls(h: &RhaiHooks, purchases: impl Iterator<Item = (f64, f64)>) -> Vec<String> {
    let (st, mut m) = probe::member(h, 20.0);
    purchases
        .map(|(amount, time)| {
            let mut p = PurchaseFacts {
                amount,
                time,
                ..PurchaseFacts::default()
            };
            let r = h.on_purchase(&st, &mut m, &mut p);
            format!("{r:?} {p:?} {m:?} {:?}", h.usage(&st))
        })
        .collect()
}

/// `expr` as the `deadline` (a number) or `feasible` (a boolean) of an
/// incentive, direct and in Rhai: returns the direct calls' answers.
fn same(key: &str, expr: &str) -> Vec<String> {
    let src = format!("fn incentive(member, ctx) {{ #{{ {key}: {expr} }} }}");
    let direct = hooks(&src);
    assert_eq!(
        direct.direct_hooks(),
        ["incentive"],
        "{expr} is not lowered"
    );
    let a = incentive_calls(&direct);
    let b = incentive_calls(&hooks(&src).without_direct());
    assert_eq!(a, b, "{expr}");
    // Every call checked against Rhai (a difference panics).
    incentive_calls(&hooks(&src).checking_direct());
    a
}

#[test]
fn numbers_are_rhais() {
    for e in [
        "0.1 + 0.2",
        "member.points * 3",
        "member.stamps / 2",
        "member.stamps % 2",
        "member.stamps ** 3",
        "2.0 ** member.points",
        "member.points ** 2",
        "member.stamps - 7",
        "-member.points",
        "-member.stamps",
        "(member.points * 1.7).fraction()",
        "member.points.floor() + ceiling(member.points)",
        "round(member.points) + int(member.points)",
        "sqrt(member.points) + exp(member.points) + ln(member.points)",
        "to_int(member.points) + to_int(member.stamps)",
        "to_float(member.stamps) / 7",
        "member.tenure + ctx.time + member.spend + member.purchases",
        "member.rate * member.mean_basket + ctx.mean_basket",
        "member.share_at_least(10) + member.share_at_least(30.0)",
        "ctx.params.size * ctx.params.value",
        "ctx.response.discount_elasticity",
        "{ let p = ctx.params; let x = p.size; x += 2; x *= member.stamps; x }",
        "if member.stamps > 2 { 1 } else { 2.5 }",
        "if member.stamps > 5 { return 7; } else { 0.5 }",
        "0.0 / 0.0",
        "member.stamps / 0",
        "member.stamps + 9223372036854775807",
        "member.stamps ** -1",
        "to_int(member.points * 1e300)",
        "ctx.params.missing",
        "member.segment",
        "if member.points > 1.0 { throw \"no\"; } else { 1 }",
    ] {
        same("deadline", e);
    }
    // A hand-checked answer: integer division, and 2.5 + 3 as a float.
    let a = same("deadline", "member.stamps / 2 + member.points + 3");
    assert!(a[2].contains("deadline: 6.5"), "{a:?}");
    // Errors are Rhai's own.
    let e = same("deadline", "member.stamps / 0");
    assert!(e[1].contains("Division by zero"), "{e:?}");
}

#[test]
fn comparisons_are_rhais() {
    for e in [
        // Rhai compares floats within a relative epsilon: true.
        "0.1 + 0.2 == 0.3",
        "1.0000000000000002 > 1.0",
        "member.points > 2.5",
        "member.points >= 2.5",
        "member.points < 2.5 || member.points <= 2.5",
        "member.stamps == 3.0",
        "member.stamps != 3",
        "member.stamps < member.points",
        "0.0 == -0.0",
        "member.points * 0.0 > -1e-300",
        "(0.0 / 0.0) == (0.0 / 0.0)",
        "member.segment == \"all\"",
        "member.segment < \"b\"",
        "member.referred || member.stamps > 2",
        "!(member.stamps > 2) && true",
        "member.stamps > 2 && member.points > 2.0 && member.purchases == 4",
        "true == false",
        "member.stamps == \"3\"",
        "ctx.params.flag",
        "ctx.time_unit == \"week\"",
    ] {
        same("feasible", e);
    }
    let a = same("feasible", "0.1 + 0.2 == 0.3");
    assert!(a[2].contains("feasible: true"), "{a:?}");
}

#[test]
fn a_purchase_hook_changes_what_rhai_changes() {
    let src = "
        fn on_purchase(member, purchase, ctx) {
            let s = member.stamps + 1;
            if purchase.amount < 15.0 { return; }
            if s >= ctx.params.size {
                purchase.reward(ctx.params.value * 0.5);
                purchase.reward(2);
                s = 0;
            } else if purchase.time > 3.0 {
                purchase.discount = purchase.amount * 0.1;
                purchase.discount += 1;
            }
            member.stamps = s;
            member.points += purchase.amount - purchase.discount;
            purchase.award_points(member.points / 10);
        }";
    assert_eq!(hooks(src).direct_hooks(), ["on_purchase"]);
    let run = |h: RhaiHooks| purchase_calls(&h, (0..24).map(|i| (AMOUNTS[i % 3], i as f64 / 2.0)));
    let direct = run(hooks(src));
    assert_eq!(direct, run(hooks(src).without_direct()));
    run(hooks(src).checking_direct());
    assert!(direct[23].contains("rewards: 2"), "{direct:?}");
}

#[test]
fn hooks_outside_the_reproduced_part_stay_with_rhai() {
    for src in [
        "fn incentive(member, ctx) { let n = 0; while n < 3 { n += 1; } #{ value: n } }",
        "fn incentive(member, ctx) { #{ value: member.state.len() } }",
        "fn incentive(member, ctx) { member.state = #{}; #{ value: 1 } }",
        "fn incentive(member, ctx) { let s = member.state; #{ value: s.x } }",
        "fn incentive(member, ctx) { #{ value: ctx.random() } }",
        "fn incentive(member, ctx) { #{ value: f(1) } } fn f(x) { x }",
        "fn incentive(member, ctx) { #{ value: floor(1.5) } } fn floor(x) { x }",
        "fn incentive(member, ctx) { #{ other: 1 } }",
        "fn incentive(member, ctx) { #{ value: [1, 2].len() } }",
        "fn incentive(member, ctx) { let m = member; m = 5; #{ value: 1 } }",
        "fn incentive(member, ctx) { #{ value: `${member.stamps}`.len() } }",
    ] {
        assert!(hooks(src).direct_hooks().is_empty(), "{src}");
    }
}

#[test]
fn a_call_over_the_budget_runs_in_rhai_and_is_stopped() {
    // The path's operations are known after the first call; a call they
    // would take past the member's allowance runs in Rhai, which stops it
    // at the same operation as without direct hooks.
    let src =
        "fn incentive(member, ctx) { let a = member.stamps + 1; let b = a * 2; #{ value: b } }";
    let limits = Limits {
        budget: crate::script::Budget {
            reserve: 20,
            per_call: 5,
            ..crate::script::Budget::default()
        },
        ..Limits::default()
    };
    let run = |h: RhaiHooks| {
        let (st, m) = probe::member(&h, 20.0);
        (0..6)
            .map(|i| {
                format!(
                    "{:?} {:?}",
                    h.incentive(&st, &m, f64::from(i)),
                    h.usage(&st)
                )
            })
            .collect::<Vec<_>>()
    };
    let mk = || {
        RhaiHooks::new(
            Path::new("t.rhai"),
            src,
            &toml::Table::new(),
            TimeUnit::Week,
            limits,
        )
        .unwrap()
        .without_memo()
    };
    let a = run(mk());
    assert_eq!(a, run(mk().without_direct()));
    assert!(a.iter().any(|s| s.contains("operations budget")), "{a:?}");
}

/// `on_period` called `n` times on one member (the facts carried over),
/// with the result, the member and the usage after each call.
fn period_calls(h: &RhaiHooks, n: usize) -> Vec<String> {
    let (st, mut m) = probe::member(h, 20.0);
    m.points = 2.5;
    (0..n)
        .map(|i| {
            let r = h.on_period(&st, &mut m, i as f64);
            format!("{r:?} {m:?} {:?}", h.usage(&st))
        })
        .collect()
}

/// `on_period` hook `src` gives the same results, errors and usage direct
/// and in Rhai (every call checked too).
fn same_period(src: &str, n: usize) -> Vec<String> {
    let a = period_calls(&hooks(src), n);
    assert_eq!(a, period_calls(&hooks(src).without_direct(), n), "{src}");
    period_calls(&hooks(src).checking_direct(), n);
    a
}

#[test]
fn a_variable_naming_the_member_or_the_purchase_stays_with_rhai() {
    // Rhai's `let` copies the object: `m` no longer sees the call's
    // changes (nor are its reads noted on the member). Evaluated directly
    // as the member itself, the second call gave points 1 where Rhai gives 0.
    let src = "fn on_period(member, ctx) {
        let m = member; member.stamps += 1; member.points = m.stamps / 2;
    }";
    assert!(hooks(src).direct_hooks().is_empty());
    let a = same_period(src, 6);
    assert!(a[1].contains("points: 0.0, stamps: 2"), "{a:?}");
    let src = "fn on_purchase(member, purchase, ctx) {
        let p = purchase; purchase.discount = 1.0; member.points = p.discount;
    }";
    assert!(hooks(src).direct_hooks().is_empty());
    // The read-only objects may still be named.
    let src = "fn incentive(member, ctx) { let p = ctx.params; let r = ctx.response; #{ value: p.size } }";
    assert_eq!(hooks(src).direct_hooks(), ["incentive"]);
}

#[test]
fn a_script_function_named_like_a_purchase_method_stays_with_rhai() {
    // `purchase.award_points(n)` calls the script's `award_points` (with
    // `this`), not the built-in one. Evaluated directly as the built-in,
    // the answers agreed on the first call (n = 0) and not after.
    let src = "
        fn award_points(n) { if n > 10.0 { this.reward(1); } }
        fn on_purchase(member, purchase, ctx) {
            member.stamps += 1;
            purchase.award_points(member.stamps - 1);
        }";
    assert!(hooks(src).direct_hooks().is_empty());
    let run = |h: RhaiHooks| purchase_calls(&h, (0..14).map(|i| (20.0, f64::from(i))));
    let a = run(hooks(src));
    assert_eq!(a, run(hooks(src).without_direct()));
    assert!(a[1].contains("rewards: 0, points_awarded: 0.0"), "{a:?}");
    assert!(a[13].contains("rewards: 1, points_awarded: 0.0"), "{a:?}");
    for (f, call) in [
        ("reward(c)", "reward(1)"),
        ("award_points(a, b)", "award_points(1)"),
    ] {
        let src =
            format!("fn {f} {{ }} fn on_purchase(member, purchase, ctx) {{ purchase.{call}; }}");
        assert!(hooks(&src).direct_hooks().is_empty(), "{src}");
    }
}

#[test]
fn more_values_are_rhais() {
    for e in [
        // Float to an integer power: Rhai's `powf`, not `powi`.
        "(member.points / 3.0) ** 7",
        "(member.points / 3.0) ** member.stamps",
        "1.1 ** member.stamps",
        "member.stamps ** 0",
        "member.stamps ** 40",
        "(-member.stamps) ** 2",
        "member.stamps % -2",
        "-member.stamps % 2",
        "(-member.points) % 2",
        "member.points % 0",
        "member.stamps / -1",
        "member.stamps * -9223372036854775807",
        "(0 - 9223372036854775807 - member.stamps + 2) / -1",
        "to_int(-member.points * 1e18)",
        "to_int(0.0 / 0.0)",
        "to_int(1.0 / 0.0)",
        "to_float(member.points)",
        "ln(-member.points) + sqrt(-1.0)",
        "floor(member.stamps)",
        "member.stamps.sqrt()",
        "member.points.round() - (-member.points).round()",
        "(member.points - 2.0).round() + (-0.5).round()",
        "(-member.points).fraction() + (-member.points).int()",
        // Op-assignments changing a local's type, and on floats.
        "{ let x = member.stamps; x += 0.5; x *= 2; x }",
        "{ let x = member.points; x %= 2; x **= 2; x -= 1; x }",
        "{ let x = 7; x /= member.stamps; x **= member.stamps; x }",
        "{ let x = member.stamps; x **= 0.5; x }",
        "{ let x = 7; x %= member.stamps - 3; x }",
        "{ let x = member.stamps; x = x + member.points; x }",
        // Scopes, shadowing, values of blocks and `if`s.
        "{ let x = member.stamps; { let x = 2.5; x += 1.0; } let x = x * 2; x }",
        "{ let x = 1; if member.stamps > 2 { let x = 10; x += 1; } x }",
        "{ let x = 1; if member.stamps > 2 { x = 10; } x }",
        "{ let v = if member.stamps > 5 { 1 } else if member.stamps > 2 { let y = 3; y + 0.5 } else { 2 }; v }",
        "{ let a = 4; if member.stamps > 2 { a } }",
        "{ let a = 4; if member.stamps > 5 { a } }",
        "{ let a = 4; if member.stamps > 2 { a } else { } }",
        "{ let a = 4; if member.stamps > 2 { let b = a; } }",
        "{ let a = member.points; { a } }",
        "{ let a = 1; { let b = 2; { let c = 3; a + b + c } } }",
        "{ if member.stamps > 2 { if member.points > 1.0 { return #{ deadline: 9, value: 0.5 }; } } 3 }",
        "{ if member.stamps > 2 { return; } 3 }",
        "{ let x = { return 4; }; x + 1 }",
        "{ const K = 3; let k = K * member.stamps; k }",
        "{ let k = member.stamps; let k = k * k; let k = k + 0.5; k }",
        "if member.stamps > 2 && member.points > 2.4 || member.tenure > 2.5 { 1 } else { 0 }",
        "if !(member.stamps > 2) || member.points > 2.6 { 1 } else { 0 }",
        "if member.tenure > 1.5 { member.tenure } else { member.stamps }",
        "-member.tenure",
        "-(-member.points)",
        "ctx.params.size / ctx.params.value",
        "ctx.params.size % 3 ** 2",
        "if ctx.params.flag { ctx.params.size } else { 0 }",
        "member.share_at_least(member.points) + member.share_at_least(member.stamps)",
        "member.share_at_least(true)",
        "member.referred == false",
        "member.referred < true",
        "member.segment != ctx.time_unit",
        "member.segment > ctx.time_unit",
        "member.segment - \"l\"",
        "member.segment + 1",
        "!member.stamps",
        "member.stamps && true",
        "if member.points { 1 } else { 2 }",
        "()",
        "member.points == ()",
    ] {
        same("deadline", e);
    }
}

#[test]
fn every_response_key_is_rhais() {
    for k in crate::model::response::KEYS {
        same("deadline", &format!("ctx.response.{}", k.name));
    }
}

#[test]
fn incentive_maps_are_rhais() {
    for m in [
        "#{ value: member.points / 10.0, progress: member.stamps / 8.0, to_goal: 8 - member.stamps }",
        "#{ feasible: member.stamps > 2, discount: 0.1, deadline: ctx.time + 2 }",
        "#{ progress: member.stamps / 2.0 }",
        "#{ value: -member.points }",
        "#{ value: 0.0 / 0.0 }",
        "#{ time_to_goal: -member.points, banked: member.points }",
        "#{ min_basket: ctx.params.value, goal_value: ctx.params.size }",
        "#{ feasible: 1 }",
        "#{ value: 0.5, feasible: true }",
        "#{ }",
        "if member.stamps > 2 { #{ value: 1 } } else { #{ value: 2, feasible: false } }",
        "member.stamps",
    ] {
        let src = format!("fn incentive(member, ctx) {{ {m} }}");
        let a = incentive_calls(&hooks(&src));
        assert_eq!(a, incentive_calls(&hooks(&src).without_direct()), "{m}");
        incentive_calls(&hooks(&src).checking_direct());
    }
}

#[test]
fn effects_are_rhais() {
    for body in [
        "member.stamps += 1; member.points += 0.5;",
        "member.points = member.stamps;",
        "member.points = member.points * 2 - 1;",
        "member.points *= 3; member.points -= 2.0; member.points /= 4;",
        "member.points **= 2;",
        "member.points %= 2;",
        "member.stamps *= 3; member.stamps -= 1; member.stamps /= 2; member.stamps %= 5;",
        "member.stamps **= 2;",
        "member.stamps += 1.5;",
        "member.stamps = 2.0;",
        "member.points = \"x\";",
        "member.points = true;",
        "member.points -= 10.0;",
        "member.stamps -= 2;",
        "member.stamps = 1000001;",
        "member.points = 1e13;",
        "member.points = 0.0 / 0.0;",
        "if member.stamps < 3 { member.stamps += 1; } else { member.stamps = 0; member.points += 1.0; }",
        "let s = member.stamps; member.stamps = s + 1; member.points = member.stamps + s;",
        "member.points = { member.stamps += 2; member.stamps * 0.5 };",
        "member.points += { member.points = 10.0; 1.0 };",
        "if member.points > 3.0 { throw \"stop\"; } member.points += 1.0;",
        "member.stamps = member.stamps + ctx.params.size;",
        "member.stamps += 9223372036854775807;",
    ] {
        let src = format!("fn on_period(member, ctx) {{ {body} }}");
        assert_eq!(hooks(&src).direct_hooks(), ["on_period"], "{body}");
        same_period(&src, 6);
    }
}

#[test]
fn purchase_effects_are_rhais() {
    for body in [
        "purchase.discount = purchase.amount * 2;",
        "purchase.discount = -1;",
        "purchase.discount = 0.0 / 0.0;",
        "purchase.discount = 3; purchase.discount *= 2; purchase.discount -= 1.5;",
        "purchase.discount += 1;",
        "purchase.reward(-1.0);",
        "purchase.reward(1e13);",
        "purchase.reward(\"x\");",
        "purchase.award_points(purchase.amount);",
        "purchase.award_points(true);",
        "purchase.award_points(0.0 / 0.0);",
        "purchase.reward(2); purchase.reward(0.5); purchase.award_points(3);",
        "if purchase.time > 2.0 { purchase.reward(purchase.time); } member.points = purchase.discount;",
        "member.points = purchase.time + purchase.amount;",
    ] {
        let src = format!("fn on_purchase(member, purchase, ctx) {{ {body} }}");
        assert_eq!(hooks(&src).direct_hooks(), ["on_purchase"], "{body}");
        let run = |h: RhaiHooks| purchase_calls(&h, (0..8).map(|i| (AMOUNTS[i % 3], i as f64)));
        assert_eq!(
            run(hooks(&src)),
            run(hooks(&src).without_direct()),
            "{body}"
        );
        run(hooks(&src).checking_direct());
    }
}

#[test]
fn budget_decisions_are_rhais_at_every_limit() {
    // Per-call limits and member allowances around the paths' operations:
    // which call is stopped, with which message, and the usage after each.
    let src = "fn incentive(member, ctx) {
        let a = member.stamps + 1;
        if a > 2 { a *= 2; }
        #{ value: a, feasible: member.points > 1.0 && a < 10 }
    }";
    let run = |h: RhaiHooks| {
        let (st, mut m) = probe::member(&h, 20.0);
        m.points = 2.0;
        (0..10)
            .map(|i| {
                m.stamps = [0, 3, 0, 5][i % 4];
                format!("{:?} {:?}", h.incentive(&st, &m, i as f64), h.usage(&st))
            })
            .collect::<Vec<_>>()
    };
    let mk = |limits: Limits, memo: bool| {
        let h = RhaiHooks::new(
            Path::new("t.rhai"),
            src,
            &toml::Table::new(),
            TimeUnit::Week,
            limits,
        )
        .unwrap();
        if memo { h } else { h.without_memo() }
    };
    for per_call_limit in [10, 20, 24, 25, 26, 30, 32, 34, 36, 40, 1_000_000] {
        for (reserve, per_call) in [(0, 30), (5, 25), (20, 20), (40, 28), (2_000_000, 10_000)] {
            let limits = Limits {
                max_operations: per_call_limit,
                budget: crate::script::Budget {
                    reserve,
                    per_call,
                    ..crate::script::Budget::default()
                },
                ..Limits::default()
            };
            for memo in [false, true] {
                let a = run(mk(limits, memo));
                assert_eq!(
                    a,
                    run(mk(limits, memo).without_direct()),
                    "{per_call_limit} {reserve} {per_call} {memo}"
                );
            }
        }
    }
}

#[test]
fn kept_results_and_direct_calls_agree() {
    // With kept results on, direct calls and Rhai calls keep and recall
    // the same answers: the same results, usage and kept answers.
    let src = "
        fn on_purchase(member, purchase, ctx) {
            if purchase.amount > 15.0 { member.stamps = (member.stamps + 1) % 4; }
        }
        fn purchase_rate_multiplier(member, ctx) { 1.0 + member.stamps / 10.0 }
        fn incentive(member, ctx) { #{ progress: member.stamps / 4.0, deadline: ctx.time } }";
    let run = |h: RhaiHooks| {
        let (st, mut m) = probe::member(&h, 20.0);
        let mut log = Vec::new();
        for i in 0..40 {
            let t = f64::from(i / 3);
            let mut p = PurchaseFacts {
                amount: [10.0, 20.0][i as usize % 2],
                time: t,
                ..PurchaseFacts::default()
            };
            log.push(format!("{:?}", h.on_purchase(&st, &mut m, &mut p)));
            log.push(format!("{:?}", h.purchase_rate_multiplier(&st, &m, t)));
            log.push(format!("{:?}", h.incentive(&st, &m, t)));
            log.push(format!("{m:?} {:?}", h.usage(&st)));
        }
        (log, h.kept_answers(&st))
    };
    let mk = || {
        RhaiHooks::new(
            Path::new("t.rhai"),
            src,
            &toml::Table::new(),
            TimeUnit::Week,
            Limits::default(),
        )
        .unwrap()
    };
    let (a, ka) = run(mk());
    let (b, kb) = run(mk().without_direct());
    assert_eq!(a, b);
    assert_eq!(ka, kb);
    assert!(ka > 20, "{ka}");
    assert_eq!(run(mk().checking_direct()).0, a);
}

#[test]
fn a_hook_replacing_the_member_stops_direct_calls() {
    // `on_period` (in Rhai) replaces the member's handle once it has 2
    // stamps: `incentive` then fails in Rhai, as it must directly too.
    for replace in [
        "member = 5;",
        "ctx = 5;",
        "let c = member; c.stamps = 7; member = c;",
    ] {
        let src = format!(
            "fn on_period(member, ctx) {{ if member.stamps >= 2 {{ {replace} }} }}
             fn incentive(member, ctx) {{ #{{ value: member.stamps, deadline: ctx.time }} }}"
        );
        let run = |h: RhaiHooks| {
            let (st, mut m) = probe::member(&h, 20.0);
            let mut log = Vec::new();
            for i in 0..6 {
                log.push(format!("{:?}", h.on_period(&st, &mut m, f64::from(i))));
                log.push(format!("{:?}", h.incentive(&st, &m, f64::from(i))));
                log.push(format!("{m:?} {:?}", h.usage(&st)));
                m.stamps += 1;
            }
            log
        };
        let mk = || {
            RhaiHooks::new(
                Path::new("t.rhai"),
                &src,
                &toml::Table::new(),
                TimeUnit::Week,
                Limits::default(),
            )
            .unwrap()
        };
        assert_eq!(mk().direct_hooks(), ["incentive"]);
        assert_eq!(run(mk()), run(mk().without_direct()), "{replace}");
        assert_eq!(
            run(mk().without_memo()),
            run(mk().without_memo().without_direct()),
            "{replace}"
        );
    }
}

#[test]
fn params_of_every_type() {
    let params: toml::Table = toml::from_str(
        "s = \"gold\"\ni = 3\nf = 0.25\nb = false\na = [1, 2]\nt = { x = 1 }\nd = 1979-05-27",
    )
    .unwrap();
    let mk = |body: &str| {
        let src = format!("fn incentive(member, ctx) {{ #{{ {body} }} }}");
        RhaiHooks::new(
            Path::new("t.rhai"),
            &src,
            &params,
            TimeUnit::Week,
            Limits::default(),
        )
        .unwrap()
        .without_memo()
    };
    for (body, direct) in [
        ("feasible: ctx.params.s == \"gold\"", true),
        ("feasible: ctx.params.s < member.segment", true),
        ("value: ctx.params.i * ctx.params.f", true),
        ("feasible: ctx.params.b || ctx.params.i > 2", true),
        ("feasible: ctx.params.d == \"1979-05-27\"", true),
        ("value: ctx.params.s", true),
        ("value: ctx.params.a", false),
        ("value: ctx.params.t", false),
        ("value: ctx.params.nope", true),
        (
            "value: if member.stamps > 100 { ctx.params.nope } else { 1 }",
            true,
        ),
    ] {
        assert_eq!(!mk(body).direct_hooks().is_empty(), direct, "{body}");
        assert_eq!(
            incentive_calls(&mk(body)),
            incentive_calls(&mk(body).without_direct()),
            "{body}"
        );
        incentive_calls(&mk(body).checking_direct());
    }
}

#[test]
fn a_segment_name_past_the_string_limit_is_rhais_error() {
    // Rhai refuses a string longer than `max_string_size` returned by a
    // getter. The path is known from a member of a short-named segment;
    // directly, the long-named segment's member got an answer.
    let src = "fn incentive(member, ctx) { #{ feasible: member.segment == \"a\" } }";
    let run = |h: RhaiHooks| {
        let mut log = Vec::new();
        for name in ["a".to_string(), "x".repeat(10_001), "a".to_string()] {
            let response = crate::model::response::Response::default();
            let habits = crate::model::habits::Habits::fixed(1.0, 20.0);
            let who = crate::programs::hooks::CustomerInfo {
                segment: 0,
                segment_name: &name,
                response: &response,
                mean_basket: 20.0,
                referred: false,
                habits: &habits,
            };
            let st = h.new_state(
                &who,
                crate::model::rng::Stream::new(1, 0, 0, crate::model::rng::Purpose::Script),
            );
            let m = probe::member(&h, 20.0).1;
            for t in 0..2 {
                log.push(format!("{:?}", h.incentive(&st, &m, f64::from(t))));
            }
        }
        log
    };
    let a = run(hooks(src));
    assert_eq!(a, run(hooks(src).without_direct()));
    assert!(a[2].contains("Length of string too large"), "{a:?}");
    assert!(a[5].contains("feasible: true"), "{a:?}");
}

#[test]
fn member_state_reads_and_writes_are_rhais() {
    // `member.state` entries of changing types (unit when missing, then an
    // integer, a string, a float): each type is its own path, with Rhai's
    // operations; reads see the call's own writes; kept results still
    // compare the state.
    let src = "
        fn on_purchase(member, purchase, ctx) {
            if member.state.n == () { member.state.n = 0; }
            member.state.n += 1;
            if member.state.n % 3 == 0 { member.state.tag = \"third\"; }
            else if member.state.n % 3 == 1 { member.state.tag = 2.5; }
            else { member.state.tag = 7; }
            member.state.last = purchase.time;
        }
        fn incentive(member, ctx) {
            let t = member.state.tag;
            #{ discount: if t == \"third\" { 0.1 } else if t == () { 0.0 } else { 0.05 },
               value: if member.state.missing == () { 0.01 } else { 0.02 } }
        }";
    let run = |h: RhaiHooks| {
        let (st, mut m) = probe::member(&h, 20.0);
        let mut log = vec![format!("{:?}", h.incentive(&st, &m, 0.0))];
        for i in 0..12 {
            let mut p = PurchaseFacts {
                amount: 20.0,
                time: f64::from(i),
                ..PurchaseFacts::default()
            };
            log.push(format!("{:?}", h.on_purchase(&st, &mut m, &mut p)));
            log.push(format!(
                "{:?} {:?}",
                h.incentive(&st, &m, f64::from(i)),
                h.usage(&st)
            ));
        }
        log
    };
    let mk = || {
        RhaiHooks::new(
            Path::new("t.rhai"),
            src,
            &toml::Table::new(),
            TimeUnit::Week,
            Limits::default(),
        )
        .unwrap()
    };
    assert_eq!(mk().direct_hooks(), ["on_purchase", "incentive"]);
    let direct = run(mk());
    assert_eq!(direct, run(mk().without_direct()));
    assert_eq!(direct, run(mk().without_memo()));
    run(mk().checking_direct());
    run(mk().without_memo().checking_direct());
    assert!(direct[6].contains("discount: 0.1"), "{direct:?}");
}

#[test]
fn a_disagreement_with_rhai_sends_the_hook_to_rhai_for_good() {
    // Whatever the direct answer, a first check that disagrees (injected
    // here) turns the hook's direct evaluation off: every path, the ones
    // already kept too. Answers and usage stay Rhai's.
    let src = "fn incentive(member, ctx) { #{ value: member.stamps * 2, deadline: ctx.time } }";
    let fine = hooks(src);
    let kept = incentive_calls(&fine);
    assert_eq!(fine.direct_hooks(), ["incentive"]);
    let odd = hooks(src).disagreeing_direct();
    assert_eq!(odd.direct_hooks(), ["incentive"]);
    let given_up = incentive_calls(&odd);
    assert!(odd.direct_hooks().is_empty());
    assert_eq!(kept, given_up);
    assert_eq!(kept, incentive_calls(&hooks(src).without_direct()));
}

#[test]
fn a_hook_given_up_takes_no_direct_answer_even_on_a_path_kept_before() {
    // A path kept by an agreeing first call is evaluated directly until
    // the hook is given up; from then on, Rhai decides every call.
    use crate::script::call::Tried;
    use crate::script::engine::HOOKS;
    let src = "fn incentive(member, ctx) { #{ value: member.stamps * 2, deadline: ctx.time } }";
    let h = hooks(src);
    incentive_calls(&h);
    let i = HOOKS.iter().position(|k| k.0 == "incentive").unwrap();
    let (st, mut m) = probe::member(&h, 20.0);
    m.stamps = 3;
    let hd = h.handles(&st).unwrap();
    assert!(matches!(
        h.try_direct(i, hd, &m, 1.5, None),
        Tried::Ready(..)
    ));
    h.direct.paths[i].give_up();
    assert!(matches!(h.try_direct(i, hd, &m, 1.5, None), Tried::No));
    assert!(h.direct_hooks().is_empty());
}
