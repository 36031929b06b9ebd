//! The host-path audit: `cargo slim check` names the directories of the
//! building machine a binary holds (a plain `cargo build` of the `anywhere`
//! fixture: rust-src, the registry and a path dependency outside the workspace
//! leak), and `cargo slim build` refuses to package a binary that holds one
//! (the fixture's `leak` feature prints `env!("CARGO_MANIFEST_DIR")`) unless
//! told to ship it anyway. Every other build in the suite runs the same audit,
//! so each of them is a leak test too.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{copy_fixture, output_ok, run, slim, Built};

const TRIPLE: &str = "aarch64-unknown-linux-musl";

/// A plain release build of `function/` in `root`, as any cargo user makes it.
fn plain_cargo_build(root: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    output_ok(
        Command::new(cargo)
            .current_dir(root.join("function"))
            .args(["build", "--release", "--locked", "--target", TRIPLE])
            .args(["--config", &format!("target.{TRIPLE}.linker=\"rust-lld\"")])
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR"),
    );
    root.join("function/target")
        .join(TRIPLE)
        .join("release/anywhere")
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"))
}

#[test]
fn check_names_each_directory_of_the_building_machine() {
    let tmp = tempfile::tempdir().unwrap();
    let root = copy_fixture("anywhere", tmp.path());
    let exe = plain_cargo_build(&root);
    let out = run(slim().args(["check", "--arch", "arm64"]).arg(&exe))
        .failure(1)
        .stdout_has("host-paths   FAIL")
        .stdout_has("preflight failed: 1 of 10 checks (host-paths)");
    let json = run(slim()
        .args(["--message-format", "json", "check", "--arch", "arm64"])
        .arg(&exe))
    .failure(1)
    .json();
    let found = json["host_paths"].as_array().unwrap();
    let prefix_of = |what: &str| -> Option<&Value> { found.iter().find(|f| f["what"] == what) };
    // The registry's sources, under CARGO_HOME.
    let registry = prefix_of("CARGO_HOME").unwrap_or_else(|| panic!("{out}"));
    assert_eq!(registry["prefix"], cargo_home().to_string_lossy().as_ref());
    assert!(registry["count"].as_u64().unwrap() >= 1);
    assert!(registry["example"]
        .as_str()
        .unwrap()
        .contains("/registry/src/"));
    // The path dependency beside the workspace, by the generic rule (the
    // temporary directory is none of this machine's named directories).
    let shared = found
        .iter()
        .find(|f| {
            f["example"]
                .as_str()
                .unwrap()
                .ends_with("shared/src/lib.rs")
        })
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(shared["what"], "a source path");
    // Built by cargo slim, the same sources leave none.
    let built = Built::at(&root.join("slim-target"), "anywhere", TRIPLE);
    output_ok(
        slim()
            .current_dir(root.join("function"))
            .args(["build", "-q", "--target", TRIPLE, "--target-dir"])
            .arg(root.join("slim-target")),
    );
    run(slim().args(["check", "--arch", "arm64"]).arg(&built.zip))
        .success()
        .stdout_has("host-paths   ok      no path of the building machine");
}

/// A build whose binary holds a path of this machine (the `leak` feature
/// prints its `OUT_DIR`) is refused: nothing is packaged, exit 1, the path
/// named. `--allow-host-paths` packages it with a warning, and records that
/// it was asked for. verify of that build names the leak as the cause: the
/// rebuild's target directory is another one.
#[test]
fn a_build_that_leaks_is_refused_unless_allowed_and_verify_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = copy_fixture("anywhere", tmp.path());
    let target_dir = root.join("slim-target");
    let build = |extra: &[&str]| {
        let mut cmd = slim();
        cmd.current_dir(root.join("function"))
            .args([
                "build",
                "--target",
                TRIPLE,
                "--features",
                "leak",
                "--target-dir",
            ])
            .arg(&target_dir)
            .args(extra);
        run(&mut cmd)
    };
    let target = target_dir.to_string_lossy().into_owned();
    build(&[])
        .failure(1)
        .stderr_has("host-paths   FAIL")
        .stderr_has(&format!(
            "under {target} (the target directory), e.g. {target}/"
        ))
        .stderr_has("--allow-host-paths");
    let built = Built::at(&target_dir, "anywhere", TRIPLE);
    assert!(!built.zip.exists(), "a refused build packaged nothing");

    build(&["--allow-host-paths"])
        .success()
        .stderr_has("bootstrap holds paths of this machine, packaged as --allow-host-paths asks");
    let manifest: Value = serde_json::from_slice(&std::fs::read(&built.manifest).unwrap()).unwrap();
    assert_eq!(manifest["build"]["options"]["allow_host_paths"], true);

    let json = run(slim()
        .current_dir(root.join("function"))
        .args([
            "--message-format",
            "json",
            "verify",
            "--target",
            TRIPLE,
            "--target-dir",
        ])
        .arg(&target_dir))
    .failure(1)
    .json();
    let causes: Vec<&str> = json["targets"][0]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let recorded = format!(
        "the recorded bootstrap holds paths of the machine that built it: 1 string under \
         {target} (the target directory)"
    );
    assert!(
        causes.iter().any(|c| c.starts_with(&recorded)),
        "{causes:#?}"
    );
    assert!(
        causes
            .iter()
            .any(|c| c.starts_with("the rebuilt bootstrap holds paths")),
        "{causes:#?}"
    );
    // Nothing else: not our flags, not the cargo command.
    assert_eq!(causes.len(), 2, "{causes:#?}");
}
