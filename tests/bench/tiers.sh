#!/usr/bin/env bash
# The size tiers of `cargo slim build` on the bundled lambda_runtime function
# (templates/hello-lambda), per architecture, with the active toolchain (stable
# is the point: --build-std runs there with RUSTC_BOOTSTRAP=1): bytes of bootstrap
# and function.zip, the ratio to the default tier, the function.zip sha256 and the
# wall time of a cold build (dependencies and, for --build-std, std compiled).
# Prints a Markdown table; docs/size-tiers.md holds the last run.
#
# Usage: tests/bench/tiers.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
fn="$repo/templates/hello-lambda"
tgt="$repo/target/bench-tiers"
# shellcheck source=tests/bench/tools.sh
. "$repo/tests/bench/tools.sh"
slim_binary "$repo"
rm -rf "$tgt"

echo "$(rustc -V); $(cargo -V); $(nproc) cores"
echo
echo "| arch | tier | flags | bootstrap bytes | function.zip bytes | vs default | cold build s | function.zip sha256 |"
echo "|---|---|---|---:|---:|---:|---:|---|"
for arch in x86_64 arm64; do
  case $arch in x86_64) triple=x86_64-unknown-linux-musl ;; arm64) triple=aarch64-unknown-linux-musl ;; esac
  default=""
  for row in "default|" "build-std|--build-std" "immediate-abort|--build-std --panic immediate-abort"; do
    IFS='|' read -r tier flags <<<"$row"
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086 # $flags is a list of flags
    "$slim" build -q --locked --manifest-path "$fn/Cargo.toml" --arch "$arch" \
      --target-dir "$tgt/$tier" $flags
    secs=$(echo "$(date +%s.%N) - $t0" | bc -l)
    out="$tgt/$tier/cargo-slim/hello-lambda/$triple"
    b=$(stat -c %s "$out/bootstrap")
    z=$(stat -c %s "$out/function.zip")
    sha=$(cut -d' ' -f1 "$out/function.zip.sha256")
    [ -n "$default" ] || default=$b
    printf '| %s | %s | `%s` | %s | %s | %.2fx | %.0f | `%s` |\n' \
      "$arch" "$tier" "${flags:-(none)}" "$b" "$z" "$(echo "$b / $default" | bc -l)" "$secs" "$sha"
  done
done
