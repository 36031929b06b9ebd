//! `cargo slim verify`: passes on a fresh build; fails with the right explanation
//! after a flipped zip byte, an edited source file, or a build with another
//! `--opt-level` than recorded; refuses without a Cargo.lock. Each test works on
//! its own copy of the `hello` fixture with its own target directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{copy_fixture, run, slim, Built};
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
            let (code, _, err) = run(Command::new("git").args(args).current_dir(&dir));
            assert_eq!(code, 0, "git {args:?}: {err}");
        }
        // The target dir lives inside the crate but is ignored by git.
        fs::write(dir.join(".git/info/exclude"), "/target\n").unwrap();
        Crate { _tmp: tmp, dir }
    }

    fn slim(&self, args: &[&str]) -> (i32, String, String) {
        run(slim()
            .args(args)
            .arg("--target")
            .arg(TRIPLE)
            .current_dir(&self.dir))
    }

    fn build(&self, extra: &[&str]) {
        let mut args = vec!["build", "-q"];
        args.extend(extra);
        let (code, out, err) = self.slim(&args);
        assert_eq!(code, 0, "build failed:\n{out}\n{err}");
    }

    fn built(&self) -> Built {
        Built::at(&self.dir.join("target"), "hello", TRIPLE)
    }

    /// `cargo slim verify --message-format json` + extra args → (exit, report, stderr).
    fn verify(&self, extra: &[&str]) -> (i32, Value, String) {
        let mut args = vec!["verify", "--message-format", "json"];
        args.extend(extra);
        let (code, out, err) = self.slim(&args);
        let report = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("verify printed no JSON ({e}), exit {code}:\n{out}\n{err}"));
        (code, report, err)
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

fn sha256sum_check(dir: &Path) -> (i32, String) {
    let (code, out, err) = run(Command::new("sha256sum")
        .args(["-c", "function.zip.sha256"])
        .current_dir(dir));
    (code, format!("{out}{err}"))
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

    let (code, report, err) = c.verify(&[]);
    assert_eq!(code, 0, "{report:#}\n{err}");
    let t = &report["targets"][0];
    assert_eq!(t["target"], TRIPLE);
    assert_eq!(t["reproducible"], true);
    assert_eq!(t["mode"], "rebuild");
    assert_eq!(t["rebuilt_sha256"], sha.as_str());
    assert_eq!(t["differences"], Value::Array(vec![]));
    assert_eq!(t["causes"], Value::Array(vec![]), "{err}");
    // The rebuild went to a temporary dir: the build's files are untouched.
    assert!(fs::read(&built.manifest).unwrap() == before);

    let (code, out, err) = c.slim(&["verify", "--artifact-only"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains(&format!(
            "{TRIPLE}: matches its manifest: function.zip {sha}"
        )),
        "{err}"
    );
    let (code, out) = sha256sum_check(&built.dir);
    assert_eq!(code, 0, "{out}");
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

    let (code, report, err) = c.verify(&["--artifact-only"]);
    assert_eq!(code, 1, "{report:#}\n{err}");
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
    let (code, _, err) = c.slim(&["verify", "--artifact-only"]);
    assert_eq!(code, 1);
    assert!(err.contains("NOT reproducible"), "{err}");
    assert!(err.contains("function.zip: recorded "), "{err}");
    let (code, out) = sha256sum_check(&built.dir);
    assert_ne!(code, 0, "{out}");
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

    let (code, report, err) = c.verify(&[]);
    assert_eq!(code, 1, "{report:#}\n{err}");
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
    assert!(err.contains("the git work tree is dirty"), "{err}");
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

    let (code, report, err) = c.verify(&["--manifest", expected.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}\n{err}");
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
    let (code, _, err) = c.verify(&["--artifact-only"]);
    assert_eq!(code, 0, "{err}");
}

/// No Cargo.lock: refused before building (exit 2), with what to do.
#[test]
fn verify_refuses_without_cargo_lock() {
    let c = Crate::new();
    c.build(&[]);
    fs::remove_file(c.dir.join("Cargo.lock")).unwrap();
    let (code, out, err) = c.slim(&["verify"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("no Cargo.lock"), "{err}");
    assert!(err.contains("cargo generate-lockfile"), "{err}");
    assert!(!err.contains("Building"), "built anyway:\n{err}");
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

    let (code, report, err) = c.verify(&[]);
    assert!(
        err.contains("warning: the toolchain differs from the recorded one"),
        "{err}"
    );
    // The bytes still match (the string was the only change), so the verdict
    // is reproducible, with the difference reported as a warning cause.
    assert_eq!(code, 0, "{report:#}\n{err}");
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
    let (code, out, err) = c.slim(&["verify"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("Cargo.lock is out of date"), "{err}");
    assert!(err.contains("verify always builds with --locked"), "{err}");
    // Nothing rewrote the lock file.
    let (_, status, _) = run(Command::new("git")
        .args(["status", "--porcelain", "Cargo.lock"])
        .current_dir(&c.dir));
    assert_eq!(status, "", "Cargo.lock was modified");
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
    let (code, report, err) = c.verify(&[]);
    assert_eq!(code, 0, "{report:#}\n{err}");
    let causes = strings(&report["targets"][0]["causes"]);
    assert!(causes.is_empty(), "{causes:?}\n{err}");
    assert!(!err.contains("differs"), "{err}");
}
