//! `cargo slim new NAME` and `cargo slim init [PATH]`: a new function crate from a
//! template, with the exact stable toolchain pinned, ready for `cargo slim build`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::pipeline::compile::toolchain;
use crate::scaffold::{self, CrateName, Request, Scaffold};
use crate::ui::Ui;
use crate::util::error::{Exit, SlimError};
use crate::util::regular_file;

/// The most of a kept `.gitignore` read to see whether it ignores `/target`.
const GITIGNORE_LIMIT: u64 = 1 << 20;

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
        Some(v) => toolchain::stable_release(v).ok_or_else(|| SlimError::BadToolchainRelease {
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
        // Read as any file we did not make: a regular file only, bounded (a FIFO
        // named .gitignore would block an ordinary read forever).
        let has_target = regular_file::read(kept, kept, GITIGNORE_LIMIT, None)
            .map(|t| {
                String::from_utf8_lossy(&t)
                    .lines()
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

/// The release of the installed stable toolchain.
fn installed_stable() -> Result<String> {
    toolchain::installed_stable().ok_or_else(|| SlimError::NoStableToolchain.into())
}
