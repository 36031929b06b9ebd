//! One `function.zip` on any machine: the `anywhere` fixture (two tiny registry
//! crates, a path dependency outside its workspace whose `TypeId`s the binary
//! holds, std's generics inlined with their panic locations) built for arm64
//! musl in environments that each differ from a first build by one factor —
//! the toolchain's directory and whether rust-src is installed, CARGO_HOME, the
//! checkout path (so the path dependency's absolute path), vendored sources —
//! must give the same bytes, with no path of the building machine in them.
//!
//! Each build has a fresh target directory of its own (a shared one would let
//! cargo reuse what another environment compiled). The fixture is small: a
//! build is mostly the fat LTO of std, ~15 s on 2 cores.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{copy_fixture, output_ok, slim, Built};

const TRIPLE: &str = "aarch64-unknown-linux-musl";

/// A copy of the fixture's tree (`function/` and `shared/` beside it) in a
/// fresh directory, and where its builds go.
struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        let tmp = tempfile::tempdir().unwrap();
        let root = copy_fixture("anywhere", tmp.path());
        Tree { _tmp: tmp, root }
    }

    fn function(&self) -> PathBuf {
        self.root.join("function")
    }

    fn build(&self, name: &str, env: &[(&str, &Path)], extra: &[&str]) -> Built {
        build(&self.root, name, env, extra)
    }
}

/// `cargo slim build` run in `root/function/` (as a user would: cargo reads
/// `.cargo/config.toml` from the current directory) with `env` changes, into a
/// target directory of its own beside it.
fn build(root: &Path, name: &str, env: &[(&str, &Path)], extra: &[&str]) -> Built {
    let target_dir = root.join(format!("target-{name}"));
    let mut cmd = slim();
    cmd.current_dir(root.join("function"))
        .args(["build", "-q", "--target", TRIPLE, "--target-dir"])
        .arg(&target_dir)
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    output_ok(&mut cmd);
    Built::at(&target_dir, "anywhere", TRIPLE)
}

/// `rustc --print sysroot` of the toolchain the suite builds with.
fn sysroot() -> PathBuf {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = output_ok(Command::new(rustc).args(["--print", "sysroot"]));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A copy of the toolchain in another directory (so under another name, as
/// rustup's `stable-…` and `1.95.0-…` directories, or /usr/local/rustup, are),
/// without the rust-src component: hard links where the file system allows,
/// so it costs no space. rustc finds its sysroot from its own path, so builds
/// with `RUSTC` and `CARGO` pointing into the copy see only the copy.
fn toolchain_without_rust_src(sysroot: &Path, copy: &Path) {
    let linked = Command::new("cp")
        .arg("-al")
        .arg(sysroot)
        .arg(copy)
        .status()
        .is_ok_and(|s| s.success());
    if !linked {
        // Another file system: a real copy.
        let _ = std::fs::remove_dir_all(copy);
        output_ok(Command::new("cp").arg("-a").arg(sysroot).arg(copy));
    }
    std::fs::remove_dir_all(copy.join("lib/rustlib/src")).unwrap();
}

/// Another CARGO_HOME: the registry's index and downloaded crates hard-linked
/// (no network), unpacked anew by cargo under the new home.
fn another_cargo_home(other: &Path) {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    std::fs::create_dir_all(other.join("registry")).unwrap();
    for part in ["index", "cache"] {
        output_ok(
            Command::new("cp")
                .arg("-al")
                .arg(home.join("registry").join(part))
                .arg(other.join("registry")),
        );
    }
}

/// `cargo vendor` and the source replacement it prints: the registry crates
/// come from `function/vendor/` (inside the workspace) instead.
fn vendor(function: &Path) {
    let out = output_ok(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(function)
            .args(["vendor", "--offline", "--locked", "vendor"]),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("vendored-sources"));
    let config = function.join(".cargo");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), &out.stdout).unwrap();
}

/// The bytes of `built`'s zip, after checking its bootstrap names none of
/// `host` (this machine's directories).
#[track_caller]
fn zip_without(what: &str, built: &Built, host: &[&Path]) -> Vec<u8> {
    let bootstrap = std::fs::read(&built.bootstrap).unwrap();
    let text = String::from_utf8_lossy(&bootstrap);
    for dir in host {
        let dir = dir.to_string_lossy();
        assert!(!text.contains(&*dir), "{what}: bootstrap holds {dir}");
    }
    std::fs::read(&built.zip).unwrap()
}

/// Each environment differs from the first build by one factor; all give one
/// function.zip. Sequential, in one tree: each build is cheap, and the vendored
/// one changes the tree's configuration.
#[test]
fn one_zip_whatever_the_environment() {
    let tree = Tree::new();
    let tmp = tree._tmp.path();
    let sysroot = sysroot();
    assert!(
        sysroot.join("lib/rustlib/src/rust/library").is_dir(),
        "the suite's toolchain has rust-src (.ci/setup installs it): the first build uses it"
    );
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let host = [tree.root.as_path(), sysroot.as_path(), home.as_path()];
    let base = tree.build("base", &[], &[]);
    let expected = zip_without("first build", &base, &host);

    let mut results = Vec::new();
    let toolchain = tmp.join("toolchain-copy");
    toolchain_without_rust_src(&sysroot, &toolchain);
    let built = tree.build(
        "toolchain",
        &[
            ("RUSTC", &toolchain.join("bin/rustc")),
            ("CARGO", &toolchain.join("bin/cargo")),
        ],
        &[],
    );
    let what = "a copy of the toolchain elsewhere, without rust-src";
    results.push((what, zip_without(what, &built, &host), built));

    let cargo_home = tmp.join("other-cargo-home");
    another_cargo_home(&cargo_home);
    let offline = Path::new("true");
    let built = tree.build(
        "cargo-home",
        &[("CARGO_HOME", &cargo_home), ("CARGO_NET_OFFLINE", offline)],
        &["--offline"],
    );
    let what = "another CARGO_HOME";
    results.push((what, zip_without(what, &built, &host), built));

    // The tree (the workspace and the path dependency beside it) checked out
    // elsewhere, deeper: every absolute path differs, the path dependency's
    // place relative to the workspace does not.
    let elsewhere = tmp.join("another/checkout");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let moved = copy_fixture("anywhere", &elsewhere);
    let built = build(&moved, "checkout", &[], &[]);
    let what = "another checkout path";
    results.push((what, zip_without(what, &built, &[&moved]), built));

    vendor(&tree.function());
    let built = tree.build("vendored", &[], &[]);
    let what = "vendored sources";
    results.push((what, zip_without(what, &built, &host), built));

    let differing: Vec<String> = results
        .iter()
        .filter(|(_, zip, _)| *zip != expected)
        .map(|(what, _, built)| format!("{what} ({})", built.dir.display()))
        .collect();
    assert!(
        differing.is_empty(),
        "function.zip differs from the first build's ({}) with: {}",
        base.dir.display(),
        differing.join("; ")
    );
}
