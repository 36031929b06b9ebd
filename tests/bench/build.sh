#!/usr/bin/env bash
# Benchmark for `cargo slim build` on the bundled lambda_runtime function
# (templates/hello-lambda): bytes of bootstrap and function.zip for a plain
# release build, the same stripped, `cargo slim build`, and `cargo slim build
# --build-std --panic immediate-abort` (the smallest tier, on the active
# toolchain; tests/bench/tiers.sh has all three tiers), per architecture; then
# wall times of `cargo slim build` against the equivalent plain cargo command on
# a warm cache, and of a no-op rebuild (tests/bench/noop.sh: with hyperfine).
# Prints a Markdown table (docs/benchmarks.md holds the last run).
#
# Usage: tests/bench/build.sh [RUNS]    (RUNS: timing repetitions, default 5)
set -euo pipefail
runs=${1:-5}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fn="$repo/templates/hello-lambda"
tgt="$repo/target/bench"
cargo build --release --locked --manifest-path "$repo/Cargo.toml" -q
slim="$repo/target/release/cargo-slim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

size() { stat -c %s "$1"; }
zipsize() { # bytes of a deterministic zip holding only $1 as bootstrap
  rm -rf "$work/z" && mkdir -p "$work/z" && cp "$1" "$work/z/bootstrap"
  (cd "$work/z" && TZ=UTC touch -d 1980-01-02 bootstrap && zip -q -X -9 b.zip bootstrap && size b.zip)
}
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() { # median wall seconds of "$@" over $runs runs
  for _ in $(seq "$runs"); do
    local t0; t0=$(now); "$@" >/dev/null 2>&1; echo "$(now) - $t0" | bc -l
  done | median
}

echo "| arch | build | bootstrap bytes | zip bytes | vs stripped release |"
echo "|---|---|---:|---:|---:|"
for arch in x86_64 arm64; do
  case $arch in x86_64) triple=x86_64-unknown-linux-musl ;; arm64) triple=aarch64-unknown-linux-musl ;; esac
  lld="target.$triple.linker=\"rust-lld\""
  cargo build -q --release --locked --manifest-path "$fn/Cargo.toml" --target "$triple" \
    --target-dir "$tgt/plain" --config "$lld"
  rel="$tgt/plain/$triple/release/hello-lambda"
  cp "$rel" "$work/release"
  cargo build -q --release --locked --manifest-path "$fn/Cargo.toml" --target "$triple" \
    --target-dir "$tgt/plain" --config "$lld" --config 'profile.release.strip="symbols"'
  cp "$rel" "$work/stripped"
  "$slim" build -q --locked --manifest-path "$fn/Cargo.toml" --target "$triple" --target-dir "$tgt/slim"
  out="$tgt/slim/cargo-slim/hello-lambda/$triple"
  cp "$out/bootstrap" "$work/slim"; cp "$out/function.zip" "$work/slim.zip"
  "$slim" build -q --locked --manifest-path "$fn/Cargo.toml" --target "$triple" --target-dir "$tgt/slim" --opt-level s
  cp "$out/bootstrap" "$work/slimz"; cp "$out/function.zip" "$work/slimz.zip"
  "$slim" build -q --locked --manifest-path "$fn/Cargo.toml" --target "$triple" \
    --target-dir "$tgt/std" --build-std --panic immediate-abort
  std="$tgt/std/cargo-slim/hello-lambda/$triple"
  s=$(size "$work/stripped")
  for row in "release (unstripped)|$work/release|" "release, stripped|$work/stripped|" \
             "cargo slim build|$work/slim|$work/slim.zip" "cargo slim build --opt-level s|$work/slimz|$work/slimz.zip" \
             "cargo slim build --build-std --panic immediate-abort|$std/bootstrap|$std/function.zip"; do
    IFS='|' read -r name bin zipf <<<"$row"
    b=$(size "$bin")
    if [ -n "$zipf" ]; then z=$(size "$zipf"); else z=$(zipsize "$bin"); fi
    printf '| %s | %s | %s | %s | %.2fx |\n' "$arch" "$name" "$b" "$z" "$(echo "$b / $s" | bc -l)"
  done
done

# Timing, x86_64 musl, warm cache: dependencies built, the function's own crate
# touched so both commands recompile it and relink (fat LTO).
triple=x86_64-unknown-linux-musl
args=(--locked --manifest-path "$fn/Cargo.toml" --target "$triple")
# shellcheck source=tests/bench/plain_cargo.sh
. "$repo/tests/bench/plain_cargo.sh"
plain_cargo "$triple" "$tgt/eq" "${args[@]}"
equivalent=("${plain[@]}")
"${equivalent[@]}"
t_eq=$(time_it sh -c "touch '$fn/src/main.rs' && $(printf '%q ' "${equivalent[@]}")")
t_slim=$(time_it sh -c "touch '$fn/src/main.rs' && '$slim' build -q ${args[*]@Q} --target-dir '$tgt/slim'")
"$slim" build -q "${args[@]}" --target-dir "$tgt/slim"
t_noop=$(time_it "$slim" build -q "${args[@]}" --target-dir "$tgt/slim")
t_noop_cargo=$(time_it "${equivalent[@]}")
echo
echo "| timing ($triple, median of $runs) | seconds |"
echo "|---|---:|"
printf '| plain cargo, same profile, touched src | %.2f |\n' "$t_eq"
printf '| cargo slim build, touched src | %.2f |\n' "$t_slim"
printf '| plain cargo no-op rebuild | %.2f |\n' "$t_noop_cargo"
printf '| cargo slim build no-op rebuild | %.2f |\n' "$t_noop"
