#!/usr/bin/env bash
# Runs the whole test suite (release build: the numeric tests train tiny models) and ends with
# a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh || exit 1
log=$(mktemp)
swift test -c release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -n 1)
total=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failed=$(echo "$summary" | sed -E 's/.*with ([0-9]+) failures?.*/\1/')
rm -f "$log"
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed"; [ "$status" -eq 0 ] && status=1
else
  echo "$((total - failed)) passed, $failed failed"
fi
exit "$status"
