//! The settings of the `slim` cargo profile a build used, as the manifest records
//! them: the keys we set and the keys the user's own `[profile.slim]` set. Working
//! them out and handing them to cargo is the pipeline's (pipeline/compile/profile.rs).

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct ProfilePlan {
    /// The keys we set, in TOML syntax (`lto = "fat"`): the `--config` values.
    pub ours: BTreeMap<String, String>,
    /// Keys the user's own `[profile.slim]` sets, which we left alone.
    pub user_keys: Vec<String>,
}
