#!/usr/bin/env bash
# Measures `hotshard scan` throughput and peak memory on a generated corpus
# of about 1 GB (one million distinct ids, a few hot ones), plain and gzip.
# Usage: scripts/benchmark.sh [size-mb] [work-dir]
# Prints one Markdown table row per run; results go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=${1:-1000}
work_dir=${2:-/tmp/hotshard-benchmark}
build_dir=${HSI_BUILD_DIR:-build}
hotshard="$build_dir/app/hotshard"
runs=${HSI_BENCHMARK_RUNS:-3}

mkdir -p "$work_dir"
plain="$work_dir/corpus-${size_mb}mb.ndjson"
gzipped="$work_dir/corpus-${size_mb}mb.ndjson.gz"
if [ ! -s "$plain" ]; then
  "$hotshard" generate --preset benchmark --size-mb "$size_mb" --out "$plain"
fi
if [ ! -s "$gzipped" ]; then
  "$hotshard" generate --preset benchmark --size-mb "$size_mb" --gzip --out "$gzipped"
fi
uncompressed=$(stat -c %s "$plain")

# Reads the corpus once so that every run starts from the page cache.
cat "$plain" "$gzipped" > /dev/null

# Virtual machines of the same kind run faster or slower by a tenth or more
# from one hour to the next. Two fixed jobs, timed before the runs, show
# the machine's speed at the time: hashing stands for the cores and
# counting lines for the memory.
reference() {
  { /usr/bin/time -f "%e" sh -c "$1" > /dev/null; } 2>&1 | tail -n 1
}
hash_seconds=$(reference "head -c 300000000 '$plain' | sha256sum")
lines_seconds=$(reference "wc -l '$plain'")
echo "Machine speed now: sha256sum of 300 MB in ${hash_seconds} s," \
  "wc -l of the plain corpus in ${lines_seconds} s."
echo

echo "| input | run | seconds | MB/s (uncompressed) | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|"
for input in "$plain" "$gzipped"; do
  for run in $(seq 1 "$runs"); do
    stats=$( { /usr/bin/time -f "%e %M" "$hotshard" scan --json /dev/null "$input" \
      > /dev/null; } 2>&1 | tail -n 1)
    seconds=${stats% *}
    rss_kb=${stats#* }
    awk -v name="$(basename "$input")" -v run="$run" -v s="$seconds" \
        -v bytes="$uncompressed" -v kb="$rss_kb" \
        'BEGIN { printf "| %s | %d | %.2f | %.0f | %.0f |\n", name, run, s, bytes / 1e6 / s, kb / 1024 }'
  done
done
