//! Comparing two manifests (or an artifact and its manifest): what differs, and
//! which recorded input most likely made it differ.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::manifest::{BuildInfo, FileEntry, Git, Manifest, SectionHash};

/// One hash (or presence) that does not match the record.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Difference {
    /// `zip`, `file`, `section`, `unstripped`, `checksum-file` or `preflight`.
    pub kind: String,
    /// The file or section name.
    pub name: String,
    pub recorded: String,
    pub found: String,
}

impl Difference {
    fn new(kind: &str, name: &str, recorded: impl Into<String>, found: impl Into<String>) -> Self {
        Difference {
            kind: kind.into(),
            name: name.into(),
            recorded: recorded.into(),
            found: found.into(),
        }
    }

    pub fn render(&self) -> String {
        let what = match self.kind.as_str() {
            "section" => format!("section {} of bootstrap", self.name),
            "file" => format!("{} (in function.zip)", self.name),
            "artifact" => self.name.clone(),
            "unstripped" => "bootstrap.full (unstripped link)".into(),
            _ => self.name.clone(),
        };
        format!(
            "{what}: recorded {}, found {}",
            short(&self.recorded),
            short(&self.found)
        )
    }
}

/// A leading 64-digit hash shortened for people; the rest unchanged.
fn short(text: &str) -> String {
    match text.get(..64) {
        Some(h) if h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{}…{}", &h[..16], &text[64..])
        }
        _ => text.to_string(),
    }
}

/// The zip, every file in it, every section of the shipped bootstrap and the
/// unstripped link: recorded vs rebuilt.
pub fn outputs(recorded: &Manifest, rebuilt: &Manifest) -> Vec<Difference> {
    let mut out = Vec::new();
    if recorded.zip.sha256 != rebuilt.zip.sha256 {
        out.push(Difference::new(
            "zip",
            &recorded.zip.name,
            &recorded.zip.sha256,
            &rebuilt.zip.sha256,
        ));
    }
    out.extend(files(&recorded.files, &rebuilt.files));
    out.extend(sections(&recorded.sections, &rebuilt.sections));
    if recorded.unstripped.sha256 != rebuilt.unstripped.sha256 {
        out.push(Difference::new(
            "unstripped",
            "bootstrap.full",
            &recorded.unstripped.sha256,
            &rebuilt.unstripped.sha256,
        ));
    }
    out
}

pub fn files(recorded: &[FileEntry], found: &[FileEntry]) -> Vec<Difference> {
    let describe = |f: &FileEntry| format!("{} mode {} {} bytes", f.sha256, f.mode, f.size);
    let rec: BTreeMap<&str, &FileEntry> = recorded.iter().map(|f| (f.name.as_str(), f)).collect();
    let got: BTreeMap<&str, &FileEntry> = found.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut out = Vec::new();
    for (name, r) in &rec {
        match got.get(name) {
            None => out.push(Difference::new("file", name, &r.sha256, "missing")),
            Some(g) if g.sha256 != r.sha256 => {
                out.push(Difference::new("file", name, &r.sha256, &g.sha256))
            }
            Some(g) if g.mode != r.mode => {
                out.push(Difference::new("file", name, describe(r), describe(g)))
            }
            Some(_) => {}
        }
    }
    for (name, g) in &got {
        if !rec.contains_key(name) {
            out.push(Difference::new("file", name, "absent", &g.sha256));
        }
    }
    out
}

pub fn sections(recorded: &[SectionHash], found: &[SectionHash]) -> Vec<Difference> {
    let rec: BTreeMap<&str, &SectionHash> = recorded.iter().map(|s| (s.name.as_str(), s)).collect();
    let got: BTreeMap<&str, &SectionHash> = found.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut out = Vec::new();
    // In the recorded file order, which is the order people read in `readelf -S`.
    for r in recorded {
        match got.get(r.name.as_str()) {
            None => out.push(Difference::new("section", &r.name, &r.sha256, "missing")),
            Some(g) if g.sha256 != r.sha256 => out.push(Difference::new(
                "section",
                &r.name,
                format!("{} ({} bytes)", r.sha256, r.size),
                format!("{} ({} bytes)", g.sha256, g.size),
            )),
            Some(_) => {}
        }
    }
    for g in found {
        if !rec.contains_key(g.name.as_str()) {
            out.push(Difference::new("section", &g.name, "absent", &g.sha256));
        }
    }
    out
}

/// What the environment looks like now, beside the rebuilt (or local) manifest.
pub struct Current<'a> {
    /// The manifest describing how the compared bytes were made.
    pub manifest: Option<&'a Manifest>,
    /// sha256 of the workspace's Cargo.lock now (None: there is none).
    pub cargo_lock_sha256: Option<String>,
    pub git: Option<Git>,
}

/// What the artifact's own differences say about themselves.
pub fn artifact_causes(diffs: &[Difference]) -> Vec<String> {
    let zip = diffs
        .iter()
        .any(|d| d.kind == "artifact" && d.name == "function.zip");
    let sum = diffs.iter().any(|d| d.kind == "checksum-file");
    let mut out = Vec::new();
    if zip && !sum {
        out.push(
            "function.zip was changed after the build wrote it: function.zip.sha256 and the \
             manifest still agree with each other, the zip does not"
                .to_string(),
        );
    }
    if diffs.iter().any(|d| d.found == "missing") {
        out.push("a file of the build is missing: run `cargo slim build`".to_string());
    }
    out
}

/// Recorded inputs and settings that differ from `now`, in words, most likely
/// culprit first.
pub fn causes(recorded: &Manifest, now: &Current) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |what: &str, rec: String, found: String| {
        if rec != found {
            out.push(format!("{what} differs: recorded `{rec}`, now `{found}`"));
        }
    };
    if let Some(m) = now.manifest {
        let (r, n) = (&recorded.toolchain, &m.toolchain);
        differ("rustc", r.rustc.clone(), n.rustc.clone());
        differ("cargo", r.cargo.clone(), n.cargo.clone());
        differ("LLVM", r.llvm.clone(), n.llvm.clone());
        differ(
            "linker",
            recorded.linker.program.clone(),
            m.linker.program.clone(),
        );
        differ(
            "linker version",
            r_opt(&recorded.linker.version),
            r_opt(&m.linker.version),
        );
        differ(
            "cargo-slim",
            recorded.tool.version.clone(),
            m.tool.version.clone(),
        );
    }
    differ(
        "Cargo.lock",
        r_opt(&recorded.inputs.cargo_lock_sha256),
        r_opt(&now.cargo_lock_sha256),
    );
    match (&recorded.inputs.git, &now.git) {
        (Some(r), Some(n)) => {
            if r.commit != n.commit {
                out.push(format!(
                    "git commit differs: recorded {}, now {}",
                    r.commit, n.commit
                ));
            }
            if n.dirty {
                out.push(
                    "the git work tree has uncommitted changes or untracked files (`git status`)"
                        .into(),
                );
            }
        }
        (Some(r), None) => out.push(format!(
            "the record was built in a git checkout (commit {}); this is not one",
            r.commit
        )),
        _ => {}
    }
    if recorded.inputs.git.as_ref().is_some_and(|g| g.dirty) {
        out.push("the recorded build was made from a dirty git tree, so its commit alone does not pin the sources".into());
    }
    if let Some(m) = now.manifest {
        settings(recorded, m, &mut out);
    }
    out
}

fn r_opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "none".into())
}

/// Build settings: options, features, profile, flags, timestamp, target.
fn settings(recorded: &Manifest, now: &Manifest, out: &mut Vec<String>) {
    let before = out.len();
    let (r, n) = (&recorded.build, &now.build);
    for ((what, rec), (_, found)) in chosen(r).into_iter().zip(chosen(n)) {
        note(out, what, rec, found);
    }
    // A differing option already explains the profile and command it implies.
    let explained = out.len() > before;
    if !explained {
        profile(r, n, out);
    }
    note(
        out,
        "rustflags",
        r.rustflags.join(" "),
        n.rustflags.join(" "),
    );
    note(
        out,
        "user RUSTFLAGS",
        r.user_rustflags.join(" "),
        n.user_rustflags.join(" "),
    );
    if !explained {
        cargo_command(r, n, out);
    }
    note(out, "zip timestamp", json(&r.timestamp), json(&n.timestamp));
    note(
        out,
        "target",
        recorded.target.triple.clone(),
        now.target.triple.clone(),
    );
    note(
        out,
        "runtime",
        recorded.runtime.to_string(),
        now.runtime.to_string(),
    );
}

/// The settings a user chooses, as the flag that sets each and its value: the
/// same list for the record and for now, compared pairwise.
fn chosen(b: &BuildInfo) -> Vec<(&'static str, String)> {
    let o = &b.options;
    let or_default = |v: Option<String>| v.unwrap_or_else(|| "default".into());
    let audit = if o.audit_data {
        "embedded"
    } else {
        "--no-audit-data"
    };
    vec![
        (
            "--opt-level",
            or_default(o.opt_level.map(|v| v.to_string())),
        ),
        ("--cpu", or_default(o.cpu.as_ref().map(|v| v.to_string()))),
        ("--build-std", o.build_std.to_string()),
        ("--panic", o.panic.to_string()),
        ("--linker", o.linker.as_str().into()),
        ("--include", joined(&o.include, " ")),
        ("--image", o.image.to_string()),
        ("features", joined(&b.features, ",")),
        ("the dependency list", audit.into()),
        ("--all-features", b.all_features.to_string()),
        ("--no-default-features", b.no_default_features.to_string()),
    ]
}

/// The slim profile, compared when no chosen setting explains it.
fn profile(r: &BuildInfo, n: &BuildInfo, out: &mut Vec<String>) {
    for (key, rec) in &r.profile.ours {
        let now = n.profile.ours.get(key).map_or("unset", String::as_str);
        if rec != now {
            out.push(format!(
                "[profile.slim] {key} differs: recorded `{rec}`, now `{now}`"
            ));
        }
    }
    if r.profile.user_keys != n.profile.user_keys {
        out.push(format!(
            "your [profile.slim] keys differ: recorded `{}`, now `{}`",
            r.profile.user_keys.join(", "),
            n.profile.user_keys.join(", ")
        ));
    }
}

/// The cargo command, compared when no chosen setting explains it.
fn cargo_command(r: &BuildInfo, n: &BuildInfo, out: &mut Vec<String>) {
    let (rc, nc) = (command(&r.command), command(&n.command));
    let only = |a: &[&str], b: &[&str]| -> Vec<String> {
        a.iter()
            .filter(|x| !b.contains(x))
            .map(|x| x.to_string())
            .collect()
    };
    let (gone, new) = (only(&rc, &nc), only(&nc, &rc));
    if !gone.is_empty() || !new.is_empty() {
        out.push(format!(
            "the cargo command differs: recorded has `{}`, now has `{}`",
            gone.join(" "),
            new.join(" ")
        ));
    }
}

fn joined<T: std::fmt::Display>(items: &[T], separator: &str) -> String {
    items
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

fn note(out: &mut Vec<String>, what: &str, rec: String, found: String) {
    if rec != found {
        out.push(format!("{what} differs: recorded `{rec}`, now `{found}`"));
    }
}

fn json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The cargo command without the flags that do not change the bytes (verify adds
/// `--locked`; `--color`/`--quiet` follow the terminal). Manifests written since
/// output settings left the record hold none of the output flags; older ones may.
fn command(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip_next = false;
    for a in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        match a.as_str() {
            "--color" | "--message-format" => skip_next = true,
            "--locked" | "--frozen" | "--offline" | "--quiet" | "--verbose" => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(name: &str, sha: &str) -> SectionHash {
        SectionHash {
            name: name.into(),
            size: 1,
            sha256: sha.into(),
        }
    }

    #[test]
    fn sections_lists_only_the_ones_that_differ() {
        let rec = [sec(".text", "a"), sec(".rodata", "b"), sec(".data", "c")];
        let got = [sec(".text", "a"), sec(".rodata", "x"), sec(".bss2", "d")];
        let d = sections(&rec, &got);
        let names: Vec<_> = d
            .iter()
            .map(|d| (d.name.as_str(), d.found.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (".rodata", "x (1 bytes)"),
                (".data", "missing"),
                (".bss2", "d")
            ]
        );
    }

    #[test]
    fn command_ignores_flags_that_do_not_change_bytes() {
        let a: Vec<String> = ["cargo", "build", "--color", "auto", "--locked"]
            .map(String::from)
            .into();
        let b: Vec<String> = ["cargo", "build", "--quiet", "--color", "never"]
            .map(String::from)
            .into();
        assert_eq!(command(&a), command(&b));
    }
}
