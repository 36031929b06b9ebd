#!/usr/bin/env bash
# Benchmark of `cargo slim size --crates` (analysis only; the binaries are built
# first and not timed) against `cargo bloat --crates`: wall time and peak memory
# (GNU time's maximum resident set size, as `/usr/bin/time -v` reports it) on the
# lambda_runtime fixture and on a large binary (cargo-slim's own debug build,
# over 50 MB). With OLD (another cargo-slim binary, e.g. main before a change)
# that one is measured too, labelled LABEL. The commands run interleaved (every
# command once per round, ROUNDS rounds), so a change of load on a shared machine
# hits them alike; the table gives medians. Prints a Markdown table
# (docs/benchmarks.md holds the last run).
#
#   tests/bench/size.sh [ROUNDS [OLD [LABEL]]]      (default: 5 rounds)
#
# Needs GNU time (/usr/bin/time), the x86_64-unknown-linux-musl target, and
# cargo-bloat (cargo-installed, pinned, when missing). SLIM=path uses that
# cargo-slim binary instead of building this tree's.
set -euo pipefail
rounds=${1:-5}
old=${2:-}
label=${3:-$old}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fxdir=$repo/target/fixtures
# shellcheck source=tests/bench/tools.sh
. "$repo/tests/bench/tools.sh"
need_cargo_bloat
slim_binary "$repo"
# The large input: cargo-slim's own debug build (cargo bloat analyses the same file).
cargo build --quiet --locked --manifest-path "$repo/Cargo.toml"
large=$repo/target/debug/cargo-slim
# The lambda_runtime fixture, built like the slim profile (as tests/suite/size.rs does).
fixture_env=(env CARGO_TARGET_DIR="$fxdir" CARGO_PROFILE_RELEASE_LTO=fat
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort
  CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_STRIP=false)
(cd "$repo/templates/hello-lambda" &&
  "${fixture_env[@]}" cargo build --quiet --release --target x86_64-unknown-linux-musl)
lambda=$fxdir/x86_64-unknown-linux-musl/release/hello-lambda

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Rows: NAME|DIR|COMMAND (run in DIR by bash). cargo-bloat cannot be pointed at
# a file: it runs cargo (a no-op once built, included in its time) and analyses
# the artifact cargo reports.
rows=()
add() { # INPUT FILE
  local name=$1 file=$2
  rows+=("$name|.|$(printf '%q ' "$slim" size "$file" --crates)|\`cargo slim size FILE --crates\`")
  [ -z "$old" ] ||
    rows+=("$name|.|$(printf '%q ' "$old" size "$file" --crates)|\`cargo slim size FILE --crates\`, $label")
}
add "lambda_runtime fixture" "$lambda"
rows+=("lambda_runtime fixture|$repo/templates/hello-lambda|$(printf '%q ' "${fixture_env[@]}" cargo bloat --release --target x86_64-unknown-linux-musl --crates)|\`cargo bloat --release --crates\` (no-op build)")
add "cargo-slim debug build" "$large"
rows+=("cargo-slim debug build|$repo|cargo bloat --crates|\`cargo bloat --crates\` (no-op build)")

for i in "${!rows[@]}"; do # warm: page cache and cargo's fingerprints
  IFS='|' read -r _ dir cmd _ <<<"${rows[$i]}"
  (cd "$dir" && bash -c "exec $cmd" >/dev/null 2>&1)
done
for _ in $(seq "$rounds"); do
  for i in "${!rows[@]}"; do
    IFS='|' read -r _ dir cmd _ <<<"${rows[$i]}"
    (cd "$dir" && /usr/bin/time -a -o "$work/$i" -f "%e %M" bash -c "exec $cmd" >/dev/null 2>&1)
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mb() { awk "BEGIN{printf \"%.1f\", $(stat -c %s "$1")/1048576}"; }
echo "$(date -u +%F); $(rustc -V); cargo-bloat $(cargo bloat --version); $(nproc) cores"
echo
echo "| input | MiB | command | wall s (median of $rounds) | peak RSS MiB (median) |"
echo "|---|---:|---|---:|---:|"
for i in "${!rows[@]}"; do
  IFS='|' read -r name _ _ shown <<<"${rows[$i]}"
  case $name in lambda*) file=$lambda ;; *) file=$large ;; esac
  t=$(awk '{print $1}' "$work/$i" | median)
  m=$(awk '{print $2}' "$work/$i" | median)
  printf '| %s | %s | %s | %s | %.1f |\n' "$name" "$(mb "$file")" "$shown" "$t" "$(echo "$m / 1024" | bc -l)"
done
