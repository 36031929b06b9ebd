//! `cargo slim generate`: deployment and CI files written from the last build's
//! manifests, never from guesses: a SAM template, a Terraform configuration and
//! a GitHub Actions workflow.
//!
//! The manifests are untrusted input: [`function`] checks every value against a
//! grammar before a renderer sees it, and the renderers quote what they write
//! ([`quote`]). [`writer`] refuses to overwrite a file changed by hand.

pub(crate) mod deploy;
pub(crate) mod function;
pub(crate) mod github_actions;
pub(crate) mod install;
pub(crate) mod name;
pub(crate) mod quote;
pub(crate) mod sam;
pub(crate) mod terraform;
pub(crate) mod writer;

use std::fmt;
use std::str::FromStr;

pub(crate) use function::{Found, Function};
pub(crate) use github_actions::Workflow;
pub(crate) use install::Install;

/// What `cargo slim generate` was asked for, typed.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// Sorted, no repeats.
    pub kinds: Vec<Kind>,
    pub force: bool,
    /// Where the workflow installs cargo-slim from.
    pub install: Install,
    /// Which packages, binaries and targets to look for builds of.
    pub selection: crate::model::options::Selection,
}

/// A kind of file `generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Sam,
    Terraform,
    GithubActions,
}

impl Kind {
    pub(crate) const ALL: &'static [Kind] = &[Kind::Sam, Kind::Terraform, Kind::GithubActions];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Sam => "sam",
            Kind::Terraform => "terraform",
            Kind::GithubActions => "github-actions",
        }
    }

    /// Where the file goes: relative to the workspace root, except the workflow,
    /// which is relative to the repository root (GitHub looks only there).
    pub(crate) fn path(self) -> String {
        match self {
            Kind::Sam => "template.yaml".into(),
            Kind::Terraform => format!("{}/main.tf", terraform::DIR),
            Kind::GithubActions => github_actions::PATH.into(),
        }
    }

    /// The file's full text, header included.
    pub(crate) fn render(self, functions: &[Function], workflow: &Workflow) -> String {
        let body = match self {
            Kind::Sam => sam::render(functions),
            Kind::Terraform => terraform::render(functions),
            Kind::GithubActions => github_actions::render(workflow, functions),
        };
        writer::with_header(&body, self.as_str(), &workflow.version)
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("unknown kind `{s}`: use sam, terraform or github-actions (or --all)")
            })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
