//! Bad input: a clear message, a documented non-zero exit, no panic, and nothing
//! the user had lost.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common::{fixture, run, slim, Outcome};

/// Exit 2, an `error:` line containing `needle`, and no panic or backtrace.
fn assert_error(out: Outcome, needle: &str) -> String {
    out.failure(2)
        .stderr_has("error: ")
        .stderr_has(needle)
        .stderr_lacks("panicked")
        .stderr_lacks("RUST_BACKTRACE")
        .stderr
}

/// `cargo slim build --manifest-path <fixture> ARGS…`, ready for more settings.
fn build_cmd(fixture_name: &str, args: &[&str]) -> Command {
    let mut cmd = slim();
    cmd.arg("build")
        .args(args)
        .arg("--manifest-path")
        .arg(fixture(fixture_name).join("Cargo.toml"));
    cmd
}

#[test]
fn not_a_cargo_project() {
    let tmp = tempfile::tempdir().unwrap();
    let err = assert_error(
        run(slim().arg("build").current_dir(tmp.path())),
        "could not find `Cargo.toml`",
    );
    assert!(err.contains("--manifest-path"), "{err}");
    assert_error(
        run(slim().args(["build", "--manifest-path", "/nonexistent/Cargo.toml"])),
        "does not exist",
    );
}

#[test]
fn crate_without_a_binary() {
    let err = assert_error(run(&mut build_cmd("nobin", &[])), "has no binary target");
    assert!(err.contains("src/main.rs"), "{err}");
}

#[test]
fn several_binaries_and_none_chosen() {
    let err = assert_error(
        run(&mut build_cmd("multibin", &[])),
        "has several binaries: one, two",
    );
    assert!(err.contains("--bin"), "{err}");
    assert_error(
        run(&mut build_cmd("multibin", &["--bin", "three"])),
        "no binary named `three`",
    );
}

#[test]
fn unknown_architecture_and_triple() {
    run(slim().args(["build", "--arch", "mips"]))
        .failure(2)
        .stderr_has("Lambda supports `arm64` and `x86_64`");
    assert_error(
        run(&mut build_cmd(
            "hello",
            &["--target", "x86_64-apple-darwin"],
        )),
        "cannot run on Lambda",
    );
}

#[test]
fn compile_error_shows_cargos_diagnostics_then_our_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_fixture("hello", tmp.path());
    fs::write(
        dir.join("src/main.rs"),
        "fn main() { let x: u32 = \"nope\"; }\n",
    )
    .unwrap();
    let stderr = assert_error(
        run(slim()
            .args([
                "build",
                "--target",
                "x86_64-unknown-linux-musl",
                "--manifest-path",
            ])
            .arg(dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(tmp.path().join("t"))),
        "cargo build failed for x86_64-unknown-linux-musl",
    );
    assert!(stderr.contains("mismatched types"), "{stderr}");
    assert!(stderr.contains("src/main.rs"), "{stderr}");
}

#[test]
fn missing_linker_names_how_to_install_it() {
    let stderr = assert_error(
        run(&mut build_cmd(
            "hello",
            &["--target", "aarch64-unknown-linux-musl", "--linker", "gcc"],
        )),
        "`aarch64-linux-musl-gcc` was not found",
    );
    assert!(stderr.contains("help: "), "{stderr}");
    // zig asked for, with a PATH that has no cargo-zigbuild.
    let stderr = assert_error(
        run(build_cmd(
            "hello",
            &["--target", "x86_64-unknown-linux-gnu", "--linker", "zig"],
        )
        .env("PATH", "/usr/bin:/bin")
        .env("RUSTC", common::which("rustc").unwrap())
        .env("CARGO", common::which("cargo").unwrap())),
        "`cargo-zigbuild` was not found",
    );
    assert!(
        stderr.contains("pip install ziglang cargo-zigbuild"),
        "{stderr}"
    );
}

#[test]
fn missing_target_std_without_rustup() {
    // A rustc whose sysroot has no std for any target, and no rustup on PATH.
    let tmp = tempfile::tempdir().unwrap();
    let real = common::which("rustc").unwrap();
    let fake = tmp.path().join("rustc");
    fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --print ] && [ \"$2\" = sysroot ]; then echo {}; exit 0; fi\nexec {} \"$@\"\n",
            tmp.path().join("sysroot").display(),
            real.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = assert_error(
        run(slim()
            .env("RUSTC", &fake)
            .env("PATH", "/usr/bin:/bin")
            .env("CARGO", common::which("cargo").unwrap())
            .args([
                "build",
                "--target",
                "aarch64-unknown-linux-musl",
                "--manifest-path",
            ])
            .arg(fixture("hello").join("Cargo.toml"))),
        "the standard library for `aarch64-unknown-linux-musl` is not installed",
    );
    assert!(
        stderr.contains("rustup target add aarch64-unknown-linux-musl"),
        "{stderr}"
    );
}

#[test]
fn unwritable_output_directory_fails_before_compiling() {
    let tmp = tempfile::tempdir().unwrap();
    // A target dir below a regular file cannot be created, even by root.
    let file = tmp.path().join("not-a-dir");
    fs::write(&file, b"keep me").unwrap();
    let stderr = assert_error(
        run(
            build_cmd("hello", &["--target", "x86_64-unknown-linux-musl"])
                .arg("--target-dir")
                .arg(file.join("target")),
        ),
        "cannot write to the output directory",
    );
    assert!(!stderr.contains("Compiling"), "{stderr}");
    assert_eq!(fs::read(&file).unwrap(), b"keep me");
}

/// Immediate-abort panics need a rebuilt std: asked for without `--build-std`
/// (flag or metadata), the build stops before compiling and says what to add.
#[test]
fn immediate_abort_without_build_std_is_refused_clearly() {
    let stderr = assert_error(
        run(&mut build_cmd(
            "hello",
            &[
                "--panic",
                "immediate-abort",
                "--target",
                "x86_64-unknown-linux-musl",
            ],
        )),
        "panic strategy `immediate-abort` needs build-std",
    );
    assert!(stderr.contains("add --build-std"), "{stderr}");
    assert!(!stderr.contains("Compiling"), "{stderr}");

    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_fixture("hello", tmp.path());
    let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let with = |meta: &str| {
        let text = toml.replace("[workspace]", &format!("{meta}\n\n[workspace]"));
        fs::write(dir.join("Cargo.toml"), text).unwrap();
        run(slim()
            .args(["build", "--manifest-path"])
            .arg(dir.join("Cargo.toml")))
    };
    assert_error(
        with("[package.metadata.slim]\npanic = \"immediate-abort\""),
        "needs build-std",
    );
    assert_error(
        with("[package.metadata.slim]\npanic = \"unwind\""),
        "invalid [package.metadata.slim] panic: `unwind` is not a panic strategy",
    );
    assert_error(
        run(&mut build_cmd("hello", &["--panic", "unwind"])),
        "invalid --panic: `unwind` is not a panic strategy",
    );
}

#[test]
fn invalid_metadata_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_fixture("hello", tmp.path());
    let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    fs::write(
        dir.join("Cargo.toml"),
        toml.replace(
            "[workspace]",
            "[package.metadata.slim]\narhc = \"arm64\"\n\n[workspace]",
        ),
    )
    .unwrap();
    assert_error(
        run(slim()
            .args(["build", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))),
        "invalid [package.metadata.slim]",
    );
}

/// Every option value goes through its type's parser and fails one way:
/// `invalid --FLAG: why` on the command line, `invalid [TABLE] key: why` in a
/// metadata table, whichever option it is (`--arch` and `--panic` used to get
/// clap's wording, `--opt-level` ours); an unknown key lists the known ones.
#[test]
fn one_error_format_for_every_option_value() {
    for (flag, value) in [
        ("--arch", "arm"),
        ("--libc", "uclibc"),
        ("--runtime", "nodejs"),
        ("--linker", "mold"),
        ("--panic", "unwind"),
        ("--opt-level", "9"),
        ("--message-format", "xml"),
    ] {
        let stderr = assert_error(
            run(&mut build_cmd("hello", &[flag, value])),
            &format!("error: invalid {flag}: "),
        );
        assert!(stderr.contains(&format!("`{value}`")), "{stderr}");
        assert!(!stderr.contains("invalid value"), "{stderr}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_fixture("hello", tmp.path());
    let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let with = |meta: &str| {
        let text = toml.replace(
            "[workspace]",
            &format!("[package.metadata.slim]\n{meta}\n\n[workspace]"),
        );
        fs::write(dir.join("Cargo.toml"), text).unwrap();
        run(slim()
            .args(["build", "--manifest-path"])
            .arg(dir.join("Cargo.toml")))
    };
    assert_error(
        with("linker = \"mold\""),
        "invalid [package.metadata.slim] linker: `mold` is not a linker",
    );
    assert_error(
        with("build-std = \"yes\""),
        "invalid [package.metadata.slim] build-std: expected true or false",
    );
    let stderr = assert_error(with("imgae = true"), "unknown key `imgae`");
    assert!(
        stderr.contains(
            "known keys: arch, libc, target, runtime, opt-level, cpu, cpu-baseline, build-std"
        ) && stderr.contains("image"),
        "{stderr}"
    );
}
