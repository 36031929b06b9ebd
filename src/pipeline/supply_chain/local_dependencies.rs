//! Which dependencies of a build are read from somewhere other than cargo's own
//! download cache ([`LocalDependency`]): a registry or git package whose
//! directory is not under `CARGO_HOME` came from a directory source (`cargo
//! vendor`); a path package outside the workspace is a path dependency there.

use std::path::{Component, Path, PathBuf};

use cargo_metadata::Package;

use crate::model::local_dependency::{LocalDependency, LocalKind};
use crate::pipeline::compile::anchor;

/// The local dependencies among `packages`, sorted by name and version.
pub(crate) fn find(
    packages: &[Package],
    workspace_root: &Path,
    cargo_home: Option<&Path>,
) -> Vec<LocalDependency> {
    let downloaded = |root: &Path| {
        cargo_home.is_some_and(|home| {
            root.starts_with(home.join("registry/src"))
                || root.starts_with(home.join("git/checkouts"))
        })
    };
    let outside = anchor::outside_path_packages(packages, workspace_root);
    let mut deps: Vec<LocalDependency> = packages
        .iter()
        .filter_map(|p| {
            let root = p.manifest_path.parent()?.as_std_path();
            let kind = match &p.source {
                Some(_) if !downloaded(root) => LocalKind::Vendored,
                None if outside.iter().any(|o| o.id == p.id) => LocalKind::Path,
                _ => return None,
            };
            Some(LocalDependency {
                name: p.name.to_string(),
                version: p.version.to_string(),
                kind,
                path: relative(root, workspace_root),
                files: Vec::new(),
                root: root.to_path_buf(),
            })
        })
        .collect();
    deps.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    deps
}

/// `path` relative to `base`, with `..` where it climbs out (both absolute).
pub(crate) fn relative(path: &Path, base: &Path) -> String {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for c in &path[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        ".".into()
    } else {
        out.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, source: Option<&str>, dir: &str) -> Package {
        let json = serde_json::json!({
            "name": name, "version": "1.0.0", "id": format!("{name} 1.0.0"),
            "source": source, "manifest_path": format!("{dir}/Cargo.toml"),
            "dependencies": [], "targets": [], "features": {},
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn vendored_copies_and_path_dependencies_outside_are_local() {
        let registry = Some("registry+https://github.com/rust-lang/crates.io-index");
        let packages = [
            package("f", None, "/repo/fn"),
            package("member", None, "/repo/fn/member"),
            package(
                "fetched",
                registry,
                "/home/u/.cargo/registry/src/i-1/fetched-1.0.0",
            ),
            package("vendored", registry, "/repo/fn/vendor/vendored"),
            package("shared", None, "/repo/libs/shared"),
        ];
        let found = find(
            &packages,
            Path::new("/repo/fn"),
            Some(Path::new("/home/u/.cargo")),
        );
        let summary: Vec<(&str, LocalKind, &str)> = found
            .iter()
            .map(|d| (d.name.as_str(), d.kind, d.path.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("shared", LocalKind::Path, "../libs/shared"),
                ("vendored", LocalKind::Vendored, "vendor/vendored"),
            ]
        );
    }
}
