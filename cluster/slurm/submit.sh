#!/usr/bin/env bash
# Submit a loyalsim sweep to Slurm: a job array with one task per shard, and a
# merge job that runs after every shard succeeded.
#
#   cluster/slurm/submit.sh -n SHARDS -o OUTDIR SCENARIO.toml [sweep args: --set KEY=VALUES ... --replications N]
#
# Results: OUTDIR/merged (sweep.json, sweep.csv, points/), shard folders
# OUTDIR/shard-K, Slurm logs OUTDIR/logs. Extra sbatch options (partition,
# time limit, account) go in SBATCH_OPTS, e.g. SBATCH_OPTS="-p long -t 2:00:00".
# LOYALSIM names the binary (default: loyalsim on PATH); it must be reachable
# from the compute nodes, like OUTDIR and the scenario.
# Prints ARRAY_JOB=<id> and MERGE_JOB=<id> on stdout.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
usage() {
    echo "usage: $0 -n SHARDS -o OUTDIR SCENARIO.toml [--set KEY=VALUES ...] [--replications N]" >&2
    exit 2
}
N=""
OUT=""
while getopts "n:o:h" opt; do
    case $opt in
    n) N=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ -n "$N" ] && [ -n "$OUT" ] && [ $# -ge 1 ] || usage
case $N in '' | *[!0-9]* | 0) echo "submit.sh: -n must be a whole number >= 1" >&2; exit 2 ;; esac
SCENARIO=$(realpath "$1")
shift
mkdir -p "$OUT/logs"
OUT=$(realpath "$OUT")
LOYALSIM=$(command -v "${LOYALSIM:-loyalsim}" || true)
[ -n "$LOYALSIM" ] || { echo "submit.sh: loyalsim not found; set LOYALSIM=/path/to/loyalsim" >&2; exit 2; }
export LOYALSIM=$(realpath "$LOYALSIM")

# Check the sweep (keys, values) here, before anything is queued.
"$LOYALSIM" sweep "$SCENARIO" "$@" --shard "1/$N" --dry-run >&2

# shellcheck disable=SC2086
ARRAY=$(sbatch --parsable ${SBATCH_OPTS:-} --array="1-$N" --export=ALL \
    --output="$OUT/logs/shard-%a.out" "$HERE/sweep.sbatch" "$N" "$OUT" "$SCENARIO" "$@")
ARRAY=${ARRAY%%;*}
# shellcheck disable=SC2086
MERGE=$(sbatch --parsable ${SBATCH_OPTS:-} --dependency="afterok:$ARRAY" --kill-on-invalid-dep=yes \
    --export=ALL --output="$OUT/logs/merge.out" "$HERE/merge.sbatch" "$N" "$OUT")
MERGE=${MERGE%%;*}
echo "submit.sh: array job $ARRAY ($N shards) -> $OUT/shard-1..$N; merge job $MERGE -> $OUT/merged" >&2
echo "ARRAY_JOB=$ARRAY"
echo "MERGE_JOB=$MERGE"
