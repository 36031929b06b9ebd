//! Lambda's filesystem, where the OS permits: the function sees the zip at
//! `/var/task` and layers or extensions at `/opt`, both read-only, a writable
//! `/tmp` of the ephemeral storage's size, and everything else of this machine
//! read-only — a write outside `/tmp` fails with `EROFS` ("Read-only file
//! system"), as on Lambda.
//!
//! It is built by the supervisor of each execution environment, in a mount
//! namespace of its own (as root; otherwise in a user namespace too, which
//! unprivileged users may create on most distributions), before it starts the
//! function: a small tmpfs becomes the new root, each entry of this machine's
//! `/` is bound into it, the task root at `var/task`, everything made
//! read-only at once (`mount_setattr`, Linux 5.12+), then a fresh tmpfs at
//! `tmp`, this machine's `/proc`, and `pivot_root`. Nothing of it is visible
//! outside the namespace, and it goes when the environment's last process
//! does. Where a step is refused, the function runs as before (task root in a
//! temporary directory) and the report says which step and why.
//!
//! The mount calls are rustix's (already in the dependency tree through
//! tempfile: typed flags and paths, errors as `io::Error`); `mount_setattr`,
//! which it does not wrap, is one raw system call through libc.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::fs::{symlink, PermissionsExt as _};
use std::path::{Path, PathBuf};

use rustix::mount::{
    mount, mount_bind, mount_bind_recursive, mount_change, unmount, MountFlags,
    MountPropagationFlags, UnmountFlags,
};
use serde::{Deserialize, Serialize};

/// Lambda's default ephemeral storage (`/tmp`), MB.
pub(crate) const DEFAULT_TMP_MB: u32 = 512;
/// Lambda's ephemeral storage range, MB (`EphemeralStorage.Size`).
pub(crate) const TMP_RANGE: std::ops::RangeInclusive<u32> = 512..=10_240;

/// What to present where.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Layout {
    /// An empty directory of ours: the new root is mounted on it.
    pub root: PathBuf,
    /// The unpacked function: `/var/task`.
    pub task: PathBuf,
    /// Layers and extensions: `/opt` (empty when `None`).
    pub opt: Option<PathBuf>,
    /// The size of `/tmp`, MB.
    pub tmp_mb: u32,
    /// Directories of this machine the function shares with cargo-slim, at the
    /// same path and writable (qemu's debugger socket under a CPU model).
    pub shared: Vec<PathBuf>,
}

/// Entries of this machine's `/` that the function's root replaces or mounts
/// itself.
const OWN: &[&str] = &["tmp", "var", "opt", "proc"];

/// Build the layout in a new mount namespace and make it this process's root.
/// `Ok` says how, `Err` which step was refused and why. Call it while the
/// process has a single thread (a user namespace requires it).
pub(crate) fn enter(layout: &Layout) -> Result<String, String> {
    let user_namespace = unshare()?;
    step("make / private", || {
        mount_change(
            "/",
            MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
        )
    })?;
    let root = &layout.root;
    step("mount the new root (tmpfs)", || {
        mount(
            "tmpfs",
            root,
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            c"size=1m,mode=0755",
        )
    })?;
    bind_host_entries(root)?;
    for dir in ["var/task", "var/runtime", "opt", "tmp", "proc"] {
        step(&format!("create /{dir}"), || {
            fs::create_dir_all(root.join(dir))
        })?;
    }
    step("bind the task root at /var/task", || {
        mount_bind(&layout.task, root.join("var/task"))
    })?;
    if let Some(opt) = &layout.opt {
        step("bind /opt", || mount_bind_recursive(opt, root.join("opt")))?;
    }
    step("make everything read-only (mount_setattr)", || {
        read_only_recursive(root)
    })?;
    let tmp_options =
        CString::new(format!("size={}m,mode=1777", layout.tmp_mb)).map_err(|e| e.to_string())?;
    step("mount /tmp (tmpfs)", || {
        mount(
            "tmpfs",
            root.join("tmp"),
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            tmp_options.as_c_str(),
        )
    })?;
    step("bind /proc", || {
        mount_bind_recursive("/proc", root.join("proc"))
    })?;
    for dir in &layout.shared {
        let Ok(inside) = dir.strip_prefix("/") else {
            return Err(format!("{} is not an absolute path", dir.display()));
        };
        let target = root.join(inside);
        step(&format!("share {}", dir.display()), || {
            fs::create_dir_all(&target)?;
            mount_bind(dir, &target).map_err(io::Error::from)
        })?;
    }
    step("pivot_root", || pivot_into(root))?;
    let how = if user_namespace {
        "user and mount namespace"
    } else {
        "mount namespace"
    };
    Ok(format!(
        "{how}: /var/task read-only, /tmp {} MB, the rest read-only",
        layout.tmp_mb
    ))
}

/// A step that must succeed, its failure said as `step: error`.
fn step<T, E: std::fmt::Display>(
    what: &str,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, String> {
    f().map_err(|e| format!("{what}: {e}"))
}

/// A mount namespace of our own; as another user than root, inside a user
/// namespace mapping us to ourselves. True when a user namespace was needed.
fn unshare() -> Result<bool, String> {
    use rustix::thread::{unshare_unsafe, UnshareFlags};
    // SAFETY: geteuid has no preconditions and cannot fail.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    let flags = if uid == 0 {
        UnshareFlags::NEWNS
    } else {
        UnshareFlags::NEWNS | UnshareFlags::NEWUSER
    };
    // SAFETY: no FILES flag: descriptors stay shared; the caller has one thread.
    step("unshare", || unsafe { unshare_unsafe(flags) })?;
    if uid == 0 {
        return Ok(false);
    }
    step("map our user in the user namespace", || {
        fs::write("/proc/self/setgroups", "deny")?;
        fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
        fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))
    })?;
    Ok(true)
}

/// Each entry of this machine's `/` (but those the function's root replaces)
/// into `root`: directories bound with what is mounted below them, symbolic
/// links as links, files bound.
fn bind_host_entries(root: &Path) -> Result<(), String> {
    let entries = step("list /", || fs::read_dir("/"))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if OWN.iter().any(|own| name == *own) {
            continue;
        }
        let (source, target) = (Path::new("/").join(&name), root.join(&name));
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let shown = source.display().to_string();
        if kind.is_symlink() {
            let to = step(&format!("read the link {shown}"), || fs::read_link(&source))?;
            step(&format!("link {shown}"), || symlink(&to, &target))?;
        } else if kind.is_dir() {
            step(&format!("create {shown}"), || fs::create_dir(&target))?;
            step(&format!("bind {shown}"), || {
                mount_bind_recursive(&source, &target)
            })?;
        } else if kind.is_file() {
            step(&format!("create {shown}"), || {
                fs::write(&target, b"")?;
                fs::set_permissions(&target, fs::Permissions::from_mode(0o444))
            })?;
            step(&format!("bind {shown}"), || mount_bind(&source, &target))?;
        }
    }
    Ok(())
}

/// `mount_setattr(path, AT_RECURSIVE, MOUNT_ATTR_RDONLY)`: every mount at or
/// under `path` read-only in one call, whatever else they are (a user
/// namespace may not clear the flags of mounts it did not make, which a
/// remount would have to restate).
fn read_only_recursive(path: &Path) -> io::Result<()> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    const MOUNT_ATTR_RDONLY: u64 = 0x1;
    const AT_RECURSIVE: libc::c_uint = 0x8000;
    let path = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: a NUL-terminated path and a pointer to a live `mount_attr` of the
    // size passed, as the system call reads them; nothing is written back.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Make `root` the root: `pivot_root(".", ".")` stacks the old root on the new
/// one, which is then detached (no directory for it needed in a read-only
/// root).
fn pivot_into(root: &Path) -> io::Result<()> {
    std::env::set_current_dir(root)?;
    rustix::process::pivot_root(".", ".")?;
    unmount(".", UnmountFlags::DETACH)?;
    std::env::set_current_dir("/")
}
