//! The packages a package builds with, walked from cargo's resolve graph.

use std::collections::{BTreeSet, HashMap};

use cargo_metadata::{DependencyKind, Metadata, Node, Package, PackageId};

/// The packages `root` builds with: itself and everything reachable through
/// normal and build dependencies (dev-dependencies left out). Dependencies of
/// other platforms are included unless `metadata` was filtered for a target
/// ([`metadata_for_target`], `linked_crates::target_metadata`).
pub(crate) fn build_graph<'m>(metadata: &'m Metadata, root: &PackageId) -> Vec<&'m Package> {
    let Some(resolve) = &metadata.resolve else {
        return metadata.packages.iter().filter(|p| &p.id == root).collect();
    };
    let nodes: HashMap<&PackageId, &Node> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let packages: HashMap<&PackageId, &Package> =
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
                .any(|k| k.kind != DependencyKind::Development)
            {
                stack.push(&dep.pkg);
            }
        }
    }
    out
}
