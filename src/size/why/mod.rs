//! `cargo slim size --why CRATE`: how a crate got into the function — every
//! dependency path from the package to it, and on each edge what enables it (the
//! dependant's features, for an optional dependency) and which of the crate's
//! features it asks for. The same facts `cargo tree -i CRATE -e features --target
//! <triple>` shows, read from `cargo metadata --filter-platform <triple>` (the
//! resolve for that target, with its features), so no second tool is needed.

mod edge;
mod graph;

use cargo_metadata::{Metadata, Package, PackageId};
use serde::Serialize;

use crate::util::error::SlimError;
use edge::edge;
use graph::{paths, Graph};

#[derive(Debug, Clone, Serialize)]
pub(crate) struct WhyReport {
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
pub(crate) struct WhyPackage {
    pub name: String,
    pub version: String,
    /// Its features enabled in this build.
    pub features: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct WhyEdge {
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

/// Build the report from `metadata` (resolved for one target) for the crate
/// named `krate`, starting at `root`.
pub(crate) fn analyze(
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

/// The report for people.
pub(crate) fn render(r: &WhyReport) -> String {
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
