//! `loyalsim fit`: published CDNOW estimates, the CLI outputs, bad data with
//! exact messages, extreme data, and the 100,000-customer timing.

use std::path::Path;
use std::time::Instant;

use assert_cmd::Command;
use loyalsim::fit::reader::{ReadOptions, day_number, parse_date, read_transactions};
use loyalsim::fit::{self, Model, Unit};

const CDNOW: &str = "tests/data/cdnow_sample.csv";

fn options(cal_end: Option<&str>) -> ReadOptions {
    ReadOptions {
        cal_end: cal_end.map(|d| day_number(parse_date(d, None).unwrap())),
        ..ReadOptions::default()
    }
}

fn cdnow(unit: Unit) -> fit::data::Summary {
    let f = std::fs::File::open(CDNOW).unwrap();
    let (acc, _) = read_transactions(f, CDNOW, &options(Some("1997-09-30")), |_| {}).unwrap();
    acc.summarize(unit.days())
}

fn round(v: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (v * k).round() / k
}

#[test]
fn cdnow_summary_matches_the_published_setup() {
    let s = cdnow(Unit::Week);
    assert_eq!(s.customers.len(), 2357);
    assert_eq!(s.rows, 6919);
    assert_eq!(s.transactions, 6696);
    assert_eq!(s.repeat_transactions_cal, 2457);
    // Customer 0001 (FHL 2005's data: x = 2, t_x = 30.43, T = 38.86).
    let c = &s.customers[0];
    assert_eq!(c.x, 2);
    assert_eq!(round(c.t_x_days as f64 / 7.0, 2), 30.43);
    assert_eq!(round(c.t_days as f64 / 7.0, 2), 38.86);
}

/// Fader, Hardie & Lee (2005), "Counting your customers the easy way", table 1.
#[test]
fn bgnbd_reproduces_the_published_cdnow_estimates() {
    let s = cdnow(Unit::Week);
    let e = fit::fit_model(Model::Bgnbd, &s.rfm()).unwrap();
    assert!(e.converged);
    assert_eq!(round(e.get("r"), 3), 0.243, "{e:?}");
    assert_eq!(round(e.get("alpha"), 3), 4.414);
    assert_eq!(round(e.get("a"), 3), 0.793);
    assert_eq!(round(e.get("b"), 3), 2.426);
    assert_eq!(round(e.log_likelihood, 1), -9582.4);
    assert!(e.se.iter().all(|v| v.is_some_and(|v| v > 0.0)));
}

/// Fader & Hardie, Pareto/NBD on the same CDNOW calibration data:
/// r = 0.55, alpha = 10.58, s = 0.61, beta = 11.67, LL = -9595.0.
#[test]
fn pareto_nbd_reproduces_the_published_cdnow_estimates() {
    let s = cdnow(Unit::Week);
    let e = fit::fit_model(Model::Pnbd, &s.rfm()).unwrap();
    assert!(e.converged);
    assert_eq!(round(e.get("r"), 2), 0.55, "{e:?}");
    assert_eq!(round(e.get("alpha"), 2), 10.58);
    assert_eq!(round(e.get("s"), 2), 0.61);
    assert_eq!(round(e.get("beta"), 2), 11.67);
    assert_eq!(round(e.log_likelihood, 1), -9595.0);
}

/// Fader, Hardie & Lee (2005), "RFM and CLV": p = 6.25, q = 3.74, gamma = 15.44
/// from the mean value of the calibration-period repeat transactions of the
/// 946 customers with at least one.
#[test]
fn gamma_gamma_reproduces_the_published_spend_model() {
    let s = cdnow(Unit::Week);
    let spend = s.spend();
    assert_eq!(spend.len(), 946);
    let e = fit::fit_spend(&spend).unwrap();
    assert_eq!(round(e.get("p"), 2), 6.25, "{e:?}");
    assert_eq!(round(e.get("q"), 2), 3.74);
    assert_eq!(round(e.get("gamma"), 2), 15.44);
}

/// The same data in days or months: r, a, b do not change, alpha scales with
/// the unit (tiny and huge time scales).
#[test]
fn the_time_unit_only_rescales_alpha() {
    let w = fit::fit_model(Model::Bgnbd, &cdnow(Unit::Week).rfm()).unwrap();
    for unit in [Unit::Day, Unit::Month] {
        let e = fit::fit_model(Model::Bgnbd, &cdnow(unit).rfm()).unwrap();
        for k in ["r", "a", "b"] {
            assert!(
                (e.get(k) / w.get(k) - 1.0).abs() < 1e-4,
                "{unit:?} {k}: {} vs {}",
                e.get(k),
                w.get(k)
            );
        }
        let scale = 7.0 / unit.days();
        assert!((e.get("alpha") / (w.get("alpha") * scale) - 1.0).abs() < 1e-4);
    }
}

/// The tracking table: the model's cumulative repeat transactions at the
/// calibration end are close to the actual 2457 (the fit matches the
/// calibration data on average).
#[test]
fn expected_cumulative_repeats_track_the_calibration_period() {
    let s = cdnow(Unit::Week);
    let e = fit::fit_model(Model::Bgnbd, &s.rfm()).unwrap();
    let rows = fit::tracking(Model::Bgnbd, &e.values, &s);
    assert_eq!(rows.len(), 78);
    let cal = rows.iter().rfind(|r| r.calibration).unwrap();
    assert_eq!(cal.end, 39.0);
    assert_eq!(cal.cumulative_actual, 2457);
    assert!(
        (cal.cumulative_expected / 2457.0 - 1.0).abs() < 0.02,
        "{cal:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r.expected.is_finite() && r.expected >= 0.0)
    );
}

fn loyalsim() -> Command {
    Command::cargo_bin("loyalsim").unwrap()
}

#[test]
fn cli_writes_population_cohort_json_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fit");
    let assert = loyalsim()
        .args(["fit", CDNOW, "--calibration-end", "1997-09-30", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("log-likelihood -9582.43"), "{stdout}");

    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "cohort.csv",
            "fit.json",
            "fit.png",
            "fit.svg",
            "population.toml",
            "report.html",
            "rfm.csv"
        ]
    );

    let pop: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("population.toml")).unwrap()).unwrap();
    let p = pop["population"].as_table().unwrap();
    assert_eq!(p["cohort"].as_str(), Some("cohort.csv"));
    let seg = &p["segment"].as_array().unwrap()[0];
    assert_eq!(seg["name"].as_str(), Some("fitted"));
    assert_eq!(seg["share"].as_float(), Some(1.0));
    let g = &seg["purchase_rate"]["gamma"];
    assert_eq!(round(g["shape"].as_float().unwrap(), 3), 0.243);
    assert_eq!(round(g["rate"].as_float().unwrap(), 3), 4.414);
    assert_eq!(
        round(seg["dropout"]["bg"]["a"].as_float().unwrap(), 3),
        0.793
    );
    assert_eq!(
        round(seg["basket"]["gamma_gamma"]["q"].as_float().unwrap(), 2),
        3.74
    );

    let cohort = std::fs::read_to_string(out.join("cohort.csv")).unwrap();
    let lines: Vec<&str> = cohort.lines().collect();
    assert_eq!(lines[0], "customer,start");
    assert_eq!(lines.len(), 2358);
    assert!(lines.contains(&"0001,0"));

    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fit.json")).unwrap()).unwrap();
    assert_eq!(j["model"], "bgnbd");
    assert_eq!(j["time_unit"], "week");
    assert_eq!(j["customers"], 2357);
    assert_eq!(j["calibration_end"], "1997-09-30");
    for k in ["r", "alpha", "a", "b"] {
        assert!(j["params"][k].is_f64() && j["se"][k].is_f64(), "{k}");
    }
    assert_eq!(round(j["log_likelihood"].as_f64().unwrap(), 1), -9582.4);
    for k in ["p", "q", "gamma"] {
        assert!(j["spend"][k].is_f64(), "{k}");
    }
    assert_eq!(j["periods"].as_array().unwrap().len(), 78);
    assert_eq!(j["skipped_rows"], 0);
    let png = std::fs::read(out.join("fit.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    assert!(
        std::fs::read_to_string(out.join("fit.svg"))
            .unwrap()
            .contains("<svg")
    );
}

#[test]
fn cli_writes_a_self_contained_fit_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    loyalsim()
        .args(["fit", CDNOW, "--calibration-end", "1997-09-30", "--out"])
        .arg(out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<style>"), "inline CSS");
    assert!(html.contains("<svg"), "the fit chart is inlined");
    for attr in ["src=", "href="] {
        for scheme in ["\"http://", "\"https://", "'http://", "'https://"] {
            let pat = format!("{attr}{scheme}");
            assert!(!html.contains(&pat), "fetches nothing: found {pat}");
        }
    }
    assert!(!html.contains("<script src"), "no external scripts");
    assert!(!html.contains("<link "), "no external stylesheets");
    // The BG/NBD parameters with estimates, standard errors and the likelihood.
    for p in ["<td>r</td>", "<td>alpha</td>", "<td>a</td>", "<td>b</td>"] {
        assert!(html.contains(p), "names the parameter {p}");
    }
    assert!(html.contains("<td>0.2426</td>"), "r estimate");
    assert!(html.contains("±"), "standard errors");
    assert!(html.contains("-9582.43"), "log-likelihood");
    assert!(html.contains("Holdout check"));
    assert!(
        html.contains("1997-10-01 to 1998-06-30"),
        "the holdout period"
    );
    assert!(html.contains("How to use population.toml"));
}

#[test]
fn cli_pareto_without_amounts_writes_a_fixed_basket() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    loyalsim()
        .args([
            "fit",
            CDNOW,
            "--calibration-end",
            "1997-09-30",
            "--model",
            "pnbd",
            "--amount",
            "quantity",
        ])
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    let pop: toml::Table =
        toml::from_str(&std::fs::read_to_string(out.join("population.toml")).unwrap()).unwrap();
    let seg = &pop["population"]["segment"][0];
    assert_eq!(
        round(seg["dropout"]["pareto"]["shape"].as_float().unwrap(), 2),
        0.61
    );
    assert_eq!(
        round(seg["dropout"]["pareto"]["rate"].as_float().unwrap(), 2),
        11.67
    );
    // Quantities as "amounts": the spend model still fits or falls back, never fails.
    assert!(seg["basket"].as_table().is_some());

    // No amount column at all: a fixed basket of 1 with a comment.
    let csv = dir.path().join("no_amounts.csv");
    let text: String = std::fs::read_to_string(CDNOW)
        .unwrap()
        .lines()
        .map(|l| l.rsplitn(3, ',').nth(2).unwrap().to_string() + "\n")
        .collect();
    std::fs::write(&csv, text).unwrap();
    let out2 = dir.path().join("o2");
    loyalsim()
        .arg("fit")
        .arg(&csv)
        .arg("--out")
        .arg(&out2)
        .assert()
        .success();
    let toml_text = std::fs::read_to_string(out2.join("population.toml")).unwrap();
    assert!(
        toml_text.contains("basket = { fixed = 1.0 }"),
        "{toml_text}"
    );
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("fit.json")).unwrap()).unwrap();
    assert!(j.get("spend").is_none());
    assert_eq!(j["calibration_end"], "1998-06-30");
}

fn fails_with(file: &str, extra: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = loyalsim()
        .args(["fit", file])
        .args(extra)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end(), format!("error: {message}"));
    assert!(
        !dir.path().join("o").exists(),
        "no output folder on failure"
    );
}

#[test]
fn bad_data_gets_exact_messages() {
    fails_with(
        "tests/data/bad_date.csv",
        &[],
        "tests/data/bad_date.csv: line 4: cannot read the date \"1997-13-01\" in column \"date\" (expected \
         YYYY-MM-DD; for other layouts give --date-format, e.g. --date-format %d/%m/%Y) (or pass --skip-invalid \
         to skip such rows)",
    );
    fails_with(
        "tests/data/negative_amount.csv",
        &[],
        "tests/data/negative_amount.csv: line 4: negative amount -12.50 in column \"amount\" (returns and refunds \
         are not purchases; remove them first) (or pass --skip-invalid to skip such rows)",
    );
    fails_with(
        "tests/data/wrong_columns.csv",
        &[],
        "tests/data/wrong_columns.csv: no column \"customer\" in the header; the columns are \"client;when;value\"; \
         choose one with --customer (the file seems to use ';' between fields: give --delimiter ';', and --decimal-comma if amounts are written like 12,50)",
    );
    fails_with(
        "tests/data/no_repeats.csv",
        &[],
        "none of the 3 customers made a repeat purchase on or before the calibration end, so purchase rates and \
         dropout cannot be estimated; choose a later --calibration-end or use a longer transaction log",
    );
    fails_with(
        CDNOW,
        &["--calibration-end", "30/09/1997"],
        "--calibration-end: cannot read the date \"30/09/1997\" (expected YYYY-MM-DD)",
    );
    fails_with(
        CDNOW,
        &["--calibration-end", "1996-01-01"],
        "--calibration-end 1996-01-01 is before the first date in the file (1997-01-01)",
    );
    fails_with(
        "tests/data/missing.csv",
        &[],
        "tests/data/missing.csv: cannot open the file: file not found",
    );
}

#[test]
fn skip_invalid_skips_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = loyalsim()
        .args([
            "fit",
            "tests/data/bad_date.csv",
            "--skip-invalid",
            "--time-unit",
            "day",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "skipped 1 invalid row(s), for example:\n  tests/data/bad_date.csv: line 4:"
        ),
        "{stderr}"
    );
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("fit.json")).unwrap())
            .unwrap();
    assert_eq!(j["skipped_rows"], 1);
    assert_eq!(j["customers"], 1);
    // One customer with one repeat: an answer (finite numbers), never NaN.
    for k in ["r", "alpha", "a", "b"] {
        assert!(
            j["params"][k].as_f64().is_some_and(f64::is_finite),
            "{k}: {}",
            j["params"]
        );
    }
}

/// splitmix64: a small deterministic generator for the synthetic data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Gamma(shape, 1) by Marsaglia & Tsang (2000), with the shape < 1 boost.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.next().max(1e-300).powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.next().max(1e-300).ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }
}

/// A BG/NBD customer base with known parameters (per week), first purchases
/// spread over 12 weeks from 2020-01-01, observed for 78 weeks, as CSV text.
fn synthetic_bgnbd(customers: usize, p: [f64; 4], seed: u64) -> String {
    let [r, alpha, a, b] = p;
    let mut rng = Rng(seed);
    let start = parse_date("2020-01-01", None).unwrap();
    let mut s = String::from("customer,date,amount\n");
    for i in 0..customers {
        let first = (rng.next() * 84.0).floor();
        let lambda = rng.gamma(r) / alpha;
        let ga = rng.gamma(a);
        let drop = ga / (ga + rng.gamma(b));
        // Gamma-Gamma spend with p = 6, q = 4, gamma = 15.
        let nu = rng.gamma(4.0) / 15.0;
        let mut t = first / 7.0;
        let mut push = |day: f64, rng: &mut Rng| {
            let d = start + chrono::Days::new(day as u64);
            s.push_str(&format!(
                "{i},{},{:.2}\n",
                d.format("%Y-%m-%d"),
                rng.gamma(6.0) / nu
            ));
        };
        push(first, &mut rng);
        loop {
            t += -rng.next().max(1e-300).ln() / lambda;
            if t >= 78.0 {
                break;
            }
            push((t * 7.0).floor(), &mut rng);
            if rng.next() < drop {
                break;
            }
        }
    }
    s
}

/// 100,000 customers: read, summarize and fit in under 5 seconds, and the
/// known parameters come back.
#[test]
fn fits_100k_customers_and_recovers_the_parameters() {
    let truth = [0.25, 4.0, 0.8, 2.5];
    let csv = synthetic_bgnbd(100_000, truth, 7);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &csv).unwrap();
    for model in [Model::Bgnbd, Model::Pnbd] {
        let t0 = Instant::now();
        let f = std::fs::File::open(&path).unwrap();
        let (acc, _) = read_transactions(
            std::io::BufReader::new(f),
            "big.csv",
            &options(Some("2020-09-29")),
            |_| {},
        )
        .unwrap();
        let s = acc.summarize(7.0);
        let t_read = t0.elapsed().as_secs_f64();
        let e = fit::fit_model(model, &s.rfm()).unwrap();
        let t_fit = t0.elapsed().as_secs_f64();
        let spend = fit::fit_spend(&s.spend()).unwrap();
        let t_spend = t0.elapsed().as_secs_f64();
        let rows = fit::tracking(model, &e.values, &s);
        let secs = t0.elapsed().as_secs_f64();
        eprintln!(
            "stages (cumulative s): read {t_read:.2}, fit {t_fit:.2}, spend {t_spend:.2}, tracking {secs:.2}"
        );
        eprintln!(
            "{model:?}: 100k customers, {} rows, {} distinct (x, t_x, T): read+fit+spend+tracking {secs:.2} s, \
             {} evaluations, estimates {:?}, spend {:?}",
            s.rows,
            s.rfm().len(),
            e.evaluations,
            e.values,
            spend.values
        );
        assert_eq!(rows.len(), 78);
        if model == Model::Bgnbd {
            for (k, t) in e.values.iter().zip(truth) {
                assert!((k / t - 1.0).abs() < 0.1, "{:?} vs {truth:?}", e.values);
            }
        }
        // Same-day purchases merge (amounts summed), so allow a wider margin.
        for (k, t) in spend.values.iter().zip([6.0, 4.0, 15.0]) {
            assert!((k / t - 1.0).abs() < 0.2, "spend {:?}", spend.values);
        }
        // The speed goal (under 5 s) is measured by the benchmark command in
        // docs/performance.md, not asserted here: CI machines are shared.
    }
    assert!(Path::new(&path).exists());
}
