//! Our rustflags, merged with the user's. Cargo takes rustflags from exactly one
//! source, first found: `CARGO_ENCODED_RUSTFLAGS`, `RUSTFLAGS`, then config
//! `target.<triple>.rustflags` (with matching `target.'cfg(…)'`), then config
//! `build.rustflags`. Setting any of them naively silently drops the user's. So:
//! - user flags in the environment: we set `CARGO_ENCODED_RUSTFLAGS` to theirs
//!   followed by ours (encoded, so paths with spaces survive);
//! - otherwise we add ours as `--config` at the level the user's config uses
//!   (config arrays from all sources are concatenated, user's first).

use std::path::{Path, PathBuf};

use crate::model::linker::Linker;
use crate::model::options::PanicStrategy;
use crate::pipeline::cargo_config::CargoConfig;
use crate::pipeline::linker::toml_string;

/// How our flags reach cargo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Rustflags {
    /// Our flags.
    pub ours: Vec<String>,
    /// The user's flags from the environment, kept in front of ours.
    pub user_env: Vec<String>,
    /// `Some(value)`: set `CARGO_ENCODED_RUSTFLAGS` to this.
    pub encoded_env: Option<String>,
    /// `--config` arguments carrying our flags.
    pub config_args: Vec<String>,
}

/// Path prefixes rewritten in everything rustc emits (panic locations, file!(),
/// debug info), so the binary does not depend on where the checkout, the cargo
/// home or the target directory are. Longest prefix last: rustc applies the last
/// matching mapping, and a target dir is often inside the workspace.
pub(crate) fn remaps(
    workspace_root: &Path,
    cargo_home: Option<&Path>,
    target_dir: &Path,
    rust_src: Option<(&Path, &str)>,
) -> Vec<(PathBuf, String)> {
    let mut maps: Vec<(PathBuf, String)> = vec![(workspace_root.to_path_buf(), "/build".into())];
    if let Some(home) = cargo_home {
        maps.push((home.to_path_buf(), "/cargo".into()));
    }
    maps.push((target_dir.to_path_buf(), "/target".into()));
    if let Some((src, commit)) = rust_src {
        maps.push((src.to_path_buf(), format!("/rustc/{commit}")));
    }
    // Also map canonical spellings: cargo may see a path through a symlink.
    let mut extra = Vec::new();
    for (from, to) in &maps {
        if let Ok(canon) = from.canonicalize() {
            if &canon != from {
                extra.push((canon, to.clone()));
            }
        }
    }
    maps.extend(extra);
    maps.sort_by_key(|(from, _)| from.as_os_str().len());
    maps
}

/// The placeholder a remapped path prefix is recorded as in the manifest, e.g.
/// `{workspace}` for the path that rustc sees as `/build`.
pub(crate) fn placeholder(to: &str) -> &'static str {
    match to {
        "/build" => "{workspace}",
        "/cargo" => "{cargo_home}",
        "/target" => "{target_dir}",
        _ => "{rust_src}",
    }
}

/// Build our flag list.
pub(crate) fn ours(
    remaps: &[(PathBuf, String)],
    cpu: Option<&str>,
    panic: PanicStrategy,
    linker: &Linker,
) -> Vec<String> {
    let mut flags: Vec<String> = remaps
        .iter()
        .map(|(from, to)| format!("--remap-path-prefix={}={to}", from.display()))
        .collect();
    if let Some(cpu) = cpu {
        flags.push(format!("-Ctarget-cpu={cpu}"));
    }
    // After the profile's `-C panic=abort` on rustc's command line, so it wins.
    // Only with --build-std (Options::check): std is compiled with it too.
    if panic == PanicStrategy::ImmediateAbort {
        flags.push("-Zunstable-options".into());
        flags.push("-Cpanic=immediate-abort".into());
    }
    // A build-id that is a hash of the output: reproducible, and it ties
    // `bootstrap` to its `bootstrap.full` for symbolising crash addresses.
    flags.push(linker.link_arg("--build-id=sha1"));
    flags.push(MANGLING_V0.into());
    flags
}

/// v0 symbol names (stable since Rust 1.59) spell out a generic instantiation's
/// type arguments (`<alloc::vec::Vec<tokio::task::JoinHandle<()>>>::push`, where
/// legacy names say `Vec<T,A>`), so `cargo slim size` can charge std's generic
/// code to the crate it was instantiated for. Names live only in the symbol
/// table, which the shipped bootstrap does not keep; what the choice does to the
/// shipped bytes is measured in docs/size.md. A choice of the user's wins
/// ([`merge`] drops this flag then).
pub(crate) const MANGLING_V0: &str = "-Csymbol-mangling-version=v0";

/// Whether `flags` choose a symbol mangling (`-C symbol-mangling-version=…`, in
/// one argument or two, or the `-Z` spelling).
fn chooses_mangling(flags: &[String]) -> bool {
    flags.iter().any(|f| f.contains("symbol-mangling-version"))
}

/// The user's rustflags from the environment, as cargo reads them:
/// `CARGO_ENCODED_RUSTFLAGS` (split on U+001F) first, then `RUSTFLAGS` (split on
/// white space). `None` when neither is set to something.
pub(crate) fn user_env_flags() -> Option<Vec<String>> {
    let encoded = std::env::var("CARGO_ENCODED_RUSTFLAGS")
        .ok()
        .filter(|s| !s.is_empty());
    let plain = std::env::var("RUSTFLAGS")
        .ok()
        .filter(|s| !s.trim().is_empty());
    match (encoded, plain) {
        (Some(e), _) => Some(e.split('\x1f').map(str::to_string).collect()),
        (None, Some(p)) => Some(p.split_whitespace().map(str::to_string).collect()),
        (None, None) => None,
    }
}

/// Decide how to pass `ours` for `triple`, given the user's environment flags
/// ([`user_env_flags`]) and config.
pub(crate) fn merge(
    ours: Vec<String>,
    user_env: Option<Vec<String>>,
    triple: &str,
    config: &CargoConfig,
) -> Rustflags {
    // Cargo reads the environment's flags or else the config's, never both.
    let users_choice = match &user_env {
        Some(user) => chooses_mangling(user),
        None => chooses_mangling(&config.user_rustflags(triple)),
    };
    let ours: Vec<String> = ours
        .into_iter()
        .filter(|f| !(users_choice && f == MANGLING_V0))
        .collect();
    if let Some(user) = user_env {
        let all: Vec<String> = user.iter().chain(ours.iter()).cloned().collect();
        return Rustflags {
            encoded_env: Some(all.join("\x1f")),
            user_env: user,
            ours,
            config_args: Vec::new(),
        };
    }
    let array = format!(
        "[{}]",
        ours.iter()
            .map(|f| toml_string(f))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let key = if config.has_target_rustflags(triple) {
        format!("target.{triple}.rustflags")
    } else {
        "build.rustflags".to_string()
    };
    Rustflags {
        config_args: vec![format!("{key}={array}")],
        ours,
        user_env: Vec::new(),
        encoded_env: None,
    }
}

/// Environment for C and C++ code that build scripts compile with the `cc` crate:
/// the same path remapping as for Rust (`-ffile-prefix-map`), so debug info and
/// `__FILE__` of C objects do not depend on the checkout path either. Appended
/// to the flags the user set, under the variable the `cc` crate would read first
/// for this target (`CFLAGS_<triple>`, `CFLAGS_<triple_underscored>`, then the
/// generic ones). Paths with white space are left out: the `cc` crate splits
/// these variables on white space.
pub(crate) fn c_flags_env(remaps: &[(PathBuf, String)], triple: &str) -> Vec<(String, String)> {
    let ours: Vec<String> = remaps
        .iter()
        .map(|(from, to)| (from.display().to_string(), to))
        .filter(|(from, _)| !from.contains(char::is_whitespace))
        .map(|(from, to)| format!("-ffile-prefix-map={from}={to}"))
        .collect();
    if ours.is_empty() {
        return Vec::new();
    }
    let underscored = triple.replace(['-', '.'], "_");
    ["CFLAGS", "CXXFLAGS"]
        .iter()
        .map(|var| {
            let dashed = format!("{var}_{triple}");
            let under = format!("{var}_{underscored}");
            let generic = [format!("TARGET_{var}"), var.to_string()];
            let (key, user) = if let Ok(v) = std::env::var(&dashed) {
                (dashed, v)
            } else {
                let user = std::env::var(&under)
                    .ok()
                    .or_else(|| generic.iter().find_map(|g| std::env::var(g).ok()))
                    .unwrap_or_default();
                (under, user)
            };
            let value = user
                .split_whitespace()
                .map(str::to_string)
                .chain(ours.iter().cloned())
                .collect::<Vec<_>>()
                .join(" ");
            (key, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_is_last() {
        let maps = remaps(
            Path::new("/w"),
            Some(Path::new("/home/u/.cargo")),
            Path::new("/w/target"),
            None,
        );
        let froms: Vec<_> = maps.iter().map(|(f, _)| f.display().to_string()).collect();
        assert_eq!(froms, vec!["/w", "/w/target", "/home/u/.cargo"]);
    }

    const TRIPLE: &str = "x86_64-unknown-linux-musl";

    #[test]
    fn config_level_follows_the_users() {
        let none = CargoConfig::default();
        let r = merge(vec!["-Cfoo".into()], None, TRIPLE, &none);
        assert_eq!(r.config_args, vec!["build.rustflags=[\"-Cfoo\"]"]);
        assert_eq!(r.encoded_env, None);

        let target_level =
            CargoConfig::from_tables(vec![format!("[target.{TRIPLE}]\nrustflags = [\"-Cuser\"]")
                .parse()
                .unwrap()]);
        let r = merge(vec!["-Cfoo".into()], None, TRIPLE, &target_level);
        assert_eq!(
            r.config_args,
            vec![format!("target.{TRIPLE}.rustflags=[\"-Cfoo\"]")]
        );
    }

    #[test]
    fn environment_flags_come_first_and_are_encoded() {
        let user = Some(vec!["-D".to_string(), "warnings".to_string()]);
        let r = merge(vec!["-Cfoo".into()], user, TRIPLE, &CargoConfig::default());
        assert_eq!(r.encoded_env.as_deref(), Some("-D\x1fwarnings\x1f-Cfoo"));
        assert!(r.config_args.is_empty());
        assert_eq!(r.user_env, vec!["-D", "warnings"]);
    }

    #[test]
    fn the_users_mangling_choice_wins() {
        let ours = || vec!["-Cfoo".to_string(), MANGLING_V0.to_string()];
        let none = CargoConfig::default();
        assert_eq!(merge(ours(), None, TRIPLE, &none).ours, ours());
        let env = Some(vec!["-C".into(), "symbol-mangling-version=legacy".into()]);
        let r = merge(ours(), env, TRIPLE, &none);
        assert_eq!(r.ours, vec!["-Cfoo"]);
        assert_eq!(
            r.encoded_env.as_deref(),
            Some("-C\x1fsymbol-mangling-version=legacy\x1f-Cfoo")
        );
        let config = CargoConfig::from_tables(vec![
            "[build]\nrustflags = [\"-Csymbol-mangling-version=legacy\"]"
                .parse()
                .unwrap(),
        ]);
        let r = merge(ours(), None, TRIPLE, &config);
        assert_eq!(r.config_args, vec!["build.rustflags=[\"-Cfoo\"]"]);
        // Other flags of the user's leave ours alone.
        let env = Some(vec!["-Dwarnings".into()]);
        assert_eq!(merge(ours(), env, TRIPLE, &none).ours, ours());
    }
}
