#!/bin/bash
# Issue 23 (docs/benchmarks/bulk-index-100k.md): `tafuta index` of a corpus into a fresh data directory under
# /usr/bin/time -v, sampling the process's CPU ticks (all threads) and RSS every 2 s, with the load before and after.
# Usage: scripts/bench-bulk-index-run.sh <name> <corpus.jsonl>   (results in ${BENCH_OUT:-/tmp/tafuta-bulk-index}/<name>/)
set -eu
name=$1; corpus=$(realpath "$2")
out=${BENCH_OUT:-/tmp/tafuta-bulk-index}/$name; rm -rf "$out"; mkdir -p "$out"
cd "$(dirname "$0")/.."
uptime > "$out/uptime.start"
/usr/bin/time -v node dist/bin/tafuta.js index -c bench -i "$corpus" -d "$out/data" > "$out/cli.out" 2> "$out/time.log" &
tpid=$!
sleep 0.5
npid=$(pgrep -P $tpid | head -1)
tck=$(getconf CLK_TCK)
while kill -0 "$npid" 2>/dev/null; do
  if [ -r "/proc/$npid/stat" ]; then
    read -r -a f < "/proc/$npid/stat" || true
    rss=$(awk '/VmRSS/{print $2}' "/proc/$npid/status" 2>/dev/null || true)
    echo "$(date +%s.%N | cut -c1-14) cpu=$(( ${f[13]} + ${f[14]} ))/$tck rss_kb=$rss load=$(cut -d' ' -f1 /proc/loadavg)" >> "$out/samples.txt"
  fi
  sleep 2
done
wait $tpid
uptime > "$out/uptime.end"
grep -E "Elapsed|Maximum resident|User time|System time|Percent of CPU" "$out/time.log"
tail -1 "$out/cli.out"
grep -o '"insertMs":[0-9]*,"saveMs":[0-9]*' "$out/time.log" || true
