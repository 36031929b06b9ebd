#!/usr/bin/env bash
# Size benchmark of `cargo slim build` against cargo-lambda on the bundled
# lambda_runtime function (templates/hello-lambda), per architecture (arm64,
# x86_64): bytes of the shipped bootstrap and of the zip, and the bootstrap's
# ratio to `cargo lambda build --release`. Rows:
#
#   cargo-lambda default   `cargo lambda build --release` (gnu, linked by zig)
#   cargo-lambda tuned     the same with `opt-level = "z"`, `lto = "fat"` in
#                          [profile.release], as cargo-lambda's docs suggest
#   cargo slim, per libc (musl, gnu), its three size tiers: default;
#                          `--build-std`; `--build-std --panic immediate-abort`
#
# Sizes only: they are deterministic. Wall times are tests/bench/noop.sh's (no-op
# and touched source, interleaved) and tests/bench/tiers.sh's (cold builds).
# The slim builds share target dirs with tests/bench/tiers.sh. Prints a Markdown
# table (docs/benchmarks.md holds the last run).
#
# Usage: tests/bench/build.sh    (SLIM=path: use that cargo-slim binary instead
#        of building this tree's)
# Needs cargo-lambda (pip-installed, pinned, when missing) and the musl and gnu
# rust targets (cargo slim installs them on demand).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
fn="$repo/templates/hello-lambda"
tgt="$repo/target/bench"
# shellcheck source=tests/bench/tools.sh
. "$repo/tests/bench/tools.sh"
slim_binary "$repo"
need_cargo_lambda
work="$tgt/sizes"
rm -rf "$work" && mkdir -p "$work"

# lambda NAME: build the function with cargo-lambda for $arch, once as a binary
# and once as its zip, from a copy of the crate (the tuned one gets the profile).
lambda() {
  local name=$1 dir="$work/$1-$arch" flag=${arch/_/-}
  mkdir -p "$dir/src"
  cp "$fn/Cargo.toml" "$fn/Cargo.lock" "$dir/"
  cp "$fn/src/main.rs" "$dir/src/"
  if [ "$name" = tuned ]; then
    printf '\n[profile.release]\nopt-level = "z"\nlto = "fat"\n' >>"$dir/Cargo.toml"
  fi
  for format in binary zip; do
    (cd "$dir" && CARGO_TARGET_DIR="$tgt/lambda-$name" cargo lambda build --release --quiet \
      "--$flag" --output-format "$format" --lambda-dir "$dir/out-$format" >/dev/null)
  done
  row "cargo-lambda $name" gnu "$dir/out-binary/hello-lambda/bootstrap" \
    "$dir/out-zip/hello-lambda/bootstrap.zip"
}

base=""
row() { # NAME LIBC BOOTSTRAP ZIP
  local b z
  b=$(stat -c %s "$3")
  z=$(stat -c %s "$4")
  [ -n "$base" ] || base=$b
  printf '| %s | %s | %s | %s | %s | %.3f |\n' "$arch" "$1" "$2" \
    "$(commas "$b")" "$(commas "$z")" "$(echo "$b / $base" | bc -l)"
}
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

echo "$(date -u +%F); $(rustc -V); $(cargo lambda --version); $(nproc) cores"
echo
echo "| arch | build | libc | bootstrap bytes | zip bytes | bootstrap vs cargo-lambda default |"
echo "|---|---|---|---:|---:|---:|"
for arch in arm64 x86_64; do
  base=""
  lambda default
  lambda tuned
  for libc in musl gnu; do
    case $arch in arm64) triple=aarch64-unknown-linux-$libc ;; x86_64) triple=x86_64-unknown-linux-$libc ;; esac
    for tier in "default|" "build-std|--build-std" "immediate-abort|--build-std --panic immediate-abort"; do
      IFS='|' read -r name flags <<<"$tier"
      # shellcheck disable=SC2086 # $flags is a list of flags
      "$slim" build -q --locked --manifest-path "$fn/Cargo.toml" --arch "$arch" --libc "$libc" \
        --target-dir "$repo/target/bench-tiers/$name" $flags
      out="$repo/target/bench-tiers/$name/cargo-slim/hello-lambda/$triple"
      row "\`cargo slim build${flags:+ $flags}\`" "$libc" "$out/bootstrap" "$out/function.zip"
    done
  done
done
