//! Lambda's limits on this machine: a memory limit and a CPU share proportional to
//! memory, through cgroups where the OS permits, and a plain statement of what was
//! not applied where it does not. The function also runs as an unprivileged user
//! when we are root ([`user`]), as Lambda's functions do.

pub(crate) mod cgroup;
pub(crate) mod filesystem;
pub(crate) mod user;

use serde::{Deserialize, Serialize};

/// What one limit came to on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "applied", rename_all = "lowercase")]
pub(crate) enum Applied {
    /// In force; `how` says through what (e.g. `cgroup v1 memory.limit_in_bytes`).
    Yes { how: String },
    /// Not in force; `why` says what stood in the way.
    No { why: String },
}

impl Applied {
    pub(crate) fn is_applied(&self) -> bool {
        matches!(self, Applied::Yes { .. })
    }
}

/// How the function is confined, for the report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Confinement {
    pub memory_mb: u32,
    pub memory: Applied,
    /// The CPU share asked for, in vCPUs (memory / 1,769 MB).
    pub vcpus: f64,
    pub cpu: Applied,
    /// The user the function runs as (uid), when it differs from ours.
    pub run_as_uid: Option<u32>,
    /// Lambda's filesystem: `/var/task`, `/opt` and the rest read-only, `/tmp`
    /// of the ephemeral storage's size ([`filesystem`]).
    pub filesystem: Applied,
}

impl Confinement {
    /// One line for people: what is in force and what is not.
    pub(crate) fn describe(&self) -> String {
        let mem = match &self.memory {
            Applied::Yes { how } => format!("memory {} MB ({how})", self.memory_mb),
            Applied::No { why } => format!("memory NOT limited ({why})"),
        };
        let cpu = match &self.cpu {
            Applied::Yes { how } => format!("cpu {:.3} vCPU ({how})", self.vcpus),
            Applied::No { why } => format!("cpu NOT limited ({why})"),
        };
        let user = match self.run_as_uid {
            Some(uid) => format!("; runs as uid {uid}"),
            None => String::new(),
        };
        let fs = match &self.filesystem {
            Applied::Yes { how } => format!("filesystem as on Lambda ({how})"),
            Applied::No { why } => format!("filesystem NOT Lambda's ({why})"),
        };
        format!("{mem}; {cpu}{user}; {fs}")
    }

    pub(crate) fn fully_applied(&self) -> bool {
        self.memory.is_applied() && self.cpu.is_applied() && self.filesystem.is_applied()
    }
}
