#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine (controller and compute node = localhost),
# for the workbench's Slurm integration test and for trying `workbench sweep --backend slurm`.
# Installs Debian's slurm-wlm and munge when missing, writes /etc/slurm/slurm.conf (only if there
# is none, or it is one this script wrote), starts munged, slurmctld and slurmd directly (no
# systemd, no cgroups) with their state, logs and pid files under $WORKBENCH_SLURM_STATE
# (default /tmp/workbench-slurm), and waits until the node is idle. tools/slurm/stop.sh ends them.
# Exits non-zero saying why when Slurm cannot be brought up.
set -euo pipefail
STATE=${WORKBENCH_SLURM_STATE:-/tmp/workbench-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# written by the workbench's tools/slurm/start.sh"
say() { echo "slurm/start: $*"; }
die() { echo "slurm/start: error: $*" >&2; exit 1; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

# 1. Packages.
need=()
for cmd in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
  command -v "${cmd%%:*}" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "${cmd%%:*}" >/dev/null 2>&1 || need+=("${cmd##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing slurm-wlm munge (missing: ${need[*]})"
  $SUDO apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null || die "apt-get install slurm-wlm munge failed"
fi
export PATH="$PATH:/usr/sbin"

# 2. Configuration: one node, this host, addressed as 127.0.0.1.
host=$(hostname -s)
nodeline=$(slurmd -C | head -n 1)                  # NodeName=… CPUs=… RealMemory=… as slurmd sees them
[[ "$nodeline" == NodeName=* ]] || die "slurmd -C did not describe this node: $nodeline"
if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
  die "$CONF exists and was not written by this script; refusing to replace a real cluster's configuration"
fi
$SUDO mkdir -p "$STATE/ctld" "$STATE/spool" "$STATE/log" /etc/slurm
cat <<CONF | $SUDO tee "$CONF.tmp" >/dev/null
$MARK ($(date -u +%FT%TZ)); tools/slurm/stop.sh removes it.
ClusterName=workbench
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No systemd, no cgroups in a container: track processes through /proc, bind no tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
# CPUs are the consumable resource (memory is not enforced on this test node).
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
ReturnToService=2
JobRequeue=1
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
$nodeline NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
$SUDO mv "$CONF.tmp" "$CONF"
say "wrote $CONF for node $host ($(echo "$nodeline" | grep -o 'CPUs=[0-9]*'), state in $STATE)"

# 3. munge: its key (the package makes one; make one if it did not) and its daemon.
if [ ! -s /etc/munge/munge.key ]; then
  $SUDO mungekey --create --keyfile=/etc/munge/munge.key || die "cannot create /etc/munge/munge.key"
  $SUDO chown munge:munge /etc/munge/munge.key; $SUDO chmod 400 /etc/munge/munge.key
fi
$SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
$SUDO chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  $SUDO runuser -u munge -- /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null 2>&1 || die "munge does not work: $(munge -n 2>&1 | unmunge 2>&1 | tail -n 1)"
say "munged is up"

# 4. The Slurm daemons (they put themselves in the background and write their pid files).
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if alive "$STATE/slurmctld.pid"; then
  $SUDO scontrol reconfigure || die "scontrol reconfigure failed"
else
  # No controller of ours is alive: whatever state an earlier one left (jobs, node states) goes.
  $SUDO rm -rf "$STATE/ctld" "$STATE/spool"; $SUDO mkdir -p "$STATE/ctld" "$STATE/spool"
  $SUDO slurmctld -i -c || die "slurmctld did not start: $(tail -n 5 "$STATE/log/slurmctld.log" 2>/dev/null)"
fi
alive "$STATE/slurmd.pid" || $SUDO slurmd || die "slurmd did not start: $(tail -n 5 "$STATE/log/slurmd.log" 2>/dev/null)"

# 5. Wait until the node takes jobs.
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -n 1 || true)
  case "$state" in idle|mixed|allocated) break ;; esac
  case "$state" in drain*|down*) $SUDO scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;; esac
  sleep 1
done
case "$state" in
  idle|mixed|allocated) say "node $host is $state; partition debug takes jobs (sbatch, squeue, scancel work as root)" ;;
  *) die "the node $host did not become idle (state '${state:-unknown}'); slurmctld log: $(tail -n 5 "$STATE/log/slurmctld.log" 2>/dev/null); slurmd log: $(tail -n 5 "$STATE/log/slurmd.log" 2>/dev/null)" ;;
esac
