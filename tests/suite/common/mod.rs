//! Shared helpers for the integration tests: the real `cargo-slim` binary, the
//! fixture crates, and one shared target directory so a fixture is compiled once
//! per target for the whole suite (cargo's lock serialises concurrent builds; the
//! second test to ask gets a no-op rebuild).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub mod outcome;
pub mod peak_rss;
pub mod runtime_api;

pub use outcome::{run, Outcome};
pub use peak_rss::{peak_rss_kib, run_measuring_peak};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture crate: `hello`, `cshim`, `multibin`, `nobin`, `wasmdep` under tests/fixtures, or
/// `hello-lambda` under templates.
pub fn fixture(name: &str) -> PathBuf {
    let in_tests = repo().join("tests/fixtures").join(name);
    if in_tests.exists() {
        in_tests
    } else {
        repo().join("templates").join(name)
    }
}

/// The target directory every fixture build shares.
pub fn shared_target_dir() -> PathBuf {
    repo().join("target/fixtures")
}

/// `cargo-slim` as built for this test run, with no inherited `CARGO_TARGET_DIR`
/// and quiet, non-interactive output.
pub fn slim() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-slim"));
    // `cargo test` runs us with CARGO set to its own cargo; keep it (it is the
    // cargo a user's `cargo slim` would get) but drop what would redirect builds.
    cmd.env_remove("CARGO_TARGET_DIR")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CARGO_TERM_COLOR", "never");
    cmd
}

/// Every build into the shared target directory rewrites its output directory,
/// and a build without `--image` deletes the image one with `--image` left
/// there. All modules run in one process, so a test that reads what it built
/// there while another module could rebuild it (the image tests) holds
/// [`outputs_exclusive`] for its whole run, and every other build into the
/// shared directory holds [`outputs_shared`] while it runs.
static OUTPUTS: RwLock<()> = RwLock::new(());

/// Held while building into the shared target directory. (A test that failed
/// holding the lock leaves the outputs as they are: nothing to repair.)
pub fn outputs_shared() -> RwLockReadGuard<'static, ()> {
    OUTPUTS.read().unwrap_or_else(PoisonError::into_inner)
}

/// Held by a test whose shared-directory outputs must stay as it built them:
/// no other build into the shared target directory runs meanwhile. Build with
/// [`build_in`] under it ([`build`] takes [`outputs_shared`]).
pub fn outputs_exclusive() -> RwLockWriteGuard<'static, ()> {
    OUTPUTS.write().unwrap_or_else(PoisonError::into_inner)
}

/// Where `cargo slim build` puts one target's files.
pub struct Built {
    pub dir: PathBuf,
    pub bootstrap: PathBuf,
    pub full: PathBuf,
    pub zip: PathBuf,
    pub sha256: PathBuf,
    pub manifest: PathBuf,
}

impl Built {
    pub fn at(target_dir: &Path, bin: &str, triple: &str) -> Built {
        let dir = target_dir.join("cargo-slim").join(bin).join(triple);
        Built {
            bootstrap: dir.join("bootstrap"),
            full: dir.join("bootstrap.full"),
            zip: dir.join("function.zip"),
            sha256: dir.join("function.zip.sha256"),
            manifest: dir.join("slim-manifest.json"),
            dir,
        }
    }
}

/// Build `fixture` for `triple` with `cargo slim build` into the shared target
/// directory (extra args appended) and return where the files are. Panics with
/// cargo-slim's output when the build fails.
pub fn build(fixture_name: &str, bin: &str, triple: &str, extra: &[&str]) -> Built {
    let _outputs = outputs_shared();
    build_in(
        slim(),
        fixture_name,
        bin,
        triple,
        &shared_target_dir(),
        extra,
    )
}

/// [`build`] with a prepared command (environment, working directory) and a
/// target directory of the test's own.
pub fn build_in(
    mut cmd: Command,
    fixture_name: &str,
    bin: &str,
    triple: &str,
    target_dir: &Path,
    extra: &[&str],
) -> Built {
    let out = cmd
        .arg("build")
        .arg("--manifest-path")
        .arg(fixture(fixture_name).join("Cargo.toml"))
        .args(["--target", triple, "--target-dir"])
        .arg(target_dir)
        .args(extra)
        .output()
        .expect("run cargo-slim");
    assert!(
        out.status.success(),
        "cargo slim build {fixture_name} --target {triple} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Built::at(target_dir, bin, triple)
}

/// Fail loudly when a tool the suite needs is missing: `.ci/setup` installs them.
pub fn require_tool(name: &str) -> PathBuf {
    which(name).unwrap_or_else(|| {
        panic!("`{name}` is not on PATH: run `.ci/setup` (it installs the test tools)")
    })
}

pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Run a command that must succeed; panic with its stderr when it does not.
pub fn output_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{:?} failed ({}):\n{}",
        cmd.get_program(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A command that runs an executable built for `triple` on this machine: directly
/// for the host architecture, under `qemu-aarch64-static` for arm64 (with the
/// Debian aarch64 glibc as sysroot for dynamically linked gnu binaries).
pub fn exec_for(triple: &str, exe: &Path) -> Command {
    if triple.starts_with(std::env::consts::ARCH) {
        return Command::new(exe);
    }
    assert!(triple.starts_with("aarch64"), "no way to run {triple} here");
    let mut cmd = Command::new(require_tool("qemu-aarch64-static"));
    if triple.ends_with("-gnu") {
        cmd.args(["-L", "/usr/aarch64-linux-gnu"]);
    }
    cmd.arg(exe);
    cmd
}

/// The ELF facts the build tests assert: machine, and the dynamic loader (None:
/// statically linked).
pub fn elf_facts(path: &Path) -> (u16, Option<String>) {
    use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
    let data = std::fs::read(path).expect("read ELF");
    let file = ElfFile64::<object::Endianness>::parse(&*data).expect("parse ELF");
    let endian = file.endian();
    let machine = file.elf_header().e_machine(endian).0;
    let interp = file
        .elf_program_headers()
        .iter()
        .find(|ph| ph.p_type(endian) == object::elf::PT_INTERP)
        .and_then(|ph| ph.data(endian, &*data).ok())
        .map(|bytes| {
            String::from_utf8_lossy(bytes)
                .trim_end_matches('\0')
                .to_string()
        });
    (machine, interp)
}

/// Copy a fixture to a fresh directory (leaving out any target dir).
pub fn copy_fixture(name: &str, to: &Path) -> PathBuf {
    let from = fixture(name);
    let dest = to.join(name);
    copy_dir(&from, &dest);
    dest
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        if entry.file_name() == "target" {
            continue;
        }
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// A tool from one of the Python venvs `.ci/setup` makes (target/ci-venv/NAME):
/// linters and moto live apart because their pinned dependencies clash.
pub fn venv_tool(venv: &str, tool: &str) -> PathBuf {
    let path = repo()
        .join("target/ci-venv")
        .join(venv)
        .join("bin")
        .join(tool);
    assert!(
        path.is_file(),
        "{} is missing: run `.ci/setup` (it makes the {venv} venv)",
        path.display()
    );
    path
}

/// The release of the installed stable toolchain (e.g. `1.95.0`): what
/// `cargo slim new` pins.
pub fn stable_release() -> String {
    let out = output_ok(Command::new("rustc").args(["+stable", "-vV"]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("release: "))
        .expect("release line")
        .trim()
        .to_string()
}

/// A command run in a scaffolded crate: on the installed stable toolchain
/// (its rust-toolchain.toml pins that very release, which rustup would
/// otherwise download under its own name) and with no inherited target dir.
pub fn in_crate(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("RUSTUP_TOOLCHAIN", "stable")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CARGO_TERM_COLOR", "never");
    cmd
}
