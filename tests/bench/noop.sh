#!/usr/bin/env bash
# Per-build overhead: `cargo slim build` against the plain cargo command with
# the slim profile's settings, on templates/hello-lambda (x86_64 musl, warm
# target dirs), measured with hyperfine, for a no-op rebuild and for a rebuild
# after touching src/main.rs (the function's crate recompiled and relinked with
# fat LTO; dependencies built). A and B alternate: the no-op in ROUNDS rounds of
# RUNS runs each, the touched source in TOUCHED rounds of one run each (A B A B
# …; hyperfine alone runs all of A, then all of B, so a load change on a shared
# machine would favour one side); the tables give the median over all runs. With
# OLD (a path to another cargo-slim binary) that one is a third row, e.g. the
# build before the toolchain cache, labelled LABEL.
#
# Usage: tests/bench/noop.sh [ROUNDS] [RUNS] [OLD [LABEL]]
#        (defaults: 5 rounds of 10; TOUCHED=5 in the environment; SLIM=path: that
#        cargo-slim binary instead of building this tree's)
# Needs hyperfine (Debian: apt-get install hyperfine) and jq.
set -euo pipefail
rounds=${1:-5}
runs=${2:-10}
touched=${TOUCHED:-5}
old=${3:-}
label=${4:-$old}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fn="$repo/templates/hello-lambda"
tgt="$repo/target/bench-noop"
# shellcheck source=tests/bench/tools.sh
. "$repo/tests/bench/tools.sh"
slim_binary "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# `cargo slim` as users run it: through cargo (and rustup's proxy), which sets
# the variables that identify the toolchain.
mkdir -p "$work/new" "$work/old"
ln -s "$slim" "$work/new/cargo-slim"
[ -z "$old" ] || ln -s "$old" "$work/old/cargo-slim"

triple=x86_64-unknown-linux-musl
args=(--locked --manifest-path "$fn/Cargo.toml" --target "$triple")
# shellcheck source=tests/bench/plain_cargo.sh
. "$repo/tests/bench/plain_cargo.sh"
plain_cargo "$triple" "$tgt/plain" "${args[@]}"
cmd_plain=$(printf '%q ' "${plain[@]}")
cmd_new="PATH=$work/new:\$PATH cargo slim build -q ${args[*]@Q} --target-dir $tgt/new"
cmd_old="PATH=$work/old:\$PATH cargo slim build -q ${args[*]@Q} --target-dir $tgt/old"
cmds=("$cmd_plain" "$cmd_new")
[ -z "$old" ] || cmds+=("$cmd_old")
for c in "${cmds[@]}"; do sh -c "$c"; done   # warm: everything built once

for r in $(seq "$rounds"); do
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/noop$r.json" \
    "${cmds[@]}" >/dev/null
done
for r in $(seq "$touched"); do
  hyperfine --style none --runs 1 --prepare "touch $(printf '%q' "$fn/src/main.rs")" \
    --export-json "$work/touched$r.json" "${cmds[@]}" >/dev/null
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
times() { jq -r ".results[$2].times[]" "$work/$1"*.json | median; }
table() { # KIND HEADING
  local t_plain t_new t_old
  t_plain=$(times "$1" 0); t_new=$(times "$1" 1)
  echo "| $2 | seconds | vs plain cargo |"
  echo "|---|---:|---:|"
  printf '| plain `cargo build` with the slim profile'"'"'s settings | %.3f | 1.00x |\n' "$t_plain"
  if [ -n "$old" ]; then
    t_old=$(times "$1" 2)
    printf '| `cargo slim build`, %s | %.3f | %.2fx |\n' "$label" \
      "$t_old" "$(echo "$t_old / $t_plain" | bc -l)"
  fi
  printf '| `cargo slim build` | %.3f | %.2fx |\n' "$t_new" "$(echo "$t_new / $t_plain" | bc -l)"
}
echo "$(date -u +%F); $(rustc -V); $(hyperfine --version); $(nproc) cores"
echo
table noop "no-op rebuild, $triple ($rounds rounds × $runs runs, median)"
echo
table touched "src/main.rs touched, $triple ($touched rounds, A B interleaved, median)"
