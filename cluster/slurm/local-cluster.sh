#!/usr/bin/env bash
# Start or stop a real single-node Slurm cluster on this machine, for testing
# the sweep recipe against the real scheduler (not a mock).
#
#   cluster/slurm/local-cluster.sh start   # install if missing, start munged, slurmctld, slurmd
#   cluster/slurm/local-cluster.sh stop    # cancel jobs, shut down, stop our daemons
#   cluster/slurm/local-cluster.sh env     # print the export line for clients
#
# Debian 12 packages (slurmctld slurmd slurm-client munge, Slurm 22.05) are
# installed with apt-get only when missing; needs root. Node and controller are
# both `localhost` (127.0.0.1), no cgroups, no accounting database. Everything
# (config, state, logs, pid files, the munge socket) lives in one folder,
# LOYALSIM_SLURM_DIR (default /tmp/loyalsim-slurm); clients find the cluster
# through SLURM_CONF=$LOYALSIM_SLURM_DIR/slurm.conf. Ports: LOYALSIM_SLURM_PORT
# (controller, default 6817) and the next one (node).
set -euo pipefail

DIR=${LOYALSIM_SLURM_DIR:-/tmp/loyalsim-slurm}
PORT=${LOYALSIM_SLURM_PORT:-6817}
CONF=$DIR/slurm.conf
export SLURM_CONF=$CONF

say() { echo "local-cluster: $*" >&2; }

install_if_missing() {
    local missing=0
    for c in slurmctld slurmd sbatch munged; do
        command -v "$c" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$c" >/dev/null 2>&1 || missing=1
    done
    if [ "$missing" = 0 ]; then return; fi
    say "installing slurmctld slurmd slurm-client munge (apt-get)"
    local pkgs=(slurmctld slurmd slurm-client munge)
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${pkgs[@]}" >"$DIR.apt.log" 2>&1; then
        apt-get update >>"$DIR.apt.log" 2>&1
        apt-get install -y --no-install-recommends "${pkgs[@]}" >>"$DIR.apt.log" 2>&1 ||
            { say "apt-get failed, see $DIR.apt.log"; exit 1; }
    fi
}

# Wait until the pid file $1 exists and names a live process (at most 20 s).
wait_pid() {
    for _ in $(seq 1 200); do
        if [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    say "no live process behind $1 after 20 s; logs in $DIR"
    tail -n 20 "$DIR"/*.log >&2 || true
    return 1
}

stop_pid() { # stop the process in pid file $1 (one we started), wait for it
    [ -s "$1" ] || return 0
    local pid
    pid=$(cat "$1")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

write_conf() {
    local cpus
    cpus=$(nproc)
    cat >"$CONF" <<CONF
# Written by cluster/slurm/local-cluster.sh: a single-node test cluster.
ClusterName=loyalsim-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
    mkdir -p "$(dirname "$DIR")"
    install_if_missing
    PATH=$PATH:/usr/sbin
    if [ -d "$DIR" ]; then stop_daemons; fi
    # State from a cluster with another name stops the controller: start clean.
    rm -rf "$DIR"
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
    chmod 700 "$DIR/munge"
    write_conf
    say "starting munged (socket $DIR/munge/munge.socket)"
    munged --force --socket="$DIR/munge/munge.socket" --pid-file="$DIR/munge/munged.pid" \
        --log-file="$DIR/munged.log" --seed-file="$DIR/munge/munged.seed"
    wait_pid "$DIR/munge/munged.pid"
    say "starting slurmctld (port $PORT)"
    slurmctld -f "$CONF"
    wait_pid "$DIR/slurmctld.pid"
    say "starting slurmd (node localhost)"
    slurmd -f "$CONF" -N localhost
    wait_pid "$DIR/slurmd.pid"
    for _ in $(seq 1 100); do
        if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
            say "cluster up: $(sinfo -h -o '%P %D %t %c' 2>/dev/null)"
            say "clients: export SLURM_CONF=$CONF"
            return 0
        fi
        sleep 0.2
    done
    say "node did not become idle in 20 s"
    sinfo >&2 || true
    tail -n 20 "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 || true
    return 1
}

stop_daemons() {
    PATH=$PATH:/usr/sbin
    if [ -s "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null; then
        # Running jobs survive a shutdown: cancel them first.
        scancel --full --quiet --user=root 2>/dev/null || true
        for _ in $(seq 1 50); do
            [ -z "$(squeue -h 2>/dev/null)" ] && break
            sleep 0.2
        done
        scontrol shutdown 2>/dev/null || true
    fi
    stop_pid "$DIR/slurmd.pid"
    stop_pid "$DIR/slurmctld.pid"
    stop_pid "$DIR/munge/munged.pid"
}

case "${1:-}" in
start) start ;;
stop)
    stop_daemons
    say "stopped (logs kept in $DIR)"
    ;;
env) echo "export SLURM_CONF=$CONF" ;;
*)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
