//! What we do not know: the response parameters a scenario leaves
//! uncertain, a win-back campaign's uncertain response, and their draws.
//!
//! Each uncertain value is drawn once per replication from its own stream
//! (seed, replication, "assumptions", label), so every arm of a replication
//! (the control and each program) sees the same customers *and* the same
//! assumptions: common random numbers stay exact, and "how often a program
//! beats no program" includes what we do not know, not only chance.

use crate::model::dist::Dist;
use crate::model::response::Response;
use crate::model::rng::{Purpose, Stream};
use crate::model::sampling;
use crate::model::scenario::ProgramSpec;
use std::borrow::Cow;

/// What an assumption's draw sets.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A response key (`goal_gradient`) of the segments listed.
    Response {
        key: &'static str,
        segments: Vec<usize>,
    },
    /// The win-back `response` of a program (its index in
    /// `Scenario::programs`): the chance that one message brings back a
    /// customer who has dropped out.
    Winback { program: usize },
}

/// One uncertain value.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumption {
    pub target: Target,
    /// How results name it: the response key, `segment[NAME].key` when one
    /// segment has a distribution of its own, or
    /// `program[NAME].winback.response`. Its hash keys the draws' stream.
    pub label: String,
    pub dist: Dist,
    /// True when the scenario did not give the value: the documented range.
    pub documented: bool,
}

impl Assumption {
    /// The response key it sets, if it is one.
    pub fn response_key(&self) -> Option<&'static str> {
        match self.target {
            Target::Response { key, .. } => Some(key),
            Target::Winback { .. } => None,
        }
    }

    /// The segments whose response takes the draw (none for a program's value).
    pub fn segments(&self) -> &[usize] {
        match &self.target {
            Target::Response { segments, .. } => segments,
            Target::Winback { .. } => &[],
        }
    }
}

/// Each segment's response in replication `replication`, and the value
/// drawn for each assumption (in `list` order). `base` holds the segments'
/// responses with every uncertain key at its point value.
///
/// Every value drawn is a finite number, or the first assumption (in `list`
/// order) whose draw is not is the error: loading a scenario rejects
/// distributions that draw beyond the largest number more than once in
/// 10^12, and the engine's shortcuts rely on finite response keys.
pub fn draw(
    list: &[Assumption],
    base: &[Response],
    seed: u64,
    replication: u64,
) -> Result<(Vec<Response>, Vec<f64>), NonFinite> {
    let mut responses = base.to_vec();
    let mut values = Vec::with_capacity(list.len());
    for a in list {
        let mut rng = Stream::new(seed, replication, label_key(&a.label), Purpose::Assumptions);
        let x = sampling::draw(&mut rng, &a.dist);
        if !x.is_finite() {
            return Err(NonFinite {
                label: a.label.clone(),
                value: x,
                replication,
            });
        }
        if let Target::Response { key, segments } = &a.target {
            for &s in segments {
                responses[s].set(key, x);
            }
        }
        values.push(x);
    }
    Ok((responses, values))
}

/// An assumption's draw that is not a finite number ([`draw`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NonFinite {
    /// The assumption's label (`goal_gradient`, `segment[NAME].key`, ...).
    pub label: String,
    pub value: f64,
    pub replication: u64,
}

impl std::fmt::Display for NonFinite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "replication {} drew {} for {}: expected a finite number. its distribution reaches \
             beyond the largest number: give it a smaller mean or spread, or a triangular, \
             uniform or beta distribution",
            self.replication, self.value, self.label
        )
    }
}

/// The programs as one replication runs them: each program value that is
/// uncertain set to its draw (`values` from [`draw`]). Borrowed, untouched,
/// when no program value is uncertain.
pub fn programs<'p>(
    list: &[Assumption],
    programs: &'p [ProgramSpec],
    values: &[f64],
) -> Cow<'p, [ProgramSpec]> {
    let mut out = Cow::Borrowed(programs);
    for (a, &x) in list.iter().zip(values) {
        if let Target::Winback { program } = a.target
            && let Some(w) = out.to_mut()[program].winback.as_mut()
        {
            w.response = x;
        }
    }
    out
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
                target: Target::Response {
                    key: "goal_gradient",
                    segments: vec![0, 2],
                },
                label: "goal_gradient".into(),
                dist: Dist::Uniform { min: 0.0, max: 0.4 },
                documented: true,
            },
            Assumption {
                target: Target::Response {
                    key: "goal_gradient",
                    segments: vec![1],
                },
                label: "segment[b].goal_gradient".into(),
                dist: Dist::Uniform { min: 0.5, max: 0.6 },
                documented: false,
            },
        ];
        let base = vec![Response::default(); 3];
        let (r, v) = draw(&list, &base, 7, 3).unwrap();
        assert_eq!(r[0].goal_gradient, v[0]);
        assert_eq!(r[2].goal_gradient, v[0]);
        assert_eq!(r[1].goal_gradient, v[1]);
        assert!((0.5..0.6).contains(&v[1]));
        // Deterministic, and another replication draws anew.
        assert_eq!(draw(&list, &base, 7, 3).unwrap().1, v);
        assert_ne!(draw(&list, &base, 7, 4).unwrap().1, v);
        // Keys that are not uncertain keep their values.
        assert_eq!(r[1].member_churn, base[1].member_churn);
        // A key's draws do not depend on the other keys.
        assert_eq!(draw(&list[1..], &base, 7, 3).unwrap().1[0], v[1]);
    }

    /// A draw beyond the largest number is an error naming the value and
    /// the replication, not a response key of infinity.
    #[test]
    fn a_draw_that_is_not_finite_is_an_error() {
        let key = |dist| Assumption {
            target: Target::Response {
                key: "goal_gradient",
                segments: vec![0],
            },
            label: "goal_gradient".into(),
            dist,
            documented: false,
        };
        let base = vec![Response::default()];
        // Exponential draws above 1 (about a third of them) overflow.
        let huge = key(Dist::Exponential { mean: f64::MAX });
        let failed = (0..20)
            .filter_map(|r| draw(std::slice::from_ref(&huge), &base, 7, r).err())
            .collect::<Vec<_>>();
        assert!(!failed.is_empty());
        for e in &failed {
            assert_eq!(e.label, "goal_gradient");
            assert_eq!(e.value, f64::INFINITY);
            assert!(e.to_string().contains("drew inf for goal_gradient"), "{e}");
        }
        // NaN parameters draw NaN: an error as well.
        let nan = key(Dist::LogNormal {
            mu: f64::NEG_INFINITY,
            sigma: f64::INFINITY,
        });
        assert!(draw(&[nan], &base, 7, 0).unwrap_err().value.is_nan());
        // A finite draw of the same key goes through.
        let fine = key(Dist::Exponential { mean: 0.2 });
        assert!(draw(&[fine], &base, 7, 0).is_ok());
    }

    #[test]
    fn a_programs_winback_response_takes_its_draw_and_nothing_else_changes() {
        use crate::model::scenario::Winback;
        let w = Winback {
            after: 2.0,
            every: 2.0,
            max_messages: 1,
            message_cost: 0.0,
            response: 0.05,
        };
        let specs = vec![
            ProgramSpec::open("a", 10.0),
            ProgramSpec {
                winback: Some(w),
                ..ProgramSpec::open("b", 10.0)
            },
        ];
        let list = vec![Assumption {
            target: Target::Winback { program: 1 },
            label: "program[b].winback.response".into(),
            dist: Dist::Uniform {
                min: 0.02,
                max: 0.1,
            },
            documented: false,
        }];
        let base = vec![Response::default()];
        let (r, v) = draw(&list, &base, 7, 3).unwrap();
        // No response key moves.
        assert_eq!(r, base);
        assert!((0.02..0.1).contains(&v[0]));
        let p = programs(&list, &specs, &v);
        assert!(matches!(p, Cow::Owned(_)));
        assert_eq!(p[1].winback.unwrap().response, v[0]);
        let mut expected = specs.clone();
        expected[1].winback.as_mut().unwrap().response = v[0];
        assert_eq!(*p, *expected);
        // Without program assumptions the programs are borrowed as they are.
        assert!(matches!(programs(&[], &specs, &[]), Cow::Borrowed(_)));
    }
}
