#!/usr/bin/env bash
# The bytes each dependency choice of the `cargo slim new` templates saves: every
# template, and beside it the variant a user gets from the usual examples
# (default features, the multi-thread runtime, the tracing subscriber), built
# with `cargo slim build` (arm64 musl, the slim profile's defaults). Prints a
# Markdown table (the one in docs/templates.md).
#
#   tests/bench/templates.sh [WORK_DIR [VARIANT...]]   (all variants by default)
#
# Needs: the aarch64-unknown-linux-musl target, network for crates.io on the
# first run. About two minutes per row on two cores.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$repo/target/bench-templates}
shift || true
only=" $* "
(cd "$repo" && cargo build --quiet)
slim=${CARGO_TARGET_DIR:-$repo/target}/debug/cargo-slim
release=$(rustc +stable -vV | sed -n 's/^release: //p')
mkdir -p "$work/crates"

# variant NAME TEMPLATE [SED-ON-Cargo.toml] [SED-ON-main.rs]
variant() {
  local name=$1 template=$2 cargo_sed=${3:-} main_sed=${4:-}
  if [ "$only" != "  " ] && [[ "$only" != *" $name "* ]]; then return; fi
  local dir=$work/crates/v-$name
  rm -rf "$dir"
  (cd "$work/crates" && "$slim" new "v-$name" --template "$template" --toolchain "$release" -q)
  if [ -n "$cargo_sed" ]; then sed -i "$cargo_sed" "$dir/Cargo.toml"; fi
  if [ -n "$main_sed" ]; then sed -i "$main_sed" "$dir/src/main.rs"; fi
  RUSTUP_TOOLCHAIN=stable "$slim" build -q --manifest-path "$dir/Cargo.toml" \
    --target-dir "$work/target" --message-format json > "$work/$name.json"
  python3 - "$name" "$work/$name.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
t = report["targets"][0]
print(f"| {name} | {t['bootstrap_bytes']:,} | {t['zip_bytes']:,} |")
PY
}

rt_default='s/lambda_runtime = { version = "1.5", default-features = false }/lambda_runtime = "1.5"/'
multi_thread='s/#\[tokio::main(flavor = "current_thread")\]/#[tokio::main]/'
subscriber='s/^async fn main() -> Result<(), Error> {/async fn main() -> Result<(), Error> {\n    lambda_runtime::tracing::init_default_subscriber();/'

echo "| variant | bootstrap bytes | function.zip bytes |"
echo "|---|---:|---:|"
variant basic basic
variant basic-rt-default basic "$rt_default"
variant basic-rt-default-subscriber basic "$rt_default" "$subscriber"
variant basic-multi-thread basic "" "$multi_thread"
variant basic-multi-thread-rt-default-subscriber basic "$rt_default" "$multi_thread; $subscriber"
variant http http
variant http-default http 's/lambda_http = .*/lambda_http = "1.3"/'
variant sqs sqs
variant sqs-events-default sqs 's/aws_lambda_events = .*/aws_lambda_events = "1.2"/'
variant s3 s3
variant eventbridge eventbridge
variant stream stream
