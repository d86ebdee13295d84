#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and runs each for a bounded time on a scratch copy of
# its committed seed corpus; prints the inputs tried per target and exits non-zero on any
# crash, hang (timeout) or memory blow-up. See tools/fuzz/README.md.
#
#   bash tools/fuzz/run.sh [seconds-per-target] [target ...]     # default: 60 s, all 8 targets
#
# Environment: FUZZ_JOBS (targets run at once, default 1), FUZZ_RSS_MB (default 2048),
# FUZZ_TIMEOUT (seconds per input before it counts as a hang, default 10),
# FUZZ_ARTIFACTS (where crashing inputs go, default tools/fuzz/artifacts).
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
all=(png toml-config tokenizer-json safetensors metrics-jsonl summary-json deepmind-math shard-manifest)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
jobs=${FUZZ_JOBS:-1}
rss=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}
artifacts=${FUZZ_ARTIFACTS:-$PWD/artifacts}
mkdir -p "$artifacts"

# `--sanitize=fuzzer` instruments every Swift module, the workbench's parsers included.
# `-Xswiftc -O` comes after the main package's release-only `-Ounchecked` and wins, so the
# fuzzed code keeps its overflow and bounds checks (a trap is exactly what we look for).
echo "building the fuzz targets (release, --sanitize=fuzzer) …"
build_start=$(date +%s)
if ! swift build -c release --sanitize=fuzzer -Xswiftc -O 2>&1 | grep -E "error|Compiling|Build complete" ; then
  echo "fuzz build failed"; exit 2
fi
[ -x .build/release/fuzz-png ] || { echo "fuzz build failed"; exit 2; }
echo "build took $(( $(date +%s) - build_start )) s"
bin=$(swift build -c release --sanitize=fuzzer -Xswiftc -O --show-bin-path)

# The Swift runtime's crash backtracer would take the signal before libFuzzer can save the input.
export SWIFT_BACKTRACE=enable=no
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

fuzz_one() {
  local t=$1 dir="$scratch/$1"
  mkdir -p "$dir/corpus"
  cp corpus/"$t"/* "$dir/corpus/"
  local start; start=$(date +%s)
  "$bin/fuzz-$t" -max_total_time="$seconds" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" -timeout="$timeout" \
    -print_final_stats=1 -artifact_prefix="$artifacts/$t-" "$dir/corpus" > "$dir/log" 2>&1
  local rc=$? took=$(( $(date +%s) - start ))
  local runs; runs=$(grep -E '^stat::number_of_executed_units:' "$dir/log" | awk '{print $2}')
  [ -z "$runs" ] && runs=$(grep -oE '^#[0-9]+' "$dir/log" | tail -n 1 | tr -d '#')
  local verdict=ok
  if [ "$rc" -ne 0 ]; then
    verdict="FAILED (exit $rc): $(grep -m1 -E 'ERROR: libFuzzer|Fatal error|Assertion' "$dir/log" | cut -c1-160)"
    cp "$dir/log" "$artifacts/$t.log"
    verdict="$verdict; input and log in $artifacts/$t-* and $artifacts/$t.log"
  fi
  printf '%-16s %12s inputs %6s s %8s inputs/s  %s\n' "$t" "${runs:-?}" "$took" "$(( ${runs:-0} / (took > 0 ? took : 1) ))" "$verdict" > "$dir/result"
  [ "$rc" -eq 0 ]
}

failed=0
pids=()
for t in "${targets[@]}"; do
  [ -d "corpus/$t" ] || { echo "unknown target '$t' (known: ${all[*]})"; exit 2; }
  fuzz_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done

echo "target               inputs tried    time      rate"
for t in "${targets[@]}"; do cat "$scratch/$t/result"; done
if [ "$failed" -ne 0 ]; then echo "fuzzing found a problem"; exit 1; fi
echo "no crash, hang or memory blow-up in ${#targets[@]} target(s)"
