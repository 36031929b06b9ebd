#!/usr/bin/env bash
# Benchmark of `cargo slim size` (analysis only; the binaries are built first and
# not timed) against `cargo bloat --crates`, with peak memory. Prints a Markdown
# table (the one in docs/size.md).
#
#   tests/bench/size.sh [RUNS]
#
# Needs: GNU time (/usr/bin/time), cargo-bloat (`cargo install cargo-bloat`), the
# x86_64-unknown-linux-musl target. Uses CARGO_TARGET_DIR (default: target).
set -euo pipefail
runs=${1:-5}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tdir=${CARGO_TARGET_DIR:-$repo/target}
fxdir=$repo/target/fixtures
export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_PANIC=abort CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
  CARGO_PROFILE_RELEASE_STRIP=false

# The tool under test: a release build. The large input: cargo-slim's own debug build.
(cd "$repo" && cargo build --quiet --release && cargo build --quiet)
slim=$tdir/release/cargo-slim
large=$tdir/debug/cargo-slim
# The lambda_runtime fixture, built like the slim profile (as tests/suite/size.rs does).
(cd "$repo/templates/hello-lambda" && CARGO_TARGET_DIR=$fxdir cargo build --quiet --release --target x86_64-unknown-linux-musl)
lambda=$fxdir/x86_64-unknown-linux-musl/release/hello-lambda

# best-of-N wall time (s) and peak RSS (MB) of a command
measure() {
  local best="" mem=""
  for _ in $(seq "$runs"); do
    local out tmp
    tmp=$(mktemp)
    /usr/bin/time -o "$tmp" -f "%e %M" "$@" >/dev/null 2>&1
    out=$(tail -1 "$tmp")
    rm -f "$tmp"
    local t=${out% *} m=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    if [ -z "$mem" ] || [ "$m" -gt "$mem" ]; then mem=$m; fi
  done
  printf "%s s | %s MB" "$best" "$((mem / 1024))"
}

mb() { awk "BEGIN{printf \"%.1f MB\", $(stat -c %s "$1")/1048576}"; }

echo "| input | size | command | time (best of $runs) | peak RSS |"
echo "|---|---:|---|---:|---:|"
for pair in "lambda_runtime fixture:$lambda" "cargo-slim debug build:$large"; do
  name=${pair%%:*} file=${pair#*:}
  echo "| $name | $(mb "$file") | \`cargo slim size FILE --crates --symbols\` | $(measure "$slim" size "$file" --crates --symbols) |"
  echo "| $name | $(mb "$file") | \`cargo slim size FILE --sections\` | $(measure "$slim" size "$file") |"
done
# cargo-bloat cannot be pointed at a file: it runs cargo (a no-op once built, which
# is included in its time) and analyses the artifact cargo reports.
(cd "$repo/templates/hello-lambda" && CARGO_TARGET_DIR=$fxdir cargo bloat --release --target x86_64-unknown-linux-musl --crates >/dev/null 2>&1)
echo "| lambda_runtime fixture | $(mb "$lambda") | \`cargo bloat --release --crates\` (no-op build) | $(cd "$repo/templates/hello-lambda" && CARGO_TARGET_DIR=$fxdir measure cargo bloat --release --target x86_64-unknown-linux-musl --crates) |"
(cd "$repo" && cargo bloat --crates >/dev/null 2>&1)
echo "| cargo-slim debug build | $(mb "$large") | \`cargo bloat --crates\` (no-op build) | $(cd "$repo" && measure cargo bloat --crates) |"
