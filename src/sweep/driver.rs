//! Running a sweep: read the scenario, expand the grid, validate every point
//! before anything runs, then run this shard's points in order (each point's
//! replications in parallel), writing each point atomically, skipping points
//! a previous run of the same sweep finished, and streaming `sweep.json` and
//! `sweep.csv` and `replications.csv`. Progress goes to stderr.

use crate::error::{Error, Result};
use crate::provenance::Provenance;
use crate::scenario::{self, Override, Scenario, ScenarioError};
use crate::sweep::expand::{self, Grid, describe};
use crate::sweep::files::{self, Assembler, Manifest, PointState, PointText};
use crate::sweep::shard::Shard;
use crate::warnings::Warning;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `loyalsim sweep` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub scenario: PathBuf,
    /// Raw `--set KEY=VALUES` arguments.
    pub sets: Vec<String>,
    pub shard: Shard,
    pub out: PathBuf,
    pub replications: Option<u32>,
    pub threads: Option<u32>,
    pub quiet: bool,
    /// Plausibility warnings are errors.
    pub strict: bool,
}

/// A validated sweep, ready to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub src: String,
    pub path: PathBuf,
    pub grid: Grid,
    pub hash: String,
    /// Each point's [`crate::sweep::inputs_fingerprint`] when the sweep began.
    pub inputs: Vec<u64>,
    /// Name of the scenario without overrides.
    pub name: String,
    pub replications: Option<u32>,
    /// What sweep.json records to re-run the sweep.
    pub provenance: Provenance,
    /// Plausibility warnings of the file and of every point, each once.
    pub warnings: Vec<Warning>,
}

impl Plan {
    /// Read and expand the sweep and validate every point.
    pub fn new(path: &Path, sets: &[String], replications: Option<u32>) -> Result<Plan> {
        let src = crate::input::read_text(path, crate::input::SCENARIO)
            .map_err(|e| Error::input(e.message(path)))?;
        let mut base = scenario::load_str(&src, Some(path))?;
        if let Some(r) = replications {
            base.simulation.replications = r;
        }
        let provenance = provenance(&base, path, &src, sets, replications);
        let file_axes = expand::sweep_table(&src, &path.display().to_string())?;
        let cli_axes = sets
            .iter()
            .map(|s| expand::parse_set(s))
            .collect::<Result<Vec<_>>>()?;
        let grid = Grid::new(expand::combine(file_axes, cli_axes)?)?;
        let mut plan = Plan {
            src,
            path: path.to_path_buf(),
            grid,
            hash: String::new(),
            inputs: Vec::new(),
            name: base.name,
            replications,
            provenance,
            warnings: base.notes.warnings,
        };
        plan.inputs = plan.validate()?;
        plan.hash =
            crate::sweep::sweep_hash(&plan.src, &plan.grid.axes, replications, &plan.inputs);
        Ok(plan)
    }

    /// The scenario of one point.
    pub fn load(&self, point: &[Override]) -> Result<Scenario, ScenarioError> {
        let mut sc = scenario::load_str_with_overrides(&self.src, Some(&self.path), point)?;
        if let Some(n) = self.replications {
            sc.simulation.replications = n;
        }
        Ok(sc)
    }

    /// Load every point; the first failure is reported naming the value (when
    /// it is wrong on its own) or the combination. Returns each point's
    /// [`crate::sweep::inputs_fingerprint`].
    fn validate(&mut self) -> Result<Vec<u64>> {
        let mut inputs = Vec::with_capacity(self.grid.len());
        for i in 0..self.grid.len() {
            let point = self.grid.point(i);
            match self.load(&point) {
                Ok(sc) => {
                    inputs.push(crate::sweep::inputs_fingerprint(&sc));
                    for w in sc.notes.warnings {
                        if !self.warnings.contains(&w) {
                            self.warnings.push(w);
                        }
                    }
                }
                Err(e) => {
                    for o in &point {
                        if let Err(alone) = self.load(std::slice::from_ref(o)) {
                            // The loader's message names the key and the value.
                            return Err(alone.into());
                        }
                    }
                    return Err(Error::input(format!(
                        "sweep point {i} ({}) is invalid: {}",
                        describe(&point),
                        e.message
                    )));
                }
            }
        }
        Ok(inputs)
    }

    /// The manifest of shard `shard` of this sweep.
    pub fn manifest(&self, shard: Shard) -> Manifest {
        Manifest {
            loyalsim_version: crate::VERSION.to_string(),
            sweep: self.hash.clone(),
            scenario: self.name.clone(),
            keys: self.grid.keys(),
            points: self.grid.len(),
            shard: shard.to_string(),
            format_version: crate::provenance::FORMAT_VERSION,
            provenance: Some(self.provenance.clone()),
            checksum: String::new(),
        }
    }
}

/// The provenance of a sweep: the base scenario (before any point's
/// values), the `--set` arguments as given, and the command that re-runs it
/// (the shard is left out: every shard, and their merge, carry the same).
fn provenance(
    base: &Scenario,
    path: &Path,
    src: &str,
    sets: &[String],
    replications: Option<u32>,
) -> Provenance {
    let q = crate::provenance::shell_quote;
    let mut command = format!("loyalsim sweep {}", q(&path.display().to_string()));
    for s in sets {
        command.push_str(&format!(" --set {}", q(s)));
    }
    if let Some(r) = replications {
        command.push_str(&format!(" --replications {r}"));
    }
    base.provenance(&path.display().to_string(), src, sets.to_vec(), command)
}

/// What a sweep run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub points: usize,
    pub shard_points: usize,
    pub skipped: usize,
    pub computed: usize,
}

/// Run (or resume) a sweep.
pub fn run(o: &Options) -> Result<Outcome> {
    let plan = Plan::new(&o.scenario, &o.sets, o.replications)?;
    crate::cli::warnings(&plan.warnings, o.strict, o.quiet)?;
    let total = plan.grid.len();
    let mine = o.shard.count(total);
    prepare_dir(&o.out, &plan)?;
    let manifest = plan.manifest(o.shard);
    files::write_manifest(&o.out, &manifest)?;

    let finished = o
        .shard
        .indices(total)
        .filter(|&i| {
            matches!(
                files::read_point(&o.out, i, &plan.hash),
                PointState::Done(_)
            )
        })
        .count();
    // Messages quote the folder's files (a point's header, a damaged
    // document's keys), which may come from someone else: escaped.
    let say = |s: String| {
        if !o.quiet {
            eprintln!("{}", crate::input::for_terminal(&s));
        }
    };
    let keys = plan.grid.keys().join(", ");
    if o.shard.n > 1 {
        say(format!(
            "sweep: {total} points over {keys}; shard {} runs {mine} of them",
            o.shard
        ));
    } else {
        say(format!("sweep: {total} points over {keys}"));
    }
    if finished > 0 {
        say(format!(
            "skipping {finished} finished points (already in {})",
            o.out.display()
        ));
    }
    let reps = plan.replications.or_else(|| {
        plan.load(&plan.grid.point(0))
            .ok()
            .map(|s| s.simulation.replications)
    });
    if let Some(note) = reps.and_then(crate::cli::run::few_replications) {
        say(note.to_string());
    }

    let pool = crate::cli::run::pool(o.threads)?;
    let mut asm = Assembler::create(&o.out, &manifest)?;
    let to_compute = mine - finished;
    let started = Instant::now();
    let mut computed = 0;
    let mut done = 0;
    // Points run in windows of several at once on the one pool, each point's
    // replications and blocks being jobs of their own, so the cores stay
    // busy on sweeps of small points (one point has fewer jobs than cores,
    // or a slow last job). Every point's results are independent of how the
    // work is spread, and points are written and assembled in index order;
    // the first error in index order stops the sweep after the points
    // before it are written, as when they ran one by one.
    let window = (pool.current_num_threads() * 4).max(1);
    let indices: Vec<usize> = o.shard.indices(total).collect();
    for chunk in indices.chunks(window) {
        let states: Vec<PointState> = chunk
            .iter()
            .map(|&i| files::read_point(&o.out, i, &plan.hash))
            .collect();
        for (&i, state) in chunk.iter().zip(&states) {
            if let PointState::Stale(why) = state {
                say(format!("recomputing point {i}: {why}"));
            }
        }
        let runs: Vec<Option<(Result<PointText>, f64)>> = pool.install(|| {
            chunk
                .par_iter()
                .zip(&states)
                .map(|(&i, state)| match state {
                    PointState::Done(_) => None,
                    _ => {
                        let t0 = Instant::now();
                        let text = compute(&plan, i, &plan.grid.point(i));
                        Some((text, t0.elapsed().as_secs_f64()))
                    }
                })
                .collect()
        });
        for ((&i, state), run) in chunk.iter().zip(states).zip(runs) {
            let text = match (state, run) {
                (PointState::Done(t), _) => t,
                (_, Some((text, secs))) => {
                    let text = text?;
                    files::write_point(&o.out, i, &text)?;
                    computed += 1;
                    let left = to_compute.saturating_sub(computed);
                    let eta = started.elapsed().as_secs_f64() / computed as f64 * left as f64;
                    say(format!(
                        "[{}/{mine}] point {i}: {} ({secs:.1}s){}",
                        done + 1,
                        describe(&plan.grid.point(i)),
                        if left > 0 {
                            format!(", about {} left", duration(eta))
                        } else {
                            String::new()
                        }
                    ));
                    text
                }
                (_, None) => unreachable!("every point not done is computed"),
            };
            asm.add(&text)?;
            done += 1;
        }
    }
    asm.finish()?;
    // What killed runs left behind (ours are all renamed into place by now).
    files::remove_stale_temporaries(&o.out);
    // The report only for the whole sweep: a shard's would show part of the
    // grid; `loyalsim merge` writes it for sharded sweeps.
    if o.shard.n == 1 {
        crate::sweep::charts::write(&o.out, &say)?;
    } else {
        crate::sweep::charts::clear(&o.out)?;
    }
    say(format!(
        "wrote {} ({mine} points: {computed} run, {} reused)",
        o.out.display(),
        mine - computed
    ));
    Ok(Outcome {
        points: total,
        shard_points: mine,
        skipped: mine - computed,
        computed,
    })
}

/// Create the output folder, refusing one that holds another sweep.
fn prepare_dir(out: &Path, plan: &Plan) -> Result<()> {
    crate::report::output::ensure_dir(&out.join(files::POINTS))?;
    if let Some(m) = files::read_manifest(out)? {
        if m.loyalsim_version != crate::VERSION {
            return Err(Error::input(format!(
                "{} holds a sweep made by loyalsim {}, this is {}; choose another --out or delete it",
                out.display(),
                m.loyalsim_version,
                crate::VERSION
            )));
        }
        if m.sweep != plan.hash {
            return Err(Error::input(format!(
                "{} holds a different sweep (the scenario text, --set values, --replications, or a script or cohort file it reads changed); choose another --out or delete it",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Run one point and render its files.
/// The same computation as `loyalsim run` (engine, then statistics), so a
/// point's results equal a run of the scenario with those values.
fn compute(plan: &Plan, index: usize, point: &[Override]) -> Result<PointText> {
    let sc = plan.load(point)?;
    if crate::sweep::inputs_fingerprint(&sc) != plan.inputs[index] {
        // The results would carry the hash of what was read at the start.
        return Err(Error::input(format!(
            "{}: a script or cohort file this sweep reads changed while it ran (at point {index}); run the sweep again",
            plan.path.display()
        )));
    }
    let (results, reps) = crate::cli::run::compute(&sc, &|| {})?;
    Ok(PointText {
        json: files::run_json(&plan.hash, index, point, &results),
        csv: files::csv_rows(index, point, &results)?,
        replications: files::replication_rows(index, point, &reps)?,
    })
}

/// `75` → `1m 15s`.
fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_script_edited_while_the_sweep_runs_stops_it() {
        let t = tempfile::tempdir().unwrap();
        let script = t.path().join("stamps.rhai");
        std::fs::write(&script, include_str!("../../scripts/stamps.rhai")).unwrap();
        let scenario = t.path().join("s.toml");
        std::fs::write(
            &scenario,
            "[simulation]\ntime_unit = \"week\"\nhorizon = 4\nreplications = 2\n\
             [business]\ngross_margin = 0.5\n[population]\ncustomers = 5\n\
             [[population.segment]]\nname = \"a\"\nshare = 1\npurchase_rate = { fixed = 1 }\n\
             dropout = \"none\"\nbasket = { fixed = 5 }\n\
             [[program]]\nname = \"Card\"\n[program.script]\nfile = \"stamps.rhai\"\n\
             params = { card_size = 5, reward_value = 5.0, prestamped = 0, min_basket = 0.0, reward_cost_ratio = 0.5 }\n",
        )
        .unwrap();
        let plan = super::Plan::new(&scenario, &["simulation.seed=1,2".into()], None).unwrap();
        let point = plan.grid.point(1);
        assert!(super::compute(&plan, 1, &point).is_ok());
        let edited = format!("// edited\n{}", include_str!("../../scripts/stamps.rhai"));
        std::fs::write(&script, edited).unwrap();
        let err = super::compute(&plan, 1, &point).err().unwrap().to_string();
        assert!(err.contains("changed while it ran (at point 1)"), "{err}");
    }

    #[test]
    fn durations() {
        assert_eq!(super::duration(4.4), "4s");
        assert_eq!(super::duration(75.0), "1m 15s");
        assert_eq!(super::duration(7322.0), "2h 02m");
    }
}
