//! `cargo metadata --filter-platform <triple>`, derived from the unfiltered
//! metadata the plan already has, so a build spawns `cargo metadata` once
//! (about 40 ms each for the lambda template here).
//!
//! Cargo's filter (src/ops/cargo_metadata.rs, `build_resolve_graph_r`): from each
//! workspace member, keep a dependency edge when any of its declarations has no
//! platform or one that holds for the target, whatever its kind (a
//! build-dependency or a proc-macro is judged against the target too, not the
//! host), and keep its `dep_kinds` unchanged; the nodes and packages are the
//! ones reached, in the unfiltered order (both are sorted by package id). The
//! dependency resolve and the features do not depend on the platform.
//!
//! Cargo decides a `cfg(…)` with `rustc --print cfg` for the target and the
//! build's RUSTFLAGS; here only the predicates that name the target itself are
//! evaluated, from rustc's built-in target table (`target_cfg::decide`, shared
//! with the cargo-config reader), and a custom cfg
//! (`tokio_unstable`: a name rustc never sets, so only `--cfg` in rustflags can)
//! counts as off when the caller knows no rustflags are configured. A
//! predicate that flags or the profile can change (target_feature, panic,
//! atomics, debug_assertions, a custom cfg with rustflags configured), a
//! triple the table lacks, or anything else that leaves an edge undecided
//! gives `None`: the caller then asks cargo. (A `RUSTC_WRAPPER` is taken to
//! pass rustc's answers through, as cargo's own rustc cache does.)

use std::collections::BTreeMap;

use cargo_metadata::cargo_platform::Platform;
use cargo_metadata::{Metadata, Node, PackageId};
use cfg_expr::targets::get_builtin_target_by_triple;
use cfg_expr::{Expression, Predicate};

use crate::pipeline::compile::target_cfg;

/// `metadata` as `cargo metadata --filter-platform triple` would give it with the
/// same selection, or `None` when that cannot be decided without rustc.
/// `custom_cfgs_off`: no rustflags reach rustc, so no `--cfg` is set. `None` too
/// when `metadata` was not asked for `root` (its resolve's root): cargo's
/// `--features` could then have applied to another package.
pub(crate) fn filter_for_target(
    metadata: &Metadata,
    root: &PackageId,
    triple: &str,
    custom_cfgs_off: bool,
) -> Option<Metadata> {
    // A triple the built-in table lacks: every cfg edge would be undecided.
    get_builtin_target_by_triple(triple)?;
    let resolve = metadata.resolve.as_ref()?;
    if resolve.root.as_ref() != Some(root) {
        return None;
    }
    let nodes: BTreeMap<&PackageId, &Node> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let mut kept: BTreeMap<PackageId, Node> = BTreeMap::new();
    let mut stack: Vec<&PackageId> = metadata.workspace_members.iter().collect();
    while let Some(id) = stack.pop() {
        if kept.contains_key(id) {
            continue;
        }
        let node = *nodes.get(id)?;
        let mut deps = Vec::new();
        for dep in &node.deps {
            if dep.dep_kinds.is_empty() {
                return None;
            }
            let mut active = Some(false);
            for kind in &dep.dep_kinds {
                active = match (
                    active,
                    activated(kind.target.as_ref(), triple, custom_cfgs_off),
                ) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                };
            }
            if active? {
                deps.push(dep);
            }
        }
        stack.extend(deps.iter().map(|d| &d.pkg));
        let mut filtered = node.clone();
        filtered
            .dependencies
            .retain(|p| deps.iter().any(|d| &d.pkg == p));
        filtered.deps = deps.into_iter().cloned().collect();
        kept.insert(id.clone(), filtered);
    }
    let mut out = metadata.clone();
    out.packages.retain(|p| kept.contains_key(&p.id));
    if let Some(r) = out.resolve.as_mut() {
        r.nodes = resolve
            .nodes
            .iter()
            .filter_map(|n| kept.remove(&n.id))
            .collect();
    }
    Some(out)
}

/// Whether a declaration for `platform` is built for `triple`; `None`: rustc
/// would have to say.
fn activated(platform: Option<&Platform>, triple: &str, custom_cfgs_off: bool) -> Option<bool> {
    let expr = match platform {
        None => return Some(true),
        Some(Platform::Name(name)) => return Some(name == triple),
        Some(Platform::Cfg(expr)) => Expression::parse(&format!("cfg({expr})")).ok()?,
    };
    target_cfg::decide(&expr, triple, |pred| match pred {
        Predicate::Flag(name) | Predicate::KeyValue { key: name, .. }
            if custom_cfgs_off && is_custom(name) =>
        {
            Some(false)
        }
        _ => None,
    })
}

/// A cfg name rustc never sets itself (not one of its well-known names, as
/// `--check-cfg` lists them), so only a `--cfg` flag can.
fn is_custom(name: &str) -> bool {
    const RUSTC_SETS: [&str; 21] = [
        "clippy",
        "contract_checks",
        "debug_assertions",
        "doc",
        "doctest",
        "emscripten_wasm_eh",
        "feature",
        "fmt_debug",
        "miri",
        "overflow_checks",
        "panic",
        "proc_macro",
        "relocation_model",
        "rustfmt",
        "sanitize",
        "test",
        "ub_checks",
        "unix",
        "windows",
        "rustdoc",
        "true",
    ];
    !(RUSTC_SETS.contains(&name) || name.starts_with("target_") || name.starts_with("sanitizer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cargo_metadata(manifest: &std::path::Path, triple: Option<&str>) -> Metadata {
        let mut cmd = cargo_metadata::MetadataCommand::new();
        cmd.manifest_path(manifest);
        // Not --offline: on a new machine the unit tests run before anything has
        // fetched the fixtures' dependencies.
        let mut other = vec!["--locked".to_string()];
        if let Some(triple) = triple {
            other.extend(["--filter-platform".to_string(), triple.to_string()]);
        }
        cmd.other_options(other);
        cmd.exec().expect("cargo metadata on a fixture")
    }

    /// Against cargo itself: for the template and the fixtures (among them the
    /// one with a wasm32-only dependency), the derived metadata is exactly what
    /// `--filter-platform` prints, for the Lambda targets and for wasm32 (where
    /// that dependency is kept).
    #[test]
    fn matches_cargos_filter_platform() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let fixtures = ["cshim", "faults", "hello", "multibin", "nobin"];
        let dirs = fixtures
            .iter()
            .map(|f| format!("tests/fixtures/{f}"))
            .chain([
                "templates/hello-lambda".into(),
                "tests/fixtures/wasmdep".into(),
            ]);
        for dir in dirs {
            let manifest = root.join(&dir).join("Cargo.toml");
            let all = cargo_metadata(&manifest, None);
            let root = all.resolve.as_ref().and_then(|r| r.root.clone());
            let root = root.expect("a fixture is a package");
            for triple in [
                "aarch64-unknown-linux-musl",
                "x86_64-unknown-linux-musl",
                "x86_64-unknown-linux-gnu",
                "wasm32-unknown-unknown",
            ] {
                let derived = filter_for_target(&all, &root, triple, true)
                    .unwrap_or_else(|| panic!("{dir} {triple}: undecided"));
                let cargo = cargo_metadata(&manifest, Some(triple));
                assert_eq!(
                    serde_json::to_value(&derived).expect("json"),
                    serde_json::to_value(&cargo).expect("json"),
                    "{dir} {triple}"
                );
            }
        }
    }

    #[test]
    fn what_flags_can_change_is_left_to_cargo() {
        let cfg = |s: &str| Platform::Cfg(s.parse().expect("cfg"));
        let decide = |p: &Platform| activated(Some(p), "x86_64-unknown-linux-musl", true);
        assert_eq!(decide(&cfg(r#"target_arch = "wasm32""#)), Some(false));
        assert_eq!(
            decide(&cfg(r#"all(unix, target_env = "musl")"#)),
            Some(true)
        );
        assert_eq!(decide(&cfg(r#"target_feature = "crt-static""#)), None);
        assert_eq!(decide(&cfg("tokio_unstable")), Some(false));
        let with_flags = activated(
            Some(&cfg("tokio_unstable")),
            "x86_64-unknown-linux-musl",
            false,
        );
        assert_eq!(with_flags, None);
        assert_eq!(decide(&cfg("debug_assertions")), None);
        // Decided whatever the unknown part says.
        assert_eq!(
            decide(&cfg(r#"any(unix, target_feature = "x")"#)),
            Some(true)
        );
        let name = Platform::Name("x86_64-unknown-linux-musl".into());
        assert_eq!(decide(&name), Some(true));
    }
}
