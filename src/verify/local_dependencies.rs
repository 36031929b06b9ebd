//! The dependencies read from elsewhere than cargo's download cache, recorded
//! against now: a vendored copy where the record had the registry's (or the
//! other way round), a path dependency outside the workspace that moved (cargo
//! hashes its path into the crate's identity), a file of one that changed.

use std::collections::BTreeMap;

use crate::model::local_dependency::{LocalDependency, LocalKind};
use crate::pipeline::supply_chain::sources;

/// One sentence per difference.
pub(crate) fn changes(recorded: &[LocalDependency], now: &[LocalDependency]) -> Vec<String> {
    let key = |d: &LocalDependency| (d.name.clone(), d.version.clone());
    let before: BTreeMap<_, _> = recorded.iter().map(|d| (key(d), d)).collect();
    let after: BTreeMap<_, _> = now.iter().map(|d| (key(d), d)).collect();
    let mut out = Vec::new();
    for ((name, version), r) in &before {
        let what = format!("{name} {version}");
        match after.get(&(name.clone(), version.clone())) {
            None => out.push(format!(
                "{what} was read from {} in the record, from cargo's download cache now",
                place(r)
            )),
            Some(n) if n.kind != r.kind => out.push(format!(
                "{what} was read from {} in the record, from {} now",
                place(r),
                place(n)
            )),
            Some(n) if n.kind == LocalKind::Path && n.path != r.path => out.push(format!(
                "{what}, a path dependency outside the workspace, was at {} in the record, at \
                 {} now: cargo hashes that path into the crate's identity (TypeId values, \
                 symbol names, the order of code)",
                r.path, n.path
            )),
            Some(n) => out.extend(
                sources::changes(&r.files, &n.files)
                    .into_iter()
                    .map(|s| format!("{s} ({what}, {})", r.path)),
            ),
        }
    }
    for ((name, version), n) in &after {
        if !before.contains_key(&(name.clone(), version.clone())) {
            out.push(format!(
                "{name} {version} is read from {} now, from cargo's download cache in the \
                 record{}",
                place(n),
                if n.kind == LocalKind::Vendored {
                    ": a vendored copy can differ from the published crate"
                } else {
                    ""
                }
            ));
        }
    }
    out
}

fn place(d: &LocalDependency) -> String {
    match d.kind {
        LocalKind::Vendored => format!("a vendored copy ({})", d.path),
        LocalKind::Path => format!("a path outside the workspace ({})", d.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, kind: LocalKind, path: &str) -> LocalDependency {
        LocalDependency {
            name: name.into(),
            version: "1.0.0".into(),
            kind,
            path: path.into(),
            files: Vec::new(),
            root: Default::default(),
        }
    }

    #[test]
    fn vendoring_and_moves_are_named() {
        let recorded = [dep("shared", LocalKind::Path, "../shared")];
        let now = [
            dep("shared", LocalKind::Path, "../libs/shared"),
            dep("itoa", LocalKind::Vendored, "vendor/itoa"),
        ];
        let said = changes(&recorded, &now);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].starts_with("shared 1.0.0, a path dependency outside the workspace, was at ../shared in the record, at ../libs/shared now"));
        assert_eq!(
            said[1],
            "itoa 1.0.0 is read from a vendored copy (vendor/itoa) now, from cargo's download \
             cache in the record: a vendored copy can differ from the published crate"
        );
        assert!(changes(&now, &now).is_empty());
    }
}
