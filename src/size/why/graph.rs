//! The resolved dependency graph of one target (normal dependencies only, as
//! they reach the binary) and the paths through it from the package to a crate.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cargo_metadata::{DependencyKind, Metadata, Package, PackageId};

use super::label;
use crate::util::error::SlimError;

/// Paths listed in full; the rest are counted.
const MAX_PATHS: usize = 20;

/// The resolved graph of one target: packages by id, normal-dependency edges.
pub(super) struct Graph<'m> {
    metadata: &'m Metadata,
    nodes: HashMap<&'m PackageId, &'m cargo_metadata::Node>,
}

impl<'m> Graph<'m> {
    pub(super) fn new(metadata: &'m Metadata) -> anyhow::Result<Graph<'m>> {
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

    pub(super) fn package(&self, id: &PackageId) -> Option<&'m Package> {
        self.metadata.packages.iter().find(|p| &p.id == id)
    }

    pub(super) fn label(&self, id: &PackageId) -> String {
        self.package(id).map_or_else(|| id.repr.clone(), label)
    }

    /// The features enabled on a package in this resolve.
    pub(super) fn features(&self, id: &PackageId) -> BTreeSet<String> {
        self.nodes
            .get(id)
            .map(|n| n.features.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default()
    }

    /// Normal dependencies only: build scripts and tests do not reach the binary.
    pub(super) fn deps(&self, id: &PackageId) -> Vec<&'m PackageId> {
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
    pub(super) fn reachable(&self, root: &'m PackageId) -> Vec<&'m PackageId> {
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
    pub(super) fn reaching(
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

/// Up to [`MAX_PATHS`] paths from `root` to any of `targets` (shortest first),
/// and how many there are in all.
pub(super) fn paths<'a>(
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
