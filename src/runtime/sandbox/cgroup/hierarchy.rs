//! Where a cgroup controller can be used: v2 where the unified hierarchy
//! delegates it to our group's children, else a mounted v1 hierarchy, found
//! from /proc/self/mountinfo and /proc/self/cgroup.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    V1,
    V2,
}

/// A hierarchy a controller lives in, and our group in it.
#[derive(Debug, Clone)]
pub(super) struct Hierarchy {
    pub(super) version: Version,
    /// Our own group's directory.
    pub(super) ours: PathBuf,
}

/// One mount from /proc/self/mountinfo: its root within the hierarchy, where it
/// is mounted, the filesystem type and its super options.
struct Mount<'a> {
    root: &'a str,
    point: &'a str,
    fstype: &'a str,
    options: &'a str,
}

fn mounts(mountinfo: &str) -> impl Iterator<Item = Mount<'_>> {
    mountinfo.lines().filter_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        let left: Vec<&str> = left.split(' ').collect();
        let mut right = right.split(' ');
        Some(Mount {
            root: left.get(3)?,
            point: left.get(4)?,
            fstype: right.next()?,
            options: right.nth(1).unwrap_or(""),
        })
    })
}

/// Where `controller` can be used by a child group of ours, or why not.
pub(super) fn find(
    mountinfo: &str,
    membership: &str,
    controller: &str,
) -> Result<Hierarchy, String> {
    // v2 first: where it offers the controller, it is the one the kernel uses.
    let v2_path = membership
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .map(str::to_string);
    if let Some(path) = &v2_path {
        for m in mounts(mountinfo).filter(|m| m.fstype == "cgroup2") {
            let ours = join(m.point, m.root, path);
            let delegated =
                std::fs::read_to_string(ours.join("cgroup.subtree_control")).unwrap_or_default();
            if delegated.split_whitespace().any(|c| c == controller) {
                return Ok(Hierarchy {
                    version: Version::V2,
                    ours,
                });
            }
        }
    }
    // v1: a hierarchy whose mount options name the controller.
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = match (parts.next(), parts.next(), parts.next()) {
            (Some(id), Some(c), Some(p)) => (id, c, p),
            _ => continue,
        };
        if !controllers.split(',').any(|c| c == controller) {
            continue;
        }
        let mount = mounts(mountinfo)
            .find(|m| m.fstype == "cgroup" && m.options.split(',').any(|o| o == controller));
        if let Some(m) = mount {
            return Ok(Hierarchy {
                version: Version::V1,
                ours: join(m.point, m.root, path),
            });
        }
    }
    Err(if v2_path.is_some() {
        format!("the cgroup v2 hierarchy does not delegate the {controller} controller to us, and no cgroup v1 {controller} hierarchy is mounted")
    } else {
        format!("no cgroup hierarchy with the {controller} controller is mounted")
    })
}

/// The directory of group `path` in a hierarchy mounted at `point` whose mount
/// shows the hierarchy from `root` on (containers mount their own group as root).
fn join(point: &str, root: &str, path: &str) -> PathBuf {
    let relative = if root == "/" {
        path
    } else {
        path.strip_prefix(root).unwrap_or(path)
    };
    Path::new(point).join(relative.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate
31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
";

    #[test]
    fn finds_v1_controllers_under_our_own_group() {
        let membership = "4:memory:/jobs/42\n2:cpu,cpuacct:/\n0::/\n";
        let memory = find(MOUNTINFO, membership, "memory").unwrap();
        assert_eq!(memory.version, Version::V1);
        assert_eq!(memory.ours, PathBuf::from("/sys/fs/cgroup/memory/jobs/42"));
        let cpu = find(MOUNTINFO, membership, "cpu").unwrap();
        assert_eq!(cpu.ours, PathBuf::from("/sys/fs/cgroup/cpu,cpuacct"));
    }

    #[test]
    fn says_why_when_there_is_none() {
        let err = find("", "0::/user.slice\n", "memory").unwrap_err();
        assert!(
            err.contains("does not delegate the memory controller"),
            "{err}"
        );
    }

    #[test]
    fn container_mount_roots_are_stripped() {
        assert_eq!(
            join("/sys/fs/cgroup/memory", "/docker/abc", "/docker/abc/sub"),
            PathBuf::from("/sys/fs/cgroup/memory/sub")
        );
    }
}
