//! `function.intoto.json`: an in-toto Statement (v1) with a SLSA Provenance v1
//! predicate saying how `function.zip` was built.
//!
//! * subject: `function.zip` by SHA-256 (what is deployed, and what AWS reports
//!   as CodeSha256 in base64); with `--image`, also `image.tar` and the image
//!   itself by its manifest digest (what a registry and Lambda's ImageUri pin).
//! * buildDefinition: `externalParameters` are the settings a user chose
//!   (package, bin, target, runtime, features, build options); `internalParameters`
//!   what cargo-slim derived from them (profile, rustflags, the cargo command,
//!   linker, zip timestamp); `resolvedDependencies` the inputs by digest: the git
//!   commit of the source, Cargo.lock, the Rust toolchain (its rust-lang/rust
//!   commit) and every linked crate (purl and Cargo.lock checksum).
//! * runDetails: the builder is cargo-slim; `byproducts` are `bootstrap` and the
//!   SBOM. No times and no invocation id: the statement is byte-reproducible like
//!   everything else, which is what lets `cargo slim verify` check it.
//!
//! The statement is unsigned. Signing needs an identity, which belongs to CI
//! (e.g. GitHub's artifact attestations); see docs/supply-chain.md.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;
use serde_json::{json, Value};

use crate::model::linked_crates::LinkedCrates;
use crate::model::manifest::Manifest;
use crate::output::{OutputFile, BOOTSTRAP};

pub(crate) const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub(crate) const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// Names this kind of build; docs/supply-chain.md documents its parameters.
pub(crate) const BUILD_TYPE: &str = "https://crates.io/crates/cargo-slim#build-type-lambda-zip-v1";
const BUILDER_ID: &str = "https://crates.io/crates/cargo-slim";

#[derive(Serialize)]
struct Statement {
    #[serde(rename = "_type")]
    kind: &'static str,
    subject: Vec<Descriptor>,
    #[serde(rename = "predicateType")]
    predicate_type: &'static str,
    predicate: Predicate,
}

/// An in-toto ResourceDescriptor.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    digest: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<Value>,
}

impl Descriptor {
    fn named(name: impl Into<String>) -> Descriptor {
        Descriptor {
            name: name.into(),
            uri: None,
            digest: BTreeMap::new(),
            media_type: None,
            annotations: None,
        }
    }

    fn digest(mut self, alg: &'static str, value: &str) -> Descriptor {
        self.digest.insert(alg, value.to_string());
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Predicate {
    build_definition: BuildDefinition,
    run_details: RunDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BuildDefinition {
    build_type: &'static str,
    external_parameters: Value,
    internal_parameters: Value,
    resolved_dependencies: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunDetails {
    builder: Builder,
    byproducts: Vec<Descriptor>,
}

#[derive(Serialize)]
struct Builder {
    id: &'static str,
    version: BTreeMap<&'static str, String>,
}

/// What the statement is written from: the manifest of the build (its zip and
/// files are final), the linked crates, and the SBOM's digest.
pub(crate) struct Inputs<'a> {
    pub manifest: &'a Manifest,
    pub crates: &'a LinkedCrates,
    pub sbom_sha256: &'a str,
}

/// The statement's bytes (pretty JSON, final newline).
pub(crate) fn statement(inputs: &Inputs) -> Result<Vec<u8>> {
    let m = inputs.manifest;
    let statement = Statement {
        kind: STATEMENT_TYPE,
        subject: subject(m),
        predicate_type: PREDICATE_TYPE,
        predicate: Predicate {
            build_definition: BuildDefinition {
                build_type: BUILD_TYPE,
                external_parameters: external_parameters(m),
                internal_parameters: internal_parameters(m),
                resolved_dependencies: resolved_dependencies(m, inputs.crates),
            },
            run_details: RunDetails {
                builder: Builder {
                    id: BUILDER_ID,
                    version: BTreeMap::from([(
                        env!("CARGO_PKG_NAME"),
                        env!("CARGO_PKG_VERSION").to_string(),
                    )]),
                },
                byproducts: byproducts(m, inputs.sbom_sha256),
            },
        },
    };
    let mut out = serde_json::to_vec_pretty(&statement)?;
    out.push(b'\n');
    Ok(out)
}

/// The settings the user chose.
fn external_parameters(m: &Manifest) -> Value {
    let build = &m.build;
    json!({
        "package": m.package.name,
        "version": m.package.version,
        "bin": m.package.bin,
        "manifest": m.package.manifest,
        "target": m.target.triple,
        "runtime": m.runtime,
        "features": build.features,
        "allFeatures": build.all_features,
        "noDefaultFeatures": build.no_default_features,
        "options": build.options,
    })
}

/// What cargo-slim derived from them.
fn internal_parameters(m: &Manifest) -> Value {
    let build = &m.build;
    json!({
        "profile": build.profile,
        "rustflags": build.rustflags,
        "userRustflags": build.user_rustflags,
        "command": build.command,
        "linker": m.linker,
        "compression": build.compression,
        "timestamp": build.timestamp,
    })
}

/// The inputs by digest: source commit, Cargo.lock, toolchain, linked crates.
fn resolved_dependencies(m: &Manifest, crates: &LinkedCrates) -> Vec<Descriptor> {
    let mut resolved = Vec::new();
    if let Some(git) = &m.inputs.git {
        let mut source = Descriptor::named("source").digest("gitCommit", &git.commit);
        source.annotations = Some(json!({ "dirty": git.dirty }));
        resolved.push(source);
    }
    if let Some(lock) = &m.inputs.cargo_lock_sha256 {
        resolved.push(Descriptor::named("Cargo.lock").digest("sha256", lock));
    }
    let t = &m.toolchain;
    let mut rust = Descriptor::named("rust-toolchain");
    rust.uri = Some("git+https://github.com/rust-lang/rust".into());
    if is_git_commit(&t.commit_hash) {
        rust = rust.digest("gitCommit", &t.commit_hash);
    }
    rust.annotations = Some(json!({
        "rustc": t.rustc, "cargo": t.cargo, "llvm": t.llvm, "host": t.host,
    }));
    resolved.push(rust);
    for c in crates.crates.iter().filter(|c| !c.root) {
        let mut d = Descriptor::named(format!("{}@{}", c.name, c.version));
        d.uri = Some(c.purl());
        if let Some(sum) = &c.checksum {
            d = d.digest("sha256", sum);
        }
        resolved.push(d);
    }
    resolved
}

/// What the build also made: `bootstrap` and the SBOM.
fn byproducts(m: &Manifest, sbom_sha256: &str) -> Vec<Descriptor> {
    let mut byproducts = Vec::new();
    if let Some(b) = m.files.iter().find(|f| f.name == BOOTSTRAP) {
        byproducts.push(Descriptor::named(BOOTSTRAP).digest("sha256", &b.sha256));
    }
    let mut sbom = Descriptor::named(OutputFile::Sbom.name()).digest("sha256", sbom_sha256);
    sbom.media_type = Some("application/vnd.cyclonedx+json");
    byproducts.push(sbom);
    byproducts
}

/// What the statement is about: function.zip, and with `--image` the image.
fn subject(m: &Manifest) -> Vec<Descriptor> {
    let mut subject = vec![Descriptor::named(m.zip.name.clone()).digest("sha256", &m.zip.sha256)];
    if let Some(image) = &m.image {
        subject.push(
            Descriptor::named(image.archive.name.clone()).digest("sha256", &image.archive.sha256),
        );
        // The image's identity is its manifest's digest (`sha256:<hex>`).
        if let Some(hex) = image.manifest.digest.strip_prefix("sha256:") {
            subject.push(Descriptor::named(image.layout.clone()).digest("sha256", hex));
        }
    }
    subject
}

/// A full 40-digit hex commit hash (rustc reports `unknown` for some builds).
fn is_git_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}
