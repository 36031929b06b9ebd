//! The steps the workflow's jobs are made of (checkout and toolchain, a `run:`
//! step, an upload, a download) and the `cargo slim` commands in them.

use std::fmt::Write as _;

use super::{Workflow, CHECKOUT, DOWNLOAD, UPLOAD, ZIG};
use crate::generate::function::Function;
use crate::generate::quote::{shell, yaml};
use crate::output::OutputFile;

/// A step uploading the zip, its checksum and manifest (and the SBOM and
/// provenance when there are) of `f` as one artifact.
pub(super) fn upload(y: &mut String, w: &Workflow, f: &Function) {
    let dir = in_repo(w, &f.ci_out_dir);
    let _ = writeln!(
        y,
        "      - name: {}",
        yaml(&format!("Upload {}", artifact(f)))
    );
    let _ = writeln!(y, "        uses: {UPLOAD}");
    let _ = writeln!(y, "        with:");
    let _ = writeln!(y, "          name: {}", yaml(&artifact(f)));
    let _ = writeln!(y, "          path: |");
    let mut files = vec![
        f.zip_name.as_str(),
        OutputFile::Checksum.name(),
        OutputFile::Manifest.name(),
    ];
    if let Some(sc) = &f.supply_chain {
        files.extend([sc.sbom.as_str(), sc.provenance.as_str()]);
    }
    for file in files {
        let _ = writeln!(y, "            {dir}/{file}");
    }
    let _ = writeln!(y, "          if-no-files-found: error");
}

/// A step downloading the first build's artifact of `f`; where it lands,
/// relative to the workspace of the runner.
pub(super) fn download(y: &mut String, f: &Function) -> String {
    let first = format!("first-build/{}", artifact(f));
    let _ = writeln!(
        y,
        "      - name: {}",
        yaml(&format!("Download the first build of {}", f.function_name))
    );
    let _ = writeln!(y, "        uses: {DOWNLOAD}");
    let _ = writeln!(y, "        with:");
    let _ = writeln!(y, "          name: {}", yaml(&artifact(f)));
    let _ = writeln!(y, "          path: {}", yaml(&first));
    first
}

/// A `run:` step: one line inline, several as a block.
pub(super) fn run_step(y: &mut String, name: &str, dir: Option<&str>, lines: &[String]) {
    let _ = writeln!(y, "      - name: {}", yaml(name));
    if let Some(dir) = dir {
        let _ = writeln!(y, "        working-directory: {}", yaml(dir));
    }
    match lines {
        [one] => {
            let _ = writeln!(y, "        run: {one}");
        }
        _ => {
            let _ = writeln!(y, "        run: |");
            for line in lines {
                let _ = writeln!(y, "          {line}");
            }
        }
    }
}

/// The steps both jobs start with: checkout, toolchain, tools, build.
pub(super) fn job_head(y: &mut String, w: &Workflow, functions: &[Function]) {
    let _ = writeln!(y, "    permissions:");
    let _ = writeln!(y, "      contents: read");
    let _ = writeln!(y, "    timeout-minutes: 60");
    let _ = writeln!(y, "    steps:");
    let _ = writeln!(y, "      - uses: {CHECKOUT}");
    let _ = writeln!(y, "        with:");
    let _ = writeln!(y, "          persist-credentials: false");
    if w.toolchain_file {
        let install = "rustup toolchain install".to_string();
        run_step(
            y,
            "Install the toolchain rust-toolchain.toml pins",
            None,
            &[install],
        );
    } else {
        // Without a toolchain file, pin the release the manifest recorded.
        let release = functions
            .first()
            .map_or("stable", |f| f.rustc_release.as_str());
        let r = shell_word(release);
        let install =
            format!("rustup toolchain install {r} --profile minimal && rustup default {r}");
        let name = format!("Install Rust {release} (the release of the recorded build)");
        run_step(y, &name, None, &[install]);
    }
    if functions.iter().any(|f| f.zig) {
        let name = "Install zig and cargo-zigbuild (the gnu targets link with zig)";
        run_step(
            y,
            name,
            None,
            &[format!("python3 -m pip install --user {ZIG}")],
        );
    }
    let name = format!("Install {}", w.install);
    run_step(y, &name, None, &[w.install.command()]);
    for (group, targets) in groups(functions) {
        let name = format!("Build {}", group.bin);
        run_step(y, &name, None, &[command("build", group, &targets)]);
    }
}

/// `cargo slim build|verify` for one binary and all its targets, locked, into
/// `target/` whatever CARGO_TARGET_DIR says (the paths below depend on it).
pub(super) fn command(what: &str, f: &Function, targets: &[&str]) -> String {
    let mut args: Vec<String> = vec![
        "cargo".into(),
        "slim".into(),
        what.into(),
        "--locked".into(),
        "--target-dir".into(),
        "target".into(),
        "-p".into(),
        f.package.clone(),
        "--bin".into(),
        f.bin.clone(),
        "--target".into(),
        targets.join(","),
    ];
    if what == "build" {
        args.extend(f.build.args());
    }
    args.iter()
        .map(|a| shell_word(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Functions grouped by binary: one build command builds all of its targets.
pub(super) fn groups(functions: &[Function]) -> Vec<(&Function, Vec<&str>)> {
    let mut out: Vec<(&Function, Vec<&str>)> = Vec::new();
    for f in functions {
        match out
            .iter_mut()
            .find(|(g, _)| g.package == f.package && g.bin == f.bin)
        {
            Some((_, targets)) => targets.push(&f.target.triple),
            None => out.push((f, vec![&f.target.triple])),
        }
    }
    out
}

pub(super) fn artifact(f: &Function) -> String {
    format!("{}-{}", f.bin, f.target.triple)
}

pub(super) fn in_repo(w: &Workflow, dir: &str) -> String {
    if w.workspace_dir == "." {
        dir.to_string()
    } else {
        format!("{}/{dir}", w.workspace_dir)
    }
}

/// A checked word needs no quotes; anything else gets them.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | ',' | '+' | '=')
        })
    {
        s.to_string()
    } else {
        shell(s)
    }
}
