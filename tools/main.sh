#!/usr/bin/env bash
# The Quick start's main job: installs what is missing, builds in release mode (showing the
# build's progress: a first build compiles every target and takes a few minutes), trains the demo
# model on the built-in English sample, prints the learning curve and a sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-deps.sh
echo "building the workbench (release; the first build takes a few minutes, later ones seconds) …"
start=$(date +%s)
swift build -c release --product workbench
echo "built in $(( $(date +%s) - start )) s"
bin=.build/release/workbench
run=runs/text-demo
if [ -e "$run/checkpoint.json" ]; then
  stamp=$(date +%Y%m%d-%H%M%S); mv "$run" "$run-$stamp"; echo "kept the previous demo run as $run-$stamp"
fi
"$bin" train --config configs/text-demo.toml --run-dir "$run"
echo
echo "sample (temperature 0.8, top-k 40):"
"$bin" sample --run-dir "$run" --prompt "BRUTUS." --new-tokens 300
