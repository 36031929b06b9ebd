//! The `slim` cargo profile. It inherits `release`, so a slim build gets its own
//! directory (`target/<triple>/slim/`) and never evicts the user's release cache.
//! Our settings go in as `--config profile.slim.KEY=…` (we never edit Cargo.toml);
//! a key the user sets in `[profile.slim]` (Cargo.toml or cargo config) is left to
//! them, except `opt-level` when asked for explicitly with `--opt-level` or
//! `opt-level` in `[package.metadata.slim]`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::options::Options;
use crate::model::profile_plan::ProfilePlan;
use crate::pipeline::compile::cargo_config::CargoConfig;

pub(crate) const PROFILE: &str = "slim";

// The record itself is model/profile_plan.rs; how cargo gets it is here.
impl ProfilePlan {
    /// The `--config` arguments that set our keys.
    pub(crate) fn config_args(&self) -> Vec<String> {
        self.ours
            .iter()
            .map(|(k, v)| format!("profile.{PROFILE}.{k}={v}"))
            .collect()
    }
}

/// Our defaults, and why:
/// - `opt-level = "z"`: measured on the lambda_runtime fixture (docs/benchmarks.md),
///   "z" is 6–7% smaller than "s" on both architectures (x86_64 880,368 vs 939,376
///   bytes; arm64 785,584 vs 842,648), which takes the function under half of its
///   stripped release size where "s" sits right at it. A Lambda function mostly
///   waits on I/O; for CPU-bound code `--opt-level s` (or 3) trades bytes for speed.
/// - fat LTO and one codegen unit: whole-program dead-code removal; also one of the
///   reproducibility rules (no partitioning that depends on scheduling).
/// - `panic = "abort"`: no unwinding tables or landing pads; Lambda restarts the
///   process on a crash either way. (`--panic immediate-abort` goes in as a
///   rustflag instead: as a profile value it needs a cargo-features line in the
///   user's Cargo.toml on stable cargo, and the flag works on stable and nightly.)
/// - `strip = "none"`, `debug = false`: keep symbols for `cargo slim size`; we strip
///   after inspecting. ("debuginfo" would be cargo's default, but zig's linker reads
///   it as "strip everything".)
pub(crate) fn defaults() -> Vec<(&'static str, String)> {
    vec![
        ("inherits", "\"release\"".into()),
        ("opt-level", "\"z\"".into()),
        ("lto", "\"fat\"".into()),
        ("codegen-units", "1".into()),
        ("panic", "\"abort\"".into()),
        ("debug", "false".into()),
        ("strip", "\"none\"".into()),
        ("incremental", "false".into()),
        ("debug-assertions", "false".into()),
        ("overflow-checks", "false".into()),
    ]
}

/// Keys under `[profile.slim]` in the workspace root's Cargo.toml.
pub(crate) fn manifest_profile_keys(workspace_root: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(workspace_root.join("Cargo.toml")) else {
        return Vec::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    table
        .get("profile")
        .and_then(|p| p.get(PROFILE))
        .and_then(|s| s.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

pub(crate) fn plan(options: &Options, workspace_root: &Path, config: &CargoConfig) -> ProfilePlan {
    let mut user_keys = manifest_profile_keys(workspace_root);
    user_keys.extend(config.profile_slim_keys());
    user_keys.sort();
    user_keys.dedup();
    let mut ours = BTreeMap::new();
    for (key, value) in defaults() {
        if !user_keys.iter().any(|k| k == key) {
            ours.insert(key.to_string(), value);
        }
    }
    if let Some(level) = options.opt_level {
        ours.insert("opt-level".into(), level.toml());
    }
    ProfilePlan { ours, user_keys }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options::default()
    }

    #[test]
    fn users_profile_keys_win_but_explicit_opt_level_wins_over_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname='x'\n[profile.slim]\nlto = 'thin'\nopt-level = 3\n",
        )
        .unwrap();
        let p = plan(&options(), dir.path(), &CargoConfig::default());
        assert!(!p.ours.contains_key("lto"));
        assert!(!p.ours.contains_key("opt-level"));
        assert_eq!(p.user_keys, vec!["lto", "opt-level"]);
        assert_eq!(p.ours["codegen-units"], "1");
        let mut o = options();
        o.opt_level = Some(crate::model::options::OptLevel::S);
        let p = plan(&o, dir.path(), &CargoConfig::default());
        assert_eq!(p.ours["opt-level"], "\"s\"");
        assert!(p
            .config_args()
            .contains(&"profile.slim.opt-level=\"s\"".to_string()));
    }
}
