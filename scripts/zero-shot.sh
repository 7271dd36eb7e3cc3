#!/usr/bin/env bash
# The "Zero-shot languages" section of docs/results.md: train configs/zero-shot/zs-no-xh-qu.json (the 1-epoch
# full model abl-4-full without xh and qu), then evaluate it and abl-4-full (trained first if missing) on every
# benchmark with xh or qu queries, with the options of the benchmark rows (cldr-emoji: the seeded 500-query
# sample per language). abl-4-full-seed2 (abl-4-full with seed 2) is trained and evaluated too: the run-to-run
# noise reference of the section.
# Models go to .cache/ (not shipped). ~8-10 min of training per missing model on 2 cores; evals ~1 min per model.
# Usage: bash scripts/zero-shot.sh   then   node dist/scripts/results.js
set -euo pipefail
cd "$(dirname "$0")/.."
run=zs-no-xh-qu
full=abl-4-full
replicate=abl-4-full-seed2
declare -A dir=([$run]=".cache/zero-shot/$run" [$full]=".cache/ablations/$full" [$replicate]=".cache/zero-shot/$replicate")
declare -A config=([$run]="configs/zero-shot/$run.json" [$full]="configs/ablations/$full.json" [$replicate]="configs/zero-shot/$replicate.json")
declare -A extra=([mediawiki-xling]="" [udhr]="" [cldr-emoji]="--max-queries 500 --seed 42")
for name in "$full" "$run" "$replicate"; do
  if [ ! -f "${dir[$name]}/model.json" ]; then
    node dist/bin/tafuta.js train --config "${config[$name]}" --out "${dir[$name]}"
  fi
  for bench in mediawiki-xling udhr cldr-emoji; do
    out="docs/eval/$bench.$name.dense"
    if [ -f "$out.json" ]; then continue; fi # delete the report to re-run it
    # shellcheck disable=SC2086
    node dist/bin/tafuta.js eval --bench "data/bench/$bench" --model "${dir[$name]}" --encoder "$name" --mode dense --k 100 \
      ${extra[$bench]} --out "$out"
  done
done
