//! The minimal control loops of the benchmarks (benches/support/minimal_loop.rs)
//! do exactly the work of a control replication: they reproduce loyalsim's
//! control bit for bit, so the speed ratios between them compare like with like.

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

/// The booked loop gives the control's whole replication: every flow in
/// every period and every per-customer answer (segment totals, buyers,
/// loyalty stages, the revenue histogram), over several blocks.
#[test]
fn booked_minimal_loop_reproduces_the_control_recorder() {
    let n = 40_000;
    let sc = loyalsim::bench::bgnbd_scenario(n, "control");
    let out = loyalsim::engine::run(&sc, &|| {});
    let rec = &out.arms[0].replications[0];
    let booked = minimal_loop::control_booked(n, sc.simulation.seed, 0);
    assert!(
        booked == *rec,
        "the booked minimal loop differs from the control"
    );
    // Not two empty recorders: customers bought, churned and stayed.
    assert_eq!(booked.total(Flow::Arrivals), n as f64);
    assert!(booked.total(Flow::Churned) > 1000.0 && booked.total(Flow::ActiveAtEnd) > 1000.0);
    assert_eq!(
        booked.total(Flow::RevenueGross),
        35.0 * booked.total(Flow::Purchases)
    );
    assert!(booked.answers().segment(0)[0] == n as f64);
}
