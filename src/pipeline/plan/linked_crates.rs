//! Which crates end up linked into one target's executable, from cargo's own
//! resolve: `cargo metadata --filter-platform <triple>` with the selected
//! features (derived from the plan's unfiltered metadata when the target's cfgs
//! decide it), walked from the function's package along normal dependencies,
//! leaving out dev- and build-dependencies and proc-macros (see
//! [`crate::model::linked_crates`]). Cargo.lock adds each registry crate's
//! checksum.
//!
//! Computed once per target; the audit data, the SBOM and the provenance are all
//! written from the result.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use anyhow::Result;
use cargo_metadata::{
    CargoOpt, DependencyKind, Metadata, MetadataCommand, Node, Package, PackageId, Resolve,
    TargetKind,
};
use serde::Deserialize;

use crate::model::linked_crates::{CrateSource, LinkedCrate, LinkedCrates};
use crate::pipeline::plan::{self, filter_for_target};
use crate::util::error::SlimError;

/// What to ask cargo: the package and feature selection of the build.
#[derive(Debug, Clone)]
pub(crate) struct Query<'a> {
    pub manifest_path: &'a Path,
    pub package: &'a PackageId,
    /// The plain target triple (not zig's `…-gnu.2.34`).
    pub triple: &'a str,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// `--locked`, `--frozen`, `--offline`, as the build got them.
    pub cargo_flags: Vec<&'static str>,
    /// Where Cargo.lock is.
    pub workspace_root: &'a Path,
    /// The build's target dir: cargo keeps its cached rustc answers there
    /// (`.rustc_info.json`), so a no-op build does not run rustc for them.
    pub target_dir: &'a Path,
}

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";
const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

/// The crates linked for the query's target, from its resolve as
/// [`target_metadata`] gives it (the build asks cargo once per target, for this
/// and for its C-code detection).
pub(crate) fn resolve_from(query: &Query, metadata: &Metadata) -> Result<LinkedCrates> {
    let lock = lock_checksums(&query.workspace_root.join("Cargo.lock"))?;
    from_metadata(metadata, query.package, query.triple, &lock)
}

/// What cargo really builds for the target, as `cargo metadata --filter-platform
/// <triple>` with the build's selection gives it: derived from the plan's
/// unfiltered metadata (`planned`, same selection) when that decides it
/// ([`filter_for_target`]), else asked of cargo.
pub(crate) fn target_metadata(
    query: &Query,
    planned: &Metadata,
    custom_cfgs_off: bool,
) -> Result<Metadata> {
    if let Some(filtered) = filter_for_target(planned, query.package, query.triple, custom_cfgs_off)
    {
        return Ok(filtered);
    }
    let mut cmd = MetadataCommand::new();
    cmd.manifest_path(query.manifest_path);
    if query.all_features {
        cmd.features(CargoOpt::AllFeatures);
    }
    if query.no_default_features {
        cmd.features(CargoOpt::NoDefaultFeatures);
    }
    if !query.features.is_empty() {
        cmd.features(CargoOpt::SomeFeatures(query.features.clone()));
    }
    let mut other = vec!["--filter-platform".to_string(), query.triple.to_string()];
    other.extend(query.cargo_flags.iter().map(|f| f.to_string()));
    cmd.other_options(other);
    cmd.env("CARGO_TARGET_DIR", query.target_dir);
    plan::run_metadata(&cmd).map_err(|e| {
        let detail = match e {
            plan::MetadataFailure::Refused(stderr) => stderr,
            plan::MetadataFailure::Other(e) => format!("{e:#}"),
        };
        SlimError::LinkedCrates {
            triple: query.triple.into(),
            detail: format!("`cargo metadata --filter-platform` failed:\n{detail}"),
        }
        .into()
    })
}

/// The walk itself, on a resolve already obtained (and testable without cargo).
pub(crate) fn from_metadata(
    metadata: &Metadata,
    root: &PackageId,
    triple: &str,
    lock: &BTreeMap<(String, String, String), String>,
) -> Result<LinkedCrates> {
    let cargo_said = |detail: String| SlimError::LinkedCrates {
        triple: triple.into(),
        detail,
    };
    let resolve = metadata
        .resolve
        .as_ref()
        .ok_or_else(|| cargo_said("cargo metadata returned no dependency resolve".into()))?;
    let packages: BTreeMap<&PackageId, &Package> =
        metadata.packages.iter().map(|p| (&p.id, p)).collect();
    let edges = linked_edges(resolve, &packages, root).map_err(cargo_said)?;

    // Sorted by name, version and source, so the order (and the indices) do not
    // depend on where the checkout is or on cargo's output order.
    let mut chosen: Vec<(&Package, CrateSource)> = Vec::new();
    for id in edges.keys() {
        let p = packages
            .get(id)
            .ok_or_else(|| cargo_said(format!("cargo metadata lists no package `{}`", id.repr)))?;
        chosen.push((p, source_of(p)));
    }
    chosen.sort_by(|(a, sa), (b, sb)| {
        (a.name.as_str(), &a.version, sa).cmp(&(b.name.as_str(), &b.version, sb))
    });
    let index: BTreeMap<&PackageId, usize> = chosen
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (&p.id, i))
        .collect();
    let crates = chosen
        .iter()
        .map(|(p, source)| {
            let mut dependencies: Vec<usize> = edges
                .get(&p.id)
                .map(|deps| deps.iter().filter_map(|d| index.get(d).copied()).collect())
                .unwrap_or_default();
            dependencies.sort_unstable();
            dependencies.dedup();
            let key = (
                p.name.to_string(),
                p.version.to_string(),
                p.source
                    .as_ref()
                    .map(|s| s.repr.clone())
                    .unwrap_or_default(),
            );
            LinkedCrate {
                name: p.name.to_string(),
                version: p.version.to_string(),
                source: source.clone(),
                checksum: lock.get(&key).cloned(),
                license: p.license.as_deref().map(spdx_expression),
                dependencies,
                root: &p.id == root,
            }
        })
        .collect();
    Ok(LinkedCrates { crates })
}

/// Every package linked into `root`'s executable, with the ones each links
/// directly: breadth-first from the root along edges that link, a normal
/// dependency (for this platform; `--filter-platform` already dropped the
/// others) to a crate that is not a proc-macro. An error is what cargo's
/// resolve lacked.
fn linked_edges(
    resolve: &Resolve,
    packages: &BTreeMap<&PackageId, &Package>,
    root: &PackageId,
) -> Result<BTreeMap<PackageId, Vec<PackageId>>, String> {
    let nodes: BTreeMap<&PackageId, &Node> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let is_proc_macro = |id: &PackageId| {
        packages
            .get(id)
            .is_some_and(|p| p.targets.iter().any(|t| t.is_kind(TargetKind::ProcMacro)))
    };
    let links = |node: &Node| -> Vec<PackageId> {
        node.deps
            .iter()
            .filter(|d| {
                d.dep_kinds.is_empty()
                    || d.dep_kinds.iter().any(|k| k.kind == DependencyKind::Normal)
            })
            .filter(|d| !is_proc_macro(&d.pkg))
            .filter(|d| match (packages.get(&node.id), packages.get(&d.pkg)) {
                (Some(from), Some(to)) => optional_dep_active(from, &node.features, &to.name),
                _ => true,
            })
            .map(|d| d.pkg.clone())
            .collect()
    };
    let mut queue = VecDeque::from([root.clone()]);
    let mut edges: BTreeMap<PackageId, Vec<PackageId>> = BTreeMap::new();
    while let Some(id) = queue.pop_front() {
        if edges.contains_key(&id) {
            continue;
        }
        let node = nodes
            .get(&id)
            .ok_or_else(|| format!("cargo's resolve does not contain `{}`", id.repr))?;
        let deps = links(node);
        queue.extend(deps.iter().cloned());
        edges.insert(id, deps);
    }
    Ok(edges)
}

/// Whether `from` really uses its dependency on package `to`, given the
/// features enabled on `from`. cargo metadata's resolve lists an optional
/// dependency as soon as a weak feature (`dep?/feature`) names it, although
/// nothing activates it (cargo issue 10801); `cargo tree` and the compiler do
/// not link it. A non-optional normal dependency is always used; an optional
/// one only when its implicit feature is on or an enabled feature says
/// `dep:NAME` or `NAME/feature`.
fn optional_dep_active(from: &Package, enabled: &[cargo_metadata::FeatureName], to: &str) -> bool {
    let declared: Vec<&cargo_metadata::Dependency> = from
        .dependencies
        .iter()
        .filter(|d| d.name == to && d.kind == DependencyKind::Normal)
        .collect();
    if declared.is_empty() || declared.iter().any(|d| !d.optional) {
        return true;
    }
    declared.iter().any(|d| {
        let key = d.rename.as_deref().unwrap_or(&d.name);
        enabled.iter().any(|f| {
            f.as_str() == key
                || from.features.get(f.as_str()).is_some_and(|values| {
                    values.iter().any(|v| {
                        v.strip_prefix("dep:") == Some(key)
                            || v.split_once('/').is_some_and(|(dep, _)| dep == key)
                    })
                })
        })
    })
}

fn source_of(package: &Package) -> CrateSource {
    let Some(source) = &package.source else {
        return CrateSource::Local;
    };
    let repr = source.repr.as_str();
    if repr == CRATES_IO || repr == CRATES_IO_SPARSE {
        return CrateSource::CratesIo;
    }
    if let Some(rest) = repr.strip_prefix("git+") {
        // `git+URL?branch=x#COMMIT`
        let (url, commit) = match rest.split_once('#') {
            Some((u, c)) => (u, Some(c.to_string())),
            None => (rest, None),
        };
        let url = url.split('?').next().unwrap_or(url).to_string();
        return CrateSource::Git { url, commit };
    }
    let url = repr
        .strip_prefix("registry+")
        .or_else(|| repr.strip_prefix("sparse+"))
        .unwrap_or(repr);
    CrateSource::Registry { url: url.into() }
}

/// Cargo's legacy `MIT/Apache-2.0` is `MIT OR Apache-2.0` in SPDX.
fn spdx_expression(license: &str) -> String {
    license
        .split('/')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" OR ")
}

#[derive(Deserialize)]
struct LockFile {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
}

/// `(name, version, source)` → checksum from Cargo.lock. No Cargo.lock: no
/// checksums (the build still works; `verify` refuses it separately).
pub(crate) fn lock_checksums(path: &Path) -> Result<BTreeMap<(String, String, String), String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(SlimError::Unreadable {
                path: path.to_path_buf(),
                detail: e.to_string(),
                if_missing: None,
            }
            .into())
        }
    };
    let lock: LockFile = toml::from_str(&text).map_err(|e| SlimError::BadLockfile {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok(lock
        .package
        .into_iter()
        .filter_map(|p| {
            let checksum = p.checksum?;
            Some(((p.name, p.version, p.source.unwrap_or_default()), checksum))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resolve shaped like cargo's: root → a (normal), root → b (build), root →
    /// m (proc-macro), root → d (dev), a → c (normal), b → e (normal, so build-only),
    /// a → w (optional, named only by the weak feature `w?/std`: not active).
    #[test]
    fn keeps_only_what_links() {
        let pkg = |name: &str, kind: &str| {
            let (deps, features) = if name == "a" {
                let declared = |n: &str, optional: bool| {
                    serde_json::json!({"name": n, "source": CRATES_IO, "req": "^1",
                        "kind": null, "optional": optional, "uses_default_features": true,
                        "features": [], "target": null, "rename": null, "registry": null})
                };
                (
                    serde_json::json!([declared("c", false), declared("w", true)]),
                    serde_json::json!({"std": ["w?/std"]}),
                )
            } else {
                (serde_json::json!([]), serde_json::json!({}))
            };
            serde_json::json!({
                "name": name, "version": "1.0.0", "id": format!("{name}-id"),
                "license": "MIT/Apache-2.0", "license_file": null, "description": null,
                "source": if name == "root" { serde_json::Value::Null } else { CRATES_IO.into() },
                "dependencies": deps, "targets": [{"kind": [kind], "crate_types": [kind],
                "name": name, "src_path": "/x/lib.rs", "edition": "2021", "doctest": false,
                "test": false, "doc": false}],
                "features": features, "manifest_path": "/x/Cargo.toml", "metadata": null,
                "publish": null, "authors": [], "categories": [], "keywords": [],
                "readme": null, "repository": null, "homepage": null, "documentation": null,
                "edition": "2021", "links": null, "default_run": null, "rust_version": null
            })
        };
        let dep = |name: &str, kind: Option<&str>| {
            serde_json::json!({"name": name, "pkg": format!("{name}-id"),
                "dep_kinds": [{"kind": kind, "target": null}]})
        };
        let node = |name: &str, deps: Vec<serde_json::Value>| {
            let features: &[&str] = if name == "a" { &["std"] } else { &[] };
            serde_json::json!({"id": format!("{name}-id"), "deps": deps,
                "dependencies": [], "features": features})
        };
        let json = serde_json::json!({
            "packages": [pkg("root", "bin"), pkg("a", "lib"), pkg("b", "lib"),
                pkg("c", "lib"), pkg("d", "lib"), pkg("e", "lib"), pkg("m", "proc-macro"),
                pkg("w", "lib")],
            "workspace_members": ["root-id"], "workspace_default_members": ["root-id"],
            "resolve": {"root": "root-id", "nodes": [
                node("root", vec![dep("a", None), dep("b", Some("build")),
                    dep("m", None), dep("d", Some("dev"))]),
                node("a", vec![dep("c", None), dep("w", None)]),
                node("b", vec![dep("e", None)]), node("c", vec![]), node("d", vec![]),
                node("e", vec![]), node("m", vec![]), node("w", vec![])]},
            "target_directory": "/x/target", "version": 1, "workspace_root": "/x",
            "metadata": null
        });
        let metadata: Metadata = serde_json::from_value(json).expect("metadata shape");
        let root = PackageId {
            repr: "root-id".into(),
        };
        let mut lock = BTreeMap::new();
        lock.insert(
            ("a".to_string(), "1.0.0".to_string(), CRATES_IO.to_string()),
            "aa".to_string(),
        );
        let linked =
            from_metadata(&metadata, &root, "x86_64-unknown-linux-musl", &lock).expect("walk");
        let names: Vec<&str> = linked.crates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "c", "root"]);
        assert_eq!(linked.crates[0].dependencies, [1]);
        assert_eq!(linked.crates[2].dependencies, [0]);
        assert!(linked.crates[2].root);
        assert_eq!(linked.crates[0].checksum.as_deref(), Some("aa"));
        assert_eq!(
            linked.crates[0].license.as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(linked.crates[2].source, CrateSource::Local);
    }
}
