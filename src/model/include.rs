//! `--include PATH[:NAME]`: the one parser of an include spec, and the types it
//! yields.
//!
//! Grammar: the spec is split at its **last** `:`; what follows is NAME, the
//! file's name in function.zip (a relative `/`-separated path, no `:`), and what
//! precedes is PATH. Without a `:` the whole spec is PATH and NAME is its file
//! name. So a PATH that itself contains `:` is written with its NAME
//! (`a:b.json:b.json`); an empty PATH or NAME is refused.
//!
//! An [`IncludeSpec`] is what the user wrote; resolving it against the directory
//! it is relative to gives an [`Include`]: PATH relative to the workspace root,
//! normalised, inside the workspace (so the manifest records no absolute path and
//! `verify` can rebuild from any checkout). A recorded `PATH:NAME` is parsed back
//! into the same type, with the same checks.

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::invalid_value::{shown, InvalidValue};

/// Longest path we accept anywhere in a spec or a record.
const MAX_PATH: usize = 4096;

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A name inside function.zip: relative, `/`-separated, no `.`/`..`/empty parts,
/// no `:` or `\`, and neither `bootstrap` (the function itself) nor anything
/// under it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ZipName(String);

string_newtype!(ZipName);

impl FromStr for ZipName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |rule| Err(InvalidValue::new("a name in function.zip", s, rule));
        if s == "bootstrap" || s.starts_with("bootstrap/") {
            return bad("`bootstrap` is the function itself (and cannot be a directory)");
        }
        let parts_ok = s
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != ".." && p.len() <= 255);
        if s.len() > 1024 || !parts_ok || s.contains([':', '\\']) || has_control(s) {
            return bad(
                "a relative path of `/`-separated parts, without `.`, `..`, empty parts, \
                 `:`, `\\` or control characters",
            );
        }
        Ok(ZipName(s.to_string()))
    }
}

/// A path relative to the workspace root, normalised: `/`-separated parts, none
/// empty, `.` or `..`, no control characters. It cannot name anything outside
/// the workspace lexically; symbolic links are checked when the file is opened
/// (util::confined).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RelPath(String);

string_newtype!(RelPath);

impl RelPath {
    pub(crate) fn as_path(&self) -> &Path {
        Path::new(&self.0)
    }
}

impl FromStr for RelPath {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= MAX_PATH
            && !has_control(s)
            && s.split('/').all(|p| !p.is_empty() && p != "." && p != "..");
        if ok {
            Ok(RelPath(s.to_string()))
        } else {
            Err(InvalidValue::new(
                "a path relative to the workspace",
                s,
                "`/`-separated parts inside the workspace: not absolute, no `.`, `..` or \
                 empty parts, no control characters",
            ))
        }
    }
}

/// `PATH[:NAME]` as the user wrote it (command line or `[*.metadata.slim]`),
/// PATH relative to where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncludeSpec {
    /// The spec exactly as written, for messages.
    pub spec: String,
    pub path: PathBuf,
    pub name: Option<ZipName>,
}

/// Why an include spec was refused; shows the spec as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncludeError {
    pub spec: String,
    pub reason: String,
}

impl fmt::Display for IncludeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "include `{}`: {}", shown(&self.spec), self.reason)
    }
}

impl std::error::Error for IncludeError {}

/// The one split of `PATH[:NAME]`: at the last `:`.
fn split_spec(spec: &str) -> Result<(&str, Option<&str>), String> {
    match spec.rsplit_once(':') {
        None if spec.is_empty() => Err("the path is empty".into()),
        None => Ok((spec, None)),
        Some(("", _)) => Err("the PATH before `:` is empty".into()),
        Some((_, "")) => Err(
            "the NAME after the last `:` is empty (a PATH containing `:` needs its NAME: \
             PATH:NAME)"
                .into(),
        ),
        Some((path, name)) => Ok((path, Some(name))),
    }
}

impl FromStr for IncludeSpec {
    type Err = IncludeError;
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| IncludeError {
            spec: spec.to_string(),
            reason,
        };
        if spec.len() > MAX_PATH || has_control(spec) {
            return Err(err("too long, or contains control characters".to_string()));
        }
        let (path, name) = split_spec(spec).map_err(err)?;
        let name = name
            .map(|n| n.parse::<ZipName>())
            .transpose()
            .map_err(|e| err(e.to_string()))?;
        Ok(IncludeSpec {
            spec: spec.to_string(),
            path: PathBuf::from(path),
            name,
        })
    }
}

impl IncludeSpec {
    /// PATH relative to `base` (absolute) → an [`Include`] relative to
    /// `workspace_root`. Refuses a PATH outside the workspace.
    pub(crate) fn resolve(
        &self,
        base: &Path,
        workspace_root: &Path,
    ) -> Result<Include, IncludeError> {
        let err = |reason: String| IncludeError {
            spec: self.spec.clone(),
            reason,
        };
        let full = normalise(&base.join(&self.path));
        // The workspace root as cargo reported it, or through its real path
        // (the working directory may be a symlinked spelling of it).
        let rel = full
            .strip_prefix(normalise(workspace_root))
            .ok()
            .map(Path::to_path_buf)
            .or_else(|| {
                let base = base.canonicalize().ok()?;
                let root = workspace_root.canonicalize().ok()?;
                normalise(&base.join(&self.path))
                    .strip_prefix(root)
                    .ok()
                    .map(Path::to_path_buf)
            })
            .filter(|rel| !rel.as_os_str().is_empty())
            .ok_or_else(|| {
                err(format!(
                    "`{}` is not inside the workspace {}; included files must be in the \
                     workspace so that `cargo slim verify` can rebuild from a checkout \
                     (copy the file into the workspace)",
                    full.display(),
                    workspace_root.display()
                ))
            })?;
        let rel_text = rel
            .to_str()
            .ok_or_else(|| err("the path is not valid UTF-8".into()))?;
        let path: RelPath = rel_text
            .parse()
            .map_err(|e: InvalidValue| err(e.to_string()))?;
        let name = match &self.name {
            Some(n) => n.clone(),
            None => {
                let file_name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                file_name
                    .parse()
                    .map_err(|e: InvalidValue| err(e.to_string()))?
            }
        };
        Ok(Include {
            spec: self.spec.clone(),
            path,
            name,
        })
    }
}

/// `.` and `..` resolved without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A file (or directory) to put in function.zip: PATH relative to the workspace
/// root, and its NAME there. Recorded as `PATH:NAME`.
#[derive(Debug, Clone, Eq)]
pub(crate) struct Include {
    /// As the user wrote it (or as recorded), for messages.
    pub spec: String,
    pub path: RelPath,
    pub name: ZipName,
}

impl PartialEq for Include {
    fn eq(&self, other: &Self) -> bool {
        (&self.path, &self.name) == (&other.path, &other.name)
    }
}

impl fmt::Display for Include {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.name)
    }
}

impl FromStr for Include {
    type Err = IncludeError;
    /// A recorded `PATH:NAME`: both parts required, PATH workspace-relative.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let parsed: IncludeSpec = spec.parse()?;
        let err = |reason: String| IncludeError {
            spec: spec.to_string(),
            reason,
        };
        let name = parsed
            .name
            .ok_or_else(|| err("a recorded include is `PATH:NAME`".into()))?;
        let path = parsed
            .path
            .to_str()
            .unwrap_or_default()
            .parse::<RelPath>()
            .map_err(|e| err(e.to_string()))?;
        Ok(Include {
            spec: spec.to_string(),
            path,
            name,
        })
    }
}

impl Serialize for Include {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Include {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The first pair of zip names where one is a file and the other lies under it
/// as if it were a directory (`conf` and `conf/x`): `unzip` cannot extract such
/// a zip. `(file, the name under it)`. For `--include` and for `cargo slim check`.
pub(crate) fn file_dir_conflict<'a, I>(names: I) -> Option<(&'a str, &'a str)>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut sorted: Vec<&str> = names.into_iter().collect();
    sorted.sort_unstable();
    let files: std::collections::BTreeSet<&str> = sorted.iter().copied().collect();
    sorted.iter().find_map(|name| {
        name.match_indices('/')
            .map(|(at, _)| &name[..at])
            .find(|parent| files.contains(parent))
            .map(|parent| (parent, *name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> IncludeSpec {
        s.parse().unwrap()
    }

    #[test]
    fn one_split_at_the_last_colon() {
        let s = spec("config.json");
        assert_eq!((s.path, s.name), (PathBuf::from("config.json"), None));
        let s = spec("a:b.json:conf/b.json");
        assert_eq!(s.path, PathBuf::from("a:b.json"));
        assert_eq!(s.name.unwrap().as_str(), "conf/b.json");
        for bad in [
            "",
            ":x",
            "config.json:",
            "a:b:",
            "x:bootstrap",
            "x:bootstrap/x",
            "x:../y",
        ] {
            let err = bad.parse::<IncludeSpec>().unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("include `{bad}`")),
                "{err}"
            );
        }
    }

    #[test]
    fn resolve_records_workspace_relative_paths() {
        let ws = Path::new("/w");
        let inc = spec("conf/../config.json")
            .resolve(Path::new("/w/sub"), ws)
            .unwrap();
        assert_eq!(inc.to_string(), "sub/config.json:config.json");
        assert_eq!(inc.spec, "conf/../config.json");
        let inc = spec("/w/a:b.json:b.json")
            .resolve(Path::new("/elsewhere"), ws)
            .unwrap();
        assert_eq!(inc.to_string(), "a:b.json:b.json");
        for outside in ["/etc/passwd", "../x", "/w/../w2/x", "."] {
            let err = spec(outside).resolve(ws, ws).unwrap_err();
            assert!(
                err.to_string().contains(&format!("include `{outside}`")),
                "{err}"
            );
        }
    }

    #[test]
    fn recorded_includes_are_checked() {
        let inc: Include = "sub/a:b.json:x/b.json".parse().unwrap();
        assert_eq!(
            (inc.path.as_str(), inc.name.as_str()),
            ("sub/a:b.json", "x/b.json")
        );
        for bad in [
            "/etc/passwd:passwd",
            "../../x:x",
            "a/./b:b",
            "a//b:b",
            "config.json",
            "/dev/zero:zero",
            "a\nb:b",
        ] {
            assert!(bad.parse::<Include>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn file_and_directory_of_one_name() {
        assert_eq!(
            file_dir_conflict(["conf", "b", "conf/x"]),
            Some(("conf", "conf/x"))
        );
        assert_eq!(file_dir_conflict(["a/b/c", "a/b"]), Some(("a/b", "a/b/c")));
        assert_eq!(file_dir_conflict(["conf/x", "conf/y", "config"]), None);
    }
}
