#!/usr/bin/env bash
# The ablation table of docs/results.md: train each configs/ablations/*.json (1 epoch, same data and seed) and
# evaluate it on the MediaWiki dev benchmark. Models go to .cache/ablations/ (not shipped). ~6-10 min per run on
# 2 cores. Usage: bash scripts/ablations.sh [name ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=($(ls configs/ablations/*.json | xargs -n1 basename | sed 's/\.json$//')); fi
for name in "${names[@]}"; do
  out=".cache/ablations/$name"
  if [ ! -f "$out/model.json" ]; then
    node dist/bin/tafuta.js train --config "configs/ablations/$name.json" --out "$out"
  fi
  node dist/bin/tafuta.js eval --bench data/bench/mediawiki-xling --model "$out" --encoder "$name" --mode dense --k 100 \
    --out "docs/eval/mediawiki-xling.$name.dense"
done
