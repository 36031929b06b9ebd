//! Options of `cargo slim generate`.

use clap::Args;

use super::select::SelectArgs;
use crate::generate::{Install, Kind, Request};

/// `cargo slim generate sam|terraform|github-actions|--all`.
#[derive(Debug, Args, Clone)]
#[command(after_help = "\
Which builds: by default every function (binary) and every target that has a
slim-manifest.json from `cargo slim build`; -p, --bin, --arch, --libc and
--target narrow that (their defaults above are the build's, not generate's).
A file changed since it was generated is kept (exit 2) unless --force.
Details: docs/deploy.md")]
pub(crate) struct GenerateArgs {
    /// What to write: sam (template.yaml), terraform (terraform/main.tf),
    /// github-actions (.github/workflows/cargo-slim.yml).
    #[arg(value_name = "KIND", value_parser = parse_kind, required_unless_present = "all")]
    pub kinds: Vec<Kind>,
    /// All three.
    #[arg(long, conflicts_with = "kinds")]
    pub all: bool,
    /// Overwrite a generated file even if it was changed since.
    #[arg(long)]
    pub force: bool,
    /// Where the workflow installs cargo-slim from: crates-io (this version) or
    /// git+https://HOST/PATH#COMMIT (a full commit hash).
    #[arg(long, value_name = "SOURCE", default_value = "crates-io", value_parser = parse_install)]
    pub install_from: Install,
    /// Which builds to describe [default: every function and target built].
    #[command(flatten)]
    pub select: SelectArgs,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

fn parse_install(s: &str) -> Result<Install, String> {
    s.parse()
}

impl GenerateArgs {
    /// The typed request: the kinds (all three for --all) and the selection.
    pub(crate) fn request(&self) -> anyhow::Result<Request> {
        let mut kinds = if self.all {
            Kind::ALL.to_vec()
        } else {
            self.kinds.clone()
        };
        kinds.sort();
        kinds.dedup();
        Ok(Request {
            kinds,
            force: self.force,
            install: self.install_from.clone(),
            selection: self.select.to_selection()?,
        })
    }
}
