#!/usr/bin/env bash
# The Slurm recipe against a real single-node Slurm cluster:
#   1. build loyalsim (release) and start the cluster (cluster/slurm/local-cluster.sh,
#      installs the Debian packages if missing; needs root),
#   2. run a small sweep unsharded, on this machine,
#   3. submit the same sweep as a 3-task job array plus a dependent merge job
#      (cluster/slurm/submit.sh), wait for both (bounded), check they completed,
#   4. compare the merged output with the unsharded one byte for byte (cmp),
#   5. submit a sweep whose shards fail and check the merge job is cancelled
#      rather than left pending (--kill-on-invalid-dep=yes),
#   6. stop the cluster (also on failure).
# Exit 0 when everything matches. Environment: TIMEOUT (seconds per wait,
# default 120), KEEP=1 keeps the work folder, LOYALSIM_SLURM_PORT (default 6817).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TIMEOUT=${TIMEOUT:-120}
WORK=$(mktemp -d /tmp/loyalsim-slurm-test.XXXXXX)
export LOYALSIM_SLURM_DIR=$WORK/cluster
export SLURM_CONF=$LOYALSIM_SLURM_DIR/slurm.conf
PATH=$PATH:/usr/sbin
START=$(date +%s)
STARTED=0

step() { echo "== slurm test: $*"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
cleanup() {
    local rc=$?
    if [ "$STARTED" = 1 ]; then
        step "stopping the cluster"
        "$ROOT/cluster/slurm/local-cluster.sh" stop || true
    fi
    if [ "$rc" != 0 ]; then
        echo "-- logs (work folder $WORK):" >&2
        tail -n 20 "$WORK"/out*/logs/*.out "$LOYALSIM_SLURM_DIR"/*.log 2>/dev/null >&2 || true
    elif [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$WORK"
    fi
    echo "== slurm test: $([ "$rc" = 0 ] && echo PASSED || echo FAILED) in $(($(date +%s) - START)) s"
}
trap cleanup EXIT

# Wait until none of the jobs $@ is pending or running (at most TIMEOUT s).
wait_jobs() {
    local deadline=$(($(date +%s) + TIMEOUT))
    while [ -n "$(squeue -h -j "$(IFS=,; echo "$*")" 2>/dev/null)" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { squeue >&2; fail "jobs $* still queued after $TIMEOUT s"; }
        sleep 0.5
    done
}
# Final state of the job whose completion record matches the regex $1
# (jobcomp/filetxt; there is no accounting database, so no sacct).
state_of() {
    { grep -E "$1" "$LOYALSIM_SLURM_DIR/jobcomp.txt" 2>/dev/null || true; } | tail -n 1 |
        sed -E 's/.*JobState=([A-Z_]+).*/\1/'
}
job_state() { state_of "^JobId=$1 "; }

step "building loyalsim (cargo build --release)"
(cd "$ROOT" && cargo build --release --quiet)
export LOYALSIM=${CARGO_TARGET_DIR:-$ROOT/target}/release/loyalsim
[ -x "$LOYALSIM" ] || fail "no binary at $LOYALSIM"

step "starting a single-node Slurm cluster in $LOYALSIM_SLURM_DIR"
STARTED=1
"$ROOT/cluster/slurm/local-cluster.sh" start

SCENARIO=$ROOT/tests/fixtures/sweep/tiny.toml
SET=(--set 'program[Stamp card].stamps.prestamped=0..2:1' --replications 3)

step "unsharded sweep on this machine -> $WORK/single"
"$LOYALSIM" sweep "$SCENARIO" "${SET[@]}" --out "$WORK/single" --quiet

step "submitting 3 shards as a job array + dependent merge (cluster/slurm/submit.sh)"
IDS=$("$ROOT/cluster/slurm/submit.sh" -n 3 -o "$WORK/out" "$SCENARIO" "${SET[@]}")
echo "$IDS"
ARRAY=$(echo "$IDS" | sed -n 's/^ARRAY_JOB=//p')
MERGE=$(echo "$IDS" | sed -n 's/^MERGE_JOB=//p')
[ -n "$ARRAY" ] && [ -n "$MERGE" ] || fail "submit.sh printed no job ids"
wait_jobs "$ARRAY" "$MERGE"
# sbatch/squeue say nothing about failure: check the recorded states and files.
for k in 1 2 3; do
    s=$(state_of "ArrayJobId=$ARRAY ArrayTaskId=$k ")
    echo "   shard $k/3 (array task ${ARRAY}_$k): ${s:-unknown}"
    [ "$s" = COMPLETED ] || fail "shard $k/3 ended as '${s:-unknown}'"
done
state=$(job_state "$MERGE")
echo "   merge job $MERGE: ${state:-unknown}"
[ "$state" = COMPLETED ] || fail "merge job $MERGE ended as '${state:-unknown}'"
[ -f "$WORK/out/merged/sweep.json" ] || fail "no merged sweep.json"

echo "   jobs done $(($(date +%s) - START)) s after the start"
step "comparing merged output with the unsharded run (cmp)"
for f in sweep.json sweep.csv shard.json; do
    cmp "$WORK/single/$f" "$WORK/out/merged/$f" || fail "$f differs"
    echo "   $f identical ($(wc -c <"$WORK/single/$f") bytes)"
done
n=0
for f in "$WORK"/single/points/*; do
    cmp "$f" "$WORK/out/merged/points/$(basename "$f")" || fail "points/$(basename "$f") differs"
    n=$((n + 1))
done
[ "$(ls "$WORK/out/merged/points" | wc -l)" = "$n" ] || fail "merged has other point files"
echo "   $n point files identical"

step "a sweep whose shards fail: the merge job must be cancelled, not left pending"
# The sweep is valid (submit.sh checks it), but the shards cannot create their
# output folders (files stand in the way), so every shard fails.
mkdir -p "$WORK/out-bad"
touch "$WORK/out-bad/shard-1" "$WORK/out-bad/shard-2"
IDS=$("$ROOT/cluster/slurm/submit.sh" -n 2 -o "$WORK/out-bad" "$SCENARIO" "${SET[@]}")
ARRAY=$(echo "$IDS" | sed -n 's/^ARRAY_JOB=//p')
MERGE=$(echo "$IDS" | sed -n 's/^MERGE_JOB=//p')
wait_jobs "$ARRAY" "$MERGE"
state=$(job_state "$MERGE")
echo "   merge job $MERGE: ${state:-unknown}"
[ "$state" = CANCELLED ] || fail "merge job after failed shards ended as '${state:-unknown}', expected CANCELLED"
[ ! -e "$WORK/out-bad/merged" ] || fail "a merged folder exists although shards failed"
