//! The minimal control loop of the benchmarks (benches/support/minimal_loop.rs) does
//! exactly the work of a control replication: it reproduces loyalsim's
//! control bit for bit, so the speed ratio between them compares like with like.

#[path = "../benches/support/minimal_loop.rs"]
mod minimal_loop;

use loyalsim::engine::recorder::Flow;

#[test]
fn minimal_loop_reproduces_the_control() {
    let n = 40_000;
    let sc = loyalsim::bench::bgnbd_scenario(n, "control");
    let out = loyalsim::engine::run(&sc, &|| {});
    let rec = &out.arms[0].replications[0];
    let min = minimal_loop::control(n, sc.simulation.seed, 0);
    assert_eq!(rec.flow(Flow::Purchases), min.purchases.as_slice());
    assert_eq!(rec.total(Flow::Churned), min.churned as f64);
    assert!(min.churned > 1000 && rec.total(Flow::Purchases) > 10_000.0);
}
