//! `cargo slim build`, end to end: real fixture crates, real targets, real linkers;
//! the results run natively or under qemu, and the zip is read by real tools.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use crate::common::runtime_api::{lambda_env, RuntimeApi, REQUEST_ID};
use crate::common::{
    build, build_in, elf_facts, exec_for, fixture, require_tool, run, slim, Built,
};
use serde_json::Value;

const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;

fn sha256_file(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn manifest(built: &Built) -> Value {
    serde_json::from_slice(&fs::read(&built.manifest).expect("manifest")).expect("manifest JSON")
}

/// Machine, linkage and a run, for each of the four triples; musl by rust-lld,
/// gnu by zig with glibc pinned for provided.al2023.
#[test]
fn hello_builds_and_runs_for_all_four_triples() {
    require_tool("cargo-zigbuild");
    let cases = [
        ("x86_64-unknown-linux-musl", EM_X86_64, None, "lld"),
        ("aarch64-unknown-linux-musl", EM_AARCH64, None, "lld"),
        (
            "x86_64-unknown-linux-gnu",
            EM_X86_64,
            Some("/lib64/ld-linux-x86-64.so.2"),
            "zig",
        ),
        (
            "aarch64-unknown-linux-gnu",
            EM_AARCH64,
            Some("/lib/ld-linux-aarch64.so.1"),
            "zig",
        ),
    ];
    for (triple, machine, interp, linker) in cases {
        let built = build("hello", "hello", triple, &[]);
        let (got_machine, got_interp) = elf_facts(&built.bootstrap);
        assert_eq!(got_machine, machine, "{triple}: ELF machine");
        assert_eq!(got_interp.as_deref(), interp, "{triple}: dynamic loader");
        let m = manifest(&built);
        assert_eq!(m["linker"]["kind"], linker, "{triple}: linker");
        if triple.ends_with("gnu") {
            assert_eq!(m["linker"]["cargo_target"], format!("{triple}.2.34"));
        }
        run(exec_for(triple, &built.bootstrap).args(["a", "b"]))
            .success()
            .stdout_is("hello from cargo-slim fixture, 3 args\n");
        // Stripped: no symbol table left, and smaller than the kept full link.
        let full = fs::metadata(&built.full).unwrap().len();
        let shipped = fs::metadata(&built.bootstrap).unwrap().len();
        assert!(shipped < full, "{triple}: {shipped} >= {full}");
        assert!(
            !has_symtab(&built.bootstrap),
            "{triple}: bootstrap still has .symtab"
        );
        assert!(
            has_symtab(&built.full),
            "{triple}: bootstrap.full lost its symbols"
        );
    }
}

fn has_symtab(path: &std::path::Path) -> bool {
    use object::{Object, ObjectSection};
    let data = fs::read(path).unwrap();
    let file = object::File::parse(&*data).unwrap();
    let has = file.sections().any(|s| s.name() == Ok(".symtab"));
    has
}

/// The zip, read by unzip, Python's zipfile and sha256sum; the manifest agrees.
#[test]
fn zip_is_deterministic_and_checkable_by_standard_tools() {
    let built = build("hello", "hello", "x86_64-unknown-linux-musl", &[]);

    // `sha256sum -c` in the output directory.
    run(Command::new("sha256sum")
        .args(["-c", "function.zip.sha256"])
        .current_dir(&built.dir))
    .success()
    .stdout_is("function.zip: OK\n");

    // unzip -Z: one entry, bootstrap, -rwxr-xr-x, unx, 1980 timestamp.
    let listing = run(Command::new(require_tool("unzip"))
        .arg("-Z")
        .arg(&built.zip))
    .success()
    .stdout;
    let entries: Vec<&str> = listing.lines().filter(|l| l.starts_with('-')).collect();
    assert_eq!(entries.len(), 1, "{listing}");
    assert!(entries[0].starts_with("-rwxr-xr-x"), "{listing}");
    assert!(entries[0].contains(" unx "), "{listing}");
    assert!(entries[0].ends_with(" bootstrap"), "{listing}");
    assert!(entries[0].contains("80-Jan-01 00:00"), "{listing}");

    // Python's zipfile: exact facts of every entry, and the content is the file.
    let script = r#"
import sys, zipfile, hashlib, json
z = zipfile.ZipFile(sys.argv[1])
out = []
for i in z.infolist():
    out.append(dict(name=i.filename, mode=oct(i.external_attr >> 16), system=i.create_system,
        date=list(i.date_time), extra=len(i.extra), flags=i.flag_bits, method=i.compress_type,
        sha256=hashlib.sha256(z.read(i)).hexdigest()))
print(json.dumps(out))
"#;
    let out = common::output_ok(Command::new("python3").args(["-c", script]).arg(&built.zip));
    let entries: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &entries[0];
    assert_eq!(e["name"], "bootstrap");
    assert_eq!(e["mode"], "0o100755");
    assert_eq!(e["system"], 3, "created on Unix");
    assert_eq!(e["date"], serde_json::json!([1980, 1, 1, 0, 0, 0]));
    assert_eq!(e["extra"], 0, "no extra fields");
    assert_eq!(e["flags"].as_u64().unwrap() & 0x8, 0, "no data descriptor");
    assert_eq!(e["method"], 8, "deflate");
    assert_eq!(e["sha256"], sha256_file(&built.bootstrap));

    // The manifest's hashes are the files' hashes.
    let m = manifest(&built);
    assert_eq!(m["zip"]["sha256"], sha256_file(&built.zip));
    assert_eq!(m["zip"]["size"], fs::metadata(&built.zip).unwrap().len());
    assert_eq!(m["files"][0]["name"], "bootstrap");
    assert_eq!(m["files"][0]["mode"], "0755");
    assert_eq!(m["files"][0]["sha256"], sha256_file(&built.bootstrap));
    assert_eq!(m["unstripped"]["sha256"], sha256_file(&built.full));
    // CodeSha256 is base64 of the raw digest.
    // (Python, which .ci/setup installs; `openssl | base64` piped nothing into
    // base64 and "succeeded" where openssl was absent.)
    let b64 = common::output_ok(
        Command::new(require_tool("python3"))
            .args([
                "-c",
                "import base64,hashlib,sys;\
                 print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())",
            ])
            .arg(&built.zip),
    );
    assert_eq!(
        m["zip"]["code_sha256"].as_str().unwrap(),
        String::from_utf8_lossy(&b64.stdout).trim()
    );
    // Modes on disk.
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&built.bootstrap), 0o755);
    assert_eq!(mode(&built.zip), 0o644);
    // No absolute path of this machine in the manifest.
    let text = fs::read_to_string(&built.manifest).unwrap();
    assert!(!text.contains(env!("CARGO_MANIFEST_DIR")), "{text}");
    assert!(
        !text.contains("/root/") && !text.contains("/home/"),
        "{text}"
    );
}

/// `--include` adds files beside bootstrap, sorted, with modes from the source;
/// SOURCE_DATE_EPOCH sets the timestamp. Include paths are given relative to the
/// working directory (here a subdirectory) and recorded relative to the
/// workspace root, as `PATH:NAME`: no absolute path in the manifest.
#[test]
fn includes_and_source_date_epoch() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = common::copy_fixture("hello", tmp.path());
    let files = ws.join("files");
    fs::create_dir(&files).unwrap();
    fs::write(files.join("app.json"), b"{\"greeting\":\"hi\"}").unwrap();
    let tool = files.join("helper.sh");
    fs::write(&tool, b"#!/bin/sh\necho hi\n").unwrap();
    fs::set_permissions(&tool, fs::Permissions::from_mode(0o700)).unwrap();
    let target_dir = tmp.path().join("target");
    run(slim()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(&files)
        .args([
            "build",
            "-q",
            "--target",
            "x86_64-unknown-linux-musl",
            "--target-dir",
        ])
        .arg(&target_dir)
        .args([
            "--include",
            "app.json:config/app.json",
            "--include",
            "./helper.sh",
        ]))
    .success();
    let built = Built::at(&target_dir, "hello", "x86_64-unknown-linux-musl");
    let listing = run(Command::new("unzip").arg("-Z").arg(&built.zip)).stdout;
    let names: Vec<&str> = listing
        .lines()
        .filter(|l| l.starts_with('-'))
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(names, ["bootstrap", "config/app.json", "helper.sh"]);
    assert!(listing.contains("-rw-r--r--"), "{listing}");
    assert_eq!(listing.matches("-rwxr-xr-x").count(), 2, "{listing}");
    // 1700000000 = 2023-11-14 22:13:20 UTC
    assert!(listing.contains("23-Nov-14 22:13"), "{listing}");
    let m = manifest(&built);
    assert_eq!(m["build"]["timestamp"]["unix"], 1700000000);
    assert_eq!(m["files"].as_array().unwrap().len(), 3);
    assert_eq!(
        m["build"]["options"]["include"],
        serde_json::json!([
            "files/app.json:config/app.json",
            "files/helper.sh:helper.sh"
        ])
    );
}

/// The real lambda_runtime function answers an invocation from a loopback
/// Runtime API, natively on x86_64 and under qemu on arm64.
#[test]
fn lambda_function_answers_an_invocation_on_both_arches() {
    for triple in ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"] {
        // opt-level s: the same build as tests/suite/size.rs's (compiled once).
        let built = build(
            "hello-lambda",
            "hello-lambda",
            triple,
            &["-q", "--opt-level", "s"],
        );
        let api = RuntimeApi::start(r#"{"name":"slim"}"#);
        let mut cmd = exec_for(triple, &built.bootstrap);
        for (k, v) in lambda_env(&api) {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start bootstrap");
        let reply = api.reply(Duration::from_secs(60));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let reply = reply.unwrap_or_else(|| {
            panic!(
                "{triple}: no reply from the function; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(
            reply.path,
            format!("/2018-06-01/runtime/invocation/{REQUEST_ID}/response"),
            "{triple}"
        );
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["message"], "Hello, slim!", "{triple}");
        assert_eq!(elf_facts(&built.bootstrap).1, None, "{triple}: static");
    }
}

/// A crate with C code: auto picks zig, which cross-compiles the C for arm64,
/// with the path map: the C file's `__FILE__` (given absolute by its build
/// script) is written as `/build/…`.
#[test]
fn c_code_cross_compiles_with_zig_for_arm64() {
    require_tool("cargo-zigbuild");
    let built = build("cshim", "cshim", "aarch64-unknown-linux-musl", &[]);
    let m = manifest(&built);
    assert_eq!(m["linker"]["kind"], "zig");
    run(&mut exec_for(
        "aarch64-unknown-linux-musl",
        &built.bootstrap,
    ))
    .success()
    .stdout_is(
        "cshim_add(20, 22) = 1042 (/build/src/add.c)
cshim_mix = 63
",
    );
}

/// Two checkouts at different paths, with different target directories and
/// cargo homes' worth of path: the same zip, manifest, SBOM and provenance bytes.
#[test]
fn same_bytes_from_two_checkout_paths() {
    assert_same_bytes_from_two_paths("hello", "some/deeper/checkout path");
}

/// The same for a crate with C code built by zig: `-ffile-prefix-map` keeps the
/// checkout path out of the C objects (and so out of the build-id). Paths with
/// white space cannot be passed through CFLAGS, hence a path without.
#[test]
fn same_bytes_from_two_checkout_paths_with_c_code() {
    require_tool("cargo-zigbuild");
    assert_same_bytes_from_two_paths("cshim", "some/deeper/checkout");
}

fn assert_same_bytes_from_two_paths(name: &str, deeper: &str) {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let deep = b.path().join(deeper);
    let mut outputs = Vec::new();
    for root in [a.path().to_path_buf(), deep] {
        let crate_dir = common::copy_fixture(name, &root);
        let target_dir = root.join("tgt");
        common::output_ok(
            slim()
                .current_dir(&crate_dir)
                .args(["build", "--arch", "arm64", "-q", "--target-dir"])
                .arg(&target_dir),
        );
        let built = Built::at(&target_dir, name, "aarch64-unknown-linux-musl");
        // The embedded dependency list is in bootstrap, so in the zip.
        let files = [
            "function.zip",
            "slim-manifest.json",
            "function.cdx.json",
            "function.intoto.json",
        ];
        outputs.push(files.map(|f| (f, fs::read(built.dir.join(f)).unwrap())));
    }
    for ((name, a), (_, b)) in outputs[0].iter().zip(&outputs[1]) {
        assert!(a == b, "{name} differs between checkout paths");
    }
}

/// The user's RUSTFLAGS reach rustc alongside ours.
#[test]
fn users_rustflags_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = slim();
    cmd.env("RUSTFLAGS", "--cfg slim_user_flag");
    let triple = "x86_64-unknown-linux-musl";
    let built = build_in(cmd, "hello", "hello", triple, tmp.path(), &["-q"]);
    run(&mut Command::new(&built.bootstrap)).stdout_has("user rustflag seen");
    let m = manifest(&built);
    assert_eq!(
        m["build"]["user_rustflags"],
        serde_json::json!(["--cfg", "slim_user_flag"])
    );
}

/// `--message-format json`: one JSON document on stdout with the summary.
#[test]
fn json_summary_on_stdout() {
    let built = build("hello", "hello", "x86_64-unknown-linux-musl", &[]);
    let outputs = common::outputs_shared();
    let out = common::output_ok(
        slim()
            .args([
                "build",
                "--target",
                "x86_64-unknown-linux-musl",
                "--message-format",
                "json",
            ])
            .arg("--manifest-path")
            .arg(fixture("hello").join("Cargo.toml"))
            .arg("--target-dir")
            .arg(common::shared_target_dir()),
    );
    drop(outputs);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let t = &doc["targets"][0];
    assert_eq!(t["target"], "x86_64-unknown-linux-musl");
    assert_eq!(t["status"], "ok");
    assert_eq!(t["sha256"], sha256_file(&built.zip));
    assert_eq!(
        t["bootstrap_bytes"],
        fs::metadata(&built.bootstrap).unwrap().len()
    );
    assert_eq!(doc["runtime"], "provided.al2023");
}

/// How much cargo-slim or cargo say, in which colours and formats, is not part of
/// what was built: a no-op rebuild with `-q --message-format json --color never`
/// (or `-vv --color always`) leaves slim-manifest.json byte-identical, and the
/// recorded cargo command holds none of those flags.
#[test]
fn output_settings_leave_the_manifest_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let triple = "x86_64-unknown-linux-musl";
    let built = build_in(slim(), "hello", "hello", triple, tmp.path(), &[]);
    let first = fs::read(&built.manifest).unwrap();
    for extra in [
        &["-q", "--message-format", "json", "--color", "never"][..],
        &["-vv", "--color", "always"][..],
    ] {
        build_in(slim(), "hello", "hello", triple, tmp.path(), extra);
        let again = fs::read(&built.manifest).unwrap();
        assert!(
            first == again,
            "`build {}` rewrote the manifest:\n{}\n---\n{}",
            extra.join(" "),
            String::from_utf8_lossy(&first),
            String::from_utf8_lossy(&again)
        );
    }
    let command = manifest(&built)["build"]["command"].clone();
    for flag in ["--quiet", "--verbose", "--color", "--message-format"] {
        assert!(
            !command.as_array().unwrap().iter().any(|a| a == flag),
            "{flag} recorded: {command}"
        );
    }
}

/// `cargo slim check` offers the fix that is true for the file at hand: a gnu
/// build whose glibc zig pinned for provided.al2023 is rebuilt with `--runtime
/// provided.al2`, not told to "pin with zig" again. The manifest beside the zip
/// says how it was linked; a copy without one gets the general advice.
#[test]
fn check_hint_fits_a_build_zig_already_pinned() {
    require_tool("cargo-zigbuild");
    let triple = "x86_64-unknown-linux-gnu";
    let built = build("hello", "hello", triple, &[]);
    assert_eq!(
        manifest(&built)["linker"]["cargo_target"],
        format!("{triple}.2.34")
    );
    let check = |path: &std::path::Path| {
        let doc = run(slim()
            .args([
                "check",
                "--runtime",
                "provided.al2",
                "--message-format",
                "json",
            ])
            .arg(path))
        .failure(1)
        .json();
        let glibc = doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "glibc")
            .cloned()
            .unwrap();
        glibc["fix"].as_str().unwrap().to_string()
    };
    let fix = check(&built.zip);
    assert!(
        fix.contains("glibc pinned to 2.34 (for provided.al2023)")
            && fix.contains("`cargo slim build --libc gnu --runtime provided.al2` pins 2.26"),
        "{fix}"
    );
    assert!(!fix.contains("--linker zig"), "{fix}");

    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("bootstrap");
    fs::copy(&built.bootstrap, &copy).unwrap();
    let fix = check(&copy);
    assert!(
        fix.contains("--linker zig --runtime provided.al2") && fix.contains("--libc musl"),
        "{fix}"
    );
}

/// A no-op rebuild asks the toolchain nothing: what `rustc -vV`, `rustc --print
/// sysroot`, `cargo -V` and `rust-lld --version` said is kept in the target dir,
/// keyed by the toolchain's identity, and `cargo metadata` finds cargo's own
/// cached rustc answers there too. rustc is a logging wrapper here: the second
/// run must not start it once. Replacing the wrapper (a new toolchain) asks again.
#[test]
fn no_op_rebuild_runs_rustc_not_once() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("rustc.log");
    let wrapper = tmp.path().join("rustc-logged");
    let script = |tag: &str| {
        format!(
            "#!/bin/sh\n# {tag}\necho \"$*\" >> '{}'\nexec rustc \"$@\"\n",
            log.display()
        )
    };
    fs::write(&wrapper, script("first")).unwrap();
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    let target_dir = tmp.path().join("target");
    let build = || {
        let mut cmd = slim();
        cmd.env("RUSTC", &wrapper);
        build_in(
            cmd,
            "hello",
            "hello",
            "x86_64-unknown-linux-musl",
            &target_dir,
            &["-q"],
        )
    };
    let built = build();
    let first = fs::read_to_string(&log).unwrap();
    assert!(first.contains("-vV"), "{first}");
    let manifest_before = fs::read(&built.manifest).unwrap();
    fs::remove_file(&log).unwrap();

    build();
    let second = fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(second, "", "a no-op rebuild ran rustc");
    assert!(fs::read(&built.manifest).unwrap() == manifest_before);

    // Another "toolchain" (the wrapper replaced): asked again, exactly once each.
    std::thread::sleep(Duration::from_millis(20));
    fs::write(&wrapper, script("second, a little longer")).unwrap();
    build();
    let third = fs::read_to_string(&log).unwrap_or_default();
    let ours = |args: &str| third.lines().filter(|l| *l == args).count();
    assert_eq!(ours("--print sysroot"), 1, "{third}");
}

/// `--build-std` on nightly (as `cargo +nightly slim` runs us): std rebuilt for
/// size, smaller than the default build, and a panic still says what and where.
#[test]
fn build_std_on_nightly_is_smaller_and_keeps_panic_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let triple = "x86_64-unknown-linux-musl";
    let default = build("hello", "hello", triple, &[]);
    let mut cmd = slim();
    // As `cargo +nightly slim` would run us: rustup's proxies pick nightly.
    cmd.env_remove("CARGO").env("RUSTUP_TOOLCHAIN", "nightly");
    let built = build_in(
        cmd,
        "hello",
        "hello",
        triple,
        tmp.path(),
        &["--build-std", "-q"],
    );
    let small = fs::metadata(&built.bootstrap).unwrap().len();
    let normal = fs::metadata(&default.bootstrap).unwrap().len();
    assert!(small < normal, "build-std {small} vs default {normal}");
    run(&mut Command::new(&built.bootstrap))
        .success()
        .stdout_is("hello from cargo-slim fixture, 1 args\n");
    // The panic message is kept.
    run(Command::new(&built.bootstrap).env("SLIM_FIXTURE_PANIC", "1"))
        .nonzero()
        .stderr_has("the fixture was asked to panic");
    let m = manifest(&built);
    assert!(m["toolchain"]["release"]
        .as_str()
        .is_some_and(|r| r.contains("nightly")));
    assert_eq!(m["build"]["options"]["build_std"], true);
    assert_eq!(m["build"]["options"]["panic"], "abort");
    assert_eq!(m["build"]["profile"]["ours"]["panic"], "\"abort\"");
}

/// The smallest tier on a stable toolchain: `--build-std --panic immediate-abort`
/// builds with RUSTC_BOOTSTRAP=1 for that cargo run only and says so in one line;
/// the result runs, is under half the default build, prints nothing when it
/// panics, and `cargo slim verify` rebuilds it byte for byte.
#[test]
fn smallest_tier_on_stable_runs_and_verify_reproduces_it() {
    let tmp = tempfile::tempdir().unwrap();
    let triple = "x86_64-unknown-linux-musl";
    let default = build("hello", "hello", triple, &[]);
    let on_stable = |args: &[&str]| {
        let mut cmd = slim();
        cmd.env_remove("CARGO")
            .env_remove("RUSTC_BOOTSTRAP")
            .env("RUSTUP_TOOLCHAIN", "stable")
            .args(args)
            .arg("--manifest-path")
            .arg(fixture("hello").join("Cargo.toml"))
            .args(["--target", triple, "--target-dir"])
            .arg(tmp.path());
        run(&mut cmd)
    };
    let stderr = on_stable(&["build", "--build-std", "--panic", "immediate-abort"])
        .success()
        .stderr;
    let notice: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("RUSTC_BOOTSTRAP"))
        .collect();
    assert_eq!(notice.len(), 1, "{stderr}");
    assert!(
        notice[0].contains("RUSTC_BOOTSTRAP=1 for this cargo build only")
            && notice[0].contains("pinned toolchain"),
        "{stderr}"
    );

    let built = Built::at(tmp.path(), "hello", triple);
    let m = manifest(&built);
    assert!(m["toolchain"]["release"]
        .as_str()
        .is_some_and(|r| !r.contains("nightly")));
    assert_eq!(m["build"]["options"]["build_std"], true);
    assert_eq!(m["build"]["options"]["panic"], "immediate-abort");
    assert!(
        m["build"]["rustflags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "-Cpanic=immediate-abort"),
        "{}",
        m["build"]["rustflags"]
    );
    let small = fs::metadata(&built.bootstrap).unwrap().len();
    let normal = fs::metadata(&default.bootstrap).unwrap().len();
    assert!(small * 2 < normal, "smallest {small} vs default {normal}");

    run(&mut Command::new(&built.bootstrap))
        .success()
        .stdout_is("hello from cargo-slim fixture, 1 args\n");
    // The price: a panic ends the process with no word in the log.
    run(Command::new(&built.bootstrap).env("SLIM_FIXTURE_PANIC", "1"))
        .nonzero()
        .stderr_is("");

    on_stable(&["verify"])
        .success()
        .stderr_has(": reproducible: function.zip");
}

/// A slim build leaves the user's release build fresh: its own profile directory,
/// no changed settings for `release`.
#[test]
fn release_cache_is_not_evicted() {
    let tmp = tempfile::tempdir().unwrap();
    let triple = "x86_64-unknown-linux-musl";
    let release = |verbose: bool| {
        let mut cmd = Command::new(common::which("cargo").unwrap());
        cmd.args(["build", "--release", "--target", triple, "--manifest-path"])
            .arg(fixture("hello").join("Cargo.toml"))
            .arg("--target-dir")
            .arg(tmp.path())
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        if verbose {
            cmd.arg("-v");
        }
        run(&mut cmd)
    };
    release(false).success();
    let built = build_in(slim(), "hello", "hello", triple, tmp.path(), &["-q"]);
    assert!(built.zip.is_file());
    // Not rebuilt.
    release(true)
        .success()
        .stderr_has("Fresh hello")
        .stderr_lacks("Compiling hello");
}

/// The build runs the preflight: a gnu binary linked against this machine's glibc
/// (2.36) is refused for provided.al2 (2.26): exit 1, the failed check named,
/// nothing packaged. `--no-preflight` packages it, with a warning.
#[test]
fn build_refuses_what_the_runtime_cannot_start() {
    let tmp = tempfile::tempdir().unwrap();
    let triple = "x86_64-unknown-linux-gnu";
    let mut cmd = slim();
    cmd.args([
        "build",
        "--target",
        triple,
        "--linker",
        "gcc",
        "--runtime",
        "provided.al2",
    ])
    .arg("--manifest-path")
    .arg(fixture("hello").join("Cargo.toml"))
    .arg("--target-dir")
    .arg(tmp.path());
    run(&mut cmd)
        .failure(1)
        .stderr_has("needs GLIBC_2.34 for __libc_start_main")
        .stderr_has("nothing was packaged");
    let built = Built::at(tmp.path(), "hello", triple);
    assert!(!built.zip.exists() && !built.manifest.exists());

    let built = build_in(
        slim(),
        "hello",
        "hello",
        triple,
        tmp.path(),
        &[
            "--linker",
            "gcc",
            "--runtime",
            "provided.al2",
            "--no-preflight",
            "-q",
        ],
    );
    assert!(built.zip.is_file());
}

/// Our outputs and cargo's own `slim` profile directory do not collide, in either
/// order: cargo writes a host build of profile `slim` to `<target-dir>/slim/<bin>`,
/// which used to be our output directory `<target-dir>/slim/<bin>/<triple>/`.
#[test]
fn cargo_build_profile_slim_and_slim_build_share_a_target_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let krate = common::copy_fixture("hello", tmp.path());
    let toml = krate.join("Cargo.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    text.push_str("\n[profile.slim]\ninherits = \"release\"\n");
    fs::write(&toml, text).unwrap();
    let target_dir = tmp.path().join("target");
    let triple = "x86_64-unknown-linux-musl";
    let slim_build = || {
        run(slim()
            .args(["build", "-q", "--target", triple, "--manifest-path"])
            .arg(&toml)
            .arg("--target-dir")
            .arg(&target_dir))
        .success();
        Built::at(&target_dir, "hello", triple)
    };
    let built = slim_build();
    assert!(built.zip.is_file());
    // cargo build --profile slim after a slim build.
    run(Command::new(common::which("cargo").unwrap())
        .args(["build", "-q", "--profile", "slim", "--manifest-path"])
        .arg(&toml)
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS"))
    .success();
    assert!(
        target_dir.join("slim/hello").is_file(),
        "cargo's own output"
    );
    // The other order: cargo's `slim/hello` file is there, we still build.
    fs::remove_file(&built.zip).unwrap();
    let again = slim_build();
    assert!(again.zip.is_file() && again.manifest.is_file());
}

/// Two builds into one output directory take turns: while another process holds
/// the directory's lock, both say "Blocking waiting for file lock on …" and write
/// nothing; released, both finish and the zip, its checksum file, the manifest
/// and the executables are one consistent set.
#[test]
fn concurrent_builds_take_turns_on_the_output_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let krate = common::copy_fixture("hello", tmp.path());
    let triple = "x86_64-unknown-linux-musl";
    let target_dir = tmp.path().join("target");
    let built = Built::at(&target_dir, "hello", triple);
    fs::create_dir_all(&built.dir).unwrap();
    let lock_path = built.dir.join(".cargo-slim-lock");
    let holder = fs::File::create(&lock_path).unwrap();
    holder.lock().unwrap();

    let spawn = |opt: &str| {
        let err_path = tmp.path().join(format!("stderr-{opt}"));
        let child = slim()
            .current_dir(&krate)
            .args([
                "build",
                "--opt-level",
                opt,
                "--target",
                triple,
                "--target-dir",
            ])
            .arg(&target_dir)
            .stdout(std::process::Stdio::null())
            .stderr(fs::File::create(&err_path).unwrap())
            .spawn()
            .unwrap();
        (child, err_path)
    };
    let runs = [spawn("s"), spawn("z")];
    let waiting = format!("Blocking waiting for file lock on {}", lock_path.display());
    let started = std::time::Instant::now();
    while !runs
        .iter()
        .all(|(_, err)| fs::read_to_string(err).unwrap().contains(&waiting))
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "a build did not wait for the lock:\n{}",
            runs.iter()
                .map(|(_, e)| fs::read_to_string(e).unwrap())
                .collect::<Vec<_>>()
                .join("\n---\n")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!built.zip.exists(), "nothing is written while waiting");
    drop(holder);
    for (mut child, err) in runs {
        let status = child.wait().unwrap();
        assert!(status.success(), "{}", fs::read_to_string(err).unwrap());
    }

    let m = manifest(&built);
    let zip_sha = sha256_file(&built.zip);
    assert_eq!(m["zip"]["sha256"], zip_sha.as_str());
    assert_eq!(
        fs::read_to_string(&built.sha256).unwrap(),
        format!("{zip_sha}  function.zip\n")
    );
    assert_eq!(m["files"][0]["sha256"], sha256_file(&built.bootstrap));
    assert_eq!(m["unstripped"]["sha256"], sha256_file(&built.full));
}

/// C-code detection counts only what cargo builds for the target: the `wasmdep`
/// fixture's one dependency is wasm32-only and declares `links` (as reqwest's
/// wasm-bindgen-shared does), so an x86_64 musl build is pure Rust and `auto`
/// links it with rust-lld, not zig (and without zig, it is not refused).
#[test]
fn dependencies_of_other_platforms_do_not_count_as_c_code() {
    let triple = "x86_64-unknown-linux-musl";
    let built = build("wasmdep", "wasmdep", triple, &["-q"]);
    let m = manifest(&built);
    assert_eq!(m["linker"]["program"], "rust-lld", "{:#}", m["linker"]);
    run(&mut exec_for(triple, &built.bootstrap)).stdout_is("wasmdep fixture\n");
}

/// A run killed between writing a temporary file and renaming it leaves
/// `.slim-tmp-*` behind; the next build into that directory removes it.
#[test]
fn the_next_build_removes_what_a_killed_run_left() {
    let triple = "x86_64-unknown-linux-musl";
    let built = build("hello", "hello", triple, &["-q"]);
    let leftover = built.dir.join(".slim-tmp-AbC123");
    fs::write(&leftover, b"half a zip").unwrap();
    let again = build("hello", "hello", triple, &["-q"]);
    assert!(!leftover.exists(), "stale temporary file kept");
    assert!(again.zip.is_file());
}

/// `--color never` on a terminal: the progress bar is drawn, without colors (it
/// used to be cyan and bold whatever `--color` said). Run under `script`, which
/// gives the build a pseudo-terminal.
#[test]
fn color_never_leaves_the_progress_bar_plain_on_a_terminal() {
    let script = require_tool("script");
    let tmp = tempfile::tempdir().unwrap();
    let krate = common::copy_fixture("hello", tmp.path());
    let quote =
        |p: &std::path::Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
    let command = format!(
        "{} --color never build --target x86_64-unknown-linux-musl --manifest-path {} --target-dir {}",
        quote(std::path::Path::new(env!("CARGO_BIN_EXE_cargo-slim"))),
        quote(&krate.join("Cargo.toml")),
        quote(&tmp.path().join("target")),
    );
    let out = common::output_ok(
        Command::new(script)
            .args(["-qec", &command, "/dev/null"])
            .env_remove("CI")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env("TERM", "xterm-256color"),
    );
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(
        terminal.contains("] "),
        "no progress bar drawn:\n{terminal:?}"
    );
    // SGR sequences (ESC [ … m) set colors; cursor and line-clearing ones remain.
    let sgr = regex::Regex::new(r"\x1b\[[0-9;]*m").unwrap();
    assert!(
        !sgr.is_match(&terminal),
        "colors despite --color never: {:?}",
        sgr.find(&terminal).map(|m| m.as_str())
    );
}
