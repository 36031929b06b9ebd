//! The parts of cargo's configuration that change how we must pass our settings.
//!
//! Cargo reads `.cargo/config.toml` from the current directory and each parent, then
//! `$CARGO_HOME/config.toml`, plus `CARGO_*` environment variables. We read the same
//! files (without interpreting every key) to answer questions cargo has no stable
//! command for: does the user set target-level rustflags (and which), a linker for
//! the target, or `[profile.slim]` keys?

use std::path::{Path, PathBuf};

use toml::Table;

use crate::pipeline::compile::target_cfg;

#[derive(Debug, Default, Clone)]
pub(crate) struct CargoConfig {
    /// Parsed files, most specific (closest to the working directory) first.
    files: Vec<(PathBuf, Table)>,
}

impl CargoConfig {
    /// Discover config files from `cwd` upward and in `CARGO_HOME`. Unreadable or
    /// unparsable files are skipped here: cargo itself reports them properly.
    pub(crate) fn discover(cwd: &Path) -> CargoConfig {
        let mut paths = Vec::new();
        for dir in cwd.ancestors() {
            for name in ["config.toml", "config"] {
                let path = dir.join(".cargo").join(name);
                if path.is_file() {
                    paths.push(path);
                    break;
                }
            }
        }
        if let Some(home) = cargo_home() {
            for name in ["config.toml", "config"] {
                let path = home.join(name);
                if path.is_file() && !paths.contains(&path) {
                    paths.push(path);
                    break;
                }
            }
        }
        let files = paths
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                let table = text.parse::<Table>().ok()?;
                Some((p, table))
            })
            .collect();
        CargoConfig { files }
    }

    #[cfg(test)]
    pub(crate) fn from_tables(tables: Vec<Table>) -> CargoConfig {
        CargoConfig {
            files: tables
                .into_iter()
                .map(|t| (PathBuf::from("test"), t))
                .collect(),
        }
    }

    /// `[env] NAME` of the nearest config that sets it (a string, or a table's
    /// `value`): what cargo gives build scripts when the environment has no
    /// `NAME` of its own.
    pub(crate) fn env_value(&self, name: &str) -> Option<String> {
        self.files.iter().find_map(|(_, t)| {
            let v = t.get("env")?.get(name)?;
            v.as_str()
                .or_else(|| v.get("value")?.as_str())
                .map(str::to_string)
        })
    }

    fn target_tables(&self) -> impl Iterator<Item = (&String, &Table)> {
        self.files
            .iter()
            .filter_map(|(_, t)| t.get("target")?.as_table())
            .flat_map(|t| t.iter())
            .filter_map(|(k, v)| Some((k, v.as_table()?)))
    }

    /// True when some config (file or `CARGO_TARGET_<T>_RUSTFLAGS`) sets
    /// `target.<triple>.rustflags`, or `target.'cfg(…)'.rustflags` with a cfg that
    /// holds for `triple`. Cargo then ignores `build.rustflags`.
    pub(crate) fn has_target_rustflags(&self, triple: &str) -> bool {
        std::env::var_os(format!("CARGO_TARGET_{}_RUSTFLAGS", env_triple(triple))).is_some()
            || self.target_tables().any(|(key, table)| {
                table.contains_key("rustflags") && target_key_matches(key, triple)
            })
    }

    /// Whether any rustflags can reach rustc: `RUSTFLAGS`, `CARGO_ENCODED_RUSTFLAGS`
    /// or a `CARGO_…_RUSTFLAGS` variable is set (even empty), or a config file has
    /// a `rustflags` key anywhere or an `include` (which could hold one). Without
    /// them, a cfg only `--cfg` sets (`tokio_unstable`) is off for every target.
    pub(crate) fn sets_rustflags(&self) -> bool {
        fn has_rustflags(table: &Table) -> bool {
            table
                .iter()
                .any(|(k, v)| k == "rustflags" || v.as_table().is_some_and(has_rustflags))
        }
        std::env::vars_os().any(|(k, _)| {
            let k = k.to_string_lossy();
            k == "RUSTFLAGS"
                || k == "CARGO_ENCODED_RUSTFLAGS"
                || (k.starts_with("CARGO_") && k.ends_with("_RUSTFLAGS"))
        }) || self
            .files
            .iter()
            .any(|(_, t)| t.contains_key("include") || has_rustflags(t))
    }

    /// The linker configured for `triple`, from `CARGO_TARGET_<T>_LINKER` or a file.
    pub(crate) fn target_linker(&self, triple: &str) -> Option<String> {
        if let Ok(linker) = std::env::var(format!("CARGO_TARGET_{}_LINKER", env_triple(triple))) {
            return Some(linker);
        }
        self.target_tables()
            .filter(|(key, _)| *key == triple)
            .find_map(|(_, t)| t.get("linker")?.as_str().map(str::to_string))
    }

    /// Keys set under `[profile.slim]` in any config file.
    pub(crate) fn profile_slim_keys(&self) -> Vec<String> {
        self.files
            .iter()
            .filter_map(|(_, t)| t.get("profile")?.get("slim")?.as_table())
            .flat_map(|t| t.keys().cloned())
            .collect()
    }

    /// The rustflags the user's config gives `triple` (cargo uses the first set of
    /// `CARGO_TARGET_<T>_RUSTFLAGS`, the matching `target` tables, `CARGO_BUILD_RUSTFLAGS`,
    /// `build.rustflags`), to see which codegen choices the user made.
    pub(crate) fn user_rustflags(&self, triple: &str) -> Vec<String> {
        let split = |v: &toml::Value| -> Vec<String> {
            match v {
                toml::Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let env = |var: String| {
            std::env::var(var)
                .ok()
                .map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        };
        if self.has_target_rustflags(triple) {
            let mut flags =
                env(format!("CARGO_TARGET_{}_RUSTFLAGS", env_triple(triple))).unwrap_or_default();
            for (key, table) in self.target_tables() {
                if target_key_matches(key, triple) {
                    flags.extend(table.get("rustflags").map(split).unwrap_or_default());
                }
            }
            return flags;
        }
        let mut flags = env("CARGO_BUILD_RUSTFLAGS".into()).unwrap_or_default();
        for (_, table) in &self.files {
            let build = table.get("build").and_then(|b| b.get("rustflags"));
            flags.extend(build.map(split).unwrap_or_default());
        }
        flags
    }
}

/// Whether a `[target.KEY]` table applies to `triple`: KEY is the triple itself or
/// a `cfg(…)` expression that holds for it ([`target_cfg::decide`], without
/// spawning rustc). What cannot be decided that way (a target feature, the panic
/// strategy, a custom `--cfg`, a triple the table does not know) counts as
/// matching: the user's target-level flags are then kept, and ours join them.
fn target_key_matches(key: &str, triple: &str) -> bool {
    use cfg_expr::{Expression, Predicate};
    if !key.starts_with("cfg(") {
        return key == triple;
    }
    let Ok(expr) = Expression::parse(key) else {
        return true;
    };
    target_cfg::decide(&expr, triple, |pred| match pred {
        // Slim builds inherit release: no debug assertions, no test harness.
        Predicate::DebugAssertions | Predicate::Test | Predicate::ProcMacro => Some(false),
        _ => None,
    })
    .unwrap_or(true)
}

/// `aarch64-unknown-linux-musl` → `AARCH64_UNKNOWN_LINUX_MUSL`, as cargo spells
/// target names in environment variables.
pub(crate) fn env_triple(triple: &str) -> String {
    triple.to_ascii_uppercase().replace(['-', '.'], "_")
}

/// `CARGO_HOME`, or `~/.cargo`.
pub(crate) fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_rustflags_and_linker_are_found() {
        let cfg = CargoConfig::from_tables(vec![
            "[target.aarch64-unknown-linux-musl]\nlinker = \"my-ld\"\n[build]\nrustflags=[\"-Cfoo\"]"
                .parse()
                .unwrap(),
        ]);
        assert_eq!(
            cfg.target_linker("aarch64-unknown-linux-musl").as_deref(),
            Some("my-ld")
        );
        assert!(!cfg.has_target_rustflags("aarch64-unknown-linux-musl"));
        let cfg = CargoConfig::from_tables(vec![
            "[target.'cfg(target_os = \"linux\")']\nrustflags = [\"-Cbar\"]"
                .parse()
                .unwrap(),
        ]);
        assert!(cfg.has_target_rustflags("x86_64-unknown-linux-gnu"));
    }

    #[test]
    fn cfg_tables_count_only_when_they_hold_for_the_target() {
        let cfg =
            CargoConfig::from_tables(vec!["[target.'cfg(windows)']\nrustflags = [\"-Cwin\"]\n\
             [target.'cfg(all(target_os = \"linux\", target_arch = \"aarch64\"))']\n\
             rustflags = [\"-Carm\"]\n\
             [target.'cfg(not(target_env = \"musl\"))']\nlinker = \"x\""
                .parse()
                .unwrap()]);
        assert!(!cfg.has_target_rustflags("x86_64-unknown-linux-musl"));
        assert!(!cfg.has_target_rustflags("x86_64-unknown-linux-gnu"));
        assert!(cfg.has_target_rustflags("aarch64-unknown-linux-musl"));
        // What the built-in table cannot decide keeps the user's flags in force.
        let cfg = CargoConfig::from_tables(vec![
            "[target.'cfg(target_feature = \"crt-static\")']\nrustflags = [\"-Cx\"]"
                .parse()
                .unwrap(),
        ]);
        assert!(cfg.has_target_rustflags("x86_64-unknown-linux-gnu"));
        // Slim builds abort on panic whatever the target's default: the panic
        // strategy is not the built-in table's to decide.
        let cfg = CargoConfig::from_tables(vec![
            "[target.'cfg(panic = \"abort\")']\nrustflags = [\"-Cx\"]"
                .parse()
                .unwrap(),
        ]);
        assert!(cfg.has_target_rustflags("x86_64-unknown-linux-musl"));
    }

    #[test]
    fn user_rustflags_follow_cargos_choice_of_source() {
        let cfg = CargoConfig::from_tables(vec![
            "[build]\nrustflags = \"-C symbol-mangling-version=legacy\""
                .parse()
                .unwrap(),
        ]);
        assert_eq!(
            cfg.user_rustflags("x86_64-unknown-linux-musl"),
            vec!["-C", "symbol-mangling-version=legacy"]
        );
        // Target-level flags replace build.rustflags for that target.
        let cfg = CargoConfig::from_tables(vec![
            "[build]\nrustflags = [\"-Cb\"]\n[target.'cfg(target_arch = \"aarch64\")']\nrustflags = [\"-Ca\"]"
                .parse()
                .unwrap(),
        ]);
        assert_eq!(
            cfg.user_rustflags("aarch64-unknown-linux-musl"),
            vec!["-Ca"]
        );
        assert_eq!(cfg.user_rustflags("x86_64-unknown-linux-musl"), vec!["-Cb"]);
    }
}
