//! What the toolchain said about itself (`rustc -vV`, `rustc --print sysroot`,
//! `cargo -V`, `rust-lld --version`), kept between runs so that a no-op build
//! spawns none of them. None of it can change while the programs stay the same,
//! so the cache is keyed by their identity, found without running them, the way
//! cargo keys its own `.rustc_info.json`: the resolved path, size and mtime of
//! rustc and cargo, and for rustup's proxies the toolchain they stand for
//! (`RUSTUP_TOOLCHAIN`, `RUSTUP_HOME`, which rustup sets for `cargo slim`) and
//! the size and mtime of the real binaries behind them. A `rustup update` changes
//! those, and so the key.
//!
//! When the identity cannot be known without running something (a rustup proxy
//! started without rustup's variables, e.g. `cargo-slim` typed directly in a
//! directory with a `rust-toolchain.toml`), nothing is cached: each tool is then
//! run once per invocation. Entries live in `<target-dir>/cargo-slim/.toolchain/`, one
//! small JSON file per toolchain; a damaged one is ignored and rewritten.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::model::toolchain::Toolchain;
use crate::util::{atomic, hash};

/// One cache entry: the toolchain, including what the manifest does not record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Entry {
    toolchain: Toolchain,
    sysroot: PathBuf,
    lld_version: Option<String>,
}

/// The cache key for `rustc` and `cargo` (program names or paths, as they would
/// be run), or `None` when their identity cannot be known without running them.
pub(crate) fn key(rustc: &OsStr, cargo: &OsStr) -> Option<String> {
    let env = |name: &str| std::env::var(name).ok();
    let rustup = (env("RUSTUP_HOME"), env("RUSTUP_TOOLCHAIN"));
    let material = format!(
        "cargo-slim {}\nrustc {}\ncargo {}\n",
        env!("CARGO_PKG_VERSION"),
        program_identity(rustc, "rustc", &rustup)?,
        program_identity(cargo, "cargo", &rustup)?,
    );
    Some(hash::sha256_hex(material.as_bytes())[..32].to_string())
}

/// Path, size and mtime of the binary `program` runs; through a rustup proxy,
/// those of the toolchain's own `name` binary and the toolchain's name.
fn program_identity(
    program: &OsStr,
    name: &str,
    (home, toolchain): &(Option<String>, Option<String>),
) -> Option<String> {
    let path = which::which(program).ok()?.canonicalize().ok()?;
    let is_proxy = path
        .file_stem()
        .is_some_and(|stem| stem.to_string_lossy().starts_with("rustup"));
    if !is_proxy {
        return Some(format!("{} {}", path.display(), stamp(&path)?));
    }
    let (home, toolchain) = (home.as_ref()?, toolchain.as_ref()?);
    // RUSTUP_TOOLCHAIN is a toolchain name (`stable-x86_64-unknown-linux-gnu`,
    // as rustup sets it) or a path to a custom one. A short name (`nightly`) set
    // by hand does not name a directory: not knowable, so not cached.
    let root = if toolchain.contains('/') {
        PathBuf::from(toolchain)
    } else {
        Path::new(home).join("toolchains").join(toolchain)
    };
    let real = root.join("bin").join(name).canonicalize().ok()?;
    Some(format!(
        "rustup {home} {toolchain} {} {}",
        real.display(),
        stamp(&real)?
    ))
}

/// `size mtime` of a file, mtime to the nanosecond.
fn stamp(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!("{} {}", meta.len(), mtime.as_nanos()))
}

/// The cached toolchain for `key`, if there is a sound entry.
pub(crate) fn load(dir: &Path, key: &str) -> Option<Toolchain> {
    let path = dir.join(format!("{key}.json"));
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    let mut text = String::new();
    std::fs::File::open(&path)
        .ok()?
        .take(MAX_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    let entry: Entry = serde_json::from_str(&text).ok()?;
    // Written by us, but in a directory anyone with the target dir can edit:
    // take only what could have come from a real toolchain.
    let sound = entry.sysroot.is_absolute()
        && entry.sysroot.is_dir()
        && !entry.toolchain.release.is_empty()
        && !text.chars().any(|c| c.is_control() && c != '\n');
    sound.then_some(Toolchain {
        sysroot: entry.sysroot,
        lld_version: entry.lld_version,
        ..entry.toolchain
    })
}

/// Remember `toolchain` under `key`. A failure to write only costs the next run
/// the probes again, so it is not an error.
pub(crate) fn store(dir: &Path, key: &str, toolchain: &Toolchain) {
    let entry = Entry {
        toolchain: toolchain.clone(),
        sysroot: toolchain.sysroot.clone(),
        lld_version: toolchain.lld_version.clone(),
    };
    let Ok(text) = serde_json::to_string_pretty(&entry) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = atomic::write(&dir.join(format!("{key}.json")), text.as_bytes(), 0o644);
    }
}

/// An entry is a few hundred bytes.
const MAX_BYTES: u64 = 64 << 10;

#[cfg(test)]
mod tests {
    use super::*;

    fn toolchain(sysroot: &Path) -> Toolchain {
        Toolchain {
            rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
            release: "1.95.0".into(),
            commit_hash: "59807616e1fa2540724bfbac14d7976d7e4a3860".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            llvm: "22.1.2".into(),
            cargo: "cargo 1.95.0".into(),
            sysroot: sysroot.to_path_buf(),
            lld_version: Some("LLD 22.1.2".into()),
        }
    }

    #[test]
    fn round_trip_and_damage_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = crate::output::TargetDir::at(tmp.path()).toolchain_cache();
        let t = toolchain(tmp.path());
        assert_eq!(load(&dir, "k"), None);
        store(&dir, "k", &t);
        assert_eq!(load(&dir, "k"), Some(t.clone()));
        std::fs::write(dir.join("k.json"), b"{not json").unwrap();
        assert_eq!(load(&dir, "k"), None);
        // A sysroot that is not there is not believed.
        store(&dir, "k", &toolchain(&tmp.path().join("gone")));
        assert_eq!(load(&dir, "k"), None);
    }

    #[test]
    fn key_follows_the_binaries() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = |name: &str, body: &str| {
            use std::os::unix::fs::PermissionsExt;
            let p = tmp.path().join(name);
            std::fs::write(&p, body).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            p
        };
        let (rustc, cargo) = (bin("rustc", "a"), bin("cargo", "b"));
        let k1 = key(rustc.as_os_str(), cargo.as_os_str());
        assert!(k1.is_some());
        assert_eq!(k1, key(rustc.as_os_str(), cargo.as_os_str()));
        std::fs::write(&rustc, "a newer rustc").unwrap();
        assert_ne!(k1, key(rustc.as_os_str(), cargo.as_os_str()));
        assert_eq!(
            key(tmp.path().join("none").as_os_str(), cargo.as_os_str()),
            None
        );
    }
}
