//! What we do not know about customers: the response parameters a scenario
//! leaves uncertain, and their draws.
//!
//! Each uncertain key is drawn once per replication from its own stream
//! (seed, replication, "assumptions", key), so every arm of a replication
//! (the control and each program) sees the same customers *and* the same
//! assumptions: common random numbers stay exact, and "how often a program
//! beats no program" includes what we do not know, not only chance.

use crate::model::dist::Dist;
use crate::model::response::Response;
use crate::model::rng::{Purpose, Stream};
use crate::model::sampling;

/// One uncertain response parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumption {
    /// The response key (`goal_gradient`).
    pub key: &'static str,
    /// How results name it: the key, or `segment[NAME].key` when one
    /// segment has a distribution of its own.
    pub label: String,
    /// The segments whose response takes the draw.
    pub segments: Vec<usize>,
    pub dist: Dist,
    /// True when the scenario did not give the key: the documented range.
    pub documented: bool,
}

/// Each segment's response in replication `replication`, and the value
/// drawn for each assumption (in `list` order). `base` holds the segments'
/// responses with every uncertain key at its point value.
pub fn draw(
    list: &[Assumption],
    base: &[Response],
    seed: u64,
    replication: u64,
) -> (Vec<Response>, Vec<f64>) {
    let mut responses = base.to_vec();
    let mut values = Vec::with_capacity(list.len());
    for a in list {
        let mut rng = Stream::new(seed, replication, label_key(&a.label), Purpose::Assumptions);
        let x = sampling::draw(&mut rng, &a.dist);
        for &s in &a.segments {
            responses[s].set(a.key, x);
        }
        values.push(x);
    }
    (responses, values)
}

/// The stream key of an assumption: a hash of its label (FNV-1a), so that
/// a key's draws do not change when other keys are added, dropped or fixed.
fn label_key(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_draw_per_replication_shared_by_the_segments_it_covers() {
        let list = vec![
            Assumption {
                key: "goal_gradient",
                label: "goal_gradient".into(),
                segments: vec![0, 2],
                dist: Dist::Uniform { min: 0.0, max: 0.4 },
                documented: true,
            },
            Assumption {
                key: "goal_gradient",
                label: "segment[b].goal_gradient".into(),
                segments: vec![1],
                dist: Dist::Uniform { min: 0.5, max: 0.6 },
                documented: false,
            },
        ];
        let base = vec![Response::default(); 3];
        let (r, v) = draw(&list, &base, 7, 3);
        assert_eq!(r[0].goal_gradient, v[0]);
        assert_eq!(r[2].goal_gradient, v[0]);
        assert_eq!(r[1].goal_gradient, v[1]);
        assert!((0.5..0.6).contains(&v[1]));
        // Deterministic, and another replication draws anew.
        assert_eq!(draw(&list, &base, 7, 3).1, v);
        assert_ne!(draw(&list, &base, 7, 4).1, v);
        // Keys that are not uncertain keep their values.
        assert_eq!(r[1].member_churn, base[1].member_churn);
        // A key's draws do not depend on the other keys.
        assert_eq!(draw(&list[1..], &base, 7, 3).1[0], v[1]);
    }
}
