//! Our rustflags, merged with the user's. Cargo takes rustflags from exactly one
//! source, first found: `CARGO_ENCODED_RUSTFLAGS`, `RUSTFLAGS`, then config
//! `target.<triple>.rustflags` (with matching `target.'cfg(…)'`), then config
//! `build.rustflags`. Setting any of them naively silently drops the user's. So:
//! - user flags in the environment: we set `CARGO_ENCODED_RUSTFLAGS` to theirs
//!   followed by ours (encoded, so paths with spaces survive);
//! - otherwise we add ours as `--config` at the level the user's config uses
//!   (config arrays from all sources are concatenated, user's first).

use crate::model::linker::Linker;
use crate::model::options::PanicStrategy;
use crate::pipeline::compile::cargo_config::CargoConfig;
use crate::pipeline::compile::linker::toml_string;
use crate::pipeline::compile::path_map::PathMap;

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
    /// The config key `config_args` sets (`build.rustflags` or
    /// `target.<triple>.rustflags`); `None` when the environment carries them.
    pub config_key: Option<String>,
}

/// Build our flag list.
pub(crate) fn ours(
    paths: &PathMap,
    cpu: Option<&str>,
    panic: PanicStrategy,
    linker: &Linker,
) -> Vec<String> {
    let mut flags = paths.rustc_flags();
    if let Some(cpu) = cpu {
        flags.push(format!("-Ctarget-cpu={cpu}"));
    }
    // After the profile's `-C panic=abort` on rustc's command line, so it wins.
    // Only with --build-std (Options::check): std is compiled with it too.
    if panic == PanicStrategy::ImmediateAbort {
        flags.push("-Zunstable-options".into());
        flags.push("-Cpanic=immediate-abort".into());
    }
    // A build-id note, which pipeline/package/build_id.rs sets to a hash of the
    // shipped bytes: it ties `bootstrap` to its `bootstrap.full` for
    // symbolising crash addresses.
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
            config_key: None,
        };
    }
    let key = if config.has_target_rustflags(triple) {
        format!("target.{triple}.rustflags")
    } else {
        "build.rustflags".to_string()
    };
    Rustflags {
        config_args: vec![config_arg(&key, &ours)],
        config_key: Some(key),
        ours,
        user_env: Vec::new(),
        encoded_env: None,
    }
}

/// `KEY=[flags…]`, the `--config` argument that sets `flags` at `key`.
pub(crate) fn config_arg(key: &str, flags: &[String]) -> String {
    let array = flags
        .iter()
        .map(|f| toml_string(f))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{key}=[{array}]")
}

/// Environment for C and C++ code that build scripts compile with the `cc` crate:
/// the same path map as for Rust ([`PathMap::c_flags`]), so debug info and
/// `__FILE__` of C objects do not depend on where the sources are either.
/// Appended to the flags the user set, under the variable the `cc` crate would
/// read first for this target (`CFLAGS_<triple>`, `CFLAGS_<triple_underscored>`,
/// then the generic ones).
pub(crate) fn c_flags_env(paths: &PathMap, triple: &str) -> Vec<(String, String)> {
    let ours = paths.c_flags();
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
