//! The metrics of docs/outputs.md, computed per replication from a recorder.

use crate::model::scenario::ProgramSpec;
use crate::record::answers::{SEG_SLOTS, Seg, Stage};
use crate::record::recorder::{Flow, Recorder};

/// Metric names in docs/outputs.md order; every results document lists them in this order.
pub const METRICS: [&str; 35] = [
    "purchases",
    "revenue_gross",
    "discounts",
    "revenue_net",
    "reward_cost",
    "fixed_cost",
    "program_cost",
    "profit",
    "customers_initial",
    "customers_acquired",
    "customers_referred",
    "customers_churned",
    "customers_active_end",
    "retention",
    "members_end",
    "points_issued",
    "points_redeemed",
    "points_expired",
    "points_forfeited",
    "points_outstanding",
    "breakage_rate",
    "liability_end",
    "rewards_redeemed",
    "messages_sent",
    "customers_reactivated",
    "buyers",
    "purchases_per_buyer",
    "repeat_buyer_share",
    "bought_again_within_period",
    "top20_revenue_share",
    "one_time_buyers_end",
    "repeat_buyers_end",
    "regulars_end",
    "ambassadors_end",
    "referrals_per_ambassador",
];

/// Per-segment metrics (`segments` of each program in results), in order.
pub const SEGMENT_METRICS: [&str; 16] = [
    "customers",
    "customers_initial",
    "customers_acquired",
    "customers_referred",
    "customers_active_end",
    "retention",
    "buyers",
    "purchases",
    "purchases_per_buyer",
    "revenue_gross",
    "revenue_net",
    "program_cost",
    "profit",
    "profit_per_customer",
    "ambassadors_end",
    "referrals_per_ambassador",
];

/// Per-period series in results, in order.
pub const PERIOD_SERIES: [&str; 17] = [
    "active_customers",
    "new_customers",
    "churned",
    "purchases",
    "revenue_gross",
    "revenue_net",
    "program_cost",
    "profit",
    "cumulative_profit",
    "members",
    "points_outstanding",
    "liability",
    "breakage_rate",
    "one_time_buyers",
    "repeat_buyers",
    "regulars",
    "ambassadors",
];

/// What one replication measured.
#[derive(Debug, Clone, PartialEq)]
pub struct RepMetrics {
    /// Values in [`METRICS`] order.
    pub totals: Vec<f64>,
    /// `series[s][p]`: series s of [`PERIOD_SERIES`] at period p.
    pub series: Vec<Vec<f64>>,
    /// Members against customers who declined, over the horizon.
    pub members: Membership,
    /// `segments[k]`: segment k's values in [`SEGMENT_METRICS`] order (as
    /// many segments as the recorder saw customers of; pad with
    /// [`segment_metrics`] of zeros).
    pub segments: Vec<Vec<f64>>,
}

/// What a shop could count after launch: the customers who joined and
/// those offered the program who did not, and their purchases.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Membership {
    pub joined: f64,
    pub member_purchases: f64,
    pub member_revenue: f64,
    pub declined: f64,
    pub declined_purchases: f64,
}

impl Membership {
    /// Members' purchases per member over decliners' per decliner, minus 1:
    /// the comparison a shop makes after launch (`None` without both groups).
    pub fn naive_lift(&self) -> Option<f64> {
        let members = self.member_purchases / self.joined;
        let others = self.declined_purchases / self.declined;
        (self.joined > 0.0 && self.declined > 0.0 && others > 0.0).then(|| members / others - 1.0)
    }

    /// The program's extra purchases `extra` (against the control, same
    /// customers) over what its members would have bought without it.
    pub fn true_lift(&self, extra: f64) -> Option<f64> {
        let without = self.member_purchases - extra;
        (self.joined > 0.0 && without > 0.0).then(|| extra / without)
    }
}

/// Cost to the business of one outstanding point.
pub fn liability_per_point(p: Option<&ProgramSpec>) -> f64 {
    p.and_then(|p| p.points.as_ref())
        .map_or(0.0, |pts| pts.point_value * pts.reward_cost_ratio)
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

fn cumsum(xs: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    xs.iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

/// Compute every metric of one replication.
pub fn compute(rec: &Recorder, gross_margin: f64, liability_per_point: f64) -> RepMetrics {
    let t = |f| rec.total(f);
    let gross = t(Flow::RevenueGross);
    let discounts = t(Flow::Discounts);
    let reward = t(Flow::RewardCost);
    let fixed = t(Flow::FixedCost);
    let net = gross - discounts;
    let profit = net - (1.0 - gross_margin) * gross - reward - fixed;
    let initial = t(Flow::Arrivals) - t(Flow::Acquired);
    let issued = t(Flow::PointsIssued);
    let expired = t(Flow::PointsExpired);
    let forfeited = t(Flow::PointsForfeited);
    let outstanding = t(Flow::PointsHeldEnd);
    let totals = vec![
        t(Flow::Purchases),
        gross,
        discounts,
        net,
        reward,
        fixed,
        discounts + reward + fixed,
        profit,
        initial,
        t(Flow::Acquired),
        t(Flow::Referred),
        // Gone at the horizon: dropouts not won back.
        t(Flow::Churned) - t(Flow::Reactivated),
        t(Flow::ActiveAtEnd),
        ratio(t(Flow::InitialActiveAtEnd), initial),
        t(Flow::MembersAtEnd),
        issued,
        t(Flow::PointsRedeemed),
        expired,
        forfeited,
        outstanding,
        ratio(expired + forfeited, issued),
        outstanding * liability_per_point,
        t(Flow::RewardsRedeemed),
        t(Flow::MessagesSent),
        t(Flow::Reactivated),
    ];
    let mut totals = totals;
    let ans = rec.answers();
    let q = ans.frequency();
    let stages = [
        Stage::OneTime,
        Stage::Repeat,
        Stage::Regular,
        Stage::Ambassador,
    ]
    .map(|s| ans.stage(s));
    let (referrals, ambassadors) = ans.referrals();
    let at_end = |s: &Vec<f64>| s.last().copied().unwrap_or(0.0);
    totals.extend([
        q.buyers,
        ratio(q.buyer_purchases, q.buyers),
        ratio(q.repeat_buyers, q.buyers),
        ratio(q.again_within, q.again_eligible),
        ans.top_share(TOP_SHARE),
        at_end(&stages[0]),
        at_end(&stages[1]),
        at_end(&stages[2]),
        at_end(&stages[3]),
        ratio(referrals, ambassadors),
    ]);
    debug_assert_eq!(totals.len(), METRICS.len());

    let f = |fl| rec.flow(fl);
    let periods = rec.periods();
    let arrivals = cumsum(f(Flow::Arrivals));
    let churned = cumsum(f(Flow::Churned));
    let reactivated = cumsum(f(Flow::Reactivated));
    let joined = cumsum(f(Flow::MembersJoined));
    let left = cumsum(f(Flow::MembersLeft));
    let points_in = cumsum(f(Flow::PointsIssued));
    let points_out: Vec<f64> = (0..periods)
        .map(|p| {
            f(Flow::PointsRedeemed)[p] + f(Flow::PointsExpired)[p] + f(Flow::PointsForfeited)[p]
        })
        .collect();
    let points_out = cumsum(&points_out);
    let lost: Vec<f64> = (0..periods)
        .map(|p| f(Flow::PointsExpired)[p] + f(Flow::PointsForfeited)[p])
        .collect();
    let lost = cumsum(&lost);
    let mut series = vec![Vec::with_capacity(periods); PERIOD_SERIES.len()];
    let mut cum_profit = 0.0;
    for p in 0..periods {
        let g = f(Flow::RevenueGross)[p];
        let d = f(Flow::Discounts)[p];
        let r = f(Flow::RewardCost)[p];
        let fx = f(Flow::FixedCost)[p];
        let pr = g - d - (1.0 - gross_margin) * g - r - fx;
        cum_profit += pr;
        let outstanding = (points_in[p] - points_out[p]).max(0.0);
        let row = [
            arrivals[p] - churned[p] + reactivated[p],
            f(Flow::Acquired)[p],
            f(Flow::Churned)[p],
            f(Flow::Purchases)[p],
            g,
            g - d,
            d + r + fx,
            pr,
            cum_profit,
            joined[p] - left[p],
            outstanding,
            outstanding * liability_per_point,
            // Breakage so far: points lost (expired or forfeited) per point issued.
            ratio(lost[p], points_in[p]),
            stages[0][p],
            stages[1][p],
            stages[2][p],
            stages[3][p],
        ];
        for (s, v) in series.iter_mut().zip(row) {
            s.push(v);
        }
    }
    let members = Membership {
        joined: t(Flow::MembersJoined),
        member_purchases: t(Flow::MemberPurchases),
        member_revenue: t(Flow::MemberRevenue),
        declined: t(Flow::Declined),
        declined_purchases: t(Flow::DeclinedPurchases),
    };
    let segments = (0..ans.segments())
        .map(|k| segment_metrics(&ans.segment(k), gross_margin))
        .collect();
    RepMetrics {
        totals,
        series,
        members,
        segments,
    }
}

/// The top share of buyers whose share of revenue `top20_revenue_share` gives.
pub const TOP_SHARE: f64 = 0.2;

/// One segment's [`SEGMENT_METRICS`] from its totals. Program costs are
/// those booked by the segment's customers (discounts, rewards, per-member
/// costs); setup and running costs per time unit belong to no customer and
/// are left out, so a segment's profit is before them.
pub fn segment_metrics(s: &[f64; SEG_SLOTS], gross_margin: f64) -> Vec<f64> {
    let v = |slot: Seg| s[slot as usize];
    let gross = v(Seg::RevenueGross);
    let discounts = v(Seg::Discounts);
    let net = gross - discounts;
    let reward = v(Seg::RewardCost);
    let fixed = v(Seg::FixedCost);
    let profit = net - (1.0 - gross_margin) * gross - reward - fixed;
    let out = vec![
        v(Seg::Customers),
        v(Seg::Initial),
        v(Seg::Acquired),
        v(Seg::Referred),
        v(Seg::ActiveEnd),
        ratio(v(Seg::InitialActiveEnd), v(Seg::Initial)),
        v(Seg::Buyers),
        v(Seg::Purchases),
        ratio(v(Seg::Purchases), v(Seg::Buyers)),
        gross,
        net,
        discounts + reward + fixed,
        profit,
        ratio(profit, v(Seg::Customers)),
        v(Seg::AmbassadorsEnd),
        ratio(v(Seg::Referrals), v(Seg::Ambassadors)),
    ];
    debug_assert_eq!(out.len(), SEGMENT_METRICS.len());
    out
}

/// Index of a metric by name.
pub fn index(name: &str) -> usize {
    METRICS
        .iter()
        .position(|m| *m == name)
        .unwrap_or_else(|| panic!("unknown metric {name}"))
}
