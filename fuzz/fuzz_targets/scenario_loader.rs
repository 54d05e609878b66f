//! Fuzz the scenario loader: any text must load or give an error, never
//! panic, hang or exhaust memory. Scripts and cohort files named in the
//! text resolve against the repository's `scenarios/` folder, so the seed
//! corpus (the example scenarios) reaches the script compiler too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/fuzz.toml"));
    if let Ok(sc) = loyalsim::scenario::load_str(text, Some(path)) {
        // A loaded scenario passed every check: its figures must be usable.
        assert!(sc.simulation.horizon.is_finite() && sc.simulation.horizon > 0.0);
    }
});
