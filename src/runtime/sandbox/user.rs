//! Lambda runs a function as an unprivileged user (`sbx_user1051`), so the task
//! root really is read-only to it. Run as root, we do the same with `nobody`;
//! otherwise the function runs as we do.

/// uid and gid of `nobody` on Debian, Fedora and Alpine alike.
const NOBODY: (u32, u32) = (65_534, 65_534);

/// The (uid, gid) to switch to, when we are root.
pub(crate) fn unprivileged() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    (euid == 0).then_some(NOBODY)
}
