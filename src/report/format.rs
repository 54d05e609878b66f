//! Number formatting for people: money with thousands separators, signed
//! differences, percentages.

/// `1234567.8` → `1,234,568`; negative numbers keep their sign.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let r = x.round();
    let neg = r < 0.0;
    let digits = format!("{:.0}", r.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// A signed amount: `+4,200`, `-1,100`, `0`.
pub fn signed(x: f64) -> String {
    let s = thousands(x);
    if x.round() > 0.0 { format!("+{s}") } else { s }
}

/// A share as a percentage with one decimal: `0.612` → `61.2%`.
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    format!("{:.1}%", x * 100.0)
}

/// A share as a whole percentage: `0.97` → `97%`.
pub fn percent0(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A number of time units without needless decimals: `9` → `9`, `2.5` → `2.5`.
pub fn units(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{:.0}", x)
    } else {
        format!("{:.2}", x).trim_end_matches('0').to_string()
    }
}

/// One decimal, `n/a` when not finite: `5.62` → `5.6`.
pub fn one_decimal(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "n/a".to_string()
    }
}

/// A metric's mean for a program (NaN when the document has no such metric).
pub fn mean(p: &crate::stats::results::ProgramResult, m: &str) -> f64 {
    p.summary.get(m).map_or(f64::NAN, |s| s.mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(-1100.0), "-1,100");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(-0.2), "0");
        assert_eq!(signed(4200.0), "+4,200");
        assert_eq!(signed(-12.0), "-12");
        assert_eq!(percent(0.6123), "61.2%");
        assert_eq!(units(9.0), "9");
        assert_eq!(units(2.5), "2.5");
    }
}
