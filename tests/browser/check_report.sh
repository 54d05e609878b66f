#!/bin/sh
# Real-browser check of the run report and the sweep report: opens each
# report.html in headless Chromium, saves a screenshot, and fails on a blank
# page, missing charts, a sweep heatmap painted in one colour although its
# values differ, or console errors. Prints SKIPPED (and succeeds) when
# /usr/bin/chromium is missing; install it with .ci/install-browser.sh.
#
# Usage: tests/browser/check_report.sh [DIR ...]
#   DIR: a folder with report.html, from `loyalsim run --out DIR` or (a
#   folder holding shard.json) from `loyalsim sweep --out DIR` / `merge`;
#   without it the sample scenario's report and a two-key sweep of
#   tests/fixtures/sweep/tiny.toml are built and checked.
# The screenshots and browser logs land in target/tmp/browser-check/ (or
# under $CARGO_TARGET_DIR).
set -eu
cd "$(dirname "$0")/../.."
for dir in "$@"; do
    abs="$(cd "$dir" && pwd)"
    if [ -f "$abs/shard.json" ]; then
        LOYALSIM_SWEEP_DIR="$abs"
        export LOYALSIM_SWEEP_DIR
    else
        LOYALSIM_REPORT_DIR="$abs"
        export LOYALSIM_REPORT_DIR
    fi
done
exec cargo test --release --test browser_check -- --nocapture
