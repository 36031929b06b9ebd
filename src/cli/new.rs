//! Options of `cargo slim new` and `cargo slim init`.

use std::path::PathBuf;

use clap::Args;

use crate::model::target::Arch;
use crate::scaffold::{Request, Template};

/// `cargo slim new NAME`: a new function crate in the directory NAME.
#[derive(Debug, Args, Clone)]
pub(crate) struct NewArgs {
    /// The crate name, also the directory created (must not exist yet).
    #[arg(value_name = "NAME")]
    pub name: String,
    #[command(flatten)]
    pub opts: ScaffoldOptions,
}

/// `cargo slim init [PATH]`: a function crate in an existing directory.
#[derive(Debug, Args, Clone)]
pub(crate) struct InitArgs {
    /// The directory [default: the current one].
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// The crate name [default: the directory's name].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub opts: ScaffoldOptions,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct ScaffoldOptions {
    /// What triggers the function: basic (JSON in, JSON out), http (API Gateway
    /// HTTP API / Function URL), sqs, s3, eventbridge, stream (Kinesis).
    #[arg(long, value_name = "KIND", default_value = "basic", value_parser = parse_template)]
    pub template: Template,
    /// Default architecture(s) recorded in [package.metadata.slim] and the
    /// toolchain file's targets: arm64, x86_64.
    #[arg(
        long,
        value_name = "ARCH",
        value_delimiter = ',',
        default_value = "arm64"
    )]
    pub arch: Vec<Arch>,
    /// The Rust release to pin in rust-toolchain.toml, e.g. 1.95.0
    /// [default: the installed stable toolchain's].
    #[arg(long, value_name = "VERSION")]
    pub toolchain: Option<String>,
}

fn parse_template(s: &str) -> Result<Template, String> {
    s.parse()
}

impl NewArgs {
    /// The typed request `commands::new` works from.
    pub(crate) fn request(&self) -> Request {
        self.opts.request(Some(self.name.clone()), None, false)
    }
}

impl InitArgs {
    pub(crate) fn request(&self) -> Request {
        self.opts
            .request(self.name.clone(), self.path.clone(), true)
    }
}

impl ScaffoldOptions {
    fn request(&self, name: Option<String>, init_dir: Option<PathBuf>, init: bool) -> Request {
        let mut arches: Vec<Arch> = Vec::new();
        for arch in &self.arch {
            if !arches.contains(arch) {
                arches.push(*arch);
            }
        }
        Request {
            name,
            init_dir,
            init,
            template: self.template,
            arches,
            toolchain: self.toolchain.clone(),
        }
    }
}
