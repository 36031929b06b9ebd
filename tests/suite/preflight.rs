//! `cargo slim check`: the runtime preflight on real executables — Rust builds of
//! the `hello` fixture (musl static for both arches, gnu linked by the host's
//! glibc 2.36 toolchain, gnu pinned to glibc 2.26 with zig), small C programs
//! compiled with the host gcc, and zips written here — plus damaged input.
//!
//! Fixture builds share `target/fixtures-preflight` (and `…-zig`: cargo-zigbuild
//! writes to the same path as a plain build of the same triple) and happen once per
//! test run.

use crate::common;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use cargo_slim::check_elf;
use cargo_slim::{Arch, Runtime};
use serde_json::Value;

/// How a fixture executable is linked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Link {
    /// `*-linux-musl` with rust-lld: static, no C toolchain needed.
    Musl,
    /// `*-linux-gnu` with the host's cc and glibc (2.36 on Debian 12).
    HostGnu,
    /// `*-linux-gnu` pinned to glibc 2.26 by cargo-zigbuild.
    Zig226,
}

/// Build the `hello` fixture once per (arch, link) and return the executable.
fn hello(arch: Arch, link: Link) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<(Arch, Link), PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap();
    if let Some(path) = built.get(&(arch, link)) {
        return path.clone();
    }
    let prefix = arch.triple_prefix();
    let (triple, target_arg, dir, mut cmd) = match link {
        Link::Musl => {
            let triple = format!("{prefix}-unknown-linux-musl");
            let mut cmd = Command::new(cargo());
            cmd.arg("build")
                .arg("--config")
                .arg(format!("target.{triple}.linker=\"rust-lld\""));
            (triple.clone(), triple, "fixtures-preflight", cmd)
        }
        Link::HostGnu => {
            let triple = format!("{prefix}-unknown-linux-gnu");
            let mut cmd = Command::new(cargo());
            cmd.arg("build");
            (triple.clone(), triple, "fixtures-preflight", cmd)
        }
        Link::Zig226 => {
            let triple = format!("{prefix}-unknown-linux-gnu");
            let mut cmd = Command::new(common::require_tool("cargo-zigbuild"));
            cmd.arg("build");
            (
                triple.clone(),
                format!("{triple}.2.26"),
                "fixtures-preflight-zig",
                cmd,
            )
        }
    };
    let target_dir = common::repo().join("target").join(dir);
    let out = cmd
        .args([
            "--release",
            "--quiet",
            "--target",
            &target_arg,
            "--manifest-path",
        ])
        .arg(common::fixture("hello").join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "building hello for {target_arg} ({link:?}) failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = target_dir.join(&triple).join("release/hello");
    built.insert((arch, link), path.clone());
    path
}

/// Run a fixture-making command; panic with its stderr when it fails.
fn succeed(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed (run .ci/setup: it installs the tools and -dev packages):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// A scratch directory for the whole run (C programs, zips).
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"))
        .path()
}

/// Compile a C program with the host gcc.
fn gcc(name: &str, source: &str, libs: &[&str]) -> PathBuf {
    let gcc = common::require_tool("gcc");
    let src = scratch().join(format!("{name}.c"));
    std::fs::write(&src, source).unwrap();
    let exe = scratch().join(name);
    let mut cmd = Command::new(gcc);
    cmd.arg("-O1").arg("-o").arg(&exe).arg(&src).args(libs);
    succeed(&mut cmd, &format!("gcc {name}.c {}", libs.join(" ")));
    exe
}

/// A zip holding `bytes` as entry `name` with Unix `mode`.
fn zip_of(zip_name: &str, name: &str, mode: u32, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(zip_name);
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default().unix_permissions(mode);
    writer.start_file(name, options).unwrap();
    writer.write_all(bytes).unwrap();
    writer.finish().unwrap();
    path
}

/// `cargo slim check PATH ARGS…`.
fn check(path: &Path, args: &[&str]) -> common::Outcome {
    common::run(common::slim().arg("check").arg(path).args(args))
}

/// The same with `--message-format json` (`.json()` parses it).
fn check_json(path: &Path, args: &[&str]) -> common::Outcome {
    common::run(
        common::slim()
            .args(["--message-format", "json", "check"])
            .arg(path)
            .args(args),
    )
}

/// The check called `name` in a JSON report.
fn check_named<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {json:#}"))
}

/// The detail text of the check called `name`.
fn detail(json: &Value, name: &str) -> String {
    check_named(json, name)["detail"]
        .as_str()
        .expect("detail is a string")
        .to_string()
}

fn failed_names(json: &Value) -> Vec<&str> {
    json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

const ELF_CHECKS: [&str; 10] = [
    "class",
    "machine",
    "type",
    "segments",
    "interpreter",
    "needed",
    "glibc",
    "gcc-libs",
    "cpu",
    "host-paths",
];

#[test]
fn musl_static_builds_pass_for_both_arches_on_both_runtimes() {
    for arch in [Arch::X86_64, Arch::Arm64] {
        let exe = hello(arch, Link::Musl);
        for runtime in ["provided.al2023", "provided.al2"] {
            let json = check_json(&exe, &["--arch", arch.as_str(), "--runtime", runtime])
                .success()
                .json();
            assert_eq!(json["passed"], true);
            assert_eq!(json["input"], "elf");
            assert_eq!(json["runtime"], runtime);
            assert_eq!(json["elf"]["arch"], arch.as_str());
            assert_eq!(json["elf"]["interpreter"], Value::Null);
            assert_eq!(json["elf"]["needed"], serde_json::json!([]));
            let names: Vec<&str> = json["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ELF_CHECKS);
            assert_eq!(
                check_named(&json, "interpreter")["detail"],
                "statically linked: no dynamic loader needed"
            );
        }
    }
}

#[test]
fn x86_64_binary_checked_as_arm64_fails_on_the_machine() {
    let exe = hello(Arch::X86_64, Link::Musl);
    check(&exe, &["--arch", "arm64"])
        .failure(1)
        .stdout_has("the executable is x86_64 (EM_X86_64) but the function's architecture is arm64")
        .stdout_has("rebuild for arm64 (--arch arm64")
        .stdout_has("preflight failed: 1 of 9 checks (machine)");

    let json = check_json(&exe, &["--arch", "arm64"]).failure(1).json();
    assert_eq!(json["passed"], false);
    assert_eq!(json["arch"], "arm64");
    assert_eq!(failed_names(&json), ["machine"]);
    assert!(check_named(&json, "machine")["fix"].is_string());
    assert_eq!(check_named(&json, "class")["fix"], Value::Null);
}

#[test]
fn host_glibc_build_needs_more_than_al2_has() {
    let exe = hello(common_host_arch(), Link::HostGnu);
    let json = check_json(&exe, &["--runtime", "provided.al2"])
        .failure(1)
        .json();
    assert_eq!(failed_names(&json), ["glibc"]);
    let glibc = check_named(&json, "glibc");
    let text = detail(&json, "glibc");
    assert!(
        text.starts_with("needs GLIBC_2.34 for __libc_start_main")
            && text.contains("provided.al2 has 2.26"),
        "{text}"
    );
    let fix = glibc["fix"].as_str().unwrap();
    assert!(
        fix.contains("--libc musl") && fix.contains("--linker zig"),
        "{fix}"
    );
    // The loader and libraries of a Rust gnu build are all on the runtime.
    assert_eq!(check_named(&json, "interpreter")["passed"], true);
    assert_eq!(check_named(&json, "needed")["passed"], true);
    let needed = json["elf"]["needed"].as_array().unwrap();
    assert!(needed.contains(&Value::from("libgcc_s.so.1")), "{needed:?}");

    // The same binary is within provided.al2023's glibc 2.34.
    let json = check_json(&exe, &["--runtime", "provided.al2023"])
        .success()
        .json();
    let glibc = detail(&json, "glibc");
    assert!(glibc.contains("highest GLIBC_2.34 (≤ 2.34)"), "{glibc}");
}

/// The host's architecture (the one the host gcc and a plain gnu build target).
fn common_host_arch() -> Arch {
    cargo_slim::host_arch().expect("tests run on x86_64 or aarch64")
}

#[test]
fn c_program_using_a_glibc_2_36_function_fails_even_on_al2023() {
    let exe = gcc(
        "arc4random",
        "#include <stdio.h>\n#include <stdlib.h>\n\
         int main(void) { printf(\"%u\\n\", arc4random()); return 0; }\n",
        &[],
    );
    check(&exe, &[])
        .failure(1)
        .stdout_has("needs GLIBC_2.36 for arc4random; provided.al2023 has 2.34");
    check(&exe, &["--runtime", "provided.al2"])
        .failure(1)
        .stdout_has("needs GLIBC_2.36 for arc4random; provided.al2 has 2.26; also GLIBC_2.34 for __libc_start_main");
}

#[test]
fn a_library_the_runtime_lacks_is_named() {
    // libpng (Debian libpng-dev) is not part of any Lambda OS-only runtime.
    let exe = gcc(
        "uses_png",
        "#include <png.h>\n#include <stdio.h>\n\
         int main(void) { printf(\"%lu\\n\", (unsigned long)png_access_version_number()); return 0; }\n",
        &["-lpng"],
    );
    let json = check_json(&exe, &[]).failure(1).json();
    assert_eq!(failed_names(&json), ["needed"]);
    let needed = check_named(&json, "needed");
    let detail = needed["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("needs libpng16.so.16 which provided.al2023 does not ship"),
        "{detail}"
    );
    assert!(needed["fix"]
        .as_str()
        .unwrap()
        .contains("libpng16.so.16: link it statically"));
}

#[test]
fn zig_pinned_gnu_builds_pass_on_al2() {
    for arch in [Arch::X86_64, Arch::Arm64] {
        let exe = hello(arch, Link::Zig226);
        let json = check_json(
            &exe,
            &["--runtime", "provided.al2", "--arch", arch.as_str()],
        )
        .success()
        .json();
        // Independently of the check: every GLIBC_ need is at most 2.26.
        for need in json["elf"]["version_needs"].as_array().unwrap() {
            let version = need["version"].as_str().unwrap();
            if let Some(number) = version.strip_prefix("GLIBC_2.") {
                let minor: u32 = number.split('.').next().unwrap().parse().unwrap();
                assert!(minor <= 26, "{version} in {json:#}");
            }
        }
        let interp = json["elf"]["interpreter"].as_str().unwrap();
        let expected = match arch {
            Arch::X86_64 => "/lib64/ld-linux-x86-64.so.2",
            Arch::Arm64 => "/lib/ld-linux-aarch64.so.1",
        };
        assert_eq!(interp, expected);
    }
}

#[test]
fn zip_bootstrap_must_be_0755_at_the_root() {
    let elf = std::fs::read(hello(Arch::Arm64, Link::Musl)).unwrap();

    let bad = zip_of("0644.zip", "bootstrap", 0o644, &elf);
    check(&bad, &["--arch", "arm64"])
        .failure(1)
        .stdout_has("`bootstrap` has mode 0644 (rw-r--r--)")
        .stdout_has("chmod 755 bootstrap");
    let json = check_json(&bad, &["--arch", "arm64"]).json();
    assert_eq!(json["input"], "zip");
    // The ELF inside is still checked, and is fine.
    assert_eq!(failed_names(&json), ["zip-entry"]);
    assert_eq!(
        json["checks"].as_array().unwrap().len(),
        1 + ELF_CHECKS.len()
    );

    let good = zip_of("0755.zip", "bootstrap", 0o755, &elf);
    let json = check_json(&good, &["--arch", "arm64"]).success().json();
    let entry = detail(&json, "zip-entry");
    assert!(
        entry.contains("regular file, mode 0755 (rwxr-xr-x)"),
        "{entry}"
    );

    let nested = zip_of("nested.zip", "target/bootstrap", 0o755, &elf);
    let json = check_json(&nested, &[]).failure(1).json();
    assert_eq!(failed_names(&json), ["zip-entry"]);
    assert_eq!(json["elf"], Value::Null);
}

#[test]
fn malformed_input_is_a_clean_error() {
    let elf = std::fs::read(hello(Arch::X86_64, Link::Musl)).unwrap();
    let truncated = scratch().join("truncated");
    std::fs::write(&truncated, &elf[..elf.len() / 3]).unwrap();
    let not_elf = common::repo().join("Cargo.toml");
    let garbage_zip = scratch().join("garbage.zip");
    std::fs::write(&garbage_zip, b"PK\x03\x04 this is not a zip").unwrap();
    let script_zip = zip_of("script.zip", "bootstrap", 0o755, b"#!/bin/sh\nexit 0\n");
    let missing = scratch().join("does-not-exist");

    for (path, says) in [
        (&truncated, "malformed ELF file"),
        (&not_elf, "not an ELF file"),
        (&garbage_zip, "cannot read the zip archive"),
        (&script_zip, "not an ELF file"),
        (&missing, "cannot read"),
    ] {
        let out = check(path, &[])
            .failure(2)
            .stderr_has(says)
            .stderr_has("help: ")
            .stderr_lacks("panicked")
            .stdout_is("");
        assert!(out.stderr.starts_with("error: "), "{out}");
    }
}

/// Every prefix of real executables, and copies with one header byte flipped, end
/// in a report or an error from `check_elf` — never a panic.
#[test]
fn damaged_executables_never_panic() {
    let exes = [
        hello(Arch::X86_64, Link::Musl),
        hello(common_host_arch(), Link::HostGnu),
    ];
    for exe in exes {
        let elf = std::fs::read(&exe).unwrap();
        for len in (0..elf.len()).step_by(509) {
            let _ = check_elf(&elf[..len], Some(Arch::X86_64), Runtime::Al2);
        }
        // The ELF header, the program headers, and the section headers at the end.
        let shoff = u64::from_le_bytes(elf[0x28..0x30].try_into().unwrap()) as usize;
        let spots = (0..0x40)
            .chain((0x40..0x300).step_by(3))
            .chain((shoff..elf.len()).step_by(5));
        for at in spots {
            let mut copy = elf.clone();
            copy[at] ^= 0xa5;
            let _ = check_elf(&copy, Some(Arch::X86_64), Runtime::Al2023);
        }
    }
}

#[test]
fn check_elf_is_what_the_build_calls() {
    let elf = std::fs::read(hello(Arch::Arm64, Link::Musl)).unwrap();
    let report = check_elf(&elf, Some(Arch::Arm64), Runtime::Al2023).unwrap();
    assert!(report.passed(), "{}", report.render_human());
    assert_eq!(report.summary(), "preflight passed: 9 checks");
    let report = check_elf(&elf, Some(Arch::X86_64), Runtime::Al2023).unwrap();
    assert!(!report.passed());
    let text = report.render_human();
    assert!(text.contains("machine      FAIL"), "{text}");
    assert!(
        text.contains("to fix:\n  machine: rebuild for x86_64"),
        "{text}"
    );
    assert!(check_elf(b"not an elf", None, Runtime::Al2).is_err());
}

/// The version needs read here are exactly the ones binutils' objdump lists, and
/// the symbols bound to them are the ones objdump -T shows with that version.
#[test]
fn version_needs_agree_with_objdump() {
    let objdump = common::require_tool("objdump");
    let exe = hello(common_host_arch(), Link::HostGnu);
    let json = check_json(&exe, &[]).json();
    let mut ours: Vec<(String, String)> = json["elf"]["version_needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let library = n["library"].as_str().unwrap().to_string();
            (library, n["version"].as_str().unwrap().to_string())
        })
        .collect();
    ours.sort();

    let private = common::run(Command::new(&objdump).arg("-p").arg(&exe))
        .success()
        .stdout;
    let mut theirs = Vec::new();
    let mut library = String::new();
    let references = private.split("Version References:").nth(1).unwrap_or("");
    for line in references.lines() {
        let line = line.trim();
        if let Some(lib) = line.strip_prefix("required from ") {
            library = lib.trim_end_matches(':').to_string();
        } else if let Some(version) = line.split_whitespace().nth(3) {
            theirs.push((library.clone(), version.to_string()));
        }
    }
    theirs.sort();
    assert_eq!(ours, theirs);

    // `__libc_start_main@GLIBC_2.34` in objdump -T is bound to GLIBC_2.34 here too.
    common::run(Command::new(&objdump).arg("-T").arg(&exe))
        .stdout_has("GLIBC_2.34")
        .stdout_has("__libc_start_main");
    let need = json["elf"]["version_needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["version"] == "GLIBC_2.34")
        .expect("GLIBC_2.34 need");
    assert!(need["symbols"]
        .as_array()
        .unwrap()
        .contains(&Value::from("__libc_start_main")));
}

/// A zip where a file and a directory share a name (`conf` and `conf/x`) cannot be
/// extracted (`unzip` fails): `check` refuses it, naming both, exit 1; the ELF
/// inside is still checked.
#[test]
fn a_zip_with_a_file_and_a_directory_of_one_name_fails_the_check() {
    let elf = std::fs::read(hello(Arch::Arm64, Link::Musl)).unwrap();
    let path = scratch().join("clash.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (name, mode, bytes) in [
        ("bootstrap", 0o755, &elf[..]),
        ("conf", 0o644, b"a"),
        ("conf/x", 0o644, b"b"),
    ] {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(mode);
        writer.start_file(name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
    let json = check_json(&path, &["--arch", "arm64"]).failure(1).json();
    assert_eq!(failed_names(&json), ["zip-entry"]);
    let entry = detail(&json, "zip-entry");
    assert!(
        entry.contains("`conf` is both a file and a directory (`conf/x`)"),
        "{entry}"
    );
    assert_ne!(json["elf"], Value::Null);
}

/// One bound and one error for a `bootstrap` that inflates past Lambda's limit for
/// unzipped code (262,144,000 bytes): `size` used to read up to 1 GiB and
/// truncate silently, `check` failed a check. Both now refuse it, exit 2, with the
/// same message.
#[test]
fn a_bootstrap_past_lambdas_limit_is_one_error_for_size_and_check() {
    let path = scratch().join("bomb.zip");
    // Python's zlib compresses the 250 MB of zeros in a second or two.
    let script = "import sys, zipfile\n\
        info = zipfile.ZipInfo('bootstrap')\n\
        info.external_attr = 0o100755 << 16\n\
        info.compress_type = zipfile.ZIP_DEFLATED\n\
        with zipfile.ZipFile(sys.argv[1], 'w') as z:\n\
        \x20   with z.open(info, 'w', force_zip64=True) as f:\n\
        \x20       block = bytes(1 << 20)\n\
        \x20       for _ in range(250): f.write(block)\n\
        \x20       f.write(bytes(262144001 - 250 * (1 << 20)))\n";
    common::output_ok(
        Command::new(common::require_tool("python3"))
            .args(["-c", script])
            .arg(&path),
    );
    let says = "`bootstrap` in the zip inflates to more than 262,144,000 bytes";
    for command in ["size", "check"] {
        common::run(common::slim().arg(command).arg(&path))
            .failure(2)
            .stderr_has(says);
    }
}

/// `/dev/zero` (never ends), a FIFO (opening it blocks) and a directory are not
/// artifacts: `size` and `check` refuse them at once, exit 2.
#[test]
fn special_files_are_refused_not_read() {
    let fifo = scratch().join("fifo");
    common::output_ok(Command::new("mkfifo").arg(&fifo));
    for path in [Path::new("/dev/zero"), &fifo, scratch()] {
        for command in ["size", "check"] {
            let mut child = common::slim()
                .arg(command)
                .arg(path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let started = std::time::Instant::now();
            while child.try_wait().unwrap().is_none() {
                if started.elapsed() > std::time::Duration::from_secs(20) {
                    child.kill().unwrap();
                    panic!("{command} {} still reading after 20 s", path.display());
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} {}: {stderr}",
                path.display()
            );
            assert!(stderr.contains("not a regular file"), "{stderr}");
        }
    }
}

/// A copy of the x86_64 hello executable with `patch` applied to its bytes.
fn patched(name: &str, patch: impl Fn(&mut Vec<u8>)) -> PathBuf {
    let mut elf = std::fs::read(hello(Arch::X86_64, Link::Musl)).unwrap();
    patch(&mut elf);
    let path = scratch().join(name);
    std::fs::write(&path, &elf).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Program headers of a 64-bit ELF: (offset of each entry, p_type).
fn program_headers(elf: &[u8]) -> Vec<(usize, u32)> {
    let at = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let count = u16::from_le_bytes([elf[0x38], elf[0x39]]) as usize;
    (0..count)
        .map(|i| {
            let off = at + i * 56;
            (
                off,
                u32::from_le_bytes(elf[off..off + 4].try_into().unwrap()),
            )
        })
        .collect()
}

/// Executables the kernel will not run — their program header table refused,
/// or nothing to map, or an entry point outside the code — fail the `segments`
/// check (they used to pass every check). What the kernel does with each is
/// checked too: an exec error, or death by a signal before anything runs.
#[test]
fn an_elf_the_kernel_will_not_run_fails_the_check() {
    let phnum =
        |value: u16| move |elf: &mut Vec<u8>| elf[0x38..0x3a].copy_from_slice(&value.to_le_bytes());
    let no_load = |elf: &mut Vec<u8>| {
        for (off, kind) in program_headers(elf) {
            if kind == 1 {
                elf[off..off + 4].copy_from_slice(&0u32.to_le_bytes()); // PT_NULL
            }
        }
    };
    let entry_outside = |elf: &mut Vec<u8>| elf[0x18..0x20].copy_from_slice(&0x10u64.to_le_bytes());
    let cases: [(PathBuf, &str); 4] = [
        (
            patched("phnum-0", phnum(0)),
            "no program headers (e_phnum is 0)",
        ),
        (patched("phnum-xnum", phnum(0xffff)), "PN_XNUM"),
        (patched("no-load", no_load), "no PT_LOAD segment"),
        (
            patched("entry-outside", entry_outside),
            "the entry point 0x10 is outside",
        ),
    ];
    for (path, says) in &cases {
        let json = check_json(path, &["--arch", "x86_64"]).failure(1).json();
        assert!(failed_names(&json).contains(&"segments"), "{json:#}");
        let detail = detail(&json, "segments");
        assert!(detail.contains(says), "{}: {detail}", path.display());
        // The kernel agrees.
        match Command::new(path).output() {
            Err(e) => assert!(
                matches!(e.raw_os_error(), Some(libc::ENOEXEC) | Some(libc::EINVAL)),
                "{}: {e}",
                path.display()
            ),
            Ok(out) => {
                use std::os::unix::process::ExitStatusExt as _;
                assert!(
                    out.status.signal().is_some(),
                    "{}: {:?}",
                    path.display(),
                    out.status
                );
            }
        }
    }
    // The untouched file passes it.
    let json = check_json(&hello(Arch::X86_64, Link::Musl), &["--arch", "x86_64"])
        .success()
        .json();
    assert_eq!(check_named(&json, "segments")["passed"], true);
}

/// A zip with two `bootstrap` entries: unzip tools keep different ones, so
/// `check` and `size` refuse it (they used to analyse the last one).
#[test]
fn a_zip_with_two_entries_of_one_name_is_refused() {
    let elf = hello(Arch::X86_64, Link::Musl);
    let path = scratch().join("twice.zip");
    let script = "import sys, zipfile, warnings\n\
        warnings.simplefilter('ignore')\n\
        with zipfile.ZipFile(sys.argv[1], 'w') as z:\n\
        \x20   for data in (open(sys.argv[2], 'rb').read(), b'#!/bin/sh\\n'):\n\
        \x20       info = zipfile.ZipInfo('bootstrap')\n\
        \x20       info.external_attr = 0o100755 << 16\n\
        \x20       z.writestr(info, data)\n";
    common::output_ok(
        Command::new(common::require_tool("python3"))
            .args(["-c", script])
            .arg(&path)
            .arg(&elf),
    );
    for command in ["check", "size"] {
        common::run(common::slim().arg(command).arg(&path))
            .failure(2)
            .stderr_has("two of its entries have the same name");
    }
}

/// `check` maps its input as `size` does: a 1 GiB file (an executable followed
/// by a hole) costs the pages looked at, not 1 GiB of memory, and a procfs file
/// that reads forever (`/proc/self/pagemap`) is not read at all.
#[test]
fn check_reads_a_large_file_without_holding_it() {
    let path = scratch().join("large");
    std::fs::copy(hello(Arch::X86_64, Link::Musl), &path).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    const BOUND_KIB: u64 = 64 * 1024;
    for command in ["check", "size"] {
        let (out, peak) = common::run_measuring_peak(common::slim().arg(command).arg(&path));
        assert!(out.code == 0 || out.code == 1, "{out}");
        assert!(peak < BOUND_KIB, "{command}: peak RSS {peak} KiB");
    }
    let (out, peak) =
        common::run_measuring_peak(common::slim().args(["check", "/proc/self/pagemap"]));
    let out = out.failure(2).stderr_has("not an ELF file");
    assert!(peak < BOUND_KIB, "peak RSS {peak} KiB: {out}");
}
