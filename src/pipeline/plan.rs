//! Plan: what to build, decided once from the command line, the package's
//! `[package.metadata.slim]` / `[workspace.metadata.slim]` and cargo's metadata.
//! Precedence, per setting: command line, then package metadata, then workspace
//! metadata, then our defaults.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cargo_metadata::{CargoOpt, Metadata, MetadataCommand, Package, PackageId, TargetKind};
use serde::Deserialize;

use crate::cli::{BuildOptions, LinkerChoice, SelectArgs};
use crate::model::target::{Arch, Libc, Runtime, Target};
use crate::ui::Ui;
use crate::util::error::SlimError;

/// The directory under the target dir that holds every output of ours.
pub const OUTPUT_DIR: &str = "cargo-slim";

/// Everything the build needs to know, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub metadata: Metadata,
    pub package: Package,
    pub bin: String,
    pub targets: Vec<Target>,
    pub runtime: Runtime,
    pub target_dir: PathBuf,
    pub select: SelectArgs,
    pub options: Options,
}

/// Build options after merging the command line with `[*.metadata.slim]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Options {
    pub opt_level: Option<String>,
    pub cpu: Option<String>,
    pub build_std: bool,
    pub linker: LinkerChoice,
    pub include: Vec<String>,
    pub preflight: bool,
}

/// `[package.metadata.slim]` and `[workspace.metadata.slim]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SlimMetadata {
    pub arch: Option<OneOrMany>,
    pub libc: Option<String>,
    pub target: Option<OneOrMany>,
    pub runtime: Option<String>,
    pub opt_level: Option<toml_like::Scalar>,
    pub cpu: Option<String>,
    pub build_std: Option<bool>,
    pub linker: Option<String>,
    pub include: Option<Vec<String>>,
    pub preflight: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => s.split(',').map(|p| p.trim().to_string()).collect(),
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

pub mod toml_like {
    use serde::Deserialize;

    /// `opt-level = 3` and `opt-level = "z"` are both valid, as in Cargo.toml.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(untagged)]
    pub enum Scalar {
        Int(i64),
        Str(String),
    }

    impl Scalar {
        pub fn to_string_value(&self) -> String {
            match self {
                Scalar::Int(i) => i.to_string(),
                Scalar::Str(s) => s.clone(),
            }
        }
    }
}

/// The `cargo metadata` call every command starts from.
pub fn metadata(select: &SelectArgs) -> Result<Metadata> {
    metadata_filtered(select, None)
}

/// The same, with the resolve graph cut to the dependencies cargo builds for
/// `triple` (`--filter-platform`): a wasm32-only or Windows-only dependency is not
/// in an x86_64 Linux build.
pub fn metadata_for_target(select: &SelectArgs, triple: &str) -> Result<Metadata> {
    metadata_filtered(select, Some(triple))
}

fn metadata_filtered(select: &SelectArgs, triple: Option<&str>) -> Result<Metadata> {
    let mut cmd = MetadataCommand::new();
    if let Some(path) = &select.manifest_path {
        if !path.is_file() {
            return Err(SlimError::new(format!(
                "manifest path `{}` does not exist",
                path.display()
            ))
            .hint("pass the path of a Cargo.toml to --manifest-path")
            .into());
        }
        cmd.manifest_path(path);
    } else {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        if !cwd.ancestors().any(|d| d.join("Cargo.toml").is_file()) {
            return Err(SlimError::new(format!(
                "could not find `Cargo.toml` in `{}` or any parent directory",
                cwd.display()
            ))
            .hint("run cargo slim inside a function crate, or pass --manifest-path")
            .into());
        }
    }
    if select.all_features {
        cmd.features(CargoOpt::AllFeatures);
    }
    if select.no_default_features {
        cmd.features(CargoOpt::NoDefaultFeatures);
    }
    let features = feature_list(&select.features);
    if !features.is_empty() {
        cmd.features(CargoOpt::SomeFeatures(features));
    }
    let mut other = Vec::new();
    for (flag, on) in [
        ("--locked", select.locked),
        ("--frozen", select.frozen),
        ("--offline", select.offline),
    ] {
        if on {
            other.push(flag.to_string());
        }
    }
    if let Some(triple) = triple {
        other.extend(["--filter-platform".to_string(), triple.to_string()]);
    }
    cmd.other_options(other);
    cmd.exec().map_err(|e| match e {
        cargo_metadata::Error::CargoMetadata { stderr } => SlimError::new(format!(
            "cargo could not read the package:\n{}",
            stderr.trim_end()
        ))
        .into(),
        other => anyhow::Error::new(other).context("cannot run `cargo metadata`"),
    })
}

/// `--features "a b,c"` → `[a, b, c]`, as cargo splits them.
pub fn feature_list(features: &[String]) -> Vec<String> {
    features
        .iter()
        .flat_map(|f| f.split([' ', ',']))
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect()
}

/// Resolve a plan for `select` and the build options.
pub fn plan(ui: &Ui, select: &SelectArgs, opts: &BuildOptions) -> Result<Plan> {
    let metadata = metadata(select)?;
    let package = select_package(&metadata, select)?.clone();
    let bin = select_bin(&package, select.bin.as_deref())?;

    let pkg_meta = slim_metadata(&package.metadata, "package.metadata.slim")?;
    let ws_meta = slim_metadata(&metadata.workspace_metadata, "workspace.metadata.slim")?;
    let pick = |f: fn(&SlimMetadata) -> Option<String>| f(&pkg_meta).or_else(|| f(&ws_meta));

    let runtime = match select.runtime {
        Some(r) => r,
        None => match pick(|m| m.runtime.clone()) {
            Some(r) => r.parse().map_err(metadata_error)?,
            None => Runtime::default(),
        },
    };
    let targets = resolve_targets(select, &pkg_meta, &ws_meta)?;

    let linker = match opts.linker {
        Some(l) => l,
        None => match pick(|m| m.linker.clone()) {
            Some(l) => <LinkerChoice as clap::ValueEnum>::from_str(&l, true).map_err(|_| {
                metadata_error(format!(
                    "unknown linker `{l}` in metadata.slim: use auto, lld, zig or gcc"
                ))
            })?,
            None => LinkerChoice::Auto,
        },
    };
    let opt_level = opts
        .opt_level
        .clone()
        .or_else(|| pick(|m| m.opt_level.as_ref().map(|s| s.to_string_value())));
    if let Some(level) = &opt_level {
        if !["0", "1", "2", "3", "s", "z"].contains(&level.as_str()) {
            return Err(SlimError::new(format!(
                "unknown opt-level `{level}`: use 0, 1, 2, 3, s or z"
            ))
            .into());
        }
    }
    // Include paths are recorded relative to the workspace root, so the manifest
    // (and `verify`) does not depend on where the command ran. Command-line paths
    // are relative to the working directory, metadata paths to their manifest.
    let ws_root = metadata.workspace_root.as_std_path();
    let include = if !opts.include.is_empty() {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        opts.include
            .iter()
            .map(|s| rebase_include(s, &cwd, ws_root))
            .collect()
    } else if let Some(list) = &pkg_meta.include {
        let dir = package
            .manifest_path
            .parent()
            .map_or(ws_root, |p| p.as_std_path());
        list.iter()
            .map(|s| rebase_include(s, dir, ws_root))
            .collect()
    } else {
        let list = ws_meta.include.clone().unwrap_or_default();
        list.iter()
            .map(|s| rebase_include(s, ws_root, ws_root))
            .collect()
    };
    let options = Options {
        opt_level,
        cpu: opts.cpu.clone().or_else(|| pick(|m| m.cpu.clone())),
        build_std: opts.build_std || pkg_meta.build_std.or(ws_meta.build_std).unwrap_or(false),
        linker,
        include,
        preflight: !opts.no_preflight && pkg_meta.preflight.or(ws_meta.preflight).unwrap_or(true),
    };

    let target_dir = canonical(&match &select.target_dir {
        Some(dir) => absolute(dir)?,
        None => metadata.target_directory.clone().into_std_path_buf(),
    });
    ui.verbose(format!(
        "package {} {}, bin `{bin}`, targets {}, runtime {runtime}",
        package.name,
        package.version,
        targets
            .iter()
            .map(|t| t.triple.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(Plan {
        metadata,
        package,
        bin,
        targets,
        runtime,
        target_dir,
        select: select.clone(),
        options,
    })
}

impl Plan {
    /// `<target-dir>/cargo-slim/<bin>/<triple>/`.
    pub fn out_dir(&self, target: &Target) -> PathBuf {
        out_dir(&self.target_dir, &self.bin, &target.triple)
    }

    pub fn workspace_root(&self) -> &Path {
        self.metadata.workspace_root.as_std_path()
    }

    pub fn manifest_path(&self) -> &Path {
        self.package.manifest_path.as_std_path()
    }
}

/// Where one target's outputs go: `<target-dir>/cargo-slim/<bin>/<triple>/`.
///
/// Not `<target-dir>/slim/`: cargo writes host builds of a profile named `slim`
/// there (`cargo build --profile slim` puts the executable at `slim/<bin>`), and
/// the two layouts cannot share a directory. Cargo's own directories are profile
/// names, triples and a few fixed names (`doc`, `package`, `tmp`); a directory
/// named after the tool, as other cargo tools do (`target/nextest`,
/// `target/criterion`), is never one of them unless a profile is named
/// `cargo-slim`.
pub fn out_dir(target_dir: &Path, bin: &str, triple: &str) -> PathBuf {
    target_dir.join(OUTPUT_DIR).join(bin).join(triple)
}

/// `PATH[:NAME]` with PATH relative to `base` → the same with PATH relative to the
/// workspace root (or absolute, when outside it). NAME defaults to the file name.
fn rebase_include(spec: &str, base: &Path, ws_root: &Path) -> String {
    let (path, name) = match spec.rsplit_once(':') {
        Some((p, n)) if !p.is_empty() && !n.is_empty() => (p, Some(n)),
        _ => (spec, None),
    };
    let full = base.join(path);
    let name = name.map(str::to_string).unwrap_or_else(|| {
        Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let rel = full
        .strip_prefix(ws_root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| full.display().to_string());
    format!("{rel}:{name}")
}

/// `path` with symlinks resolved, once, for everything downstream: the remap
/// flags, cargo's `--target-dir` and the recorded command then name one spelling
/// (a symlinked target dir used to get a remap per spelling, so a rebuild in a
/// plain directory "differed"). A path that does not exist yet keeps its missing
/// tail below the canonical form of its deepest existing ancestor.
pub fn canonical(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut tail = Vec::new();
    loop {
        if let Ok(canon) = existing.canonicalize() {
            return tail.iter().rev().fold(canon, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .context("cannot read the current directory")?
            .join(path))
    }
}

fn metadata_error(message: String) -> anyhow::Error {
    SlimError::new(message).into()
}

fn slim_metadata(value: &serde_json::Value, place: &str) -> Result<SlimMetadata> {
    match value.get("slim") {
        None | Some(serde_json::Value::Null) => Ok(SlimMetadata::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            SlimError::new(format!("invalid [{place}]: {e}"))
                .hint("known keys: arch, libc, target, runtime, opt-level, cpu, build-std, linker, include, preflight")
                .into()
        }),
    }
}

fn resolve_targets(
    select: &SelectArgs,
    pkg: &SlimMetadata,
    ws: &SlimMetadata,
) -> Result<Vec<Target>> {
    let mut triples: Vec<String> = select.target.clone();
    if triples.is_empty() && select.arch.is_empty() && select.libc.is_none() {
        if let Some(t) = pkg.target.as_ref().or(ws.target.as_ref()) {
            triples = t.to_vec();
        }
    }
    let mut targets = Vec::new();
    if !triples.is_empty() {
        for triple in triples {
            targets.push(Target::from_triple(&triple).map_err(metadata_error)?);
        }
    } else {
        let arches: Vec<Arch> = if !select.arch.is_empty() {
            select.arch.clone()
        } else if let Some(a) = pkg.arch.as_ref().or(ws.arch.as_ref()) {
            a.to_vec()
                .iter()
                .map(|s| s.parse::<Arch>().map_err(metadata_error))
                .collect::<Result<_>>()?
        } else {
            vec![Arch::X86_64]
        };
        let libc = match select.libc {
            Some(l) => l,
            None => match pkg.libc.as_ref().or(ws.libc.as_ref()) {
                Some(l) => l.parse().map_err(metadata_error)?,
                None => Libc::default(),
            },
        };
        for arch in arches {
            targets.push(Target::new(arch, libc));
        }
    }
    let mut seen = BTreeSet::new();
    targets.retain(|t| seen.insert(t.triple.clone()));
    Ok(targets)
}

/// The package to build: `-p`, else the package of the manifest, else the only
/// workspace member with a binary.
pub fn select_package<'m>(metadata: &'m Metadata, select: &SelectArgs) -> Result<&'m Package> {
    let members = metadata.workspace_packages();
    if let Some(spec) = &select.package {
        let (name, version) = spec.split_once('@').unwrap_or((spec.as_str(), ""));
        return members
            .into_iter()
            .find(|p| {
                p.name.as_str() == name && (version.is_empty() || p.version.to_string() == version)
            })
            .ok_or_else(|| {
                SlimError::new(format!(
                    "package `{spec}` is not a member of this workspace"
                ))
                .hint(format!(
                    "members: {}",
                    metadata
                        .workspace_packages()
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into()
            });
    }
    if let Some(root) = metadata.root_package() {
        return Ok(root);
    }
    let with_bins: Vec<&Package> = metadata
        .workspace_default_packages()
        .into_iter()
        .filter(|p| p.targets.iter().any(|t| t.is_kind(TargetKind::Bin)))
        .collect();
    match with_bins.as_slice() {
        [one] => Ok(one),
        [] => Err(no_binary(metadata.workspace_root.as_str())),
        many => Err(
            SlimError::new("this workspace has several packages with binaries")
                .hint(format!(
                    "choose one with -p: {}",
                    many.iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into(),
        ),
    }
}

/// The binary to ship as `bootstrap`: `--bin`, else the only one, else `default-run`.
pub fn select_bin(package: &Package, wanted: Option<&str>) -> Result<String> {
    let bins: Vec<&str> = package
        .targets
        .iter()
        .filter(|t| t.is_kind(TargetKind::Bin))
        .map(|t| t.name.as_str())
        .collect();
    if let Some(name) = wanted {
        if bins.contains(&name) {
            return Ok(name.to_string());
        }
        let err = SlimError::new(format!(
            "package `{}` has no binary named `{name}`",
            package.name
        ));
        return Err(if bins.is_empty() {
            err.hint("it has no binaries at all: add src/main.rs or a [[bin]] target")
        } else {
            err.hint(format!("its binaries: {}", bins.join(", ")))
        }
        .into());
    }
    match bins.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(no_binary(package.name.as_str())),
        many => match &package.default_run {
            Some(default) if many.contains(&default.as_str()) => Ok(default.clone()),
            _ => Err(SlimError::new(format!(
                "package `{}` has several binaries: {}",
                package.name,
                many.join(", ")
            ))
            .hint(format!(
                "choose the one to ship as bootstrap with --bin {}",
                many[0]
            ))
            .into()),
        },
    }
}

fn no_binary(what: &str) -> anyhow::Error {
    SlimError::new(format!(
        "`{what}` has no binary target to ship as `bootstrap`"
    ))
    .hint("a Lambda function is an executable: add src/main.rs (or a [[bin]] section)")
    .into()
}

/// The packages `root` builds with: itself and everything reachable through
/// normal and build dependencies (dev-dependencies left out). Dependencies of
/// other platforms are included unless `metadata` was filtered for a target
/// ([`metadata_for_target`]).
pub fn build_graph<'m>(metadata: &'m Metadata, root: &PackageId) -> Vec<&'m Package> {
    let Some(resolve) = &metadata.resolve else {
        return metadata.packages.iter().filter(|p| &p.id == root).collect();
    };
    let nodes: std::collections::HashMap<&PackageId, &cargo_metadata::Node> =
        resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let packages: std::collections::HashMap<&PackageId, &Package> =
        metadata.packages.iter().map(|p| (&p.id, p)).collect();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    let mut out = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(p) = packages.get(id) {
            out.push(*p);
        }
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            if dep
                .dep_kinds
                .iter()
                .any(|k| k.kind != cargo_metadata::DependencyKind::Development)
            {
                stack.push(&dep.pkg);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_resolves_symlinks_and_keeps_a_missing_tail() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(canonical(&link), real);
        assert_eq!(canonical(&link.join("not/yet")), real.join("not/yet"));
    }
}
