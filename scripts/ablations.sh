#!/usr/bin/env bash
# The ablation table of docs/results.md: train each configs/ablations/*.json (1 epoch, same data and seed) and
# evaluate it on the MediaWiki dev benchmark. Models go to .cache/ablations/ (not shipped). ~4-10 min per run on
# 2 cores. Usage: bash scripts/ablations.sh [--configs DIR] [name ...]   (default: configs/ablations, every config)
# `--configs configs/pooling` runs the pooling comparison (mean / SIF / attention, 3 seeds each);
# `--configs configs/ablations-shipped` the ablations at the shipped recipe (attention pooling, 3-4-grams).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=configs/ablations
if [ "${1:-}" = "--configs" ]; then dir="${2:?--configs needs a directory}"; shift 2; fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=($(ls "$dir"/*.json | xargs -n1 basename | sed 's/\.json$//')); fi
for name in "${names[@]}"; do
  out=".cache/ablations/$name"
  if [ ! -f "$out/model.json" ]; then
    node dist/bin/tafuta.js train --config "$dir/$name.json" --out "$out"
  fi
  node dist/bin/tafuta.js eval --bench data/bench/mediawiki-xling --model "$out" --encoder "$name" --mode dense --k 100 \
    --out "docs/eval/mediawiki-xling.$name.dense"
done
