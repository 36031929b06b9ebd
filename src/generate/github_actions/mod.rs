//! `.github/workflows/cargo-slim.yml`: build with the pinned toolchain and the
//! locked dependencies, check the checksum, prove the bytes by a from-scratch
//! rebuild (`cargo slim verify`), upload the artifacts, and rebuild on a second
//! runner image comparing `CodeSha256` with the first: reproducible across
//! machines, not only on one.
//!
//! When the builds wrote an SBOM and provenance, a third job attests them with
//! GitHub's attestation actions on pushes (not pull requests), after both
//! runners agreed on the bytes.
//!
//! Least privilege: the workflow grants nothing, each building job `contents:
//! read`, the attesting job only `id-token` and `attestations`;
//! actions are pinned by commit; the checkout keeps no credentials; no `run:`
//! line interpolates an expression, and every value from the manifest in one
//! was checked against a grammar ([`super::name`]).

use std::fmt::Write as _;

mod steps;

use super::function::Function;
use super::quote::yaml;
use steps::{command, download, groups, in_repo, job_head, run_step, upload};

pub(crate) const PATH: &str = ".github/workflows/cargo-slim.yml";

/// Actions by commit, with the release each commit is.
const CHECKOUT: &str = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
const UPLOAD: &str = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0";
const DOWNLOAD: &str =
    "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1";
const ATTEST_PROVENANCE: &str =
    "actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32 # v4.1.0";
const ATTEST_SBOM: &str = "actions/attest-sbom@c604332985a26aa8cf1bdc465b92731239ec6b9e # v4.1.0";
/// The zig and cargo-zigbuild cargo-slim is tested with (.ci/setup).
const ZIG: &str = "ziglang==0.17.1 cargo-zigbuild==0.24.0";

/// What the workflow needs besides the functions.
#[derive(Debug, Clone)]
pub(crate) struct Workflow {
    /// The workspace root relative to the repository root (`.` when the same).
    pub workspace_dir: String,
    /// The workspace has a rust-toolchain.toml (else the manifest's release is pinned).
    pub toolchain_file: bool,
    /// The cargo-slim version writing the file (for its header).
    pub version: String,
    /// Where the jobs install cargo-slim from.
    pub install: super::Install,
}

/// The workflow file: its header, then the build, reproduce and (when the
/// builds write an SBOM and provenance) attest jobs.
pub(crate) fn render(w: &Workflow, functions: &[Function]) -> String {
    let mut y = String::new();
    header(&mut y, w);
    let _ = writeln!(y, "\njobs:");
    build_job(&mut y, w, functions);
    reproduce_job(&mut y, w, functions);
    if functions.iter().all(|f| f.supply_chain.is_some()) {
        attest(&mut y, functions);
    }
    y
}

/// Triggers, no default permissions, one run per ref, and where `run:` steps
/// run.
fn header(y: &mut String, w: &Workflow) {
    y.push_str(
        "name: cargo-slim\n\
         \n\
         on:\n\
        \x20 push:\n\
        \x20   branches: [main]\n\
        \x20 pull_request:\n\
        \x20 workflow_dispatch:\n\
         \n\
         permissions: {}\n\
         \n\
         concurrency:\n\
        \x20 group: ${{ github.workflow }}-${{ github.ref }}\n\
        \x20 cancel-in-progress: true\n\
         \n\
         env:\n\
        \x20 CARGO_TERM_COLOR: always\n",
    );
    if w.workspace_dir != "." {
        let _ = writeln!(
            y,
            "\ndefaults:\n  run:\n    working-directory: {}",
            yaml(&w.workspace_dir)
        );
    }
}

/// Build, check each checksum, report sizes, verify by a from-scratch rebuild,
/// upload.
fn build_job(y: &mut String, w: &Workflow, functions: &[Function]) {
    let _ = writeln!(y, "  build:");
    let _ = writeln!(y, "    name: Build, check, verify");
    let _ = writeln!(y, "    runs-on: ubuntu-24.04");
    job_head(y, w, functions);
    for f in functions {
        let name = format!("function.zip matches its checksum ({})", f.function_name);
        run_step(
            y,
            &name,
            Some(&in_repo(w, &f.ci_out_dir)),
            &["sha256sum -c function.zip.sha256".into()],
        );
        // Where the bytes went, as a markdown table in the run's summary: read
        // by people reviewing the change, with no write permission needed.
        run_step(
            y,
            &format!("Size report ({})", f.function_name),
            Some(&in_repo(w, &f.ci_out_dir)),
            &["cargo slim size bootstrap.full --crates --message-format markdown >> \"$GITHUB_STEP_SUMMARY\"".into()],
        );
    }
    for (group, targets) in groups(functions) {
        let name = format!(
            "A from-scratch rebuild gives the same bytes ({})",
            group.bin
        );
        run_step(y, &name, None, &[command("verify", group, &targets)]);
    }
    for f in functions {
        upload(y, w, f);
    }
}

/// The same build on another runner image: its CodeSha256 must be the first
/// build's.
fn reproduce_job(y: &mut String, w: &Workflow, functions: &[Function]) {
    let _ = writeln!(y);
    let _ = writeln!(y, "  reproduce:");
    let _ = writeln!(
        y,
        "    name: Rebuild on another runner image, compare CodeSha256"
    );
    let _ = writeln!(y, "    needs: build");
    let _ = writeln!(y, "    runs-on: ubuntu-22.04");
    job_head(y, w, functions);
    for f in functions {
        let first = download(y, f);
        let name = format!("Same CodeSha256 as the first build ({})", f.function_name);
        let script = [
            format!("first=\"$GITHUB_WORKSPACE/{first}\""),
            "expected=$(jq -r .zip.code_sha256 \"$first/slim-manifest.json\")".into(),
            "actual=$(jq -r .zip.code_sha256 slim-manifest.json)".into(),
            "echo \"CodeSha256: first runner $expected, this runner $actual\"".into(),
            "test \"$expected\" = \"$actual\"".into(),
            "sha256sum -c \"$first/function.zip.sha256\"".into(),
        ];
        run_step(y, &name, Some(&in_repo(w, &f.ci_out_dir)), &script);
    }
}

/// The job that signs: GitHub's provenance and the SBOM, attested for the zip
/// that reproduced on both runners, on pushes only (a pull request from a fork
/// gets no id-token, and should not sign). The only job with write permissions,
/// and it runs no code of the repository.
fn attest(y: &mut String, functions: &[Function]) {
    let _ = writeln!(y);
    let _ = writeln!(y, "  attest:");
    let _ = writeln!(y, "    name: Attest provenance and SBOM");
    let _ = writeln!(y, "    needs: [build, reproduce]");
    let _ = writeln!(y, "    if: github.event_name == 'push'");
    let _ = writeln!(y, "    runs-on: ubuntu-24.04");
    let _ = writeln!(y, "    permissions:");
    let _ = writeln!(
        y,
        "      id-token: write # the OIDC identity Sigstore signs with"
    );
    let _ = writeln!(
        y,
        "      attestations: write # to store the signed attestations"
    );
    let _ = writeln!(y, "    timeout-minutes: 10");
    let _ = writeln!(y, "    steps:");
    for f in functions {
        let Some(sc) = &f.supply_chain else { continue };
        let first = download(y, f);
        let zip = format!("{first}/{}", f.zip_name);
        let _ = writeln!(
            y,
            "      - name: {}",
            yaml(&format!(
                "Attest the build provenance of {}",
                f.function_name
            ))
        );
        let _ = writeln!(y, "        uses: {ATTEST_PROVENANCE}");
        let _ = writeln!(y, "        with:");
        let _ = writeln!(y, "          subject-path: {}", yaml(&zip));
        let _ = writeln!(
            y,
            "      - name: {}",
            yaml(&format!("Attest the SBOM of {}", f.function_name))
        );
        let _ = writeln!(y, "        uses: {ATTEST_SBOM}");
        let _ = writeln!(y, "        with:");
        let _ = writeln!(y, "          subject-path: {}", yaml(&zip));
        let _ = writeln!(
            y,
            "          sbom-path: {}",
            yaml(&format!("{first}/{}", sc.sbom))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::deploy::Deploy;
    use crate::generate::function::BuildFlags;
    use crate::model::target::{Arch, Libc, Runtime, Target};

    fn function(arch: Arch) -> Function {
        let target = Target::new(arch, Libc::Musl);
        let suffix = if arch == Arch::Arm64 {
            "arm64"
        } else {
            "x86-64"
        };
        Function {
            package: "orders".into(),
            bin: "orders".into(),
            runtime: Runtime::default(),
            logical_id: String::new(),
            tf_id: String::new(),
            function_name: format!("orders-{suffix}"),
            out_dir: format!("target/cargo-slim/orders/{}", target.triple),
            ci_out_dir: format!("target/cargo-slim/orders/{}", target.triple),
            zip_name: "function.zip".into(),
            code_sha256: "RPg1VvX7WXZD6vJ2XUuqA9V0sUOUrPffxrtsWuLPxUA=".into(),
            build: BuildFlags {
                features: vec!["json".into()],
                ..BuildFlags::default()
            },
            zig: false,
            rustc_release: "1.95.0".into(),
            supply_chain: None,
            deploy: Deploy::default(),
            target,
        }
    }

    #[test]
    fn a_workspace_below_the_repository_root_and_two_targets_of_one_binary() {
        let w = Workflow {
            workspace_dir: "services/orders".into(),
            toolchain_file: false,
            version: "0.1.0".into(),
            install: crate::generate::Install::this_version(),
        };
        let text = render(&w, &[function(Arch::Arm64), function(Arch::X86_64)]);
        assert!(text.contains("defaults:\n  run:\n    working-directory: \"services/orders\"\n"));
        // One build per binary, both targets in it, the recorded features kept.
        let build = "run: cargo slim build --locked --target-dir target -p orders --bin orders \
                     --target aarch64-unknown-linux-musl,x86_64-unknown-linux-musl --features json";
        assert_eq!(text.matches(build).count(), 2, "{text}");
        // Paths that are not run: steps (working-directory, upload) are repo-relative.
        assert!(text.contains(
            "working-directory: \"services/orders/target/cargo-slim/orders/x86_64-unknown-linux-musl\""
        ));
        assert!(text.contains(
            "            services/orders/target/cargo-slim/orders/aarch64-unknown-linux-musl/function.zip\n"
        ));
        // No toolchain file: the recorded release is pinned.
        assert!(text.contains(
            "run: rustup toolchain install 1.95.0 --profile minimal && rustup default 1.95.0"
        ));
        // No SBOM recorded: no attest job, and nothing asks for write access.
        assert!(!text.contains("attest"));
        assert!(!text.contains(": write"));
    }
}
