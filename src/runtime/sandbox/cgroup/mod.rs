//! cgroups for one execution environment: a fresh group per process (so the peak
//! memory and the OOM count are that process's), with Lambda's memory limit and a
//! CFS quota of memory/1,769 MB of a CPU.
//!
//! Both cgroup versions are handled, per controller: v2 where the unified
//! hierarchy delegates the controller to our group's children (`cgroup.subtree_control`),
//! else v1 where its hierarchy is mounted and writable. Groups are created under
//! our own group in each hierarchy, never at a root we were not placed in. The
//! process joins them between fork and exec (it writes `0` to their
//! `cgroup.procs`), so not one allocation of it escapes the limit. A group is
//! removed ([`removal`]) when its environment ends, and handed to the
//! [`leftovers`](crate::runtime::leftovers) janitor while it exists, so that even
//! a cargo-slim killed with SIGKILL leaves none behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

mod hierarchy;
pub(crate) mod removal;

use super::{Applied, Confinement};
use crate::runtime::invocation::MemoryPeak;
use crate::runtime::leftovers::{self, Leftover};
use hierarchy::{find, Hierarchy, Version};

/// CFS period: 100 ms, the kernel's default.
const CPU_PERIOD_US: u64 = 100_000;
/// The kernel refuses quotas under 1 ms.
const MIN_QUOTA_US: u64 = 1_000;

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

/// Where each controller could be used, found once per run.
#[derive(Debug, Clone)]
pub(crate) struct Cgroups {
    memory: Result<Hierarchy, String>,
    cpu: Result<Hierarchy, String>,
}

/// The groups of one execution environment; removed when dropped.
#[derive(Debug)]
pub(crate) struct Group {
    memory: Option<(Version, PathBuf)>,
    cpu: Option<(Version, PathBuf)>,
}

impl Cgroups {
    /// Look at /proc/self/mountinfo and /proc/self/cgroup.
    pub(crate) fn detect() -> Cgroups {
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let membership = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        Cgroups {
            memory: find(&mountinfo, &membership, "memory"),
            cpu: find(&mountinfo, &membership, "cpu"),
        }
    }

    /// Unconfined on purpose (`--no-limits`).
    pub(crate) fn disabled() -> Cgroups {
        let why = "--no-limits".to_string();
        Cgroups {
            memory: Err(why.clone()),
            cpu: Err(why),
        }
    }

    /// Create the groups of one environment and set the limits. What could not be
    /// applied is said in the returned [`Confinement`], never an error.
    pub(crate) fn create(
        &self,
        memory_mb: u32,
        vcpus: f64,
        run_as_uid: Option<u32>,
    ) -> (Group, Confinement) {
        let name = format!(
            "cargo-slim-{}-{}",
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed)
        );
        let mut group = Group {
            memory: None,
            cpu: None,
        };
        let memory = match &self.memory {
            Err(why) => Applied::No { why: why.clone() },
            Ok(h) => match limit_memory(h, &name, u64::from(memory_mb) << 20) {
                Ok((dir, how)) => {
                    group.memory = Some((h.version, dir));
                    Applied::Yes { how }
                }
                Err(why) => Applied::No { why },
            },
        };
        let cpu = match &self.cpu {
            Err(why) => Applied::No { why: why.clone() },
            Ok(h) => match limit_cpu(h, &name, vcpus) {
                Ok((dir, how)) => {
                    group.cpu = Some((h.version, dir));
                    Applied::Yes { how }
                }
                Err(why) => Applied::No { why },
            },
        };
        let confinement = Confinement {
            memory_mb,
            memory,
            vcpus,
            cpu,
            run_as_uid,
            filesystem: Applied::No {
                why: "the function did not start".into(),
            },
        };
        (group, confinement)
    }
}

impl Group {
    /// The distinct group directories the function joins, between fork and exec.
    pub(crate) fn dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self
            .memory
            .iter()
            .chain(self.cpu.iter())
            .map(|(_, d)| d.clone())
            .collect();
        dirs.dedup();
        dirs
    }

    /// The most memory the group used, in bytes (page cache included, as the
    /// kernel charges it).
    pub(crate) fn peak_memory(&self) -> Option<MemoryPeak> {
        let (version, dir) = self.memory.as_ref()?;
        let (file, measured_by) = match version {
            Version::V1 => (
                "memory.max_usage_in_bytes",
                "cgroup v1 memory.max_usage_in_bytes",
            ),
            Version::V2 => ("memory.peak", "cgroup v2 memory.peak"),
        };
        let bytes = read_u64(&dir.join(file))?;
        Some(MemoryPeak { bytes, measured_by })
    }

    /// How many processes the kernel's OOM killer ended in the group.
    pub(crate) fn oom_kills(&self) -> Option<u64> {
        let (version, dir) = self.memory.as_ref()?;
        let file = match version {
            Version::V1 => "memory.oom_control",
            Version::V2 => "memory.events",
        };
        let text = std::fs::read_to_string(dir.join(file)).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix("oom_kill "))
            .and_then(|v| v.trim().parse().ok())
    }

    /// How often the CPU quota stopped the group (periods throttled).
    pub(crate) fn throttled_periods(&self) -> Option<u64> {
        let (_, dir) = self.cpu.as_ref()?;
        let text = std::fs::read_to_string(dir.join("cpu.stat")).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix("nr_throttled "))
            .and_then(|v| v.trim().parse().ok())
    }

    /// SIGKILL every process still in the groups (children of the function too).
    pub(crate) fn kill_all(&self) {
        for dir in self.dirs() {
            removal::kill_members(&dir);
        }
    }
}

impl Drop for Group {
    /// Kill and remove until the groups are gone; a group that will not go stays
    /// with the janitor, which tries again when we exit.
    fn drop(&mut self) {
        for dir in self.dirs() {
            if removal::remove(&dir, removal::PATIENCE) {
                leftovers::forget(Leftover::Cgroup, &dir);
            }
        }
    }
}

/// Remove a group we just made and could not use.
fn forget_removed(dir: &Path) {
    if std::fs::remove_dir(dir).is_ok() {
        leftovers::forget(Leftover::Cgroup, dir);
    }
}

fn read_u64(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn write(dir: &Path, file: &str, value: &str) -> Result<(), String> {
    std::fs::write(dir.join(file), value)
        .map_err(|e| format!("cannot write {}: {e}", dir.join(file).display()))
}

fn make_group(h: &Hierarchy, name: &str) -> Result<PathBuf, String> {
    let dir = h.ours.join(name);
    match std::fs::create_dir(&dir) {
        Ok(()) => {
            leftovers::watch(Leftover::Cgroup, &dir);
            Ok(dir)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(dir),
        Err(e) => Err(format!(
            "cannot create a cgroup in {}: {e} (run as root, or in a delegated cgroup)",
            h.ours.display()
        )),
    }
}

fn limit_memory(h: &Hierarchy, name: &str, bytes: u64) -> Result<(PathBuf, String), String> {
    let dir = make_group(h, name)?;
    let result = match h.version {
        Version::V1 => write(&dir, "memory.limit_in_bytes", &bytes.to_string()).map(|()| {
            // Lambda has no swap: with swap accounting on, memory+swap gets the same
            // limit, so the function cannot page out to stay under it.
            let _ = write(&dir, "memory.memsw.limit_in_bytes", &bytes.to_string());
            let _ = write(&dir, "memory.swappiness", "0");
            "cgroup v1 memory.limit_in_bytes".to_string()
        }),
        Version::V2 => write(&dir, "memory.max", &bytes.to_string()).map(|()| {
            let _ = write(&dir, "memory.swap.max", "0");
            "cgroup v2 memory.max".to_string()
        }),
    };
    match result {
        Ok(how) => Ok((dir, how)),
        Err(why) => {
            forget_removed(&dir);
            Err(why)
        }
    }
}

fn limit_cpu(h: &Hierarchy, name: &str, vcpus: f64) -> Result<(PathBuf, String), String> {
    let dir = make_group(h, name)?;
    let quota = ((vcpus * CPU_PERIOD_US as f64).round() as u64).max(MIN_QUOTA_US);
    let result = match h.version {
        Version::V1 => write(&dir, "cpu.cfs_period_us", &CPU_PERIOD_US.to_string())
            .and_then(|()| write(&dir, "cpu.cfs_quota_us", &quota.to_string()))
            .map(|()| format!("cgroup v1 cpu.cfs_quota_us {quota}/{CPU_PERIOD_US}")),
        Version::V2 => write(&dir, "cpu.max", &format!("{quota} {CPU_PERIOD_US}"))
            .map(|()| format!("cgroup v2 cpu.max {quota} {CPU_PERIOD_US}")),
    };
    match result {
        Ok(how) => Ok((dir, how)),
        Err(why) => {
            // The memory group may share this directory (v2): leave it to Drop.
            if h.version == Version::V1 {
                forget_removed(&dir);
            }
            Err(why)
        }
    }
}
