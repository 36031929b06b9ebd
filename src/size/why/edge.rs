//! One edge of the dependency graph as cargo tree shows it with `-e features`:
//! what enables it (the dependant's features, for an optional dependency) and
//! which features of the dependency it asks for.

use std::collections::BTreeSet;

use cargo_metadata::{DependencyKind, Package};

use super::{label, WhyEdge};

/// What enables the edge `from → to` and which features of `to` it asks for,
/// from `from`'s declarations of `to` and its enabled features.
pub(super) fn edge(from: &Package, to: &Package, from_features: &BTreeSet<String>) -> WhyEdge {
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
