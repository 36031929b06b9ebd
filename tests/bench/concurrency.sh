#!/usr/bin/env bash
# Lambda Managed Instances in one execution environment: `cargo slim bench
# --concurrency N` on the concurrent fixture (lambda_runtime's run_concurrent),
# x86_64, run natively, for a handler that waits (sleep_ms: I/O-like) and one
# that computes (spin_ms: CPU-bound), at two memory sizes (1,769 MB = 1 vCPU
# of CFS quota, 3,538 MB = 2). Each row: throughput at one invocation at a
# time and at N, their ratio, and the latency at N.
#
# Prints a Markdown table (docs/concurrency.md holds the last run) and leaves
# each session's JSON in target/bench/concurrency/.
#
# Usage: tests/bench/concurrency.sh [WARM]   (invocations per load, default 200)
set -euo pipefail
warm=${1:-200}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fn="$repo/tests/fixtures/concurrent"
tgt="$repo/target/bench"
triple=x86_64-unknown-linux-musl
# shellcheck source=tests/bench/tools.sh
. "$repo/tests/bench/tools.sh"
slim_binary "$repo"
out="$tgt/concurrency"
rm -rf "$out" && mkdir -p "$out"
"$slim" build -q --locked --manifest-path "$fn/Cargo.toml" --target "$triple" \
  --target-dir "$tgt/concurrent"
zip="$tgt/concurrent/cargo-slim/concurrent/$triple/function.zip"

echo "| handler | memory | N | ×1 /s | ×N /s | ×N / ×1 | latency ×N p50 | p99 |"
echo "|---|---|---|---|---|---|---|---|"
for work in sleep_ms spin_ms; do
  for memory in 1769 3538; do
    for n in 2 4 8; do
      json="$out/$work-$memory-$n.json"
      "$slim" bench "$zip" --concurrency "$n" --memory "$memory" --cold 1 --warm "$warm" \
        --payload "{\"peers\":1,\"$work\":10}" --message-format json >"$json"
      python3 - "$json" "$work" "$memory" "$n" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
load = doc["builds"][0]["load"]
one, at_n = load["at_one"], load["at_n"]
lat = at_n["latency_ms"]
print(f"| {sys.argv[2]}=10 | {sys.argv[3]} MB | {sys.argv[4]} | {one['per_second']:.1f} "
      f"| {at_n['per_second']:.1f} | {load['scaling']:.2f} | {lat['p50']:.2f} ms | {lat['p99']:.2f} ms |")
PY
    done
  done
done
