//! One `cargo build` per target, driven through cargo's JSON messages: they give
//! the artifact path and feed the progress bar. Cargo's own diagnostics reach the
//! user intact (`json-render-diagnostics` has cargo render them on stderr).

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use cargo_metadata::{Message, PackageId, TargetKind};
use indicatif::{ProgressBar, ProgressStyle};

use crate::ui::{Color, Ui};
use crate::util::error::SlimError;
use crate::util::process::{self, Program};

/// A cargo command line, ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub program: OsString,
    /// The arguments that decide what is built: the ones the manifest records.
    pub args: Vec<String>,
    /// How cargo talks to us and to the terminal (`--message-format`, `--color`,
    /// `--quiet`, `--verbose`): passed after `args`, never recorded, so that
    /// `build -q` or `--color never` cannot change the manifest of a build.
    pub output_args: Vec<String>,
    /// Environment variables to set for cargo.
    pub env: Vec<(String, String)>,
}

impl Invocation {
    /// The command as a shell would show it (for `-v`).
    pub(crate) fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::util::shell::quote(&v.replace('\x1f', " "))))
            .collect();
        parts.push(self.program.to_string_lossy().into_owned());
        parts.extend(self.all_args().map(crate::util::shell::quote));
        parts.join(" ")
    }

    /// Every argument cargo gets, in order.
    pub(crate) fn all_args(&self) -> impl Iterator<Item = &str> {
        self.args
            .iter()
            .chain(&self.output_args)
            .map(String::as_str)
    }
}

/// What to look for in cargo's messages.
pub(crate) struct Expect<'a> {
    pub package: &'a PackageId,
    pub bin: &'a str,
    /// Roughly how many compiler-artifact messages a full build emits (for the bar).
    pub units: u64,
    pub label: &'a str,
}

/// Run the build; return the path of the linked executable.
pub(crate) fn run(ui: &Ui, inv: &Invocation, expect: &Expect) -> Result<PathBuf> {
    let bar = ui
        .progress_bars()
        .then(|| progress_bar(expect, ui.color != Color::Never));
    let with_bar = bar.is_some();
    let mut child = command(ui, inv, with_bar).spawn_piped(with_bar)?;

    let forward = match (child.stderr.take(), bar.clone()) {
        (Some(stderr), Some(bar)) => Some(std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                bar.suspend(|| eprintln!("{line}"));
            }
        })),
        _ => None,
    };

    let stdout = child
        .stdout
        .take()
        .context("cargo's stdout was not captured")?;
    let executable = read_messages(stdout, bar.as_ref(), expect)?;
    let status = child.wait().context("cannot wait for cargo")?;
    if let Some(handle) = forward {
        let _ = handle.join();
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !status.success() {
        return Err(SlimError::CargoBuildFailed {
            label: expect.label.to_string(),
            status: status.to_string(),
        }
        .into());
    }
    executable.ok_or_else(|| {
        SlimError::NoExecutable {
            bin: expect.bin.to_string(),
            label: expect.label.to_string(),
        }
        .into()
    })
}

/// The cargo command (its JSON messages go to a pipe; with a bar its stderr
/// too, as cargo's stderr would tear the bar: its lines are forwarded above it).
fn command(ui: &Ui, inv: &Invocation, with_bar: bool) -> Program {
    let mut cmd = process::program(&inv.program).args(inv.all_args());
    for (k, v) in &inv.env {
        cmd = cmd.env(k, v);
    }
    if with_bar && ui.color == Color::Auto {
        // Keep cargo's colors even though it writes to a pipe.
        cmd = cmd.env("CARGO_TERM_COLOR", "always");
    }
    cmd
}

/// Read cargo's messages to the end: advance the bar, pass on what is not JSON,
/// and note the executable `expect` names.
fn read_messages(
    stdout: impl std::io::Read,
    bar: Option<&ProgressBar>,
    expect: &Expect,
) -> Result<Option<PathBuf>> {
    let mut executable = None;
    for message in Message::parse_stream(BufReader::new(stdout)) {
        let message = message.context("cannot read cargo's output")?;
        match message {
            Message::CompilerArtifact(artifact) => {
                if let Some(bar) = bar {
                    bar.inc(1);
                    // The estimate was low: grow rather than overflow.
                    if bar.position() > bar.length().unwrap_or(0) {
                        bar.set_length(bar.position());
                    }
                    bar.set_message(artifact.target.name.to_string());
                }
                if &artifact.package_id == expect.package
                    && artifact.target.name == expect.bin
                    && artifact.target.is_kind(TargetKind::Bin)
                {
                    executable = artifact.executable.map(|p| p.into_std_path_buf());
                }
            }
            Message::BuildScriptExecuted(_) => {
                if let Some(bar) = bar {
                    bar.inc(1);
                }
            }
            Message::TextLine(line) => {
                // Not JSON: a wrapper (cargo-zigbuild) talking. Pass it on.
                match bar {
                    Some(bar) => bar.suspend(|| eprintln!("{line}")),
                    None => eprintln!("{line}"),
                }
            }
            _ => {}
        }
    }
    Ok(executable)
}

/// The bar, in cargo's style: a cyan bold "Building" unless colors are off
/// (`--color never`), which indicatif would not know by itself on a terminal.
fn progress_bar(expect: &Expect, colored: bool) -> ProgressBar {
    let bar = ProgressBar::new(expect.units.max(1));
    let template = if colored {
        "{prefix:>12.cyan.bold} [{bar:27}] {pos}/{len}: {wide_msg}"
    } else {
        "{prefix:>12} [{bar:27}] {pos}/{len}: {wide_msg}"
    };
    let style = ProgressStyle::with_template(template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix("Building");
    bar.set_message(expect.label.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// How many units a full build of `root` compiles: each package reachable through
/// normal and build dependencies, plus a build-script compile and run for each
/// package that has one. An estimate (from metadata filtered for the target, so
/// dependencies of other platforms are not counted); the bar grows if it is
/// exceeded.
pub(crate) fn estimate_units(metadata: &cargo_metadata::Metadata, root: &PackageId) -> u64 {
    crate::pipeline::plan::build_graph(metadata, root)
        .iter()
        .map(|p| {
            let build_script = p.targets.iter().any(|t| t.is_kind(TargetKind::CustomBuild));
            if build_script {
                3
            } else {
                1
            }
        })
        .sum()
}
