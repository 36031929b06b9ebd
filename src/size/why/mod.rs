//! `cargo slim size --why CRATE`: how a crate got into the function — every
//! dependency path from the package to it, and on each edge what enables it (the
//! dependant's features, for an optional dependency) and which of the crate's
//! features it asks for. The same facts `cargo tree -i CRATE -e features --target
//! <triple>` shows, read from `cargo metadata --filter-platform <triple>` (the
//! resolve for that target, with its features), so no second tool is needed.
//! (Over 400 lines: the graph walk, the edge rule and the text all follow cargo
//! tree's view and are checked together against it.)

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cargo_metadata::{DependencyKind, Metadata, Package, PackageId};
use serde::Serialize;

use crate::util::error::SlimError;

/// Paths listed in full; the rest are counted.
const MAX_PATHS: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct WhyReport {
    /// The crate asked about, as given.
    #[serde(rename = "crate")]
    pub krate: String,
    pub target: String,
    /// The package(s) of that name in the graph (two versions give two).
    pub packages: Vec<WhyPackage>,
    /// Bytes the crate's symbols take in this binary (the crates view), when
    /// the binary has symbols.
    pub bytes: Option<u64>,
    pub binary: Option<String>,
    /// Dependency paths from the function's package to the crate, each a list of
    /// `name version`, at most 20.
    pub paths: Vec<Vec<String>>,
    /// All paths, shown or not.
    pub path_count: u64,
    /// Every edge on those paths.
    pub edges: Vec<WhyEdge>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhyPackage {
    pub name: String,
    pub version: String,
    /// Its features enabled in this build.
    pub features: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhyEdge {
    /// The dependant (`name version`).
    pub from: String,
    /// The dependency (`name version`).
    pub to: String,
    /// The dependency is optional: `enabled_by` says which features turn it on.
    pub optional: bool,
    /// Features of the dependant that enable the dependency (each with the
    /// dependant's features that enable it in turn: `serde_json ← json`).
    pub enabled_by: Vec<String>,
    /// Features of the dependency the dependant asks for (`default` when it does
    /// not opt out of default features).
    pub features: Vec<String>,
}

/// Normalise a crate name for comparison: cargo treats `-` and `_` alike.
fn norm(name: &str) -> String {
    name.replace('-', "_")
}

fn label(p: &Package) -> String {
    format!("{} v{}", p.name, p.version)
}

/// The resolved graph of one target: packages by id, normal-dependency edges.
struct Graph<'m> {
    metadata: &'m Metadata,
    nodes: HashMap<&'m PackageId, &'m cargo_metadata::Node>,
}

impl<'m> Graph<'m> {
    fn new(metadata: &'m Metadata) -> anyhow::Result<Graph<'m>> {
        let resolve = metadata
            .resolve
            .as_ref()
            .ok_or_else(|| SlimError::CargoMetadata {
                stderr: "it gave no dependency resolution".into(),
            })?;
        Ok(Graph {
            metadata,
            nodes: resolve.nodes.iter().map(|n| (&n.id, n)).collect(),
        })
    }

    fn package(&self, id: &PackageId) -> Option<&'m Package> {
        self.metadata.packages.iter().find(|p| &p.id == id)
    }

    fn label(&self, id: &PackageId) -> String {
        self.package(id).map_or_else(|| id.repr.clone(), label)
    }

    /// The features enabled on a package in this resolve.
    fn features(&self, id: &PackageId) -> BTreeSet<String> {
        self.nodes
            .get(id)
            .map(|n| n.features.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default()
    }

    /// Normal dependencies only: build scripts and tests do not reach the binary.
    fn deps(&self, id: &PackageId) -> Vec<&'m PackageId> {
        self.nodes
            .get(id)
            .map(|n| {
                n.deps
                    .iter()
                    .filter(|d| d.dep_kinds.iter().any(|k| k.kind == DependencyKind::Normal))
                    .map(|d| &d.pkg)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every package reachable from `root`, breadth first.
    fn reachable(&self, root: &'m PackageId) -> Vec<&'m PackageId> {
        let mut out = vec![root];
        let mut seen: HashSet<&PackageId> = HashSet::from([root]);
        let mut i = 0;
        while i < out.len() {
            for dep in self.deps(out[i]) {
                if seen.insert(dep) {
                    out.push(dep);
                }
            }
            i += 1;
        }
        out
    }

    /// Those of `among` that reach one of `targets` (a fixed point).
    fn reaching(
        &self,
        among: &[&'m PackageId],
        targets: &[&'m PackageId],
    ) -> HashSet<&'m PackageId> {
        let mut reaches: HashSet<&PackageId> = targets.iter().copied().collect();
        loop {
            let before = reaches.len();
            for id in among {
                if !reaches.contains(id) && self.deps(id).iter().any(|d| reaches.contains(d)) {
                    reaches.insert(id);
                }
            }
            if reaches.len() == before {
                return reaches;
            }
        }
    }
}

/// Build the report from `metadata` (resolved for one target) for the crate
/// named `krate`, starting at `root`.
pub fn analyze(
    metadata: &Metadata,
    root: &PackageId,
    krate: &str,
    target: &str,
) -> anyhow::Result<WhyReport> {
    let graph = Graph::new(metadata)?;
    let root = &graph
        .package(root)
        .ok_or_else(|| SlimError::CargoMetadata {
            stderr: format!("the package {} is not in its resolve", root.repr),
        })?
        .id;
    let reachable = graph.reachable(root);
    let wanted = norm(krate);
    let targets: Vec<&PackageId> = reachable
        .iter()
        .copied()
        .filter(|id| graph.package(id).is_some_and(|p| norm(&p.name) == wanted))
        .collect();
    if targets.is_empty() {
        return Err(SlimError::NotADependency {
            krate: krate.to_string(),
            package: graph.label(root),
            target: target.to_string(),
        }
        .into());
    }
    let reaches = graph.reaching(&reachable, &targets);

    let mut edges = Vec::new();
    for id in reachable.iter().filter(|id| reaches.contains(*id)) {
        let Some(from) = graph.package(id) else {
            continue;
        };
        if targets.contains(id) {
            continue;
        }
        for dep in graph.deps(id).into_iter().filter(|d| reaches.contains(d)) {
            if let Some(to) = graph.package(dep) {
                edges.push(edge(from, to, &graph.features(id)));
            }
        }
    }
    edges.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));

    let (paths, path_count) = paths(root, &targets, &|id| {
        graph
            .deps(id)
            .into_iter()
            .filter(|d| reaches.contains(d))
            .collect()
    });
    let packages = targets
        .iter()
        .filter_map(|id| {
            let p = graph.package(id)?;
            Some(WhyPackage {
                name: p.name.to_string(),
                version: p.version.to_string(),
                features: graph.features(id).into_iter().collect(),
            })
        })
        .collect();
    Ok(WhyReport {
        krate: krate.to_string(),
        target: target.to_string(),
        packages,
        bytes: None,
        binary: None,
        paths: paths
            .iter()
            .map(|p| p.iter().map(|id| graph.label(id)).collect())
            .collect(),
        path_count,
        edges,
        notes: Vec::new(),
    })
}

/// What enables the edge `from → to` and which features of `to` it asks for,
/// from `from`'s declarations of `to` and its enabled features.
fn edge(from: &Package, to: &Package, from_features: &BTreeSet<String>) -> WhyEdge {
    let decls: Vec<&cargo_metadata::Dependency> = from
        .dependencies
        .iter()
        .filter(|d| d.kind == DependencyKind::Normal && d.name == to.name.as_str())
        .filter(|d| d.req.matches(&to.version))
        .collect();
    // The name `from` knows the dependency by (its rename, if any).
    let local: BTreeSet<&str> = decls
        .iter()
        .map(|d| d.rename.as_deref().unwrap_or(&d.name))
        .collect();
    let optional = !decls.is_empty() && decls.iter().all(|d| d.optional);
    let mut features: BTreeSet<String> = BTreeSet::new();
    for d in &decls {
        if d.uses_default_features {
            features.insert("default".into());
        }
        features.extend(d.features.iter().cloned());
    }
    let mut enabled_by = Vec::new();
    for f in from_features {
        let Some(values) = from.features.get(f) else {
            continue;
        };
        let mut activates = false;
        for v in values {
            let (dep, feature) = match v.split_once('/') {
                Some((dep, feat)) => (dep, Some(feat)),
                None => match v.strip_prefix("dep:") {
                    Some(dep) => (dep, None),
                    // A plain name is a feature of `from` when it has one by that
                    // name (an optional dependency's implicit feature included):
                    // that feature, not this one, enables the dependency.
                    None if from.features.contains_key(v) => continue,
                    None => (v.as_str(), None),
                },
            };
            let weak = dep.ends_with('?');
            let dep = dep.trim_end_matches('?');
            if !local.contains(dep) {
                continue;
            }
            // `dep?/feat` asks for a feature without enabling the dependency.
            if !weak {
                activates = true;
            }
            if let Some(feat) = feature {
                features.insert(feat.to_string());
            }
        }
        if optional && activates {
            let parents: Vec<&String> = from_features
                .iter()
                .filter(|p| {
                    from.features
                        .get(*p)
                        .is_some_and(|vs| vs.iter().any(|v| v == f))
                })
                .collect();
            enabled_by.push(if parents.is_empty() {
                f.clone()
            } else {
                let list: Vec<&str> = parents.iter().map(|p| p.as_str()).collect();
                format!("{f} ← {}", list.join(", "))
            });
        }
    }
    WhyEdge {
        from: label(from),
        to: label(to),
        optional,
        enabled_by,
        features: features.into_iter().collect(),
    }
}

/// Up to [`MAX_PATHS`] paths from `root` to any of `targets` (shortest first),
/// and how many there are in all.
fn paths<'a>(
    root: &'a PackageId,
    targets: &[&'a PackageId],
    deps: &dyn Fn(&'a PackageId) -> Vec<&'a PackageId>,
) -> (Vec<Vec<&'a PackageId>>, u64) {
    // Counted without listing: paths from a node = sum over its deps (a DAG).
    fn count<'a>(
        id: &'a PackageId,
        targets: &[&'a PackageId],
        deps: &dyn Fn(&'a PackageId) -> Vec<&'a PackageId>,
        memo: &mut BTreeMap<&'a PackageId, u64>,
        on_stack: &mut HashSet<&'a PackageId>,
    ) -> u64 {
        if targets.contains(&id) {
            return 1;
        }
        if let Some(n) = memo.get(id) {
            return *n;
        }
        if !on_stack.insert(id) {
            return 0; // a cycle (only possible through dev-dependencies) adds no path
        }
        let n = deps(id).into_iter().fold(0u64, |acc, d| {
            acc.saturating_add(count(d, targets, deps, memo, on_stack))
        });
        on_stack.remove(id);
        memo.insert(id, n);
        n
    }
    let total = count(
        root,
        targets,
        deps,
        &mut BTreeMap::new(),
        &mut HashSet::new(),
    );

    let mut out: Vec<Vec<&PackageId>> = Vec::new();
    // Breadth first, so the shortest paths are the ones listed.
    let mut queue = std::collections::VecDeque::from([vec![root]]);
    while let Some(path) = queue.pop_front() {
        if out.len() >= MAX_PATHS {
            break;
        }
        let Some(last) = path.last().copied() else {
            continue;
        };
        if targets.contains(&last) {
            out.push(path);
            continue;
        }
        for d in deps(last) {
            if !path.contains(&d) && queue.len() < 100_000 {
                let mut next = path.clone();
                next.push(d);
                queue.push_back(next);
            }
        }
    }
    (out, total)
}

/// The report for people.
pub fn render(r: &WhyReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for p in &r.packages {
        let _ = writeln!(
            out,
            "{} v{} for {}: features {}",
            p.name,
            p.version,
            r.target,
            if p.features.is_empty() {
                "(none)".to_string()
            } else {
                p.features.join(", ")
            }
        );
    }
    if let (Some(b), Some(bin)) = (r.bytes, &r.binary) {
        let _ = writeln!(out, "{} bytes in {bin}", crate::ui::table::bytes(b));
    }
    let _ = writeln!(
        out,
        "\n{} path{} from the package:",
        r.path_count,
        if r.path_count == 1 { "" } else { "s" }
    );
    for p in &r.paths {
        let _ = writeln!(out, "  {}", p.join(" → "));
    }
    if (r.paths.len() as u64) < r.path_count {
        let _ = writeln!(out, "  … and {} more", r.path_count - r.paths.len() as u64);
    }
    let _ = writeln!(
        out,
        "\nedges (dependant → dependency: what enables it; features it asks for):"
    );
    for e in &r.edges {
        let how = if e.optional {
            if e.enabled_by.is_empty() {
                "optional".to_string()
            } else {
                let list: Vec<String> = e
                    .enabled_by
                    .iter()
                    .map(|f| {
                        let quoted: Vec<String> =
                            f.split(" ← ").map(|part| format!("\"{part}\"")).collect();
                        quoted.join(" ← ")
                    })
                    .collect();
                format!("optional, enabled by feature {}", list.join(", "))
            }
        } else {
            "always".to_string()
        };
        let features = if e.features.is_empty() {
            "no features".to_string()
        } else {
            e.features.join(", ")
        };
        let _ = writeln!(out, "  {} → {}: {how}; {features}", e.from, e.to);
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}
