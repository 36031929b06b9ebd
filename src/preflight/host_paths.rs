//! Paths of the building machine in a binary: a privacy leak (a home
//! directory, a user name) and a reproducibility bug (the bytes then depend on
//! where the toolchain, the sources or the user were).
//!
//! Two rules, over the bytes that ship (every section but debug information and
//! symbol tables, which stripping drops):
//! - **this machine's directories** ([`HostPrefix`]): the workspace, the target
//!   directory, `CARGO_HOME`, `RUSTUP_HOME`, the toolchain, `$HOME`: any
//!   path inside one is a leak;
//! - **source paths of any machine**, for binaries built elsewhere: an absolute
//!   path to a source file (`.rs`, `.c`, `.h`, …) that is not under one of the
//!   canonical prefixes a reproducible build writes (`/build/`, `/cargo/`,
//!   `/rustc/`, `/target/`). Paths a function uses at run time (`/proc/self/…`,
//!   `/var/task/…`, `/tmp/data.json`) are not source files and are not flagged.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use regex::bytes::Regex;
use serde::Serialize;

use super::CheckResult;

/// A directory of this machine that must not appear in a shipped binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostPrefix {
    /// What it is, for people: `RUSTUP_HOME`, `the workspace`, …
    pub(crate) what: String,
    pub(crate) path: String,
}

impl HostPrefix {
    /// `None` for a path too short to mean anything (`/`) or not UTF-8.
    pub(crate) fn new(what: &str, path: &Path) -> Option<HostPrefix> {
        let path = path.to_str()?.trim_end_matches('/');
        (path.len() > 1 && path.starts_with('/')).then(|| HostPrefix {
            what: what.to_string(),
            path: path.to_string(),
        })
    }
}

/// This machine's directories as the environment names them: `$HOME`,
/// `CARGO_HOME` and `RUSTUP_HOME` (or their defaults under `$HOME`).
pub(crate) fn environment_prefixes() -> Vec<HostPrefix> {
    let var = |name: &str| std::env::var_os(name).map(std::path::PathBuf::from);
    let home = var("HOME");
    let under_home = |dir: &str| home.as_ref().map(|h| h.join(dir));
    [
        (
            "CARGO_HOME",
            var("CARGO_HOME").or_else(|| under_home(".cargo")),
        ),
        (
            "RUSTUP_HOME",
            var("RUSTUP_HOME").or_else(|| under_home(".rustup")),
        ),
        ("$HOME", home.clone()),
    ]
    .into_iter()
    .filter_map(|(what, path)| HostPrefix::new(what, path.as_deref()?))
    .collect()
}

/// Strings under one prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// The directory: one of this machine's, or the first two components of a
    /// source path of another machine's.
    pub(crate) prefix: String,
    /// What it is (`RUSTUP_HOME`, `a source path`).
    pub(crate) what: String,
    pub(crate) count: usize,
    /// The first such string in the file.
    pub(crate) example: String,
}

/// Where a reproducible build puts every source path: ours, and those of the
/// precompiled standard library (`/rustc/…`; rust-lang's CI vendors std's
/// dependencies at `/rust/deps/` and builds libunwind in `/checkout/src/`),
/// the same in every copy of a toolchain.
const CANONICAL: [&str; 6] = [
    "/build/",
    "/cargo/",
    "/rustc/",
    "/target/",
    "/rust/deps/",
    "/checkout/src/llvm-project/",
];

/// The paths of the building machine in `elf` (or in all of `data` when it is
/// not an ELF file), grouped by prefix, most strings first.
pub(crate) fn audit(data: &[u8], prefixes: &[HostPrefix]) -> Vec<Finding> {
    let mut found: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    for range in shipped_ranges(data) {
        for m in path_run().find_iter(&data[range]) {
            let run = String::from_utf8_lossy(m.as_bytes());
            let path = format!("/{}", run.trim_start_matches('/'));
            let Some((prefix, what)) = classify(&path, prefixes) else {
                continue;
            };
            let entry = found.entry((prefix, what)).or_insert((0, path.clone()));
            entry.0 += 1;
        }
    }
    let mut out: Vec<Finding> = found
        .into_iter()
        .map(|((prefix, what), (count, example))| Finding {
            prefix,
            what,
            count,
            example,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.prefix.cmp(&b.prefix)));
    out
}

/// An absolute path's prefix and what it is, when it is a leak: the longest
/// of this machine's directories it is inside, else, for a source file
/// outside the canonical prefixes, its first two components.
fn classify(path: &str, prefixes: &[HostPrefix]) -> Option<(String, String)> {
    let inside = |p: &&HostPrefix| {
        path.strip_prefix(p.path.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    };
    if let Some(p) = prefixes.iter().filter(inside).max_by_key(|p| p.path.len()) {
        return Some((p.path.clone(), p.what.clone()));
    }
    if CANONICAL.iter().any(|c| path.starts_with(c)) || !source_file().is_match(path.as_bytes()) {
        return None;
    }
    let top: Vec<&str> = path.split('/').skip(1).take(2).collect();
    Some((format!("/{}", top.join("/")), "a source path".into()))
}

/// A run of path characters starting with `/`.
fn path_run() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(r"/[A-Za-z0-9._+~@%,=/-]{2,}").expect("valid regex"))
}

/// A path with a directory that names a source file. Strings in a binary run
/// into each other, so `.rs` may be followed by anything (`lib.rsattempt to
/// add…`); the C extensions must end there (`/etc/resolv.conf` is no `.c`).
fn source_file() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^/(?:[A-Za-z0-9._+~@%,=-]+/)+[A-Za-z0-9._+~@%,=-]+\.(?:rs|(?:c|h|cc|cpp|cxx|hh|hpp|S|go|zig)(?:[^A-Za-z0-9]|$))",
        )
        .expect("valid regex")
    })
}

/// The file ranges that ship: every section with bytes in the file but debug
/// information and symbol tables. All of `data` when it is not a readable ELF.
fn shipped_ranges(data: &[u8]) -> Vec<Range<usize>> {
    let all = std::iter::once(0..data.len()).collect();
    crate::artifact::elf::with_aligned(data, |aligned| {
        let Ok(image) = crate::artifact::elf::image::read(aligned) else {
            return all;
        };
        image
            .sections
            .iter()
            .filter(|s| s.file_bytes > 0)
            .filter(|s| s.vm_bytes > 0 || !dropped_by_strip(&s.name))
            .filter_map(|s| {
                let start = usize::try_from(s.offset).ok()?;
                let end = start.checked_add(usize::try_from(s.file_bytes).ok()?)?;
                (end <= data.len()).then_some(start..end)
            })
            .collect()
    })
}

fn dropped_by_strip(name: &str) -> bool {
    name.starts_with(".debug")
        || name.starts_with(".zdebug")
        || matches!(
            name,
            ".symtab" | ".strtab" | ".gnu_debuglink" | ".gdb_index"
        )
}

/// The check `cargo slim check` and the build's preflight report: passed when
/// nothing was found, or when the user allowed it (`allowed`: how, e.g.
/// `--allow-host-paths`).
pub(crate) fn check(findings: &[Finding], allowed: Option<&str>) -> CheckResult {
    const NAME: &str = "host-paths";
    if findings.is_empty() {
        return CheckResult::pass(NAME, "no path of the building machine");
    }
    let detail = describe(findings);
    match allowed {
        Some(how) => CheckResult::pass(NAME, format!("{detail} (allowed by {how})")),
        None => CheckResult::fail(
            NAME,
            detail,
            "build it with `cargo slim build`, which gives every source file a path of no \
             machine (docs/reproducibility.md); a leak it leaves is a build script or C code \
             writing an absolute path: see \"Known ways crates break it\" there. \
             `--allow-host-paths` ships it anyway",
        ),
    }
}

/// `18 strings under /root/.rustup (RUSTUP_HOME), e.g. /root/.rustup/…; …`
pub(crate) fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let strings = if f.count == 1 { "string" } else { "strings" };
            format!(
                "{} {strings} under {} ({}), e.g. {}",
                f.count, f.prefix, f.what, f.example
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes() -> Vec<HostPrefix> {
        [
            ("$HOME", "/home/ci"),
            ("RUSTUP_HOME", "/home/ci/.rustup"),
            ("the workspace", "/work"),
        ]
        .iter()
        .filter_map(|(w, p)| HostPrefix::new(w, Path::new(p)))
        .collect()
    }

    #[test]
    fn this_machine_s_directories_longest_first_and_on_a_boundary() {
        let data =
            b"\0/home/ci/.rustup/toolchains/x/lib/rustlib/src/rust/library/core/src/a.rs\x01\
            /home/ci/.rustup/b.rs\0/home/ci/notes\0/work/src/main.rsattempt to add\0\
            /worker.rs\0/workspace/x\0";
        let found = audit(data, &prefixes());
        let summary: Vec<(&str, usize)> =
            found.iter().map(|f| (f.prefix.as_str(), f.count)).collect();
        assert_eq!(
            summary,
            [("/home/ci/.rustup", 2), ("/home/ci", 1), ("/work", 1)]
        );
        assert_eq!(found[2].example, "/work/src/main.rsattempt");
    }

    #[test]
    fn source_paths_of_another_machine_but_not_run_time_paths() {
        let data = b"/proc/self/exe\0/var/task/bootstrap\0/tmp/data.json\0\
            /rustc/0123/library/std/src/rt.rs\0/cargo/registry/x-1.0/src/lib.rs\0\
            /build/src/main.rs\0/Users/alice/src/fn/src/main.rs\0\
            /tmp/.tmpAbc/shared/src/lib.rs\0/usr/lib/libc.so.6\0/opt/zig/lib/libc/musl/src/x.c\0\
            /etc/resolv.conf\0/rust/deps/gimli-0.32.3/src/read/abbrev.rs\0";
        let found = audit(data, &[]);
        let prefixes: Vec<&str> = found.iter().map(|f| f.prefix.as_str()).collect();
        assert_eq!(prefixes, ["/Users/alice", "/opt/zig", "/tmp/.tmpAbc"]);
        assert!(found.iter().all(|f| f.what == "a source path"));
    }

    #[test]
    fn the_check_fails_unless_allowed() {
        let found = audit(b"/home/ci/x.rs", &prefixes());
        let failed = check(&found, None);
        assert!(!failed.passed);
        assert_eq!(
            failed.detail,
            "1 string under /home/ci ($HOME), e.g. /home/ci/x.rs"
        );
        assert!(check(&found, Some("--allow-host-paths")).passed);
        assert!(check(&[], None).passed);
    }
}
