//! `cargo slim verify`: passes on a fresh build; fails with the right explanation
//! after a flipped zip byte, an edited source file, or a build with another
//! `--opt-level` than recorded; refuses without a Cargo.lock. Each test works on
//! its own copy of the `hello` fixture with its own target directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{copy_fixture, run, slim, Built, Outcome};
use serde_json::Value;

const TRIPLE: &str = "x86_64-unknown-linux-musl";

/// A copy of `hello` in a temp dir, committed to a fresh git repository.
struct Crate {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Crate {
    fn new() -> Crate {
        let tmp = tempfile::tempdir().unwrap();
        let dir = copy_fixture("hello", tmp.path());
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                "fixture",
            ],
        ] {
            run(Command::new("git").args(args).current_dir(&dir)).success();
        }
        // The target dir lives inside the crate but is ignored by git.
        fs::write(dir.join(".git/info/exclude"), "/target\n").unwrap();
        Crate { _tmp: tmp, dir }
    }

    fn slim(&self, args: &[&str]) -> Outcome {
        run(slim()
            .args(args)
            .arg("--target")
            .arg(TRIPLE)
            .current_dir(&self.dir))
    }

    fn build(&self, extra: &[&str]) {
        let mut args = vec!["build", "-q"];
        args.extend(extra);
        self.slim(&args).success();
    }

    fn built(&self) -> Built {
        Built::at(&self.dir.join("target"), "hello", TRIPLE)
    }

    /// `cargo slim verify --message-format json` + extra args (`.json()` is the report).
    fn verify(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["verify", "--message-format", "json"];
        args.extend(extra);
        self.slim(&args)
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn names(diffs: &Value, kind: &str) -> Vec<String> {
    diffs
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == kind)
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

fn sha256sum_check(dir: &Path) -> Outcome {
    run(Command::new("sha256sum")
        .args(["-c", "function.zip.sha256"])
        .current_dir(dir))
}

/// A fresh build is reproducible (full rebuild) and matches its manifest
/// (--artifact-only); `sha256sum -c` agrees; the human line names the hash.
#[test]
fn verify_passes_on_a_fresh_build() {
    let c = Crate::new();
    c.build(&[]);
    let built = c.built();
    let before = fs::read(&built.manifest).unwrap();
    let recorded: Value = serde_json::from_slice(&before).unwrap();
    let sha = recorded["zip"]["sha256"].as_str().unwrap().to_string();

    let out = c.verify(&[]).success();
    let report = out.json();
    let t = &report["targets"][0];
    assert_eq!(t["target"], TRIPLE);
    assert_eq!(t["reproducible"], true);
    assert_eq!(t["mode"], "rebuild");
    assert_eq!(t["rebuilt_sha256"], sha.as_str());
    assert_eq!(t["differences"], Value::Array(vec![]));
    assert_eq!(t["causes"], Value::Array(vec![]), "{out}");
    // The rebuild went to a temporary dir: the build's files are untouched.
    assert!(fs::read(&built.manifest).unwrap() == before);

    c.slim(&["verify", "--artifact-only"])
        .success()
        .stderr_has(&format!(
            "{TRIPLE}: matches its manifest: function.zip {sha}"
        ));
    sha256sum_check(&built.dir).success();
}

/// (a) One flipped byte in function.zip: --artifact-only exits 1 naming the zip
/// and the entry, says the zip changed after the build; `sha256sum -c` fails too.
#[test]
fn verify_fails_after_a_flipped_zip_byte() {
    let c = Crate::new();
    c.build(&[]);
    let built = c.built();
    let mut zip = fs::read(&built.zip).unwrap();
    let at = zip.len() / 2;
    zip[at] ^= 0x01;
    fs::write(&built.zip, &zip).unwrap();

    let report = c.verify(&["--artifact-only"]).failure(1).json();
    let t = &report["targets"][0];
    assert_eq!(t["reproducible"], false);
    let diffs = &t["artifact_differences"];
    assert_eq!(names(diffs, "artifact"), ["function.zip"], "{diffs:#}");
    assert_eq!(names(diffs, "file"), ["bootstrap"], "{diffs:#}");
    assert!(
        strings(&t["causes"])
            .iter()
            .any(|c| c.contains("function.zip was changed after the build wrote it")),
        "{t:#}"
    );
    // Human form names the file.
    c.slim(&["verify", "--artifact-only"])
        .failure(1)
        .stderr_has("NOT reproducible")
        .stderr_has("function.zip: recorded ");
    sha256sum_check(&built.dir).nonzero();
}

/// (b) An edited source file: the rebuild differs in named ELF sections, and the
/// likely cause is the dirty git tree.
#[test]
fn verify_fails_after_a_source_edit() {
    let c = Crate::new();
    c.build(&[]);
    let main = c.dir.join("src/main.rs");
    let text = fs::read_to_string(&main).unwrap();
    fs::write(
        &main,
        text.replace(
            "hello from cargo-slim fixture",
            "hello from an edited fixture",
        ),
    )
    .unwrap();

    let report = c
        .verify(&[])
        .failure(1)
        .stderr_has("the git work tree is dirty")
        .json();
    let t = &report["targets"][0];
    assert_eq!(t["reproducible"], false);
    assert_eq!(t["artifact_differences"], Value::Array(vec![]), "{t:#}");
    let diffs = &t["differences"];
    assert_eq!(names(diffs, "zip"), ["function.zip"], "{diffs:#}");
    assert_eq!(names(diffs, "file"), ["bootstrap"], "{diffs:#}");
    let sections = names(diffs, "section");
    assert!(sections.contains(&".rodata".to_string()), "{sections:?}");
    // Every listed section really differs, and the others are not listed.
    for d in diffs.as_array().unwrap() {
        assert_ne!(d["recorded"], d["found"], "{d:#}");
    }
    let causes = strings(&t["causes"]);
    assert!(
        causes
            .iter()
            .any(|c| c == "source file src/main.rs changed since the record"),
        "{causes:?}"
    );
    assert!(
        causes.iter().any(|c| c.contains("uncommitted changes")),
        "{causes:?}"
    );
}

/// (c) The artifact was rebuilt with `--opt-level s` but the published manifest
/// records the default: the artifact differs, the recorded settings still
/// reproduce the record, and the cause names --opt-level.
#[test]
fn verify_fails_after_a_build_with_another_opt_level() {
    let c = Crate::new();
    c.build(&[]);
    let expected = c.dir.join("expected-manifest.json");
    fs::copy(c.built().manifest, &expected).unwrap();
    c.build(&["--opt-level", "s"]);

    let report = c
        .verify(&["--manifest", expected.to_str().unwrap()])
        .failure(1)
        .json();
    let t = &report["targets"][0];
    assert_eq!(t["differences"], Value::Array(vec![]), "{t:#}");
    assert!(
        names(&t["artifact_differences"], "artifact").contains(&"function.zip".to_string()),
        "{t:#}"
    );
    let causes = strings(&t["causes"]);
    assert!(
        causes
            .iter()
            .any(|c| c == "--opt-level differs: recorded `default`, now `s`"),
        "{causes:?}"
    );
    // The s build's own manifest is reproducible with its own settings.
    c.verify(&["--artifact-only"]).success();
}

/// No Cargo.lock: refused before building (exit 2), with what to do.
#[test]
fn verify_refuses_without_cargo_lock() {
    let c = Crate::new();
    c.build(&[]);
    fs::remove_file(c.dir.join("Cargo.lock")).unwrap();
    // Refused, not built anyway.
    c.slim(&["verify"])
        .failure(2)
        .stderr_has("no Cargo.lock")
        .stderr_has("cargo generate-lockfile")
        .stderr_lacks("Building");
}

/// A manifest recorded with another toolchain: a loud warning before the
/// rebuild, and the toolchain named among the causes.
#[test]
fn verify_warns_when_the_toolchain_differs() {
    let c = Crate::new();
    c.build(&[]);
    let path = c.built().manifest;
    let mut m: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    m["toolchain"]["rustc"] = "rustc 1.80.0 (051478957 2024-07-21)".into();
    fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();

    // The bytes still match (the string was the only change), so the verdict
    // is reproducible, with the difference reported as a warning cause.
    let report = c
        .verify(&[])
        .stderr_has("warning: the toolchain differs from the recorded one")
        .success()
        .json();
    let causes = strings(&report["targets"][0]["causes"]);
    assert!(
        causes
            .iter()
            .any(|c| c.starts_with("rustc differs: recorded `rustc 1.80.0")),
        "{causes:?}"
    );
}

/// A Cargo.lock that Cargo.toml has outgrown: `--locked` cannot hold, so verify
/// refuses (exit 2) and says why, instead of cargo's advice to drop --locked.
#[test]
fn verify_refuses_a_stale_cargo_lock() {
    let c = Crate::new();
    let toml = c.dir.join("Cargo.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        text.replace("version = \"0.1.0\"", "version = \"0.1.1\""),
    )
    .unwrap();
    c.slim(&["verify"])
        .failure(2)
        .stderr_has("Cargo.lock is out of date")
        .stderr_has("verify always builds with --locked");
    // Nothing rewrote the lock file.
    run(Command::new("git")
        .args(["status", "--porcelain", "Cargo.lock"])
        .current_dir(&c.dir))
    .stdout_is("");
}

/// A target dir reached through a symlink: the build and the rebuild (in a fresh
/// temporary dir) record the same flags, so a fresh build verifies with no
/// causes. It used to warn "rustflags differs": the build recorded a remap for
/// both spellings of its target dir, the rebuild for one.
#[test]
fn verify_with_a_symlinked_target_dir_finds_nothing_different() {
    let c = Crate::new();
    let real = c.dir.join("real-target");
    fs::create_dir(&real).unwrap();
    fs::write(c.dir.join(".git/info/exclude"), "/target\n/real-target\n").unwrap();
    std::os::unix::fs::symlink(&real, c.dir.join("target")).unwrap();
    c.build(&[]);
    let report = c.verify(&[]).success().stderr_lacks("differs").json();
    let causes = strings(&report["targets"][0]["causes"]);
    assert!(causes.is_empty(), "{causes:?}");
}
