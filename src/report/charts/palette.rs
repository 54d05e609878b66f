//! One colour per program, the same in every chart and in the HTML tables:
//! the control is always grey; programs take the Tableau 10 colours (without
//! its grey) in the order they appear in the results document.

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

/// Program name → colour.
#[derive(Debug, Clone)]
pub struct Palette {
    entries: Vec<(String, RGBColor)>,
}

impl Palette {
    /// Colours for program names in this order; the name `baseline` is grey
    /// and does not use up a colour.
    pub fn for_names<S: AsRef<str>>(names: &[S]) -> Self {
        let mut next = 0;
        let entries = names
            .iter()
            .map(|n| {
                let n = n.as_ref();
                let c = if n == BASELINE {
                    BASELINE_GREY
                } else {
                    next += 1;
                    PROGRAM_COLOURS[(next - 1) % PROGRAM_COLOURS.len()]
                };
                (n.to_string(), c)
            })
            .collect();
        Palette { entries }
    }

    /// Colours for the programs of a results document.
    pub fn for_results(r: &Results) -> Self {
        let mut next = 0;
        let entries = r
            .programs
            .iter()
            .map(|p| {
                let c = if is_control(p) {
                    BASELINE_GREY
                } else {
                    next += 1;
                    PROGRAM_COLOURS[(next - 1) % PROGRAM_COLOURS.len()]
                };
                (p.name.clone(), c)
            })
            .collect();
        Palette { entries }
    }

    /// The colour of `name` (grey for unknown names).
    pub fn colour(&self, name: &str) -> RGBColor {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map_or(BASELINE_GREY, |(_, c)| *c)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_is_grey_and_does_not_shift_colours() {
        let a = Palette::for_names(&["baseline", "A", "B"]);
        let b = Palette::for_names(&["A", "B"]);
        assert_eq!(a.colour("baseline"), BASELINE_GREY);
        assert_eq!(a.colour("A"), b.colour("A"));
        assert_eq!(a.colour("B"), PROGRAM_COLOURS[1]);
    }
}
