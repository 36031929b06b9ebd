//! Why a verification may have failed: the recorded inputs that differ now, and
//! what the artifact's own differences say. Each cause is a value, so which ones
//! count when the bytes match is decided by variant, not by reading the sentence.

use std::fmt;

use serde::{Serialize, Serializer};

/// One likely cause; it reads (and serializes) as the sentence people see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cause {
    /// function.zip differs while function.zip.sha256 still agrees.
    ZipEdited,
    /// A file of the build is not on disk.
    FileMissing,
    /// A recorded input or setting (`what`, e.g. `rustc`, `--opt-level`) differs.
    Differs {
        what: &'static str,
        recorded: String,
        now: String,
    },
    /// A key cargo-slim sets in `[profile.slim]` differs.
    ProfileKey {
        key: String,
        recorded: String,
        now: String,
    },
    /// The user's own `[profile.slim]` keys differ.
    ProfileUserKeys { recorded: String, now: String },
    /// The cargo command has other arguments.
    CargoCommand { gone: String, new: String },
    /// The checkout is at another commit.
    GitCommit { recorded: String, now: String },
    /// The checkout has uncommitted changes.
    GitDirty,
    /// The record was built in a git checkout; this is not one.
    NotACheckout { commit: String },
    /// The record itself was built from a dirty tree.
    RecordedDirty,
    /// A source file changed, appeared or went (the sentence of
    /// `pipeline::sources::changes`).
    Source(String),
    /// A dependency is read from elsewhere than in the record, or a file of a
    /// path dependency outside the workspace changed (verify/local_dependencies.rs).
    Dependency(String),
    /// A bootstrap holds paths of the machine that built it (`whose`: the
    /// recorded one or the rebuilt one; `detail`: what the audit found).
    HostPaths { whose: &'static str, detail: String },
    /// The rebuild's own preflight refused it (what failed, and why).
    RebuildRefused(String),
}

impl Cause {
    /// The state of the checkout rather than an input of the build: worth
    /// mentioning only when the bytes differ.
    pub(crate) fn is_checkout_state(&self) -> bool {
        matches!(
            self,
            Cause::GitCommit { .. } | Cause::GitDirty | Cause::Source(_) | Cause::Dependency(_)
        )
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::ZipEdited => f.write_str(
                "function.zip was changed after the build wrote it: function.zip.sha256 and the \
                 manifest still agree with each other, the zip does not",
            ),
            Cause::FileMissing => {
                f.write_str("a file of the build is missing: run `cargo slim build`")
            }
            Cause::Differs {
                what,
                recorded,
                now,
            } => write!(f, "{what} differs: recorded `{recorded}`, now `{now}`"),
            Cause::ProfileKey { key, recorded, now } => write!(
                f,
                "[profile.slim] {key} differs: recorded `{recorded}`, now `{now}`"
            ),
            Cause::ProfileUserKeys { recorded, now } => write!(
                f,
                "your [profile.slim] keys differ: recorded `{recorded}`, now `{now}`"
            ),
            Cause::CargoCommand { gone, new } => write!(
                f,
                "the cargo command differs: recorded has `{gone}`, now has `{new}`"
            ),
            Cause::GitCommit { recorded, now } => {
                write!(f, "git commit differs: recorded {recorded}, now {now}")
            }
            Cause::GitDirty => f.write_str(
                "the git work tree has uncommitted changes or untracked files (`git status`)",
            ),
            Cause::NotACheckout { commit } => write!(
                f,
                "the record was built in a git checkout (commit {commit}); this is not one"
            ),
            Cause::RecordedDirty => f.write_str(
                "the recorded build was made from a dirty git tree, so its commit alone does \
                 not pin the sources",
            ),
            Cause::Source(sentence) | Cause::Dependency(sentence) => f.write_str(sentence),
            Cause::HostPaths { whose, detail } => write!(
                f,
                "the {whose} bootstrap holds paths of the machine that built it: {detail}; such \
                 paths differ from machine to machine and build to build \
                 (docs/reproducibility.md, \"Known ways crates break it\")"
            ),
            Cause::RebuildRefused(detail) => {
                write!(f, "the rebuild failed its preflight: {detail}")
            }
        }
    }
}

/// Causes are strings in the JSON report, as they always were.
impl Serialize for Cause {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `Cause::Differs` when the two values differ.
pub(crate) fn differs(out: &mut Vec<Cause>, what: &'static str, recorded: String, now: String) {
    if recorded != now {
        out.push(Cause::Differs {
            what,
            recorded,
            now,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_read_as_before() {
        let c = Cause::Differs {
            what: "rustc",
            recorded: "1.94".into(),
            now: "1.95".into(),
        };
        assert_eq!(c.to_string(), "rustc differs: recorded `1.94`, now `1.95`");
        assert_eq!(
            serde_json::to_string(&c).unwrap_or_default(),
            "\"rustc differs: recorded `1.94`, now `1.95`\""
        );
    }

    #[test]
    fn only_the_checkout_state_is_dropped_when_the_bytes_match() {
        let kept = [
            Cause::RecordedDirty,
            Cause::NotACheckout { commit: "c".into() },
            Cause::FileMissing,
        ];
        assert!(kept.iter().all(|c| !c.is_checkout_state()));
        let dropped = [
            Cause::GitDirty,
            Cause::GitCommit {
                recorded: "a".into(),
                now: "b".into(),
            },
            Cause::Source("source file src/main.rs changed since the record".into()),
        ];
        assert!(dropped.iter().all(Cause::is_checkout_state));
    }
}
