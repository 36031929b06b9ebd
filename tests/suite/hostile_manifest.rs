//! A `slim-manifest.json` is untrusted input: it travels with an artifact and may
//! come from anywhere. Every field is mutated here (the CARGO_ENCODED_RUSTFLAGS
//! separator U+001F, leading-dash flags, `..` and absolute paths, special files,
//! huge numbers and strings, wrong types) and fed to `verify`, `verify
//! --artifact-only`, `verify --manifest PATH` and `size` with `RUSTFLAGS=-D
//! warnings` set, as CI often has. Each must exit 2 naming the field, before
//! anything is compiled; a canary script that would leave a file if run (as a
//! linker, say) must never run; nothing may appear outside the workspace and
//! its target dir.
//!
//! Cheap: one shared fixture build (tests/suite/common `build`), copied into a scratch
//! workspace per test; every refusal happens before cargo compiles anything.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{copy_fixture, run, slim, Outcome};
use serde_json::{json, Value};

const TRIPLE: &str = "x86_64-unknown-linux-musl";

/// A copy of `hello` with the shared build's output in its own target dir, a
/// canary script, and a secret file outside the workspace.
struct Scene {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    ws: PathBuf,
    out: PathBuf,
    canary: PathBuf,
    ran: PathBuf,
    secret: PathBuf,
    scratch: PathBuf,
    pristine: Value,
}

impl Scene {
    fn new() -> Scene {
        // Built once per process: each `build` rewrites the shared output dir,
        // which a concurrent test may be copying.
        static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        let built = BUILT.get_or_init(|| common::build("hello", "hello", TRIPLE, &[]).dir);
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let ws = copy_fixture("hello", &root);
        let out = ws.join("target/cargo-slim/hello").join(TRIPLE);
        fs::create_dir_all(&out).unwrap();
        let outputs = common::outputs_shared();
        for name in [
            "bootstrap",
            "bootstrap.full",
            "function.zip",
            "function.zip.sha256",
            "slim-manifest.json",
            "function.cdx.json",
            "function.intoto.json",
        ] {
            fs::copy(built.join(name), out.join(name)).unwrap();
        }
        drop(outputs);
        let ran = root.join("CANARY-RAN");
        let canary = root.join("canary.sh");
        fs::write(&canary, format!("#!/bin/sh\ntouch '{}'\n", ran.display())).unwrap();
        fs::set_permissions(&canary, fs::Permissions::from_mode(0o755)).unwrap();
        let secret = root.join("secret.txt");
        fs::write(&secret, b"outside the workspace\n").unwrap();
        let scratch = root.join("scratch");
        fs::create_dir(&scratch).unwrap();
        let pristine =
            serde_json::from_slice(&fs::read(out.join("slim-manifest.json")).unwrap()).unwrap();
        Scene {
            _tmp: tmp,
            root,
            ws,
            out,
            canary,
            ran,
            secret,
            scratch,
            pristine,
        }
    }

    /// `cargo slim ARGS --target TRIPLE` in the workspace, with RUSTFLAGS set and
    /// temporary files in a scratch dir we can watch.
    fn slim(&self, args: &[&str]) -> Outcome {
        run(slim()
            .args(args)
            .args(["--target", TRIPLE])
            .current_dir(&self.ws)
            .env("RUSTFLAGS", "-D warnings")
            .env("TMPDIR", &self.scratch))
    }

    fn set_manifest(&self, manifest: &Value) {
        let text = serde_json::to_vec_pretty(manifest).unwrap();
        fs::write(self.out.join("slim-manifest.json"), &text).unwrap();
        fs::write(self.root.join("given.json"), &text).unwrap();
    }

    /// The pristine manifest with the value at `pointer` replaced.
    fn mutated(&self, pointer: &str, value: Value) -> Value {
        let mut m = self.pristine.clone();
        *m.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer} in the manifest")) = value;
        m
    }

    /// What lies in the scratch root outside the workspace (the canary, the
    /// secret, given.json and the scratch dir's contents).
    fn outside(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.root)
            .unwrap()
            .chain(fs::read_dir(&self.scratch).unwrap())
            .map(|e| e.unwrap().path().display().to_string())
            .collect();
        names.sort();
        names
    }

    /// Every command that reads the manifest must refuse it: exit 2, `field`
    /// named, nothing compiled, the canary never run, nothing new outside.
    fn assert_refused(&self, manifest: &Value, field: &str) {
        self.set_manifest(manifest);
        let given = self.root.join("given.json");
        let before = self.outside();
        for args in [
            vec!["verify"],
            vec!["verify", "--artifact-only"],
            vec!["verify", "--manifest", given.to_str().unwrap()],
            vec!["size"],
        ] {
            // Refused naming the mutated field, without compiling.
            self.slim(&args)
                .labelled(format!("{field} mutated"))
                .failure(2)
                .stderr_has(&format!("`{field}`"))
                .stderr_lacks("Compiling");
            assert!(!self.ran.exists(), "{args:?} ran the canary ({field})");
            assert_eq!(self.outside(), before, "{args:?} wrote outside ({field})");
        }
        assert!(!self.root.join("escape").exists());
        assert!(!self.ws.join("escape").exists());
    }
}

/// Every field that a rebuild uses, and a sample of the others, mutated in the
/// ways an attacker would: each refused with exit 2 naming it.
#[test]
fn every_mutated_field_is_refused_naming_it() {
    let s = Scene::new();
    let canary = s.canary.display().to_string();
    let evil = format!("-Clinker={canary}");
    let huge = "x".repeat(1 << 20);
    let sep = |flag: &str| json!(format!("{flag}\u{1f}{evil}"));
    let include = "build.options.include[0]";
    let source = "inputs.sources[0].path";
    let src = |path: &str| json!([{"path": path, "sha256": "0"}]);
    // (where in the manifest, the field the error must name, the values tried)
    #[rustfmt::skip]
    let cases: Vec<(&str, &str, Vec<Value>)> = vec![
        // Options that become rustc flags, cargo config or arguments.
        ("/build/options/cpu", "build.options.cpu", vec![
            sep("x86-64"), json!(evil), json!("x86-64 -Clink-arg=-Wl,--x"), json!(huge), json!(7),
        ]),
        ("/build/options/opt_level", "build.options.opt_level", vec![
            sep("z"), json!("\"z\"\nlinker=\"x\""), json!("4"), json!(3),
        ]),
        ("/build/options/linker", "build.options.linker", vec![json!(canary)]),
        ("/build/options/build_std", "build.options.build_std", vec![json!("yes")]),
        ("/build/options/panic", "build.options.panic", vec![json!("unwind"), sep("abort")]),
        // Immediate-abort without build-std: a pair of options that cannot be.
        ("/build/options/panic", "build.options", vec![json!("immediate-abort")]),
        ("/build/options/preflight", "build.options.preflight", vec![json!(null)]),
        // Include paths: absolute, traversal, special files, reserved names.
        ("/build/options/include", include, vec![
            json!(["/etc/passwd:passwd"]), json!(["../secret.txt:s"]),
            json!(["src/../../secret.txt:s"]), json!(["/dev/zero:zero"]),
            json!(["src/main.rs:bootstrap"]), json!(["src/main.rs:bootstrap/x"]),
            json!(["src/main.rs:../x"]), json!(["src/main.rs"]),
        ]),
        ("/build/options/include", "build.options.include", vec![json!("src/main.rs:x")]),
        // Features: arguments to cargo.
        ("/build/features", "build.features[0]", vec![
            json!(["--all-features"]), json!([sep("a")]), json!(["-Zbuild-std"]), json!(["a,b"]),
        ]),
        ("/build/features", "build.features", vec![json!("default")]),
        ("/build/all_features", "build.all_features", vec![json!(1)]),
        // Names that become paths and arguments.
        ("/package/bin", "package.bin", vec![
            json!("../../../escape"), json!("--help"), json!("/tmp/x"),
        ]),
        ("/target/triple", "target.triple", vec![
            json!("--help"),
            json!(format!("{TRIPLE}/../../../../../escape")),
            json!("x86_64-unknown-linux-gnu.2.34"),
        ]),
        ("/target/arch", "target", vec![json!("arm64")]),
        ("/target/libc", "target.libc", vec![json!("-lc")]),
        ("/runtime", "runtime", vec![json!("provided.al2; rm -rf /")]),
        // Numbers: huge, negative, odd, wrong type.
        ("/build/timestamp/unix", "build.timestamp.unix", vec![
            json!(1e300), json!(-1), json!(315_532_801), json!("now"),
        ]),
        ("/files/0/size", "files[0].size", vec![json!(1e300)]),
        ("/unstripped/size", "unstripped.size", vec![json!(-5)]),
        // Source paths verify --artifact-only hashes.
        ("/inputs/sources", source, vec![
            src("/etc/passwd"), src("../secret.txt"), src("src/./main.rs"),
        ]),
        // Strings only shown or compared: still no control characters (terminal
        // escapes) and no huge values.
        ("/toolchain/rustc", "toolchain.rustc", vec![json!(huge)]),
        ("/zip/sha256", "zip.sha256", vec![json!("\u{1b}[2J\u{1b}[31mOK")]),
        ("/files/0/name", "files[0].name", vec![json!("boot\nstrap")]),
        ("/build/user_rustflags", "build.user_rustflags[0]", vec![json!([sep("-Cfoo")])]),
        ("/schema", "schema", vec![json!(2)]),
    ];
    for (pointer, field, values) in cases {
        for value in values {
            s.assert_refused(&s.mutated(pointer, value), field);
        }
    }
    // A field of the wrong shape altogether.
    let mut m = s.pristine.clone();
    m["build"]["options"] = json!("z");
    s.assert_refused(&m, "build.options");
    let mut m = s.pristine.clone();
    m.as_object_mut().unwrap().remove("target");
    s.assert_refused(&m, "target");
}

/// A manifest that is not a regular file (`/dev/zero`, a FIFO) or is huge is
/// refused at once: no hang, no memory exhaustion.
#[test]
fn special_and_huge_manifest_files_are_refused() {
    let s = Scene::new();
    let fifo = s.root.join("fifo.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let huge = s.root.join("huge.json");
    fs::File::create(&huge).unwrap().set_len(64 << 20).unwrap();
    for path in [Path::new("/dev/zero"), &fifo, &huge] {
        let expected = if path == huge {
            "more than the"
        } else {
            "not a regular file"
        };
        within_30s(
            slim()
                .args([
                    "verify",
                    "--artifact-only",
                    "--target",
                    TRIPLE,
                    "--manifest",
                ])
                .arg(path)
                .current_dir(&s.ws),
        )
        .failure(2)
        .stderr_has(expected);
    }
    // The manifest beside the output replaced by a FIFO: verify and size too.
    let beside = s.out.join("slim-manifest.json");
    fs::remove_file(&beside).unwrap();
    assert!(Command::new("mkfifo")
        .arg(&beside)
        .status()
        .unwrap()
        .success());
    for args in [&["verify", "--artifact-only"][..], &["size"]] {
        within_30s(
            slim()
                .args(args)
                .args(["--target", TRIPLE])
                .current_dir(&s.ws),
        )
        .failure(2)
        .stderr_has("not a regular file");
    }
}

/// The artifact travels with the manifest too: a FIFO in place of function.zip
/// or bootstrap reads as missing (exit 1, named) instead of blocking for ever.
#[test]
fn artifact_files_that_are_fifos_do_not_hang() {
    let s = Scene::new();
    for name in ["function.zip", "bootstrap"] {
        let path = s.out.join(name);
        let keep = s.root.join(name);
        fs::rename(&path, &keep).unwrap();
        assert!(Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap()
            .success());
        within_30s(
            slim()
                .args(["verify", "--artifact-only", "--target", TRIPLE])
                .current_dir(&s.ws),
        )
        .failure(2)
        .stderr_has(&format!(
            "{name} is a FIFO (named pipe), not a regular file"
        ));
        fs::remove_file(&path).unwrap();
        fs::rename(&keep, &path).unwrap();
    }
}

/// Run with a deadline (a FIFO would block a careless reader for ever); stdout
/// is not kept.
fn within_30s(cmd: &mut Command) -> Outcome {
    let err_path = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(fs::File::create(err_path.path()).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Outcome {
                command: format!("{cmd:?}"),
                code: status.code().unwrap_or(-1),
                stdout: String::new(),
                stderr: fs::read_to_string(err_path.path()).unwrap(),
            };
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Recorded include paths that pass the grammar but name a FIFO or a symbolic
/// link out of the workspace: verify's rebuild refuses them before compiling,
/// naming the include; the secret's bytes are never read. `size` never rebuilds
/// (it reads the build that is there), so it never opens a recorded include.
#[test]
fn recorded_includes_of_special_files_and_escaping_links_are_refused() {
    let s = Scene::new();
    assert!(Command::new("mkfifo")
        .arg(s.ws.join("fifo"))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(&s.secret, s.ws.join("leak")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", s.ws.join("zero")).unwrap();
    for (include, why) in [
        ("fifo:fifo", "not a regular file"),
        ("leak:leak", "leads outside the workspace"),
        ("zero:zero", "leads outside the workspace"),
    ] {
        s.set_manifest(&s.mutated("/build/options/include", json!([include])));
        s.slim(&["verify"])
            .failure(2)
            .stderr_has(&format!("include `{include}`"))
            .stderr_has(why)
            .stderr_lacks("Compiling");
        s.slim(&["size"]).success().stderr_lacks("Compiling");
    }
}

/// `verify --artifact-only` hashes the recorded source files to name the one
/// that changed. A recorded path that leads out of the workspace (here through
/// a symbolic link) is never read: the answer is the same whether the recorded
/// hash is the secret's or not, so verify is no hash oracle.
#[test]
fn artifact_only_is_no_hash_oracle_for_files_outside_the_workspace() {
    let s = Scene::new();
    std::os::unix::fs::symlink(&s.secret, s.ws.join("leak")).unwrap();
    let right = sha256_hex(&fs::read(&s.secret).unwrap());
    let wrong = "0".repeat(64);
    // A changed zip makes --artifact-only look for causes, sources included.
    let zip = s.out.join("function.zip");
    let mut bytes = fs::read(&zip).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    fs::write(&zip, bytes).unwrap();
    let mut answers = Vec::new();
    for sha in [&right, &wrong] {
        s.set_manifest(&s.mutated("/inputs/sources", json!([{"path": "leak", "sha256": sha}])));
        let report = s
            .slim(&["verify", "--artifact-only", "--message-format", "json"])
            .failure(1)
            .json();
        let causes = report["targets"][0]["causes"].clone();
        assert!(
            causes
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "source file leak is no longer compiled (or gone)"),
            "{causes:#}"
        );
        answers.push(causes);
    }
    assert_eq!(answers[0], answers[1]);
}

/// The recorded rustflags, user rustflags, cargo command and linker program are
/// compared, never executed: a full verify of a record whose every such field
/// names the canary rebuilds with flags derived from the typed options alone.
#[test]
fn recorded_flags_and_commands_are_compared_never_run() {
    let s = Scene::new();
    let canary = s.canary.display().to_string();
    let mut m = s.pristine.clone();
    m["build"]["rustflags"] = json!([format!("-Clinker={canary}")]);
    m["build"]["user_rustflags"] = json!([format!("-Clinker={canary}")]);
    m["build"]["command"] = json!([canary.clone(), "build"]);
    m["linker"]["program"] = json!(canary);
    m["build"]["profile"]["ours"]["linker"] = json!(format!("\"{canary}\""));
    s.set_manifest(&m);
    let out = s.slim(&["verify", "--message-format", "json"]);
    assert!(out.code == 0 || out.code == 1, "{out}");
    assert!(!s.ran.exists(), "the canary ran:\n{out}");
    let report = out.json();
    let causes = report["targets"][0]["causes"].to_string();
    assert!(causes.contains("user RUSTFLAGS differs"), "{causes}");
}

/// Names given on the command line are checked before they become paths or
/// arguments: a triple of `--help` never reaches `rustup target add`, `..` in
/// `--target` or `--bin` never becomes a directory, a U+001F in `--cpu` never
/// reaches CARGO_ENCODED_RUSTFLAGS.
#[test]
fn command_line_names_never_become_paths_or_options() {
    let s = Scene::new();
    let bad_cpu = format!("--cpu=x86-64\u{1f}-Clinker={}", s.canary.display());
    let escape = format!("--target={TRIPLE}/../../../../escape");
    for (args, flag) in [
        (vec!["build", "--target=--help"], "--target"),
        (vec!["build", &escape], "--target"),
        (vec!["build", "--bin=../../../escape"], "--bin"),
        (vec!["build", &bad_cpu], "--cpu"),
        (vec!["build", "--cpu=-Clinker=x"], "--cpu"),
        (vec!["build", "--features=-Zbuild-std"], "--features"),
        (vec!["build", "--opt-level=z -Cx"], "--opt-level"),
        (vec!["verify", "--bin=../x"], "--bin"),
        (vec!["size", "--target=../x-linux-musl"], "--target"),
    ] {
        run(slim()
            .args(&args)
            .current_dir(&s.ws)
            .env("RUSTFLAGS", "-D warnings"))
        .failure(2)
        .stderr_has(&format!("invalid {flag}"))
        .stderr_lacks("Compiling");
        assert!(!s.ran.exists());
    }
    assert!(!s.root.join("escape").exists());
    assert!(!s.ws.join("escape").exists());
}

/// `--include` is checked before compiling: a file and a directory of one name,
/// or a name under `bootstrap`, is refused; a file outside the workspace is
/// refused; the error shows the spec as written.
#[test]
fn bad_includes_are_refused_at_include_time_as_written() {
    let s = Scene::new();
    fs::write(s.ws.join("a.txt"), b"a").unwrap();
    fs::write(s.ws.join("b.txt"), b"b").unwrap();
    let secret = s.secret.display().to_string();
    for (args, says) in [
        (
            vec!["--include", "a.txt:bootstrap/x"],
            "include `a.txt:bootstrap/x`",
        ),
        (
            vec!["--include", "a.txt:conf", "--include", "b.txt:conf/x"],
            "include `a.txt:conf` makes `conf` a file",
        ),
        (vec!["--include", "a.txt:"], "include `a.txt:`"),
        (vec!["--include", &secret], "is not inside the workspace"),
        (
            vec!["--include", "../secret.txt:s"],
            "include `../secret.txt:s`",
        ),
    ] {
        // The spec as written, not rewritten (no `::`).
        run(slim()
            .arg("build")
            .args(&args)
            .args(["--target", TRIPLE])
            .current_dir(&s.ws))
        .failure(2)
        .stderr_has(says)
        .stderr_lacks("::")
        .stderr_lacks("Compiling");
    }
}

/// `[package.metadata.slim]` goes through the same parsers as the command line:
/// each bad value is refused before compiling, naming the table and key.
#[test]
fn package_metadata_goes_through_the_same_parsers() {
    let s = Scene::new();
    let toml_path = s.ws.join("Cargo.toml");
    let original = fs::read_to_string(&toml_path).unwrap();
    let canary = s.canary.display().to_string();
    for (entry, says) in [
        (
            format!("cpu = \"x86-64\\u001f-Clinker={canary}\""),
            "invalid [package.metadata.slim] cpu",
        ),
        (
            "cpu = \"-Ctarget-feature=+crt-static\"".to_string(),
            "invalid [package.metadata.slim] cpu",
        ),
        (
            "opt-level = 4".to_string(),
            "invalid [package.metadata.slim] opt-level",
        ),
        (
            "linker = \"ld\"".to_string(),
            "invalid [package.metadata.slim] linker",
        ),
        (
            format!("target = \"{TRIPLE}/../../../../escape\""),
            "invalid [package.metadata.slim] target",
        ),
        (
            "include = [\"../secret.txt\"]".to_string(),
            "invalid [package.metadata.slim] include",
        ),
        (
            "include = [\"Cargo.toml:bootstrap\"]".to_string(),
            "invalid [package.metadata.slim] include",
        ),
    ] {
        fs::write(
            &toml_path,
            original.replace(
                "[workspace]",
                &format!("[package.metadata.slim]\n{entry}\n\n[workspace]"),
            ),
        )
        .unwrap();
        run(slim()
            .arg("build")
            .current_dir(&s.ws)
            .env("RUSTFLAGS", "-D warnings"))
        .labelled(&entry)
        .failure(2)
        .stderr_has(says)
        .stderr_lacks("Compiling");
        assert!(!s.ran.exists(), "{entry} ran the canary");
    }
    assert!(!s.ws.join("escape").exists());
}

fn sha256_hex(data: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(data)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
