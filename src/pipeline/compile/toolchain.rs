//! The Rust toolchain: which rustc and cargo, their versions, whether the target's
//! standard library is installed (installing it with rustup when we can), and
//! whether `--build-std` can work.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::model::toolchain::Toolchain;
use crate::output::TargetDir;
use crate::pipeline::compile::toolchain_cache;
use crate::ui::Ui;
use crate::util::error::SlimError;
use crate::util::process;

/// The cargo to run: `$CARGO` (set by cargo when it runs us as `cargo slim`), else
/// `cargo` on PATH.
pub(crate) fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The rustc cargo will use: `$RUSTC`, else `rustc` on PATH.
pub(crate) fn rustc_program() -> OsString {
    std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into())
}

fn output(program: &OsString, args: &[&str], cwd: &Path) -> Result<String> {
    process::program(program)
        .args(args)
        .current_dir(cwd)
        .query()
}

/// Ask rustc and cargo who they are, or find their answers in the cache under
/// `target_dir` (see [`toolchain_cache`]). `cwd` matters: rustup picks the
/// toolchain from `rust-toolchain.toml` relative to it.
pub(crate) fn detect(cwd: &Path, target_dir: &TargetDir) -> Result<Toolchain> {
    let key = toolchain_cache::key(&rustc_program(), &cargo_program());
    let dir = target_dir.toolchain_cache();
    if let Some(cached) = key.as_deref().and_then(|k| toolchain_cache::load(&dir, k)) {
        return Ok(cached);
    }
    let toolchain = probe(cwd)?;
    if let Some(key) = key {
        toolchain_cache::store(&dir, &key, &toolchain);
    }
    Ok(toolchain)
}

/// Run `rustc -vV`, `rustc --print sysroot`, `cargo -V` and `rust-lld --version`.
fn probe(cwd: &Path) -> Result<Toolchain> {
    let rustc = rustc_program();
    let verbose = output(&rustc, &["-vV"], cwd)?;
    let field = |name: &str| {
        verbose
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let sysroot = output(&rustc, &["--print", "sysroot"], cwd)?;
    let cargo = output(&cargo_program(), &["-V"], cwd)?;
    let mut toolchain = Toolchain {
        rustc: verbose
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
        release: field("release:"),
        commit_hash: field("commit-hash:"),
        host: field("host:"),
        llvm: field("LLVM version:"),
        cargo: cargo.trim().to_string(),
        sysroot: PathBuf::from(sysroot.trim()),
        lld_version: None,
    };
    let lld = toolchain.rust_lld();
    if lld.is_file() {
        toolchain.lld_version = process::program(&lld)
            .args(["-flavor", "gnu", "--version"])
            .ask()
            .and_then(|text| text.lines().next().map(|l| l.trim().to_string()))
            .filter(|l| !l.is_empty());
    }
    Ok(toolchain)
}

/// The release of the installed stable toolchain: rustup's `stable` when rustup
/// is there, else the `rustc` on PATH when it is a stable release.
pub(crate) fn installed_stable() -> Option<String> {
    let release_of = |text: String| -> Option<String> {
        let release = text.lines().find_map(|l| l.strip_prefix("release:"))?;
        stable_release(release.trim())
    };
    process::program("rustup")
        .args(["run", "stable", "rustc", "-vV"])
        .ask()
        .and_then(release_of)
        .or_else(|| {
            process::program(rustc_program())
                .arg("-vV")
                .ask()
                .and_then(release_of)
        })
}

/// `1.95.0` → itself; anything but a plain `MAJOR.MINOR.PATCH` → None.
pub(crate) fn stable_release(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    (parts.len() == 3 && parts.iter().all(numeric)).then(|| text.to_string())
}

/// Is the precompiled standard library for `triple` in the sysroot?
pub(crate) fn has_target_std(toolchain: &Toolchain, triple: &str) -> bool {
    let lib = toolchain
        .sysroot
        .join("lib/rustlib")
        .join(triple)
        .join("lib");
    std::fs::read_dir(lib)
        .map(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("libstd-") && name.ends_with(".rlib")
            })
        })
        .unwrap_or(false)
}

/// The rustup toolchain name behind a sysroot (`…/toolchains/<name>`), when rustup
/// manages it.
fn rustup_toolchain_name(sysroot: &Path) -> Option<String> {
    let parent = sysroot.parent()?;
    if parent.file_name()? != "toolchains" {
        return None;
    }
    Some(sysroot.file_name()?.to_string_lossy().into_owned())
}

/// Make sure the target's standard library is there, running `rustup target add`
/// when rustup manages the toolchain. With `--build-std` the library is rebuilt
/// from source, but musl targets still take their self-contained C runtime
/// objects (crt1.o, libc.a) from the installed target, so it is installed too
/// where possible.
pub(crate) fn ensure_target(
    ui: &Ui,
    toolchain: &Toolchain,
    triple: &str,
    build_std: bool,
) -> Result<()> {
    if has_target_std(toolchain, triple) {
        return Ok(());
    }
    let rustup = which::which("rustup").ok();
    let name = rustup_toolchain_name(&toolchain.sysroot);
    let (Some(rustup), Some(name)) = (rustup, name) else {
        if build_std {
            return Ok(());
        }
        return Err(SlimError::TargetStdMissing {
            triple: triple.into(),
            sysroot: toolchain.sysroot.clone(),
        }
        .into());
    };
    ui.status(
        "Installing",
        format!("the {triple} standard library (rustup target add {triple} --toolchain {name})"),
    );
    let status = process::program(&rustup)
        .args(["target", "add", triple, "--toolchain", &name])
        .run()?;
    if status.success() && has_target_std(toolchain, triple) {
        return Ok(());
    }
    if build_std {
        ui.warn(format!(
            "rustup could not install {triple} for {name}; building std from source without it"
        ));
        return Ok(());
    }
    Err(SlimError::RustupTargetAdd {
        triple: triple.into(),
        toolchain: name,
    }
    .into())
}

/// Make sure `--build-std` can work with this toolchain: the standard library's
/// source (the rust-src component) must be there, and is installed with rustup
/// when it is not, as a target's std is. A stable or beta toolchain is fine: the
/// build then runs with RUSTC_BOOTSTRAP=1 ([`build_std_env`]).
pub(crate) fn ensure_build_std(ui: &Ui, toolchain: &Toolchain) -> Result<()> {
    let has_src = || {
        crate::pipeline::compile::path_map::rust_src(&toolchain.sysroot)
            .join("library/std/Cargo.toml")
            .is_file()
    };
    if has_src() {
        return Ok(());
    }
    let missing = |toolchain_name: Option<String>| SlimError::BuildStdNeedsRustSrc {
        sysroot: toolchain.sysroot.clone(),
        toolchain: toolchain_name,
    };
    let rustup = which::which("rustup").ok();
    let name = rustup_toolchain_name(&toolchain.sysroot);
    let (Some(rustup), Some(name)) = (rustup, name) else {
        return Err(missing(None).into());
    };
    ui.status(
        "Installing",
        format!("the standard library's source (rustup component add rust-src --toolchain {name})"),
    );
    let status = process::program(&rustup)
        .args(["component", "add", "rust-src", "--toolchain", &name])
        .run()?;
    if status.success() && has_src() {
        return Ok(());
    }
    Err(missing(Some(name)).into())
}

/// The environment `cargo build --build-std` needs with this toolchain:
/// `RUSTC_BOOTSTRAP=1` unless cargo and rustc are nightly. It lets one stable
/// release accept its own unstable flags (`-Zbuild-std`), for that one cargo
/// invocation; rustup, other builds and the user's shell never see it.
pub(crate) fn build_std_env(toolchain: &Toolchain) -> Option<(String, String)> {
    (!toolchain.allows_unstable()).then(|| ("RUSTC_BOOTSTRAP".to_string(), "1".to_string()))
}

/// The one-line notice for [`build_std_env`]: what is done, and why it is safe.
pub(crate) fn build_std_notice(toolchain: &Toolchain) -> String {
    format!(
        "--build-std on {}: RUSTC_BOOTSTRAP=1 for this cargo build only; safe with a pinned \
         toolchain, as the unstable flags of one exact release never change under you",
        toolchain.rustc
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_releases_are_pinned() {
        assert_eq!(stable_release("1.95.0").as_deref(), Some("1.95.0"));
        for bad in ["1.95", "1.97.0-nightly", "stable", "1.95.0\"", "", "1..0"] {
            assert_eq!(stable_release(bad), None, "{bad}");
        }
    }
}
