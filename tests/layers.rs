//! The module layers of docs/architecture.md, checked on the source text:
//! every `crate::MODULE` a file under `src/` names (in `use` lines, inline
//! paths and doc links alike) must be a module its layer may depend on. A
//! core module (math, model, record, programs, engine, stats) never names the
//! loader, the Rhai bridge or the shell, and each core layer names only the
//! layers below it; the loader and the bridge never name the shell.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Crate-root items every module may name (the version constant, the
/// leaves that import nothing from the crate).
const LEAVES: &[&str] = &["VERSION", "math", "provenance", "warnings"];

/// What each module may name besides itself and [`LEAVES`]; `None`: no rule
/// (the shell, which may name anything).
fn allowed(module: &str) -> Option<&'static [&'static str]> {
    Some(match module {
        // The core, lowest layer first.
        "math" | "provenance" | "input" => &[],
        // The warnings word numbers as the input is read.
        "warnings" => &["input"],
        "model" => &[],
        "record" => &["model"],
        "programs" => &["model", "record"],
        "engine" => &["model", "record", "programs"],
        "stats" => &["model", "record", "programs", "engine"],
        // Around the core: the loader, the Rhai bridge and the fit read
        // input and may name the core, but never the shell.
        "script" => &["model", "record", "programs", "input"],
        "scenario" => &["model", "script", "input", "error"],
        "fit" => &["stats", "input", "error"],
        _ => return None,
    })
}

/// The top-level module a file under `src/` belongs to (`src/lib.rs` and
/// `src/main.rs` are the crate root: no rule).
fn module_of(rel: &Path) -> Option<String> {
    let mut parts = rel.components();
    let first = parts.next()?.as_os_str().to_str()?;
    if parts.next().is_some() {
        return Some(first.to_string());
    }
    let stem = first.strip_suffix(".rs")?;
    (stem != "lib" && stem != "main").then(|| stem.to_string())
}

/// The violations in one file's text: `line: crate::NAME` for every name the
/// module may not use.
fn violations(module: &str, text: &str) -> Vec<String> {
    let Some(ok) = allowed(module) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if rest.starts_with('{') {
                out.push(format!(
                    "{}: `crate::{{…}}` (write one `use` per module so the layers can be read)",
                    i + 1
                ));
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name != module && !LEAVES.contains(&name.as_str()) && !ok.contains(&name.as_str()) {
                out.push(format!("{}: crate::{name}", i + 1));
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_module_names_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut bad = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let Some(module) = module_of(rel) else {
            continue;
        };
        *seen.entry(module.clone()).or_default() += 1;
        let text = std::fs::read_to_string(f).unwrap();
        for v in violations(&module, &text) {
            bad.push(format!("src/{}:{v}", rel.display()));
        }
    }
    // The rules must be looking at the modules they are about.
    for m in [
        "math", "model", "record", "programs", "engine", "stats", "scenario",
    ] {
        assert!(seen.contains_key(m), "no files of module {m} under src/");
    }
    assert!(
        bad.is_empty(),
        "imports against the layers of docs/architecture.md:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_rules_catch_back_references() {
    // The loops this layering removed, as they were written.
    assert_eq!(
        violations("model", "use crate::scenario::{Basket, Dist, Segment};"),
        ["1: crate::scenario"]
    );
    assert_eq!(
        violations("programs", "use crate::engine::recorder::{Flow, Recorder};"),
        ["1: crate::engine"]
    );
    assert_eq!(
        violations("stats", "\nlet x = crate::cli::run::pool(None);"),
        ["2: crate::cli"]
    );
    assert_eq!(
        violations("scenario", "/// see [`crate::report::output`]"),
        ["1: crate::report"]
    );
    assert_eq!(
        violations("engine", "use crate::{model, scenario};").len(),
        1
    );
    // What is allowed passes.
    assert!(violations("programs", "use crate::model::habits::Habits;").is_empty());
    assert!(violations("model", "use crate::math::cdf;").is_empty());
    assert!(violations("cli", "use crate::scenario::load_file;").is_empty());
    assert_eq!(
        module_of(Path::new("model/dist.rs")).as_deref(),
        Some("model")
    );
    assert_eq!(module_of(Path::new("error.rs")).as_deref(), Some("error"));
    assert_eq!(module_of(Path::new("lib.rs")), None);
}
