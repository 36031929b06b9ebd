#!/usr/bin/env bash
# Measure the entries of the heavy-dependency table (src/size/heavy.toml,
# docs/size.md): build variants of the bundled lambda_runtime function
# (templates/hello-lambda) with `cargo slim build` for x86_64 musl (default
# slim profile) and print, per variant, the shipped bootstrap and zip bytes and
# the bytes of the crates each entry is about (`cargo slim size --crates`).
#
# One work directory is reused for every variant, so the dependency builds are
# shared and only what a variant changes is rebuilt.
#
# Usage: tests/bench/heavy.sh [VARIANT…]   (default: base subscriber tokio-full
#        build-std; also reqwest-default reqwest-aws-lc reqwest-ring, see `variant`)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cargo build --locked --manifest-path "$repo/Cargo.toml" -q
slim="$repo/target/debug/cargo-slim"
triple=x86_64-unknown-linux-musl
work="$repo/target/fixtures/heavy/hello-lambda"
tgt="$repo/target/fixtures/heavy/target"
mkdir -p "$work/src"
crates="reqwest rustls aws_lc_rs aws_lc_sys ring h2 encoding_rs hyper_rustls rustls_platform_verifier webpki tracing_subscriber regex_automata regex_syntax matchers sharded_slab nu_ansi_term tracing tracing_core tokio addr2line gimli rustc_demangle miniz_oxide"

variant() { # name: writes Cargo.toml and src/main.rs of the variant
  cp "$repo/templates/hello-lambda/Cargo.toml" "$repo/templates/hello-lambda/Cargo.lock" "$work/"
  cp "$repo/templates/hello-lambda/src/main.rs" "$work/src/main.rs"
  case $1 in
    base|build-std) ;;
    subscriber) # lambda_runtime's own subscriber (its `tracing` default feature)
      sed -i 's|^async fn main() -> Result<(), Error> {|&\n    lambda_runtime::tracing::init_default_subscriber();|' "$work/src/main.rs" ;;
    tokio-full)
      sed -i 's|tokio = { version = "1", features = \["macros"\] }|tokio = { version = "1", features = ["full"] }|' "$work/Cargo.toml" ;;
    reqwest-*) # one HTTPS GET per invocation, so the client is linked
      sed -i 's|^    let name = event.payload.name|    let _ = reqwest::get("https://example.com").await.map(\|r\| r.status());\n&|' "$work/src/main.rs"
      case $1 in
        reqwest-default) # reqwest's defaults: rustls with aws-lc-rs, charset, http2, system proxy
          dep='reqwest = "0.13"' ;;
        reqwest-aws-lc) # rustls with aws-lc-rs only
          dep='reqwest = { version = "0.13", default-features = false, features = ["rustls"] }' ;;
        reqwest-ring) # rustls with ring as the provider
          dep='reqwest = { version = "0.13", default-features = false, features = ["rustls-no-provider"] }\nrustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }'
          sed -i 's|^async fn main() -> Result<(), Error> {|&\n    let _ = rustls::crypto::ring::default_provider().install_default();|' "$work/src/main.rs" ;;
        *) echo "unknown variant $1" >&2; exit 2 ;;
      esac
      sed -i "s|^\[dependencies\]|&\n$dep|" "$work/Cargo.toml" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

echo "| variant | bootstrap | function.zip | crates (bytes in the unstripped link, \`size --crates\`) |"
echo "|---|---:|---:|---|"
for v in "${@:-base subscriber tokio-full build-std}"; do
  for name in $v; do
    variant "$name"
    extra=(); tool=()
    [ "$name" = build-std ] && { extra=(--build-std); tool=(+nightly); }
    # `cargo +nightly` picks the toolchain cargo-slim then builds with.
    if [ ${#tool[@]} -gt 0 ]; then
      cargo "${tool[@]}" run -q --manifest-path "$repo/Cargo.toml" -- slim build -q \
        --manifest-path "$work/Cargo.toml" --target "$triple" --target-dir "$tgt" "${extra[@]}"
    else
      "$slim" build -q --manifest-path "$work/Cargo.toml" --target "$triple" --target-dir "$tgt"
    fi
    out="$tgt/cargo-slim/hello-lambda/$triple"
    # --split-std: std's private dependencies (addr2line, gimli, …) as rows of their own.
    json=$("$slim" size "$out/bootstrap.full" --crates --split-std -n 0 --message-format json)
    list=$(echo "$json" | python3 -c '
import json, sys
want = sys.argv[1].split()
rows = {r["name"]: r["bytes"] for r in json.load(sys.stdin)["crates"]["rows"]}
print(", ".join(f"{c} {rows[c]:,}" for c in want if rows.get(c)))' "$crates")
    printf '| %s | %s | %s | %s |\n' "$name" \
      "$(stat -c %s "$out/bootstrap" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')" \
      "$(stat -c %s "$out/function.zip" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')" "$list"
  done
done
