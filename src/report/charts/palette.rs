//! One look per program, the same in every chart and in the HTML tables: the
//! control is always grey and solid; programs take the Tableau 10 colours
//! (without its grey) in the order they appear in the results document. From
//! the tenth program on, colours repeat with a dash pattern, so no two
//! programs (up to [`DISTINCT_LOOKS`]) are ever drawn alike.
//!
//! Names shown in charts go through [`short_names`], which shortens long
//! names only as far as they stay distinct.

use crate::engine::BASELINE;
use crate::stats::Results;
use crate::stats::results::ProgramResult;
use plotters::style::RGBColor;

/// The control's colour.
pub const BASELINE_GREY: RGBColor = RGBColor(128, 128, 128);

/// Program colours in order (Tableau 10 without grey, yellow last: it is the
/// weakest on white).
pub const PROGRAM_COLOURS: [RGBColor; 9] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0xed, 0xc9, 0x48),
];

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dash {
    Solid,
    /// Medium dashes.
    Dashed,
    /// Short dots.
    Dotted,
    /// Long dashes.
    Long,
}

impl Dash {
    /// In order of use: the first nine programs are solid.
    pub const ALL: [Dash; 4] = [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::Long];

    /// (dash, gap) in CSS pixels; `None` for a solid line.
    pub fn pattern(self) -> Option<(f64, f64)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((9.0, 6.0)),
            Dash::Dotted => Some((3.0, 5.0)),
            Dash::Long => Some((22.0, 7.0)),
        }
    }
}

/// Programs that get pairwise different looks (colour × dash).
pub const DISTINCT_LOOKS: usize = PROGRAM_COLOURS.len() * Dash::ALL.len();

/// The colour and stroke of one program's series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Look {
    pub colour: RGBColor,
    pub dash: Dash,
}

impl Look {
    /// The control's look.
    pub const CONTROL: Look = Look {
        colour: BASELINE_GREY,
        dash: Dash::Solid,
    };

    /// The look of the `i`-th program (from 0, the control not counted).
    pub fn program(i: usize) -> Look {
        let n = PROGRAM_COLOURS.len();
        Look {
            colour: PROGRAM_COLOURS[i % n],
            dash: Dash::ALL[(i / n) % Dash::ALL.len()],
        }
    }
}

/// Program name → look.
#[derive(Debug, Clone)]
pub struct Palette {
    entries: Vec<(String, Look)>,
}

impl Palette {
    /// Looks for program names in this order; the name `baseline` is grey
    /// and does not use up a colour.
    pub fn for_names<S: AsRef<str>>(names: &[S]) -> Self {
        let mut next = 0;
        let entries = names
            .iter()
            .map(|n| {
                let n = n.as_ref();
                let look = if n == BASELINE {
                    Look::CONTROL
                } else {
                    next += 1;
                    Look::program(next - 1)
                };
                (n.to_string(), look)
            })
            .collect();
        Palette { entries }
    }

    /// Looks for the programs of a results document.
    pub fn for_results(r: &Results) -> Self {
        let mut next = 0;
        let entries = r
            .programs
            .iter()
            .map(|p| {
                let look = if is_control(p) {
                    Look::CONTROL
                } else {
                    next += 1;
                    Look::program(next - 1)
                };
                (p.name.clone(), look)
            })
            .collect();
        Palette { entries }
    }

    /// The look of `name` (the control's for unknown names).
    pub fn look(&self, name: &str) -> Look {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map_or(Look::CONTROL, |(_, l)| *l)
    }

    /// The colour of `name` (grey for unknown names).
    pub fn colour(&self, name: &str) -> RGBColor {
        self.look(name).colour
    }
}

/// Whether `p` is the no-program control.
pub fn is_control(p: &ProgramResult) -> bool {
    p.vs_baseline.is_none() && p.name == BASELINE
}

/// The name shown to people: the control is "No program".
pub fn display_name(name: &str) -> String {
    if name == BASELINE {
        "No program".to_string()
    } else {
        name.to_string()
    }
}

/// The programs compared with no program, each with its chart label
/// (display name, shortened to `width` only as far as the labels stay
/// distinct).
pub fn compared(r: &Results, width: usize) -> Vec<(&ProgramResult, String)> {
    let programs: Vec<&ProgramResult> = r
        .programs
        .iter()
        .filter(|p| !is_control(p) && p.vs_baseline.is_some())
        .collect();
    let names: Vec<String> = programs.iter().map(|p| display_name(&p.name)).collect();
    programs
        .into_iter()
        .zip(short_names(&names, width))
        .collect()
}

/// Shorten each name to about `max` characters for a chart label, so that
/// no label could be read as another program: a long name is cut in the
/// middle (`Bonus points with…50 points`), the cut placed where the label
/// fits this name and no other (a label `head…tail` fits every name that
/// starts with `head` and ends with `tail`); a name no cut keeps apart is
/// left whole. Names that fit are never changed.
pub fn short_names<S: AsRef<str>>(names: &[S], max: usize) -> Vec<String> {
    let full: Vec<&str> = names.iter().map(|n| n.as_ref()).collect();
    let max = max.max(8);
    full.iter()
        .enumerate()
        .map(|(i, name)| {
            let len = name.chars().count();
            if len <= max {
                return name.to_string();
            }
            let ambiguous = |label: &str| {
                full.iter()
                    .enumerate()
                    .any(|(j, other)| j != i && other != name && fits(label, other))
            };
            // Heads from two thirds of the room up to all of it, then
            // shorter heads with longer tails.
            let room = max - 1;
            let start = room - room / 3;
            (start..=room)
                .chain((room / 4..start).rev())
                .map(|head| cut(name, room, head))
                .find(|label| !ambiguous(label))
                .unwrap_or_else(|| name.to_string())
        })
        .collect()
}

/// Whether `label` could stand for `name`: it is the name, or a cut
/// `head…tail` of it.
pub fn fits(label: &str, name: &str) -> bool {
    if label == name {
        return true;
    }
    match label.split_once('…') {
        Some((head, tail)) => {
            name.starts_with(head)
                && name.ends_with(tail)
                && name.chars().count() > head.chars().count() + tail.chars().count()
        }
        None => false,
    }
}

/// The first `head` characters of `s` (trailing spaces dropped), `…`, and
/// its last `room - head` characters.
fn cut(s: &str, room: usize, head: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let head = head.min(room).min(chars.len());
    let tail = (room - head).min(chars.len() - head);
    let mut t: String = chars[..head]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string();
    t.push('…');
    t.extend(&chars[chars.len() - tail..]);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn baseline_is_grey_and_does_not_shift_colours() {
        let a = Palette::for_names(&["baseline", "A", "B"]);
        let b = Palette::for_names(&["A", "B"]);
        assert_eq!(a.colour("baseline"), BASELINE_GREY);
        assert_eq!(a.colour("A"), b.colour("A"));
        assert_eq!(a.colour("B"), PROGRAM_COLOURS[1]);
    }

    #[test]
    fn looks_differ_for_every_program_and_the_control() {
        let names: Vec<String> = std::iter::once("baseline".to_string())
            .chain((0..DISTINCT_LOOKS).map(|i| format!("P{i}")))
            .collect();
        let p = Palette::for_names(&names);
        let looks: HashSet<Look> = names.iter().map(|n| p.look(n)).collect();
        assert_eq!(looks.len(), names.len());
        assert_eq!(p.look("P9").colour, p.look("P0").colour);
        assert_ne!(p.look("P9").dash, p.look("P0").dash);
    }

    #[test]
    fn short_names_stay_distinct() {
        let long = [
            "Bonus points with a 12-month expiry and a welcome gift of 50 points",
            "Bonus points with a 12-month expiry and a welcome gift of 100 points",
            "Bonus points with a 12-month expiry and no welcome gift",
            "Bonus points with a 24-month expiry and a welcome gift of 50 points",
            "Stamp card",
        ];
        for max in [12, 20, 24, 28, 40, 60] {
            let s = short_names(&long, max);
            assert_eq!(s[4], "Stamp card");
            for (i, label) in s.iter().enumerate() {
                // Every label fits its own name and no other.
                let fitting: Vec<&str> = long.iter().copied().filter(|n| fits(label, n)).collect();
                assert_eq!(fitting, [long[i]], "max {max}: {label}");
                assert!(label.chars().count() <= max.max(long[i].chars().count()));
            }
        }
        // Names differing only inside the cut part keep that part.
        let mid = [
            "Loyalty card A – ten per cent off for members",
            "Loyalty card B – ten per cent off for members",
        ];
        let s = short_names(&mid, 20);
        assert_ne!(s[0], s[1], "{s:?}");
        assert!(s[0].chars().count() <= 20, "{s:?}");
        // A cut that reads like a shorter program's full name is avoided.
        let prefix = ["Points card", "Points card plus extra"];
        let s = short_names(&prefix, 12);
        assert!(!fits(&s[1], "Points card"), "{s:?}");
        // Short names are left alone.
        assert_eq!(short_names(&["A", "B"], 24), ["A", "B"]);
        assert!(fits("Bonus…card", "Bonus stamp card"));
        assert!(!fits("Bonus…card", "Bonuscard"), "nothing was cut");
    }
}
