//! The embedded dependency list, the SBOM and the provenance, read by the tools
//! that consume them: `rust-audit-info` and `cargo audit bin` (cargo-auditable's
//! format), cyclonedx-python-lib's JSON schema validator (CycloneDX 1.5), and
//! `sha256sum` for the provenance subject. `.ci/setup` installs all of them,
//! pinned.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{build, fixture, output_ok, require_tool, run, slim, Built};
use serde_json::Value;

const TRIPLE: &str = "x86_64-unknown-linux-musl";

/// The lambda fixture as tests/suite/build.rs and tests/suite/size.rs build it (compiled
/// once for the whole suite).
fn lambda() -> Built {
    build(
        "hello-lambda",
        "hello-lambda",
        TRIPLE,
        &["-q", "--opt-level", "s"],
    )
}

fn json_file(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{} is JSON: {e}", path.display()))
}

fn sbom_path(built: &Built) -> PathBuf {
    built.dir.join("function.cdx.json")
}

fn provenance_path(built: &Built) -> PathBuf {
    built.dir.join("function.intoto.json")
}

/// `name@version` of every package in `rust-audit-info`'s output for `exe`.
fn embedded_crates(exe: &Path) -> BTreeSet<String> {
    let out = output_ok(Command::new(require_tool("rust-audit-info")).arg(exe));
    let info: Value = serde_json::from_slice(&out.stdout).expect("rust-audit-info prints JSON");
    info["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect()
}

/// What cargo itself says is linked for the target: `cargo tree` along normal
/// edges without proc-macros, for the target triple.
fn cargo_tree_crates(fixture_name: &str) -> BTreeSet<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = output_ok(
        Command::new(cargo)
            .arg("tree")
            .arg("--manifest-path")
            .arg(fixture(fixture_name).join("Cargo.toml"))
            .args(["--locked", "--target", TRIPLE, "-e", "normal,no-proc-macro"])
            .args(["--prefix", "none", "--format", "{p}"]),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.trim_start_matches('v');
            Some(format!("{name}@{version}"))
        })
        .collect()
}

/// `rust-audit-info` and `cargo audit bin` read the list our strip step put in
/// the shipped bootstrap: exactly the crates cargo links for the target, the
/// function's own crate as root, no proc-macros or build-only crates.
#[test]
fn dependency_list_in_bootstrap_is_read_by_rust_audit_info_and_cargo_audit() {
    let built = lambda();
    let embedded = embedded_crates(&built.bootstrap);
    assert_eq!(embedded, cargo_tree_crates("hello-lambda"));
    for name in ["hello-lambda@", "lambda_runtime@", "tokio@", "serde_json@"] {
        assert!(
            embedded.iter().any(|c| c.starts_with(name)),
            "{name} missing from {embedded:?}"
        );
    }
    for proc_macro in ["serde_derive@", "tokio-macros@"] {
        assert!(
            !embedded.iter().any(|c| c.starts_with(proc_macro)),
            "{proc_macro} is not linked but is listed"
        );
    }

    // cargo audit bin, offline, against the one-advisory database in tests/data:
    // it reads the embedded list (its JSON report counts all of its crates; the
    // fallback that guesses from panic messages finds only a few), and nothing
    // in the lambda fixture is vulnerable.
    let audit = run(&mut audit_bin(&built.bootstrap, true)).success();
    let report = audit.json();
    assert_eq!(
        report["lockfile"]["dependency-count"].as_u64(),
        Some(embedded.len() as u64),
        "{audit}"
    );
    assert_eq!(report["vulnerabilities"]["found"], false, "{audit}");

    // The cost is recorded and matches the section's size plus its ELF header.
    let m = json_file(&built.manifest);
    let audit = &m["supply_chain"]["audit_data"];
    assert_eq!(audit["section"], ".dep-v0");
    let size = audit["size"].as_u64().unwrap();
    let cost = audit["bootstrap_bytes"].as_u64().unwrap();
    assert!(cost >= size + 64 && cost < size + 200, "{audit}");
    assert_eq!(m["supply_chain"]["crates"], embedded.len());
}

/// `cargo audit bin EXE`, offline: the one-advisory database in tests/data, no
/// fetch, no yanked-crate look-up.
fn audit_bin(exe: &Path, json: bool) -> Command {
    let mut cmd = Command::new(require_tool("cargo-audit"));
    cmd.args([
        "audit",
        "--no-fetch",
        "--no-yanked",
        "--color",
        "never",
        "--db",
    ])
    .arg(common::repo().join("tests/data/advisory-db"));
    if json {
        cmd.arg("--json");
    }
    cmd.arg("bin").arg(exe);
    cmd
}

/// cargo audit says where its list came from: the embedded data, not the
/// fallback that guesses crates from panic messages.
fn assert_read_embedded_data(stderr: &str, crates: usize) {
    assert!(
        stderr.contains("Found 'cargo auditable' data")
            && stderr.contains(&format!("({crates} dependencies)")),
        "cargo audit did not read the embedded list:\n{stderr}"
    );
}

/// A bootstrap linking smallvec 1.6.0 is flagged by `cargo audit bin` with the
/// advisory for it (RUSTSEC-2021-0003, from the offline database in
/// tests/data), found through the embedded list.
#[test]
fn cargo_audit_bin_reports_a_vulnerable_crate_in_bootstrap() {
    let built = build("vulnerable", "vulnerable", TRIPLE, &["-q"]);
    // A vulnerability makes cargo audit fail.
    let audit = run(&mut audit_bin(&built.bootstrap, false))
        .failure(1)
        .stdout_has("RUSTSEC-2021-0003")
        .stdout_has("smallvec");
    assert_read_embedded_data(&audit.stderr, 2);
}

/// The python interpreter of the venv `.ci/setup` installs cyclonedx-python-lib
/// into.
fn validator_python() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("HOME or XDG_CACHE_HOME");
    let python = cache.join("cargo-slim-ci/venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run `.ci/setup` (it installs cyclonedx-python-lib)",
        python.display()
    );
    python
}

/// Schema errors of a CycloneDX 1.5 JSON document, by cyclonedx-python-lib.
fn cyclonedx_errors(text: &str) -> String {
    let script = r#"
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(sys.stdin.read())
print(error or "", end="")
"#;
    let mut child = Command::new(validator_python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the validator");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the validator itself failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// function.cdx.json is valid CycloneDX 1.5, lists exactly the embedded crates
/// (with purl, Cargo.lock checksum and dependency edges), and the files with
/// their hashes.
#[test]
fn sbom_is_valid_cyclonedx_listing_exactly_the_embedded_crates() {
    let built = lambda();
    let text = fs::read_to_string(sbom_path(&built)).unwrap();
    assert_eq!(cyclonedx_errors(&text), "", "schema errors");
    // The validator is not a rubber stamp: a broken serial number is refused.
    let mut broken: Value = serde_json::from_str(&text).unwrap();
    broken["serialNumber"] = "urn:uuid:not-a-uuid".into();
    assert_ne!(cyclonedx_errors(&broken.to_string()), "");

    let sbom: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sbom["specVersion"], "1.5");
    assert_eq!(sbom["metadata"]["timestamp"], "1980-01-01T00:00:00Z");
    let root = &sbom["metadata"]["component"];
    assert_eq!(root["name"], "hello-lambda");
    let components = sbom["components"].as_array().unwrap();
    let mut listed: BTreeSet<String> = components
        .iter()
        .filter(|c| c["type"] == "library")
        .map(|c| {
            format!(
                "{}@{}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            )
        })
        .collect();
    listed.insert(format!(
        "{}@{}",
        root["name"].as_str().unwrap(),
        root["version"].as_str().unwrap()
    ));
    assert_eq!(listed, embedded_crates(&built.bootstrap));

    let tokio = components
        .iter()
        .find(|c| c["name"] == "tokio")
        .expect("tokio listed");
    let version = tokio["version"].as_str().unwrap();
    assert_eq!(tokio["purl"], format!("pkg:cargo/tokio@{version}"));
    assert_eq!(tokio["licenses"][0]["expression"], "MIT");
    let lock = fs::read_to_string(fixture("hello-lambda").join("Cargo.lock")).unwrap();
    let checksum = tokio["hashes"][0]["content"].as_str().unwrap();
    assert!(
        lock.contains(&format!("checksum = \"{checksum}\"")),
        "tokio's hash is its Cargo.lock checksum"
    );
    let edges = sbom["dependencies"].as_array().unwrap();
    let root_deps = edges
        .iter()
        .find(|d| d["ref"] == root["bom-ref"])
        .expect("the root's edges");
    assert!(root_deps["dependsOn"]
        .as_array()
        .unwrap()
        .contains(&tokio["bom-ref"]));

    for (name, path) in [
        ("bootstrap", &built.bootstrap),
        ("function.zip", &built.zip),
    ] {
        let file = components
            .iter()
            .find(|c| c["type"] == "file" && c["name"] == name)
            .unwrap_or_else(|| panic!("{name} listed"));
        assert_eq!(file["hashes"][0]["content"], sha256sum(path), "{name}");
    }
}

fn sha256sum(path: &Path) -> String {
    let out = output_ok(Command::new("sha256sum").arg(path));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// function.intoto.json is an in-toto v1 statement about function.zip (by the
/// digest `sha256sum` computes) with a SLSA v1 provenance predicate naming the
/// recorded inputs.
#[test]
fn provenance_subject_is_the_zip_by_sha256() {
    let built = lambda();
    let statement = json_file(&provenance_path(&built));
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    let subject = statement["subject"].as_array().unwrap();
    assert_eq!(subject.len(), 1);
    assert_eq!(subject[0]["name"], "function.zip");
    assert_eq!(subject[0]["digest"]["sha256"], sha256sum(&built.zip));

    let m = json_file(&built.manifest);
    let build_def = &statement["predicate"]["buildDefinition"];
    assert_eq!(build_def["externalParameters"]["target"], TRIPLE);
    assert_eq!(build_def["externalParameters"]["options"]["opt_level"], "s");
    let resolved = build_def["resolvedDependencies"].as_array().unwrap();
    let lock = resolved
        .iter()
        .find(|d| d["name"] == "Cargo.lock")
        .expect("Cargo.lock");
    assert_eq!(lock["digest"]["sha256"], m["inputs"]["cargo_lock_sha256"]);
    let rust = resolved
        .iter()
        .find(|d| d["name"] == "rust-toolchain")
        .expect("toolchain");
    assert_eq!(rust["digest"]["gitCommit"], m["toolchain"]["commit_hash"]);
    let byproducts = statement["predicate"]["runDetails"]["byproducts"]
        .as_array()
        .unwrap();
    let sbom = byproducts
        .iter()
        .find(|b| b["name"] == "function.cdx.json")
        .expect("the SBOM");
    assert_eq!(sbom["digest"]["sha256"], sha256sum(&sbom_path(&built)));
    assert_eq!(
        m["supply_chain"]["provenance"]["sha256"],
        sha256sum(&provenance_path(&built))
    );
}

/// `--no-audit-data` leaves bootstrap without the section (the SBOM says so),
/// and `verify --artifact-only` notices an edited SBOM or provenance.
#[test]
fn no_audit_data_and_verify_checks_the_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = |extra: &[&str]| -> Value {
        let out = output_ok(
            slim()
                .args([
                    "build",
                    "-q",
                    "--message-format",
                    "json",
                    "--target",
                    TRIPLE,
                ])
                .arg("--manifest-path")
                .arg(fixture("hello").join("Cargo.toml"))
                .arg("--target-dir")
                .arg(tmp.path())
                .args(extra),
        );
        serde_json::from_slice(&out.stdout).expect("JSON summary")
    };
    // The summary's cost of the list is what leaving it out saves.
    let with = summary(&[]);
    let without = summary(&["--no-audit-data"]);
    let (with, without) = (&with["targets"][0], &without["targets"][0]);
    let cost = with["audit_data_bytes"].as_u64().expect("cost reported");
    assert_eq!(
        with["bootstrap_bytes"].as_u64().unwrap() - without["bootstrap_bytes"].as_u64().unwrap(),
        cost
    );
    assert_eq!(without["audit_data_bytes"], Value::Null);
    assert!(without["sbom"]
        .as_str()
        .unwrap()
        .ends_with("function.cdx.json"));

    let built = Built::at(tmp.path(), "hello", TRIPLE);
    let data = fs::read(&built.bootstrap).unwrap();
    assert!(
        !data.windows(8).any(|w| w == b".dep-v0\0"),
        "no .dep-v0 section name in bootstrap"
    );
    let m = json_file(&built.manifest);
    assert_eq!(m["build"]["options"]["audit_data"], false);
    assert_eq!(m["supply_chain"]["audit_data"], Value::Null);
    let sbom = json_file(&sbom_path(&built));
    let props = sbom["metadata"]["properties"].as_array().unwrap();
    assert!(props
        .iter()
        .any(|p| p["name"] == "cargo-slim:embedded-dependency-list" && p["value"] == "none"));

    let verify = || {
        let mut cmd = slim();
        cmd.args([
            "verify",
            "--artifact-only",
            "--target",
            TRIPLE,
            "--manifest-path",
        ])
        .arg(fixture("hello").join("Cargo.toml"))
        .arg("--target-dir")
        .arg(tmp.path());
        run(&mut cmd)
    };
    verify().success();
    for path in [sbom_path(&built), provenance_path(&built)] {
        let original = fs::read(&path).unwrap();
        fs::write(&path, b"{}\n").unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        verify().failure(1).stderr_has(&name);
        fs::write(&path, original).unwrap();
    }
}
