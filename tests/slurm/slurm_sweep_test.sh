#!/usr/bin/env bash
# A sweep through a real Slurm: starts a single-node cluster on this machine (Debian's
# slurm-wlm and munge: slurmctld, slurmd and munged, each with its own config, key,
# state directories and ports in a temporary directory, so nothing of a system Slurm
# or munge is used or touched), submits tests/data/sweeps/small.json with
# `s2sim sweep --submit`, waits for the job array, collects, and checks that the
# table equals the local run's byte for byte but for the host_s column (host time),
# and that every point's result file is the same bytes. Every daemon it started is
# stopped when it ends, passed or failed.
#
# Usage: slurm_sweep_test.sh S2SIM_BINARY SOURCE_DIR. Needs root (slurmd starts job
# steps as their user) and the packages of `scripts/setup-deps.sh --tests`. Where Slurm
# cannot run, it fails, saying why: it never skips.
set -euo pipefail
s2sim=$(realpath "$1")
src=$(realpath "$2")
spec=$src/tests/data/sweeps/small.json
points=8
timeout_s=180

fail() {
  echo "slurm test: FAILED: $*" >&2
  exit 1
}
for tool in munged slurmctld slurmd sbatch squeue sinfo scancel; do
  command -v "$tool" >/dev/null || fail "$tool not found: install slurm-wlm and munge (scripts/setup-deps.sh --tests)"
done
[ "$(id -u)" -eq 0 ] || fail "needs root: slurmd starts each job step as its user"

work=$(mktemp -d /tmp/s2sim-slurm.XXXXXX)
daemons=()
job=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$job" ]; then
    scancel "$job" 2>/dev/null || true
    for _ in $(seq 20); do [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${daemons[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/log/* "$work"/slurm/slurm-logs/*; do
      [ -f "$log" ] || continue
      echo "--- $log (last lines)" >&2
      tail -n 15 "$log" >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two free TCP ports next to each other for slurmctld and slurmd.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + $$ % 20000))
for _ in $(seq 200); do
  port_free "$port" && port_free $((port + 1)) && break
  port=$((port + 2))
done
port_free "$port" && port_free $((port + 1)) || fail "found no two free TCP ports"

mkdir -p "$work"/munge "$work"/log "$work"/ctld "$work"/spool
chmod 700 "$work"/munge
head -c 1024 /dev/urandom >"$work"/munge/munge.key
chmod 400 "$work"/munge/munge.key
# --force: munged refuses to run as root otherwise.
munged --foreground --force --key-file="$work"/munge/munge.key --socket="$work"/munge/socket \
  --pid-file="$work"/munge/munged.pid --seed-file="$work"/munge/seed --log-file="$work"/log/munged.log &
daemons+=($!)
for _ in $(seq 50); do [ -S "$work"/munge/socket ] && break; sleep 0.1; done
[ -S "$work"/munge/socket ] || fail "munged did not start"

node=$(hostname -s)
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=s2simtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/socket
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc)
PartitionName=s2sim Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -f "$SLURM_CONF" >"$work"/log/slurmctld.out 2>&1 &
daemons+=($!)
slurmd -D -f "$SLURM_CONF" -N "$node" >"$work"/log/slurmd.out 2>&1 &
daemons+=($!)
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -N -o %t 2>/dev/null || true)
  [ "$state" = "idle" ] && break
  sleep 0.5
done
[ "$state" = "idle" ] || fail "the Slurm node did not come up (state \"$state\")"

# The local run: the reference.
"$s2sim" sweep "$spec" --out "$work"/local --jobs 2 --quiet >/dev/null || fail "the local sweep failed"

# The same sweep as a job array.
out=$("$s2sim" sweep "$spec" --out "$work"/slurm --submit) || fail "s2sim sweep --submit failed: $out"
job=$(printf '%s\n' "$out" | sed -n 's/.* as job \([0-9][0-9]*\) .*/\1/p')
[ -n "$job" ] || fail "no job id in: $out"
grep -q "^#SBATCH --array=0-$((points - 1))\$" "$work"/slurm/sweep.sbatch || fail "sweep.sbatch has no --array=0-$((points - 1))"
waited=0
while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do
  [ "$waited" -lt $((timeout_s * 2)) ] || fail "job $job still queued or running after ${timeout_s} s: $(squeue -j "$job")"
  sleep 0.5
  waited=$((waited + 1))
done
ran=$(find "$work"/slurm/slurm-logs -name "${job}_*.out" | wc -l)
[ "$ran" -eq "$points" ] || fail "$ran of $points array tasks left a log"
job_done=$job
job=""

"$s2sim" sweep "$spec" --out "$work"/slurm --collect >/dev/null || fail "collect found failed or missing points"
without_host_time() { sed 's/,[^,]*$//' "$1"; }
cmp <(without_host_time "$work"/local/results.csv) <(without_host_time "$work"/slurm/results.csv) ||
  fail "the Slurm table differs from the local one"
[ "$(wc -l <"$work"/slurm/results.csv)" -eq $((points + 1)) ] || fail "the table has not $points rows"
for f in "$work"/local/points/*.result.json; do
  cmp "$f" "$work"/slurm/points/"$(basename "$f")" || fail "point result $(basename "$f") differs"
done
echo "slurm test: job $job_done ran $points points through slurmctld and slurmd; its table equals the local run's"
