# Sourced by the benchmark scripts: the cargo-slim under test, and the
# benchmark-only tools at pinned versions (no test uses them; .ci/setup's
# inventory says so).

# slim_binary REPO: leaves in `slim` the cargo-slim to measure: $SLIM when set,
# else REPO's release build, built now.
slim_binary() {
  slim=${SLIM:-}
  if [ -z "$slim" ]; then
    cargo build --release --locked --manifest-path "$1/Cargo.toml" -q
    slim="$1/target/release/cargo-slim"
  fi
}

# cargo-lambda from PyPI, when it is not on PATH.
need_cargo_lambda() {
  command -v cargo-lambda >/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check "cargo-lambda==1.9.2"
}

# cargo-bloat from crates.io, when it is not on PATH.
need_cargo_bloat() {
  command -v cargo-bloat >/dev/null || cargo install --locked --version 0.12.1 cargo-bloat
}
