# Sourced by the benchmark scripts. `plain_cargo TRIPLE TARGET_DIR [CARGO ARGS…]`
# leaves in the array `plain` the plain cargo command that builds what `cargo slim
# build` builds by default (the slim profile's settings, linked by rust-lld),
# without cargo-slim's path remapping, build-id, checks or packaging.
plain_cargo() {
  local triple=$1 dir=$2
  shift 2
  plain=(cargo build -q "$@" --profile slim --target-dir "$dir"
    --config 'profile.slim.inherits="release"' --config 'profile.slim.opt-level="z"'
    --config 'profile.slim.lto="fat"' --config 'profile.slim.codegen-units=1'
    --config 'profile.slim.panic="abort"' --config 'profile.slim.strip="none"'
    --config 'profile.slim.debug=false' --config "target.$triple.linker=\"rust-lld\"")
}
