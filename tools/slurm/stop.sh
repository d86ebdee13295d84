#!/usr/bin/env bash
# Stops what tools/slurm/start.sh started: cancels jobs left in the queue, ends slurmd and
# slurmctld (by their pid files), munged (by its pid file), and removes the configuration it
# wrote and its state folder. Safe to run when nothing is running.
set -uo pipefail
STATE=${WORKBENCH_SLURM_STATE:-/tmp/workbench-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# written by the workbench's tools/slurm/start.sh"
export PATH="$PATH:/usr/sbin"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
say() { echo "slurm/stop: $*"; }

stop_pidfile() {   # name, pid file
  [ -f "$2" ] || return 0
  local pid; pid=$(cat "$2")
  if kill -0 "$pid" 2>/dev/null; then
    $SUDO kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && $SUDO kill -KILL "$pid"
    say "stopped $1 ($pid)"
  fi
  $SUDO rm -f "$2"
}

if [ -f "$CONF" ] && grep -qF "$MARK" "$CONF"; then
  command -v scancel >/dev/null 2>&1 && $SUDO scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
  stop_pidfile slurmd "$STATE/slurmd.pid"
  stop_pidfile slurmctld "$STATE/slurmctld.pid"
  stop_pidfile munged /run/munge/munged.pid
  $SUDO rm -f "$CONF"
  $SUDO rm -rf "$STATE"
  say "done"
else
  say "no Slurm started by tools/slurm/start.sh here ($CONF is missing or not ours); nothing to stop"
fi
