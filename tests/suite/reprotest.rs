//! Reproducibility proven by an outside tool: Debian's `reprotest` builds the
//! `hello` fixture twice, the second time varying the build path, HOME, the time
//! (faketime), the timezone, the locale, the umask, the environment, PATH
//! (exec_path), the kernel personality, the host and domain name, the CPU count,
//! ASLR and (with FUSE) the directory order, and requires identical
//! `function.zip` bytes for the gnu x86_64 (zig) and musl arm64 (rust-lld)
//! targets. Left out, with the reason, in docs/reproducibility.md: user_group.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common::{copy_fixture, require_tool, run, Outcome};

const TARGETS: [&str; 2] = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-musl"];

/// `$VAR`, else `$HOME/<default>`: where a tool keeps its state, pinned so that
/// reprotest's HOME variation does not lose the toolchain.
fn home_dir(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(default)
    })
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// The real rustc of the toolchain the fixture builds with, behind a wrapper that
/// drops libfaketime: rustc's jemalloc deadlocks in libfaketime's initialisation
/// (rustc -vV hangs for ever under `faketime`). cargo and cargo-slim, which write
/// the zip, still run at the faked time.
fn rustc_wrapper(dir: &Path, crate_dir: &Path) -> PathBuf {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(crate_dir)
        .output()
        .expect("rustc --print sysroot");
    assert!(out.status.success());
    let rustc = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/rustc");
    let path = dir.join("rustc-without-faketime");
    fs::write(
        &path,
        format!(
            "#!/bin/sh\nunset LD_PRELOAD\nexec {} \"$@\"\n",
            quote(&rustc)
        ),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A crate copy, the tool pins and the cargo-slim command line for reprotest.
struct Setup {
    tmp: tempfile::TempDir,
    src: PathBuf,
    prefix: String,
}

fn setup() -> Setup {
    require_tool("faketime");
    let tmp = tempfile::tempdir().unwrap();
    let src = copy_fixture("hello", tmp.path());
    let wrapper = rustc_wrapper(tmp.path(), &src);
    let mut pinned = vec![
        ("CARGO_HOME", home_dir("CARGO_HOME", ".cargo")),
        ("RUSTUP_HOME", home_dir("RUSTUP_HOME", ".rustup")),
        // zig's cache (cargo-zigbuild), and pyenv when cargo-zigbuild is a shim.
        (
            "ZIG_GLOBAL_CACHE_DIR",
            home_dir("ZIG_GLOBAL_CACHE_DIR", ".cache/zig"),
        ),
        ("RUSTC", wrapper),
        ("CARGO", PathBuf::from(env!("CARGO"))),
    ];
    let pyenv = home_dir("PYENV_ROOT", ".pyenv");
    if pyenv.is_dir() {
        pinned.push(("PYENV_ROOT", pyenv));
    }
    let mut prefix: Vec<String> = pinned
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    prefix.push(quote(Path::new(env!("CARGO_BIN_EXE_cargo-slim"))));
    Setup {
        tmp,
        src,
        prefix: prefix.join(" "),
    }
}

/// Run reprotest.
fn reprotest(s: &Setup, variations: &str, command: &str, artifacts: &str) -> Outcome {
    let store = s.tmp.path().join("artifacts");
    let started = Instant::now();
    let result = run(Command::new(require_tool("reprotest"))
        .args(["--verbosity", "1", "--min-cpus", "1"])
        .arg(format!("--variations={variations}"))
        .arg("--store-dir")
        .arg(&store)
        .arg("-c")
        .arg(command)
        .arg(&s.src)
        .arg(artifacts)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS"));
    eprintln!("reprotest ({variations}) took {:.0?}", started.elapsed());
    result
}

/// The harness is not vacuous: a build that stamps the wall-clock time into the
/// zip (SOURCE_DATE_EPOCH=now) is caught by the time variation.
#[test]
fn reprotest_catches_a_build_that_is_not_reproducible() {
    let s = setup();
    let command = format!(
        "SOURCE_DATE_EPOCH=$(date +%s) {} build -q --color never --target x86_64-unknown-linux-musl --target-dir target",
        s.prefix
    );
    // The timestamp is caught, and the zip difference shown.
    reprotest(
        &s,
        "-all,+time",
        &command,
        "target/cargo-slim/hello/x86_64-unknown-linux-musl/function.zip",
    )
    .nonzero()
    .stdout_has("zipinfo");
}

#[test]
fn reprotest_finds_function_zip_reproducible() {
    require_tool("cargo-zigbuild");
    let s = setup();
    let mut variations = vec!["+all", "-user_group"];
    let fuse = Path::new("/dev/fuse").exists() && common::which("disorderfs").is_some();
    if !fuse {
        variations.push("-fileordering");
        eprintln!("no /dev/fuse or disorderfs: the fileordering variation is left out");
    }
    // Both work as root here; probe them so an unprivileged runner says so
    // instead of failing.
    let works = |args: &[&str]| {
        Command::new(args[0])
            .args(&args[1..])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(&["unshare", "--uts", "true"]) {
        variations.push("-domain_host");
        eprintln!("`unshare --uts` is not permitted: the domain_host variation is left out");
    }
    if !works(&["setarch", "linux64", "--uname-2.6", "true"]) {
        variations.push("-kernel");
        eprintln!("`setarch --uname-2.6` fails: the kernel variation is left out");
    }
    let command = format!(
        "{} build -q --color never --target {} --target-dir target",
        s.prefix,
        TARGETS.join(",")
    );
    let out = reprotest(
        &s,
        &variations.join(","),
        &command,
        "target/cargo-slim/hello/*/function.zip",
    )
    .success()
    .stdout_has("Reproduction successful");
    // Both zips were compared, and each variation named above was applied.
    for triple in TARGETS {
        assert!(
            out.stdout
                .contains(&format!("target/cargo-slim/hello/{triple}/function.zip")),
            "{triple} not compared:\n{out}"
        );
    }
    for v in [
        "BUILD_PATH variation",
        "HOME variation",
        "FAKETIME variation",
        "TIMEZONE variation",
        "LOCALE variation",
        "UMASK variation",
        "ENVIRONMENT variation",
        "EXEC_PATH variation",
    ] {
        assert!(
            out.stderr.contains(v) || out.stdout.contains(v),
            "{v} not applied:\n{out}"
        );
    }
}
