#!/bin/sh
# Real-browser check of report.html: opens it in headless Chromium, saves a
# screenshot, and fails on a blank page, missing charts or console errors.
# Prints SKIPPED (and succeeds) when /usr/bin/chromium is missing; install it
# with .ci/install-browser.sh.
#
# Usage: tests/browser/check_report.sh [REPORT_DIR]
#   REPORT_DIR: a folder with report.html (e.g. from `loyalsim run --out DIR`);
#   without it the sample scenario's report is built and checked.
# The screenshot and browser log land in target/tmp/browser-check/ (or under
# $CARGO_TARGET_DIR).
set -eu
cd "$(dirname "$0")/../.."
if [ $# -ge 1 ]; then
    LOYALSIM_REPORT_DIR="$(cd "$1" && pwd)"
    export LOYALSIM_REPORT_DIR
fi
exec cargo test --release --test browser_check -- --nocapture
