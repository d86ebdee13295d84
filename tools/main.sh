#!/usr/bin/env bash
# The Quick start's main job: installs what is missing, builds in release mode, trains the demo
# model on the built-in English sample (about a minute), prints the learning curve and a sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh
swift build -c release --product workbench 2>&1 | grep -E "error|warning: unre|Compiling workbench|Build complete" || true
bin=.build/release/workbench
run=runs/text-demo
if [ -e "$run/checkpoint.json" ]; then
  stamp=$(date +%Y%m%d-%H%M%S); mv "$run" "$run-$stamp"; echo "kept the previous demo run as $run-$stamp"
fi
"$bin" train --config configs/text-demo.toml --run-dir "$run"
echo
echo "sample (temperature 0.8, top-k 40):"
"$bin" sample --run-dir "$run" --prompt "BRUTUS." --tokens 300
