#!/usr/bin/env bash
# Cold-start benchmark of the bundled lambda_runtime function
# (templates/hello-lambda), x86_64, run natively: one `cargo slim bench --compare`
# session over six builds of the same source, run interleaved (A B A B …):
#
#   A  cargo build --release, stripped (musl, rust-lld)
#   B  cargo lambda build --release (cargo-lambda's defaults)
#   C  cargo slim build (opt-level z, the default)
#   D  cargo slim build --opt-level s
#   E  cargo slim build --opt-level 3
#   F  cargo +nightly slim build --build-std
#
# Prints a Markdown table (docs/coldstart.md holds the last run) and leaves the
# session's JSON in target/bench/coldstart.json.
#
# Usage: tests/bench/coldstart.sh [COLD] [WARM]   (defaults 20 and 200)
set -euo pipefail
cold=${1:-20}
warm=${2:-200}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fn="$repo/templates/hello-lambda"
tgt="$repo/target/bench"
triple=x86_64-unknown-linux-musl
# shellcheck source=tests/bench/tools.sh
. "$repo/tests/bench/tools.sh"
slim_binary "$repo"
need_cargo_lambda
work="$tgt/coldstart"
rm -rf "$work" && mkdir -p "$work"

# A: plain release build; bootstrap.full beside the stripped one lets bench
# count the crates linked.
lld="target.$triple.linker=\"rust-lld\""
cargo build -q --release --locked --manifest-path "$fn/Cargo.toml" --target "$triple" \
  --target-dir "$tgt/plain" --config "$lld"
mkdir -p "$work/release"
cp "$tgt/plain/$triple/release/hello-lambda" "$work/release/bootstrap.full"
cargo build -q --release --locked --manifest-path "$fn/Cargo.toml" --target "$triple" \
  --target-dir "$tgt/plain" --config "$lld" --config 'profile.release.strip="symbols"'
cp "$tgt/plain/$triple/release/hello-lambda" "$work/release/bootstrap"

# B: cargo-lambda, as its users run it.
(cd "$fn" && CARGO_TARGET_DIR="$tgt/lambda" cargo lambda build --release --quiet \
  --lambda-dir "$tgt/lambda-out" >/dev/null)
mkdir -p "$work/cargo-lambda"
cp "$tgt/lambda-out/hello-lambda/bootstrap" "$work/cargo-lambda/bootstrap"

# C–F: cargo slim builds, each in its own output directory.
slim_build() { # NAME ARGS…
  local name=$1; shift
  "$slim" build -q --locked --manifest-path "$fn/Cargo.toml" --target "$triple" \
    --target-dir "$tgt/slim-$name" "$@"
  cp -r "$tgt/slim-$name/cargo-slim/hello-lambda/$triple" "$work/slim-$name"
}
slim_build z
slim_build s --opt-level s
slim_build 3 --opt-level 3
RUSTUP_TOOLCHAIN=nightly slim_build build-std --build-std

"$slim" bench "$work/release" \
  --compare "$work/cargo-lambda" "$work/slim-z" "$work/slim-s" "$work/slim-3" "$work/slim-build-std" \
  --cold "$cold" --warm "$warm" --payload '{"name":"bench"}' \
  --message-format json >"$work/../coldstart.json"

python3 - "$work/../coldstart.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
names = ["`cargo build --release`, stripped", "`cargo lambda build --release`",
         "**`cargo slim build`** (opt-level z)", "`cargo slim build --opt-level s`",
         "`cargo slim build --opt-level 3`", "`cargo +nightly slim build --build-std`"]
def f(s, k): return "—" if s is None else f"{s[k]:.2f}"
print(f"{doc['cold']} cold starts and {doc['warm']} warm invocations per build, "
      f"{doc['memory_mb']} MB; emulated: {str(doc['emulated']).lower()}")
conf = doc["builds"][0].get("confinement") or {}
print(f"memory limit: {conf.get('memory', {}).get('how') or conf.get('memory', {}).get('why')}; "
      f"cpu: {conf.get('cpu', {}).get('how') or conf.get('cpu', {}).get('why')}")
print()
print("| build | bootstrap bytes | crates | init p50 ms | init p90 ms | first invoke p50 ms | warm p50 ms | warm p99 ms | max RSS KiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, b in zip(names, doc["builds"]):
    rss = b["cold_max_rss_kib"]["max"] if b["cold_max_rss_kib"] else None
    print(f"| {name} | {b['bootstrap_bytes']:,} | {b['crates'] if b['crates'] is not None else '—'} "
          f"| {f(b['init_ms'],'p50')} | {f(b['init_ms'],'p90')} | {f(b['first_invoke_ms'],'p50')} "
          f"| {f(b['warm_ms'],'p50')} | {f(b['warm_ms'],'p99')} | {'—' if rss is None else f'{rss:.0f}'} |")
fails = sum(len(b["failures"]) for b in doc["builds"])
if fails:
    print(f"\n{fails} invocation(s) failed and are left out of the figures")
PY
