//! Size that CI can hold: budgets (exit 0/1, the message, the JSON field), the
//! size.json every build writes and a diff against it alone, the markdown
//! comment (its rows add up), `--why` against `cargo tree`, and the heavy-crate
//! hints.
//!
//! The lambda_runtime and `hello` builds are the ones tests/suite/size.rs and the build
//! tests make (same fixture, target and arguments, in the shared target
//! directory), so CI compiles them once. One copy of `hello` (no dependencies,
//! seconds to build) carries a `[package.metadata.slim] budget`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const TRIPLE: &str = "x86_64-unknown-linux-musl";
/// As in tests/suite/size.rs: the lambda fixture at opt-level s, built once for both.
const LAMBDA_ARGS: &[&str] = &["-q", "--opt-level", "s"];

fn lambda() -> &'static common::Built {
    static BUILT: OnceLock<common::Built> = OnceLock::new();
    BUILT.get_or_init(|| common::build("hello-lambda", "hello-lambda", TRIPLE, LAMBDA_ARGS))
}

fn hello() -> &'static common::Built {
    static BUILT: OnceLock<common::Built> = OnceLock::new();
    BUILT.get_or_init(|| common::build("hello", "hello", TRIPLE, &["-q"]))
}

/// `cargo slim build` of the lambda fixture with extra arguments, JSON on stdout.
fn build_lambda(extra: &[&str]) -> common::Outcome {
    let mut args = LAMBDA_ARGS.to_vec();
    args.extend(["--message-format", "json"]);
    args.extend(extra);
    on_lambda("build", &args)
}

/// `cargo slim COMMAND` on the lambda fixture, in the shared target directory.
fn on_lambda(command: &str, extra: &[&str]) -> common::Outcome {
    common::run(
        common::slim()
            .arg(command)
            .arg("--manifest-path")
            .arg(common::fixture("hello-lambda").join("Cargo.toml"))
            .args(["--target", TRIPLE, "--target-dir"])
            .arg(common::shared_target_dir())
            .args(extra),
    )
}

#[test]
fn build_budget_passes_and_fails_with_figure_budget_and_growth() {
    let built = lambda();
    let zip_bytes = std::fs::metadata(&built.zip).unwrap().len();
    let bootstrap_bytes = std::fs::metadata(&built.bootstrap).unwrap().len();

    let doc = build_lambda(&["--budget", "zip=10MiB,bootstrap=10MiB"])
        .success()
        .json();
    let budget = &doc["targets"][0]["budget"];
    assert_eq!(budget["status"], "ok", "{budget:#}");
    let checks = budget["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    for c in checks {
        let expected = if c["kind"] == "zip" {
            zip_bytes
        } else {
            bootstrap_bytes
        };
        assert_eq!(c["bytes"], expected);
        assert_eq!(c["limit"], 10 << 20);
        assert_eq!(c["over"], false);
    }

    let figure = format!(
        "bootstrap is {} bytes",
        cargo_slim::format_bytes(bootstrap_bytes)
    );
    let out = build_lambda(&["--budget", "x86_64:bootstrap=100KiB"])
        .failure(1)
        .stderr_has("error: over budget")
        .stderr_has(&figure)
        .stderr_has("budget of 100KiB (--budget)")
        .stderr_has("no crate grew since the previous build")
        .stderr_has("help: ");
    let doc = out.json();
    let budget = &doc["targets"][0]["budget"];
    assert_eq!(budget["status"], "over");
    assert_eq!(budget["checks"][0]["limit"], 102_400);
    assert_eq!(
        budget["checks"][0]["over_by"].as_i64().unwrap(),
        bootstrap_bytes as i64 - 102_400
    );
    // The previous build (the same code) is the baseline: nothing grew.
    assert_eq!(budget["baseline"], "the previous build");
    assert_eq!(budget["grew"], Value::Array(vec![]));

    // A bad budget is an input error.
    build_lambda(&["--budget", "zip=12 parsecs"])
        .failure(2)
        .stderr_has("invalid --budget");
}

/// `hello` with a budget in its Cargo.toml, in a directory and target directory
/// of its own.
fn hello_with_metadata_budget() -> &'static (PathBuf, PathBuf) {
    static DIR: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = common::shared_target_dir().join("budget-metadata");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let dir = common::copy_fixture("hello", &root);
        let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let toml = toml.replace(
            "[workspace]",
            "[package.metadata.slim]\n\
             budget = { bootstrap = \"1 KiB\", x86_64 = { zip = \"10 MiB\" } }\n\n[workspace]",
        );
        std::fs::write(dir.join("Cargo.toml"), toml).unwrap();
        (dir, root.join("target"))
    })
}

#[test]
fn metadata_budget_and_the_command_line_winning() {
    let (dir, target_dir) = hello_with_metadata_budget();
    let manifest = dir.join("Cargo.toml");
    let run = |cmd: &str, extra: &[&str]| {
        common::run(
            common::slim()
                .arg(cmd)
                .arg("--manifest-path")
                .arg(&manifest)
                .args(["--target", TRIPLE, "--target-dir"])
                .arg(target_dir)
                .args(["-q", "--message-format", "json"])
                .args(extra),
        )
    };
    let out = run("build", &[])
        .failure(1)
        .stderr_has("budget of 1 KiB (package.metadata.slim)");
    let budget = &out.json()["targets"][0]["budget"];
    let checks = budget["checks"].as_array().unwrap();
    let by_kind = |k: &str| checks.iter().find(|c| c["kind"] == k).unwrap();
    assert_eq!(by_kind("bootstrap")["source"], "package.metadata.slim");
    assert_eq!(by_kind("bootstrap")["limit"], 1024);
    assert_eq!(by_kind("bootstrap")["over"], true);
    assert_eq!(
        by_kind("zip")["limit"],
        10 << 20,
        "the x86_64 table applies"
    );
    assert_eq!(by_kind("zip")["over"], false);

    // `size` of the last build reads the same budget; --budget wins over it.
    run("size", &[]).failure(1);
    let budget = &run("size", &["--budget", "bootstrap=10MiB"])
        .success()
        .json()["budget"];
    assert_eq!(budget["status"], "ok", "{budget:#}");
    assert!(budget["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "bootstrap" && c["source"] == "--budget"));
}

#[test]
fn size_budget_on_a_zip_and_lambda_limits_stay_quiet_when_met() {
    let built = lambda();
    let zip_bytes = std::fs::metadata(&built.zip).unwrap().len();
    let run = |budget: &str| {
        common::run(common::slim().arg("size").arg(&built.zip).args([
            "--message-format",
            "json",
            "--budget",
            budget,
        ]))
    };
    let doc = run("zip=1KB")
        .failure(1)
        .stderr_has("function.zip is")
        .json();
    assert_eq!(doc["budget"]["checks"][0]["kind"], "zip");
    assert_eq!(doc["budget"]["checks"][0]["bytes"], zip_bytes);
    assert_eq!(run("zip=1MB").success().json()["budget"]["status"], "ok");
    let doc = common::run(
        common::slim()
            .arg("size")
            .arg(&built.zip)
            .args(["--message-format", "json"]),
    )
    .success()
    .json();
    assert!(doc["budget"].is_null(), "no budget, within Lambda's limits");
}

#[test]
fn every_build_writes_a_size_json_the_manifest_records() {
    let built = lambda();
    let path = built.dir.join("size.json");
    let text = std::fs::read(&path).unwrap();
    let report: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(report["kind"], "size-report");
    assert_eq!(report["target"], TRIPLE);
    assert_eq!(
        report["file_bytes"],
        std::fs::metadata(&built.full).unwrap().len()
    );
    assert_eq!(
        report["zip_bytes"],
        std::fs::metadata(&built.zip).unwrap().len()
    );
    let crates = &report["crates"];
    let sum: u64 = crates["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, crates["covered_bytes"].as_u64().unwrap());
    let manifest: Value = serde_json::from_slice(&std::fs::read(&built.manifest).unwrap()).unwrap();
    let sha = common::output_ok(Command::new("sha256sum").arg(&path)).stdout;
    let sha = String::from_utf8_lossy(&sha);
    assert_eq!(manifest["size_report"]["name"], "size.json");
    assert_eq!(manifest["size_report"]["size"], text.len() as u64);
    assert_eq!(
        manifest["size_report"]["sha256"],
        sha.split_whitespace().next().unwrap()
    );
}

/// `hello`'s size.json alone in a directory: no ELF of the base anywhere near.
fn base_report(dir: &Path) -> PathBuf {
    let base = dir.join("base");
    std::fs::create_dir_all(&base).unwrap();
    let path = base.join("size.json");
    std::fs::copy(hello().dir.join("size.json"), &path).unwrap();
    path
}

#[test]
fn diff_against_a_size_json_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let base = base_report(tmp.path());
    for old in [base.clone(), base.parent().unwrap().to_path_buf()] {
        let doc = common::run(
            common::slim()
                .arg("size")
                .arg(&lambda().full)
                .arg("--diff")
                .arg(&old)
                .args(["--message-format", "json"]),
        )
        .success()
        .json();
        assert_eq!(doc["kind"], "diff");
        assert_eq!(
            doc["old"]["file_bytes"],
            std::fs::metadata(&hello().full).unwrap().len()
        );
        assert_eq!(doc["sections"]["old_total"], doc["old"]["file_bytes"]);
        assert_eq!(doc["sections"]["new_total"], doc["new"]["file_bytes"]);
        let rows = doc["crates"]["rows"].as_array().unwrap();
        let serde_json_row = rows.iter().find(|r| r["name"] == "serde_json").unwrap();
        assert_eq!(serde_json_row["old_bytes"], 0);
        assert!(serde_json_row["delta"].as_i64().unwrap() > 0);
        assert!(doc["symbols"].is_null());
        let notes = doc["notes"].as_array().unwrap();
        assert!(
            notes.iter().any(|n| n
                .as_str()
                .unwrap()
                .contains("holds sections and crates, not symbols")),
            "{notes:?}"
        );
    }

    // A report that does not add up is refused, with exit 2.
    let mut lie: Value = serde_json::from_slice(&std::fs::read(&base).unwrap()).unwrap();
    lie["crates"]["rows"][0]["bytes"] = Value::from(1u64);
    let bad = tmp.path().join("lie.json");
    std::fs::write(&bad, serde_json::to_vec(&lie).unwrap()).unwrap();
    common::run(
        common::slim()
            .arg("size")
            .arg(&lambda().full)
            .arg("--diff")
            .arg(&bad),
    )
    .failure(2)
    .stderr_has("do not add up");
}

/// A size.json from elsewhere is checked like the other names and figures: a
/// `target` with a terminal escape and a CR (it was printed raw), and a
/// `file_bytes` near 2^64 whose rows still add up (`--diff` wrapped, showing a
/// shrink of 1.8e19 bytes as growth) are refused, exit 2.
#[test]
fn a_size_json_with_a_hostile_target_or_an_impossible_size_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let base = base_report(tmp.path());
    let good: Value = serde_json::from_slice(&std::fs::read(&base).unwrap()).unwrap();
    let mut escape = good.clone();
    escape["target"] = Value::from("x86_64-unknown-linux-musl\u{1b}[2J\r");
    let mut huge = good.clone();
    let lie = u64::MAX - 10_000_000 - good["file_bytes"].as_u64().unwrap();
    huge["file_bytes"] = Value::from(good["file_bytes"].as_u64().unwrap() + lie);
    huge["sections"]["padding"] = Value::from(good["sections"]["padding"].as_u64().unwrap() + lie);
    for (name, doc, says) in [
        ("escape.json", escape, "its target"),
        ("huge.json", huge, "more than any file can hold"),
    ] {
        let path = tmp.path().join(name);
        std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
        for extra in [&["--diff"][..], &["--budget", "zip=1MiB", "--diff"][..]] {
            common::run(
                common::slim()
                    .arg("size")
                    .arg(&lambda().full)
                    .args(extra)
                    .arg(&path),
            )
            .failure(2)
            .stderr_has(says)
            .stderr_lacks("\u{1b}")
            .stdout_is("");
        }
    }
}

/// Budgets are checked as they are read: larger than a file can be (the
/// difference used to saturate), or one limit given twice (the first was kept
/// silently): exit 2.
#[test]
fn a_budget_past_any_file_or_given_twice_is_refused() {
    for (budget, says) in [
        ("zip=18446744073709551615", "more than any file can hold"),
        (
            "zip=1KiB,zip=2KiB",
            "the zip budget is given twice (1KiB and 2KiB)",
        ),
        (
            "arm64:bootstrap=1MiB,arm64:bootstrap=2MiB",
            "the bootstrap budget for arm64 is given twice",
        ),
    ] {
        common::run(
            common::slim()
                .arg("size")
                .arg(&hello().full)
                .args(["--budget", budget]),
        )
        .failure(2)
        .stderr_has(says);
    }
    // One per kind and scope is fine.
    common::run(
        common::slim()
            .arg("size")
            .arg(&hello().full)
            .args(["--budget", "zip=10MiB,bootstrap=10MiB,arm64:zip=5MiB"]),
    )
    .success();
}

#[test]
fn a_manifest_vouches_for_its_size_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("build");
    std::fs::create_dir_all(&dir).unwrap();
    let hello_dir = &hello().dir;
    let outputs = common::outputs_shared();
    for f in ["slim-manifest.json", "size.json"] {
        std::fs::copy(hello_dir.join(f), dir.join(f)).unwrap();
    }
    drop(outputs);
    let diff = |old: &Path| {
        common::run(
            common::slim()
                .arg("size")
                .arg(&hello().full)
                .arg("--diff")
                .arg(old)
                .args(["--message-format", "json"]),
        )
    };
    let doc = diff(&dir.join("slim-manifest.json")).success().json();
    assert_eq!(doc["file_delta"], 0);
    // Another build's size.json beside this manifest: refused.
    std::fs::copy(lambda().dir.join("size.json"), dir.join("size.json")).unwrap();
    diff(&dir.join("slim-manifest.json"))
        .failure(2)
        .stderr_has("not the size report its manifest recorded");
}

/// Every markdown table of `text`: its data rows (the total row last), each as
/// its cells' numbers (`+1,234` → 1234; empty → None).
fn tables(text: &str) -> Vec<Vec<(String, Vec<Option<i64>>)>> {
    let mut out = Vec::new();
    let mut current: Vec<(String, Vec<Option<i64>>)> = Vec::new();
    for line in text.lines().chain([""]) {
        if !line.starts_with('|') {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        if cells[0].starts_with("---") || cells[1] == "bytes" || cells[1] == "old" {
            continue; // separator or header
        }
        let numbers = cells[1..]
            .iter()
            .map(|c| {
                let c = c.trim_matches('*').replace(',', "");
                if c.is_empty() || c.ends_with('%') {
                    None
                } else {
                    Some(c.trim_start_matches('+').parse::<i64>().expect(&c))
                }
            })
            .collect();
        current.push((cells[0].trim_matches('*').to_string(), numbers));
    }
    out
}

fn assert_adds_up(table: &[(String, Vec<Option<i64>>)], text: &str) {
    let (total_name, total) = table.last().unwrap();
    assert_eq!(total_name, "total", "{text}");
    for (col, want) in total.iter().enumerate() {
        let Some(want) = want else { continue };
        let sum: i64 = table[..table.len() - 1]
            .iter()
            .map(|(_, cells)| cells[col].unwrap_or(0))
            .sum();
        assert_eq!(sum, *want, "column {col} adds up:\n{text}");
    }
}

#[test]
fn markdown_tables_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let base = base_report(tmp.path());
    let text = common::run(
        common::slim()
            .arg("size")
            .arg(&lambda().full)
            .args(["--sections", "--crates", "-n", "5"])
            .args(["--message-format", "markdown", "--budget", "zip=10MiB"]),
    )
    .success()
    .stdout;
    let found = tables(&text);
    assert_eq!(found.len(), 2, "sections and crates:\n{text}");
    for t in &found {
        assert_adds_up(t, &text);
    }
    assert_eq!(
        found[0].last().unwrap().1[0],
        Some(std::fs::metadata(&lambda().full).unwrap().len() as i64)
    );
    assert_eq!(found[1].len(), 5 + 2, "5 crates, the rest, the total");
    assert!(text.contains("**Budget:** ✅ within budget"), "{text}");

    let text = common::run(
        common::slim()
            .arg("size")
            .arg(&lambda().full)
            .arg("--diff")
            .arg(&base)
            .args(["-n", "3", "--message-format", "markdown", "--budget", "1KB"]),
    )
    .failure(1)
    .stdout;
    let found = tables(&text);
    assert_eq!(found.len(), 2, "section and crate changes:\n{text}");
    for t in &found {
        assert_adds_up(t, &text);
    }
    assert_eq!(found[1].len(), 3 + 2, "3 crates, the rest, the total");
    assert!(text.contains("❌ over budget"), "{text}");
    assert!(text.contains("grew most since"), "{text}");
}

/// `cargo tree -i CRATE -e features --target TRIPLE` on the lambda fixture: the
/// packages in the tree, the crate's enabled features (`CRATE feature "F"` at
/// depth 1), and for each package right under such a line, the features of the
/// crate it enables.
struct Tree {
    packages: std::collections::BTreeSet<String>,
    features: std::collections::BTreeSet<String>,
    asks: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    feature_lines: String,
}

fn cargo_tree(krate: &str) -> Tree {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("tree")
        .arg("--manifest-path")
        .arg(common::fixture("hello-lambda").join("Cargo.toml"))
        .args([
            "-i", krate, "-e", "features", "--target", TRIPLE, "--color", "never",
        ]);
    let out = String::from_utf8(common::output_ok(&mut cmd).stdout).unwrap();
    let mut tree = Tree {
        packages: Default::default(),
        features: Default::default(),
        asks: Default::default(),
        feature_lines: out.clone(),
    };
    let mut current_feature = None;
    for line in out.lines().skip(1) {
        let start = line
            .find(|c: char| c.is_alphanumeric() || c == '_')
            .unwrap();
        let depth = line[..start].chars().count() / 4;
        let text = &line[start..];
        let name = text.split_whitespace().next().unwrap().to_string();
        if let Some(f) = text
            .strip_prefix(&format!("{krate} feature \""))
            .and_then(|rest| rest.split('"').next())
        {
            if depth == 1 {
                tree.features.insert(f.to_string());
                current_feature = Some(f.to_string());
            }
            continue;
        }
        let is_package = text
            .split_whitespace()
            .nth(1)
            .is_some_and(|v| v.starts_with('v'));
        if is_package {
            tree.packages.insert(name.clone());
            if depth == 2 {
                if let Some(f) = &current_feature {
                    tree.asks.entry(name).or_default().insert(f.clone());
                }
            }
        }
    }
    tree
}

/// `cargo slim size` of the lambda fixture's last build (no PATH).
fn size_of_lambda_build(extra: &[&str]) -> common::Outcome {
    let mut args = vec!["-q"];
    args.extend(extra);
    on_lambda("size", &args)
}

#[test]
fn why_names_the_paths_and_feature_edges_cargo_tree_shows() {
    lambda();
    let doc = size_of_lambda_build(&["--why", "serde_json", "--message-format", "json"])
        .success()
        .json();
    let tree = cargo_tree("serde_json");
    let name = |label: &Value| {
        label
            .as_str()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    };

    // The packages on the paths: those in cargo's inverted tree.
    let mut ours: std::collections::BTreeSet<String> = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p.as_array().unwrap().iter().map(name))
        .collect();
    ours.remove("serde_json");
    assert_eq!(ours, tree.packages, "{}", tree.feature_lines);
    assert_eq!(doc["path_count"], 3, "{doc:#}");
    // Its enabled features.
    let features: std::collections::BTreeSet<String> = doc["packages"][0]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    assert_eq!(features, tree.features);
    // Who asks for which of its features, edge by edge.
    let edges = doc["edges"].as_array().unwrap();
    for (dependant, asked) in &tree.asks {
        let edge = edges
            .iter()
            .find(|e| name(&e["from"]) == *dependant && name(&e["to"]) == "serde_json")
            .unwrap_or_else(|| panic!("no edge {dependant} → serde_json: {doc:#}"));
        let ours: std::collections::BTreeSet<String> = edge["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        assert_eq!(&ours, asked, "{dependant}\n{}", tree.feature_lines);
    }
    // tracing-subscriber's dependency is optional, turned on by its feature
    // "serde_json" (which "json" enables): cargo tree has that feature node too.
    let optional = edges
        .iter()
        .find(|e| name(&e["from"]) == "tracing-subscriber" && name(&e["to"]) == "serde_json")
        .unwrap();
    assert_eq!(optional["optional"], true);
    assert_eq!(optional["enabled_by"][0], "serde_json ← json");
    assert!(tree
        .feature_lines
        .contains("tracing-subscriber feature \"serde_json\""));
    assert!(doc["bytes"].as_u64().unwrap() > 10_000, "{doc:#}");

    size_of_lambda_build(&["--why", "no-such-crate"])
        .failure(2)
        .stderr_has("is not a dependency");
}

#[test]
fn heavy_hints_only_for_crates_in_the_binary() {
    let doc = common::run(common::slim().arg("size").arg(&lambda().full).args([
        "--crates",
        "--message-format",
        "json",
    ]))
    .success()
    .json();
    let ids: Vec<&str> = doc["hints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    // std's backtrace printer is linked into this binary …
    assert!(ids.contains(&"std-backtrace"), "{ids:?}");
    // … lambda_runtime's default subscriber is in the dependency graph, but the
    // function never installs it, so none of its code is linked: no hint.
    assert!(!ids.contains(&"lambda-default-subscriber"), "{ids:?}");
    common::run(common::slim().arg("size").arg(&lambda().full)).stdout_has("hint: ");
    common::run(common::slim().arg("size").arg(&hello().full)).stdout_lacks("lambda_runtime");
}
