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
    let run = |h: RhaiHooks| {
        let (st, mut m) = probe::member(&h, 20.0);
        (0..24)
            .map(|i| {
                let mut p = PurchaseFacts {
                    amount: [10.0, 20.0, 35.5][i % 3],
                    time: f64::from(i as u8) / 2.0,
                    ..PurchaseFacts::default()
                };
                let r = h.on_purchase(&st, &mut m, &mut p);
                format!("{r:?} {p:?} {m:?} {:?}", h.usage(&st))
            })
            .collect::<Vec<_>>()
    };
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
