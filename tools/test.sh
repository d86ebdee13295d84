#!/usr/bin/env bash
# Runs the whole test suite (release build: the numeric tests train tiny models) and ends with
# a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh || exit 1
log=$(mktemp)
swift test -c release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# XCTest: "Executed N tests, with F failures …" or "… with S tests skipped and F failures …"
# (the Slurm tests skip unless WORKBENCH_SLURM_TEST=1).
summary=$(grep -E "Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?" "$log" | tail -n 1)
total=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) failures?.*/\1/')
skipped=$(echo "$summary" | sed -nE 's/.*with ([0-9]+) tests? skipped.*/\1/p')
skipped=${skipped:-0}
rm -f "$log"
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed"; [ "$status" -eq 0 ] && status=1
else
  if [ "$skipped" -gt 0 ]; then echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
  else echo "$((total - failed)) passed, $failed failed"; fi
fi
exit "$status"
