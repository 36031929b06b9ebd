//! `cargo slim new NAME` and `cargo slim init [PATH]`: a new function crate from a
//! template, with the exact stable toolchain pinned, ready for `cargo slim build`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result};

use crate::pipeline::toolchain;
use crate::scaffold::{self, CrateName, Request, Scaffold};
use crate::ui::Ui;
use crate::util::error::{Exit, SlimError};

/// `new` or `init`, as the request says.
pub(crate) fn run(ui: &Ui, request: &Request) -> Result<Exit> {
    if request.init {
        run_init(ui, request)
    } else {
        run_new(ui, request)
    }
}

fn run_new(ui: &Ui, request: &Request) -> Result<Exit> {
    let name = CrateName::parse(request.name.as_deref().unwrap_or_default())?;
    let dir = PathBuf::from(name.as_str());
    if dir.symlink_metadata().is_ok() {
        return Err(SlimError::DestinationExists { path: dir }.into());
    }
    scaffold_into(ui, &dir, name, request)
}

fn run_init(ui: &Ui, request: &Request) -> Result<Exit> {
    let dir = match &request.init_dir {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    if !dir.is_dir() {
        return Err(SlimError::NotADirectory { path: dir }.into());
    }
    let name = match &request.name {
        Some(n) => CrateName::parse(n)?,
        None => {
            let base = std::fs::canonicalize(&dir)
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            CrateName::parse(&base)?
        }
    };
    scaffold_into(ui, &dir, name, request)
}

fn scaffold_into(ui: &Ui, dir: &Path, name: CrateName, request: &Request) -> Result<Exit> {
    let toolchain = match &request.toolchain {
        Some(v) => stable_release(v).ok_or_else(|| SlimError::BadToolchainRelease {
            value: v.escape_debug().to_string(),
        })?,
        None => installed_stable()?,
    };
    let scaffold = Scaffold {
        name,
        template: request.template,
        arches: request.arches.clone(),
        toolchain,
    };
    let written = scaffold::writer::write(dir, &scaffold.files(), request.init)?;
    ui.status(
        "Created",
        format!(
            "function `{}` ({} template, Rust {}) in {}",
            scaffold.name,
            scaffold.template,
            scaffold.toolchain,
            dir.display()
        ),
    );
    for kept in &written.kept {
        let has_target = std::fs::read_to_string(kept)
            .map(|t| {
                t.lines()
                    .any(|l| matches!(l.trim(), "/target" | "target" | "target/" | "/target/"))
            })
            .unwrap_or(false);
        if !has_target {
            ui.warn(format!(
                "kept your {}: add `/target` to it so build output is not committed",
                kept.display()
            ));
        }
    }
    let cd = if request.init {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    };
    ui.status(
        "Next",
        format!("{cd}cargo test && cargo slim build && cargo slim generate --all"),
    );
    Ok(Exit::Success)
}

/// `1.95.0` → itself; anything but a plain `MAJOR.MINOR.PATCH` → None.
fn stable_release(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    (parts.len() == 3 && parts.iter().all(numeric)).then(|| text.to_string())
}

/// The release of the installed stable toolchain: rustup's `stable` when rustup
/// is there, else the `rustc` on PATH when it is a stable release.
fn installed_stable() -> Result<String> {
    let release_of = |cmd: &mut Command| -> Option<String> {
        let out = cmd.output().ok().filter(|o| o.status.success())?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let release = text.lines().find_map(|l| l.strip_prefix("release:"))?;
        stable_release(release.trim())
    };
    release_of(Command::new("rustup").args(["run", "stable", "rustc", "-vV"]))
        .or_else(|| release_of(Command::new(toolchain::rustc_program()).arg("-vV")))
        .ok_or_else(|| SlimError::NoStableToolchain.into())
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
