//! The manifest of one build: what was built, with which settings, and the
//! hashes of what came out, with this machine's paths shown as what the path
//! map writes them as (`/build`, `/cargo/…`, `/target`).

use std::path::Path;

use anyhow::Result;

use crate::model::local_dependency::LocalDependency;
use crate::model::manifest::{
    self, BuildInfo, Digest, FileEntry, Inputs, Manifest, PackageInfo, Tool, ZipInfo,
};
use crate::model::target::Target;
use crate::output::OutputFile;
use crate::pipeline::build::settings::Settings;
use crate::pipeline::build::Context;
use crate::pipeline::compile::cargo_build::Invocation;
use crate::pipeline::compile::path_map::PathMap;
use crate::pipeline::compile::rustflags;
use crate::pipeline::package::{self, Entry};
use crate::pipeline::plan::Plan;
use crate::pipeline::supply_chain::sources;
use crate::util::hash;

/// What packaging produced: the zip's entries (`bootstrap` first), the
/// unstripped executable and the zip's bytes.
pub(crate) struct Packaged<'a> {
    pub(crate) entries: &'a [Entry],
    pub(crate) full: &'a [u8],
    pub(crate) zip: &'a [u8],
    /// Where cargo linked the executable: its dep-info beside it lists the
    /// sources rustc read.
    pub(crate) exe: &'a Path,
}

/// The manifest, but for what later steps add: the image, the size report and
/// the supply-chain documents.
pub(crate) fn manifest_for(
    plan: &Plan,
    ctx: &Context,
    target: &Target,
    settings: &Settings,
    inv: &Invocation,
    packaged: &Packaged<'_>,
) -> Result<Manifest> {
    let ws = plan.workspace_root();
    let lock = std::fs::read(ws.join("Cargo.lock")).ok();
    let Packaged {
        entries,
        full,
        zip,
        exe,
    } = *packaged;
    Ok(Manifest {
        schema: manifest::SCHEMA,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        package: PackageInfo {
            name: plan.package.name.to_string(),
            version: plan.package.version.to_string(),
            bin: plan.bin.clone(),
            manifest: relative(plan.manifest_path(), ws),
        },
        target: target.clone(),
        runtime: plan.runtime,
        toolchain: ctx.toolchain.clone(),
        linker: settings.linker.clone(),
        build: build_info(plan, ctx, settings, inv),
        inputs: Inputs {
            cargo_lock_sha256: lock.map(|l| hash::sha256_hex(&l)),
            git: ctx.git.clone(),
            sources: sources::record(exe, ws, plan.target_dir.path(), settings.anchor.as_ref()),
            local_dependencies: local_dependencies(settings, exe),
        },
        files: files(entries),
        sections: crate::artifact::elf::section_hashes(&entries[0].data)?,
        unstripped: Digest {
            size: full.len() as u64,
            sha256: hash::sha256_hex(full),
        },
        zip: ZipInfo {
            name: OutputFile::Zip.name().into(),
            size: zip.len() as u64,
            sha256: hash::sha256_hex(zip),
            code_sha256: hash::code_sha256(zip),
        },
        supply_chain: None,
        image: None,
        size_report: None,
    })
}

/// The dependencies read from elsewhere than cargo's download cache, with the
/// files of those outside the workspace.
fn local_dependencies(settings: &Settings, exe: &Path) -> Vec<LocalDependency> {
    let mut deps = settings.local_dependencies.clone();
    sources::record_local(&mut deps, exe, settings.anchor.as_ref());
    deps
}

/// How it was built: the typed options `verify` rebuilds from, and for people
/// the flags and the cargo command they became.
fn build_info(plan: &Plan, ctx: &Context, settings: &Settings, inv: &Invocation) -> BuildInfo {
    let paths = &settings.paths;
    let features = &plan.selection.features;
    let rustflags = recorded_rustflags(settings);
    BuildInfo {
        options: plan.options.clone(),
        features: features.list.clone(),
        all_features: features.all,
        no_default_features: features.no_default,
        profile: settings.profile.clone(),
        user_rustflags: settings
            .flags
            .user_env
            .iter()
            .map(|f| paths.sanitize(f))
            .collect(),
        command: command(plan, inv, settings, &rustflags),
        rustflags,
        compression: package::COMPRESSION.into(),
        timestamp: ctx.timestamp,
    }
}

/// Our rustflags as recorded: the path map as placeholders
/// ([`PathMap::recorded_flags`]: the same on every machine with the same
/// packages), then our other flags with any path of this machine sanitized.
fn recorded_rustflags(settings: &Settings) -> Vec<String> {
    let paths = &settings.paths;
    let others = settings
        .flags
        .ours
        .iter()
        .filter(|f| !PathMap::is_rule_flag(f))
        .map(|f| paths.sanitize(f));
    paths.recorded_flags().into_iter().chain(others).collect()
}

/// The cargo command as run, the package by name rather than by cargo's id and
/// the `--config` argument carrying our rustflags as they are recorded.
fn command(
    plan: &Plan,
    inv: &Invocation,
    settings: &Settings,
    rustflags: &[String],
) -> Vec<String> {
    // The program by name only: `$CARGO` is an absolute path into this machine.
    let program = Path::new(&inv.program)
        .file_name()
        .map_or_else(|| inv.program.to_string_lossy(), |n| n.to_string_lossy());
    let flags = &settings.flags;
    let package = settings.package_id(plan).repr;
    let mut command = vec![program.into_owned()];
    command.extend(inv.args.iter().map(|a| {
        if a == &package {
            plan.package.name.to_string()
        } else if let Some(key) = flags
            .config_key
            .as_deref()
            .filter(|_| flags.config_args.contains(a))
        {
            rustflags::config_arg(key, rustflags)
        } else {
            settings.paths.sanitize(a)
        }
    }));
    command
}

/// Every file in the zip, sorted by name.
fn files(entries: &[Entry]) -> Vec<FileEntry> {
    let mut files: Vec<FileEntry> = entries
        .iter()
        .map(|e| FileEntry {
            name: e.name.clone(),
            mode: format!("{:04o}", e.mode),
            size: e.data.len() as u64,
            sha256: hash::sha256_hex(&e.data),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}
