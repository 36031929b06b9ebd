//! Plan: what to build, decided once from the command line, the package's
//! `[package.metadata.slim]` / `[workspace.metadata.slim]` and cargo's metadata.
//! Precedence, per setting: command line, then package metadata, then workspace
//! metadata, then our defaults.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cargo_metadata::{CargoOpt, Metadata, MetadataCommand, Package, PackageId, TargetKind};

use crate::model::budget::{BudgetRule, Budgets};
use crate::model::include::IncludeSpec;
use crate::model::manifest::Manifest;
use crate::model::options::{
    BinName, CpuName, Features, LinkerChoice, OptLevel, Options, PanicStrategy, RequestedOptions,
    Selection,
};
use crate::model::target::{Arch, Libc, Runtime, Target};
use crate::pipeline::slim_metadata::{metadata_error, MetadataTables};
use crate::ui::Ui;
use crate::util::error::SlimError;

/// The directory under the target dir that holds every output of ours.
pub const OUTPUT_DIR: &str = "cargo-slim";

/// Everything the build needs to know, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub metadata: Metadata,
    pub package: Package,
    pub bin: BinName,
    pub targets: Vec<Target>,
    pub runtime: Runtime,
    pub target_dir: PathBuf,
    pub selection: Selection,
    pub options: Options,
    /// Size budgets in force (not recorded in the manifest: they judge a build,
    /// they do not shape it).
    pub budgets: Budgets,
}

/// The `cargo metadata` call every command starts from.
pub fn metadata(select: &Selection) -> Result<Metadata> {
    metadata_filtered(select, None)
}

/// The same, with the resolve graph cut to the dependencies cargo builds for
/// `triple` (`--filter-platform`): a wasm32-only or Windows-only dependency is not
/// in an x86_64 Linux build. (A build gets its target's resolve once, with the
/// build's own selection, from `linked_crates::target_metadata`.)
pub fn metadata_for_target(select: &Selection, triple: &str) -> Result<Metadata> {
    metadata_filtered(select, Some(triple))
}

fn metadata_filtered(select: &Selection, triple: Option<&str>) -> Result<Metadata> {
    let mut cmd = MetadataCommand::new();
    if let Some(path) = &select.manifest_path {
        if !path.is_file() {
            return Err(SlimError::ManifestPathMissing { path: path.clone() }.into());
        }
        cmd.manifest_path(path);
    } else {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        if !cwd.ancestors().any(|d| d.join("Cargo.toml").is_file()) {
            return Err(SlimError::NoCargoToml { cwd }.into());
        }
    }
    if select.features.all {
        cmd.features(CargoOpt::AllFeatures);
    }
    if select.features.no_default {
        cmd.features(CargoOpt::NoDefaultFeatures);
    }
    let features = feature_args(&select.features);
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
    // Where the build will go, so cargo finds its cached `rustc -vV` answers
    // there (`.rustc_info.json`) instead of running rustc twice every time.
    if let Some(dir) = &select.target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    cmd.exec().map_err(|e| match e {
        cargo_metadata::Error::CargoMetadata { stderr } => SlimError::CargoMetadata {
            stderr: stderr.trim_end().to_string(),
        }
        .into(),
        other => anyhow::Error::new(other).context("cannot run `cargo metadata`"),
    })
}

/// The `--features` value cargo gets (empty: none).
pub fn feature_args(features: &Features) -> Vec<String> {
    features.list.iter().map(|f| f.to_string()).collect()
}

/// Resolve a plan for `select` and the build options.
pub fn plan(ui: &Ui, select: &Selection, opts: &RequestedOptions) -> Result<Plan> {
    let metadata = metadata(select)?;
    let package = select_package(&metadata, select)?.clone();
    let bin = select_bin(&package, select.bin.as_ref().map(BinName::as_str))?;

    let meta = MetadataTables::read(&package.metadata, &metadata.workspace_metadata)?;
    let runtime = match select.runtime {
        Some(r) => r,
        None => meta
            .parse::<Runtime>("runtime", |m| m.runtime.clone())?
            .unwrap_or_default(),
    };
    let targets = resolve_targets(select, &meta)?;
    let linker = match opts.linker {
        Some(l) => l,
        None => meta
            .parse::<LinkerChoice>("linker", |m| m.linker.clone())?
            .unwrap_or_default(),
    };
    let opt_level = match opts.opt_level {
        Some(level) => Some(level),
        None => meta.parse::<OptLevel>("opt-level", |m| {
            m.opt_level.as_ref().map(|s| s.to_string_value())
        })?,
    };
    let cpu = match &opts.cpu {
        Some(cpu) => Some(cpu.clone()),
        None => meta.parse::<CpuName>("cpu", |m| m.cpu.clone())?,
    };
    let panic = match opts.panic {
        Some(p) => p,
        None => meta
            .parse::<PanicStrategy>("panic", |m| m.panic.clone())?
            .unwrap_or_default(),
    };
    let include = resolve_includes(opts, &meta, &metadata, &package)?;
    let options = Options {
        opt_level,
        cpu,
        build_std: opts.build_std || meta.pick(|m| m.build_std).is_some_and(|(_, b)| b),
        panic,
        linker,
        include,
        preflight: !opts.no_preflight && meta.pick(|m| m.preflight).is_none_or(|(_, p)| p),
        audit_data: !opts.no_audit_data && meta.pick(|m| m.audit_data).is_none_or(|(_, a)| a),
        image: opts.image || meta.pick(|m| m.image).is_some_and(|(_, i)| i),
    };
    options
        .check()
        .map_err(|e| SlimError::ImmediateAbortNeedsBuildStd {
            reason: e.to_string(),
        })?;

    let budgets = budgets(opts.budgets.clone(), &meta)?;

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
        selection: select.clone(),
        options,
        budgets,
    })
}

/// The budgets in force: the command line's rules, then the package's `budget`
/// table, then the workspace's; [`Budgets::limit`] picks per target and kind.
fn budgets(flags: Vec<BudgetRule>, meta: &MetadataTables) -> Result<Budgets> {
    let mut rules = flags;
    rules.extend(meta.budget_rules()?);
    Ok(Budgets { rules })
}

/// Include specs, from the command line (relative to the working directory), else
/// `[package.metadata.slim]` (relative to the package), else
/// `[workspace.metadata.slim]` (relative to the workspace root), resolved to
/// paths relative to the workspace root: the manifest records no absolute path
/// and `verify` does not depend on where the command ran.
fn resolve_includes(
    opts: &RequestedOptions,
    meta: &MetadataTables,
    metadata: &Metadata,
    package: &Package,
) -> Result<Vec<crate::model::include::Include>> {
    let ws_root = metadata.workspace_root.as_std_path();
    let (specs, base, place) = if !opts.include.is_empty() {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        (opts.include.clone(), cwd, "--include".to_string())
    } else if let Some((place, list)) = meta.pick(|m| m.include.clone()) {
        let base = if place == "package.metadata.slim" {
            package
                .manifest_path
                .parent()
                .map_or(ws_root, |p| p.as_std_path())
        } else {
            ws_root
        };
        let specs = list
            .iter()
            .map(|s| s.parse::<IncludeSpec>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| metadata_error(place, "include", e))?;
        (specs, base.to_path_buf(), format!("[{place}] include"))
    } else {
        return Ok(Vec::new());
    };
    specs
        .iter()
        .map(|s| {
            s.resolve(&base, ws_root).map_err(|e| {
                SlimError::InvalidSetting {
                    setting: place.clone(),
                    reason: e.to_string(),
                }
                .into()
            })
        })
        .collect()
}

impl Plan {
    /// The plan that rebuilds what `recorded` describes, into `target_dir`: the
    /// recorded (typed, already validated) options, features, runtime, bin and
    /// target, always `--locked`. Nothing else of the record is used: recorded
    /// rustflags and the cargo command are for comparison only.
    pub fn from_manifest(&self, recorded: &Manifest, target_dir: PathBuf) -> Result<Plan> {
        let mut plan = self.clone();
        plan.bin = select_bin(&self.package, Some(recorded.package.bin.as_str()))
            .context("the manifest's `package.bin` is not a binary of this package")?;
        plan.options = recorded.build.options.clone();
        plan.selection.features = Features {
            list: recorded.build.features.clone(),
            all: recorded.build.all_features,
            no_default: recorded.build.no_default_features,
        };
        plan.selection.locked = true;
        plan.runtime = recorded.runtime;
        plan.target_dir = target_dir;
        plan.targets = vec![recorded.target.clone()];
        Ok(plan)
    }

    /// `<target-dir>/cargo-slim/<bin>/<triple>/`.
    pub fn out_dir(&self, target: &Target) -> PathBuf {
        out_dir(&self.target_dir, &self.bin, target)
    }

    pub fn workspace_root(&self) -> &Path {
        self.metadata.workspace_root.as_std_path()
    }

    pub fn manifest_path(&self) -> &Path {
        self.package.manifest_path.as_std_path()
    }
}

/// Where one target's outputs go: `<target-dir>/cargo-slim/<bin>/<triple>/`.
/// Both names are checked types, so neither can climb out of the target dir.
///
/// Not `<target-dir>/slim/`: cargo writes host builds of a profile named `slim`
/// there (`cargo build --profile slim` puts the executable at `slim/<bin>`), and
/// the two layouts cannot share a directory. Cargo's own directories are profile
/// names, triples and a few fixed names (`doc`, `package`, `tmp`); a directory
/// named after the tool, as other cargo tools do (`target/nextest`,
/// `target/criterion`), is never one of them unless a profile is named
/// `cargo-slim`.
pub fn out_dir(target_dir: &Path, bin: &BinName, target: &Target) -> PathBuf {
    target_dir
        .join(OUTPUT_DIR)
        .join(bin.as_str())
        .join(&target.triple)
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

fn resolve_targets(select: &Selection, meta: &MetadataTables) -> Result<Vec<Target>> {
    let mut targets = select.targets.clone();
    if targets.is_empty() && select.arch.is_empty() && select.libc.is_none() {
        if let Some((place, t)) = meta.pick(|m| m.target.clone()) {
            for triple in t.to_vec() {
                targets.push(
                    Target::from_triple(&triple).map_err(|e| metadata_error(place, "target", e))?,
                );
            }
        }
    }
    if targets.is_empty() {
        let arches: Vec<Arch> = if !select.arch.is_empty() {
            select.arch.clone()
        } else if let Some((place, a)) = meta.pick(|m| m.arch.clone()) {
            a.to_vec()
                .iter()
                .map(|s| {
                    s.parse::<Arch>()
                        .map_err(|e| metadata_error(place, "arch", e))
                })
                .collect::<Result<_>>()?
        } else {
            vec![Arch::X86_64]
        };
        let libc = match select.libc {
            Some(l) => l,
            None => meta
                .parse::<Libc>("libc", |m| m.libc.clone())?
                .unwrap_or_default(),
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
pub fn select_package<'m>(metadata: &'m Metadata, select: &Selection) -> Result<&'m Package> {
    let members = metadata.workspace_packages();
    if let Some(spec) = &select.package {
        let (name, version) = spec.split_once('@').unwrap_or((spec.as_str(), ""));
        return members
            .into_iter()
            .find(|p| {
                p.name.as_str() == name && (version.is_empty() || p.version.to_string() == version)
            })
            .ok_or_else(|| {
                SlimError::NotAMember {
                    spec: spec.to_string(),
                    members: names(&metadata.workspace_packages()),
                }
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
        many => Err(SlimError::SeveralPackages { names: names(many) }.into()),
    }
}

fn names(packages: &[&Package]) -> Vec<String> {
    packages.iter().map(|p| p.name.to_string()).collect()
}

/// The binary to ship as `bootstrap`: `--bin`, else the only one, else `default-run`.
/// Its name must also pass [`BinName`]'s grammar: it becomes a directory name.
pub fn select_bin(package: &Package, wanted: Option<&str>) -> Result<BinName> {
    let name = select_bin_name(package, wanted)?;
    name.parse::<BinName>().map_err(|e| {
        SlimError::UnshippableBin {
            package: package.name.to_string(),
            reason: e.to_string(),
        }
        .into()
    })
}

fn select_bin_name(package: &Package, wanted: Option<&str>) -> Result<String> {
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
        return Err(SlimError::NoSuchBin {
            package: package.name.to_string(),
            name: name.into(),
            bins: bins.iter().map(|b| b.to_string()).collect(),
        }
        .into());
    }
    match bins.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(no_binary(package.name.as_str())),
        many => match &package.default_run {
            Some(default) if many.contains(&default.as_str()) => Ok(default.clone()),
            _ => Err(SlimError::SeveralBins {
                package: package.name.to_string(),
                bins: many.iter().map(|b| b.to_string()).collect(),
            }
            .into()),
        },
    }
}

fn no_binary(what: &str) -> anyhow::Error {
    SlimError::NoBinary { what: what.into() }.into()
}

/// The packages `root` builds with: itself and everything reachable through
/// normal and build dependencies (dev-dependencies left out). Dependencies of
/// other platforms are included unless `metadata` was filtered for a target
/// ([`metadata_for_target`], `linked_crates::target_metadata`).
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
