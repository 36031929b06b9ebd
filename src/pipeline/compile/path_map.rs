//! One canonical, machine-independent path for every source file that can reach
//! the binary (panic locations, `file!()`, debug info, C's `__FILE__`), so the
//! bytes do not depend on where the toolchain, the sources or the user live.
//!
//! | what | seen by rustc as | written as |
//! |---|---|---|
//! | the workspace | its root | `/build` |
//! | a registry crate (crates.io, a mirror, `cargo vendor`) | wherever cargo unpacked it | `/cargo/registry/NAME-VERSION` |
//! | a git dependency | `$CARGO_HOME/git/checkouts/…`, or vendored | `/cargo/git/NAME-VERSION` |
//! | a path dependency outside the workspace | its directory | `/cargo/path/NAME-VERSION` |
//! | std, core, alloc (with or without rust-src) | `$SYSROOT/lib/rustlib/src/rust` | `/rustc/COMMIT` |
//! | the target directory (`OUT_DIR` files) | `--target-dir` | `/target` |
//! | anything else in `CARGO_HOME` (std's registry dependencies with `--build-std`) | `$CARGO_HOME/registry/src/<registry dir>`, `$CARGO_HOME` | `/cargo/registry`, `/cargo` |
//!
//! A dependency's path is derived from its name, version and kind of source as
//! cargo resolved them, never from where its files are: a vendored copy, another
//! `CARGO_HOME`, another cargo's registry directory name and a path dependency
//! moved elsewhere all give the same strings. std's sources map to what the
//! precompiled std already says (`/rustc/COMMIT/library/…`), so installing the
//! rust-src component no longer changes the bytes: without the mapping rustc
//! writes the local copy's path, `$RUSTUP_HOME/toolchains/<name>/lib/rustlib/…`,
//! into std code inlined into the function. The schemes follow cargo's
//! `trim-paths` (RFC 3127; unstable in cargo 1.95) for std and path
//! dependencies; registry and git crates leave out cargo's hash of the source,
//! so that a mirror or vendored copy of the same crate reads the same.
//!
//! rustc applies the last `--remap-path-prefix` that matches, so the rules are
//! passed shortest prefix first, then by bytes: nested prefixes (a target
//! directory or a `vendor/` inside the workspace) resolve to the innermost, and
//! two machines with the same packages pass the same rules in the same order of
//! meaning.

use std::path::{Path, PathBuf};

use cargo_metadata::Package;

use crate::pipeline::compile::anchor::Anchor;
use crate::preflight::host_paths::HostPrefix;

/// What a rule's prefix is on this machine; recorded in the manifest as a
/// placeholder (`{workspace}`) instead of the machine's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Origin {
    Workspace,
    CargoHome,
    RegistrySources,
    TargetDir,
    RustSrc,
    Package,
}

impl Origin {
    pub(crate) fn placeholder(self) -> &'static str {
        match self {
            Origin::Workspace => "{workspace}",
            Origin::CargoHome => "{cargo_home}",
            Origin::RegistrySources => "{registry_src}",
            Origin::TargetDir => "{target_dir}",
            Origin::RustSrc => "{rust_src}",
            Origin::Package => "{package}",
        }
    }
}

/// One `--remap-path-prefix=FROM=TO`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) from: PathBuf,
    pub(crate) to: String,
    pub(crate) origin: Origin,
}

/// What the map is made from: where things are on this machine, and the
/// packages cargo resolved.
pub(crate) struct Places<'a> {
    pub(crate) workspace_root: &'a Path,
    pub(crate) target_dir: &'a Path,
    pub(crate) cargo_home: Option<&'a Path>,
    /// The toolchain's sysroot (`rustc --print sysroot`).
    pub(crate) sysroot: &'a Path,
    /// `commit-hash` of `rustc -vV`, or its release when rustc does not know
    /// its commit (what rustc's own std paths then use too).
    pub(crate) rustc_commit: &'a str,
    pub(crate) packages: &'a [Package],
    /// Where cargo sees the sources instead, when it does (pipeline/compile/anchor.rs).
    pub(crate) anchor: Option<&'a Anchor>,
}

/// The rules, in the order rustc gets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PathMap {
    rules: Vec<Rule>,
}

/// Where rust-src puts the standard library's source in a sysroot.
pub(crate) fn rust_src(sysroot: &Path) -> PathBuf {
    sysroot.join("lib/rustlib/src/rust")
}

impl PathMap {
    pub(crate) fn new(places: &Places<'_>) -> PathMap {
        let mut rules = vec![
            rule(places.workspace_root, "/build", Origin::Workspace),
            rule(places.target_dir, "/target", Origin::TargetDir),
            rule(
                &rust_src(places.sysroot),
                &format!("/rustc/{}", places.rustc_commit),
                Origin::RustSrc,
            ),
        ];
        if let Some(home) = places.cargo_home {
            rules.push(rule(home, "/cargo", Origin::CargoHome));
            rules.extend(
                registry_dirs(home)
                    .into_iter()
                    .map(|dir| rule(&dir, "/cargo/registry", Origin::RegistrySources)),
            );
        }
        rules.extend(
            places
                .packages
                .iter()
                .filter_map(|p| package_rule(p, places.workspace_root)),
        );
        // Also the canonical spelling of each prefix (cargo may name a path
        // through a symlink, or resolve one) and the anchor's.
        let spelled: Vec<Rule> = rules
            .iter()
            .flat_map(|r| {
                let canon = r.from.canonicalize().ok();
                let seen = places.anchor.map(|a| a.seen(&r.from));
                [canon, seen]
                    .into_iter()
                    .flatten()
                    .filter(|from| *from != r.from)
                    .map(|from| Rule { from, ..r.clone() })
            })
            .collect();
        rules.extend(spelled);
        rules.sort_by(|a, b| {
            let key = |r: &Rule| (r.from.as_os_str().len(), r.from.clone(), r.to.clone());
            key(a).cmp(&key(b))
        });
        rules.dedup_by(|a, b| a.from == b.from && a.to == b.to);
        PathMap { rules }
    }

    #[cfg(test)]
    pub(crate) fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// This machine's directories the rules name, for the host-path audit: a
    /// path inside one that reached the binary escaped the map.
    pub(crate) fn host_prefixes(&self) -> Vec<HostPrefix> {
        self.rules
            .iter()
            .filter_map(|r| {
                let what = match r.origin {
                    Origin::Workspace => "the workspace".to_string(),
                    Origin::CargoHome => "CARGO_HOME".to_string(),
                    Origin::RegistrySources => "the registry's sources".to_string(),
                    Origin::TargetDir => "the target directory".to_string(),
                    Origin::RustSrc => "the toolchain's rust-src".to_string(),
                    Origin::Package => {
                        let name = r.to.rsplit('/').next().unwrap_or_default();
                        format!("the sources of {name}")
                    }
                };
                HostPrefix::new(&what, &r.from)
            })
            .collect()
    }

    /// rustc's flags, in order.
    pub(crate) fn rustc_flags(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|r| format!("--remap-path-prefix={}={}", r.from.display(), r.to))
            .collect()
    }

    /// The same rules for C and C++ compilers (gcc, clang, zig cc). Paths with
    /// white space are left out: the `cc` crate splits its flag variables on
    /// white space.
    pub(crate) fn c_flags(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|r| (r.from.display().to_string(), &r.to))
            .filter(|(from, _)| !from.contains(char::is_whitespace))
            .map(|(from, to)| format!("-ffile-prefix-map={from}={to}"))
            .collect()
    }

    /// The rules as the manifest records them: each prefix as its placeholder,
    /// sorted by what it becomes and without repeats, so two machines with
    /// the same packages record the same list whatever their paths (a second
    /// spelling of one prefix adds nothing). The registry directories are left
    /// out: how many a `CARGO_HOME` holds is its history, and every package
    /// of the build has its own rule.
    pub(crate) fn recorded_flags(&self) -> Vec<String> {
        let mut pairs: Vec<(&str, &str)> = self
            .rules
            .iter()
            .filter(|r| r.origin != Origin::RegistrySources)
            .map(|r| (r.to.as_str(), r.origin.placeholder()))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs
            .into_iter()
            .map(|(to, from)| format!("--remap-path-prefix={from}={to}"))
            .collect()
    }

    /// `text` with every prefix replaced by what it becomes, the innermost
    /// prefix first: how a path of this machine is shown in the manifest.
    pub(crate) fn sanitize(&self, text: &str) -> String {
        let mut out = text.to_string();
        for r in self.rules.iter().rev() {
            out = out.replace(&r.from.display().to_string(), &r.to);
        }
        out
    }

    /// Whether `flag` is one of the rules' rustc flags.
    pub(crate) fn is_rule_flag(flag: &str) -> bool {
        flag.starts_with("--remap-path-prefix=")
    }
}

fn rule(from: &Path, to: &str, origin: Origin) -> Rule {
    Rule {
        from: from.to_path_buf(),
        to: to.to_string(),
        origin,
    }
}

/// A package's canonical directory, by the kind of source cargo resolved it
/// from; `None` for packages inside the workspace (the workspace rule covers
/// them, relative to its root).
fn package_rule(package: &Package, workspace_root: &Path) -> Option<Rule> {
    let root = package.manifest_path.parent()?.as_std_path();
    let kind = match package.source.as_ref().map(|s| s.repr.as_str()) {
        None if root.starts_with(workspace_root) => return None,
        None => "path",
        Some(s) if s.starts_with("git+") => "git",
        Some(_) => "registry",
    };
    let to = format!("/cargo/{kind}/{}-{}", package.name, package.version);
    Some(rule(root, &to, Origin::Package))
}

/// The directories cargo unpacks registry crates into
/// (`$CARGO_HOME/registry/src/<registry>-<hash>`), sorted.
fn registry_dirs(cargo_home: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(cargo_home.join("registry/src")) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, source: Option<&str>, dir: &str) -> Package {
        let json = serde_json::json!({
            "name": name, "version": "1.2.3", "id": format!("{name} 1.2.3"),
            "source": source, "manifest_path": format!("{dir}/Cargo.toml"),
            "dependencies": [], "targets": [], "features": {},
        });
        serde_json::from_value(json).unwrap()
    }

    fn map(packages: &[Package], target_dir: &str) -> PathMap {
        PathMap::new(&Places {
            workspace_root: Path::new("/w"),
            target_dir: Path::new(target_dir),
            cargo_home: Some(Path::new("/nonexistent-home/.cargo")),
            sysroot: Path::new("/nonexistent-rustup/toolchains/stable"),
            rustc_commit: "abc",
            packages,
            anchor: None,
        })
    }

    const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

    #[test]
    fn every_source_has_one_path_from_name_and_version() {
        let packages = [
            package("member", None, "/w/member"),
            package("vendored", Some(CRATES_IO), "/w/vendor/vendored"),
            package("shared", None, "/elsewhere/shared"),
            package("fromgit", Some("git+https://x/y#0123"), "/g/y/0123"),
        ];
        let m = map(&packages, "/w/target");
        let to = |from: &str| {
            m.rules()
                .iter()
                .find(|r| r.from == Path::new(from))
                .map(|r| r.to.clone())
        };
        assert_eq!(to("/w/member"), None, "the workspace rule covers members");
        assert_eq!(
            to("/w/vendor/vendored").as_deref(),
            Some("/cargo/registry/vendored-1.2.3")
        );
        assert_eq!(
            to("/elsewhere/shared").as_deref(),
            Some("/cargo/path/shared-1.2.3")
        );
        assert_eq!(to("/g/y/0123").as_deref(), Some("/cargo/git/fromgit-1.2.3"));
        assert_eq!(
            to("/nonexistent-rustup/toolchains/stable/lib/rustlib/src/rust").as_deref(),
            Some("/rustc/abc")
        );
    }

    #[test]
    fn shortest_prefix_first_then_bytes() {
        let m = map(&[package("v", Some(CRATES_IO), "/w/vendor/v")], "/w/target");
        let froms: Vec<String> = m
            .rules()
            .iter()
            .map(|r| r.from.display().to_string())
            .collect();
        assert_eq!(froms[..3], ["/w", "/w/target", "/w/vendor/v"]);
        let lens: Vec<usize> = froms.iter().map(String::len).collect();
        assert!(lens.windows(2).all(|w| w[0] <= w[1]), "{froms:?}");
    }

    #[test]
    fn the_record_does_not_depend_on_where_things_are() {
        let here = map(&[package("v", Some(CRATES_IO), "/w/vendor/v")], "/w/target");
        let there = PathMap::new(&Places {
            workspace_root: Path::new("/somewhere/much/longer/w"),
            target_dir: Path::new("/t"),
            cargo_home: Some(Path::new("/c")),
            sysroot: Path::new("/opt/rust"),
            rustc_commit: "abc",
            packages: &[package("v", Some(CRATES_IO), "/c/registry/src/x/v-1.2.3")],
            anchor: None,
        });
        assert_ne!(here.rustc_flags(), there.rustc_flags());
        assert_eq!(here.recorded_flags(), there.recorded_flags());
        assert_eq!(
            here.recorded_flags(),
            [
                "--remap-path-prefix={workspace}=/build",
                "--remap-path-prefix={cargo_home}=/cargo",
                "--remap-path-prefix={package}=/cargo/registry/v-1.2.3",
                "--remap-path-prefix={rust_src}=/rustc/abc",
                "--remap-path-prefix={target_dir}=/target",
            ]
        );
    }

    #[test]
    fn sanitize_replaces_the_innermost_prefix() {
        let m = map(&[], "/w/target");
        assert_eq!(
            m.sanitize("/w/target/x and /w/src"),
            "/target/x and /build/src"
        );
    }
}
