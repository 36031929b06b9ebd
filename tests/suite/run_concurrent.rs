//! Lambda Managed Instances under `cargo slim run --concurrency N` and
//! `cargo slim bench --concurrency N`: a lambda_runtime function served with
//! `run_concurrent` (the `concurrent` fixture) takes N invocations at once in
//! one process, each with its own request ID, deadline, response and REPORT
//! line; a function that takes one at a time (the `faults` fixture) is refused.

use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{build, run, slim, Built};
use crate::run::zip as faults_zip;

const X86: &str = "x86_64-unknown-linux-musl";

/// The concurrent fixture: templates/hello-lambda's dependencies with
/// lambda_runtime's `concurrency-tokio` feature.
fn concurrent() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build("concurrent", "concurrent", X86, &["-q"]))
}

fn invocations(doc: &Value) -> &Vec<Value> {
    doc["invocations"].as_array().expect("invocations")
}

fn micros(v: &Value, key: &str) -> u128 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key}: {v}")) as u128
}

#[test]
fn four_invocations_overlap_in_one_process_each_with_its_own_answer() {
    let doc = run(slim()
        .arg("run")
        .arg(&concurrent().zip)
        .args(["--concurrency", "4", "--payload", r#"{"peers":4}"#])
        .args(["--timeout", "30", "--message-format", "json"]))
    .success()
    .json();
    assert_eq!(doc["function"]["concurrency"], 4);
    let list = invocations(&doc);
    // --repeat defaults to the concurrency.
    assert_eq!(list.len(), 4, "{doc:#}");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut ids = Vec::new();
    for inv in list {
        assert_eq!(inv["status"], "success", "{inv}");
        let seen = &inv["response"];
        // Its own request ID came back through its own /next and /response.
        assert_eq!(seen["request_id"], inv["request_id"], "{inv}");
        assert_eq!(seen["max_concurrency"], "4");
        assert_eq!(seen["initialization_type"], "lambda-managed-instances");
        // Every one waited until all four had started: they ran at once.
        assert_eq!(seen["started_before_end"], 4, "{inv}");
        let deadline = seen["deadline_ms"].as_u64().unwrap();
        assert!(
            deadline <= now_ms + 30_000 && deadline + 60_000 > now_ms,
            "{deadline} vs {now_ms}"
        );
        ids.push(inv["request_id"].as_str().unwrap().to_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    // Overlap by the function's own clock: each started before any ended.
    let last_start = list
        .iter()
        .map(|i| micros(&i["response"], "started_us"))
        .max();
    let first_end = list
        .iter()
        .map(|i| micros(&i["response"], "ended_us"))
        .min();
    assert!(last_start <= first_end, "{last_start:?} > {first_end:?}");
    // One environment: one cold start among them.
    let cold = list.iter().filter(|i| i["init"].is_object()).count();
    assert_eq!(cold, 1, "{doc:#}");

    // Human form: a START, END and REPORT line of its own for each.
    let out = run(slim().arg("run").arg(&concurrent().zip).args([
        "--concurrency",
        "3",
        "--payload",
        r#"{"peers":3}"#,
    ]))
    .success()
    .stderr_has("Lambda Managed Instances, up to 3 at once");
    let starts: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("START RequestId: "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(starts.len(), 3, "{out}");
    for id in &starts {
        let reports = out
            .stderr
            .lines()
            .filter(|l| l.starts_with(&format!("REPORT RequestId: {id}\t")))
            .count();
        assert_eq!(reports, 1, "{id}: {out}");
        assert!(
            out.stderr.contains(&format!("END RequestId: {id}")),
            "{out}"
        );
        assert!(
            out.stdout.contains(&format!("\"request_id\":\"{id}\"")),
            "{out}"
        );
    }
}

/// Managed Instances time out each invocation on its own: the environment
/// lives on, its workers finish what timed out, and the next invocation is
/// warm in it.
///
/// Two invocations hold both workers, waiting 4.5 s for a third that cannot
/// start: they time out at 3 s; the third waits for a free worker (up to its
/// own 3 s), gets one at 4.5 s and answers at once. (1.5 s of slack each side.)
#[test]
fn a_timeout_fails_its_invocation_only() {
    let doc = run(slim()
        .arg("run")
        .arg(&concurrent().zip)
        .args(["--concurrency", "2", "--repeat", "3", "--timeout", "3"])
        .args(["--payload", r#"{"peers":3,"give_up_ms":4500}"#])
        .args(["--message-format", "json"]))
    .failure(1)
    .json();
    let list = invocations(&doc);
    let status: Vec<&str> = list.iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["timeout", "timeout", "success"], "{doc:#}");
    // The third ran in the same process, which had seen all three start.
    assert!(list[2]["init"].is_null(), "{doc:#}");
    assert_eq!(list[2]["response"]["started_before_end"], 3, "{doc:#}");
    // Their late answers were refused with 410 InvokeTimeout (the api_server
    // unit test checks the answer; lambda_runtime logs "rejected the response:
    // invocation timed out", but maybe after the run has ended).
}

#[test]
fn a_function_that_takes_one_invocation_at_a_time_is_refused() {
    run(slim().arg("run").arg(faults_zip()).args([
        "--concurrency",
        "4",
        "--payload",
        r#"{"mode":"ok"}"#,
    ]))
    .failure(1)
    .stderr_has("the function takes one invocation at a time: with AWS_LAMBDA_MAX_CONCURRENCY=4")
    .stderr_has("never had a second GET /runtime/invocation/next outstanding within 2 s")
    .stderr_has("`concurrency-tokio` feature")
    .stderr_lacks("panicked")
    .stdout_is("");
    for bad in ["0", "1601", "x"] {
        run(slim()
            .arg("run")
            .arg(faults_zip())
            .args(["--concurrency", bad]))
        .failure(2)
        .stderr_has("--concurrency")
        .stdout_is("");
    }
}

/// `bench --concurrency N`: one warm environment's throughput and latency at
/// one invocation at a time and at N, so a user sees whether the function
/// scales inside one environment.
#[test]
fn bench_reports_throughput_and_latency_at_one_and_at_n() {
    let doc = run(slim()
        .arg("bench")
        .arg(&concurrent().zip)
        .args(["--concurrency", "4", "--cold", "2", "--warm", "20"])
        .args(["--payload", r#"{"peers":1}"#, "--message-format", "json"]))
    .success()
    .json();
    assert_eq!(doc["concurrency"], 4);
    let load = &doc["builds"][0]["load"];
    for (key, in_flight) in [("at_one", 1), ("at_n", 4)] {
        let l = &load[key];
        assert_eq!(l["in_flight"], in_flight, "{load:#}");
        assert_eq!(l["invocations"], 20, "{load:#}");
        assert_eq!(l["succeeded"], 20, "{load:#}");
        assert!(l["per_second"].as_f64().unwrap() > 0.0, "{load:#}");
        assert_eq!(l["latency_ms"]["n"], 20, "{load:#}");
        let wall = l["wall_ms"].as_f64().unwrap();
        let rate = l["per_second"].as_f64().unwrap();
        assert!((rate - 20_000.0 / wall).abs() < 1e-6 * rate, "{load:#}");
    }
    let scaling = load["scaling"].as_f64().unwrap();
    let ratio = load["at_n"]["per_second"].as_f64().unwrap()
        / load["at_one"]["per_second"].as_f64().unwrap();
    assert!((scaling - ratio).abs() < 1e-9, "{load:#}");

    run(slim()
        .arg("bench")
        .arg(&concurrent().zip)
        .args(["--concurrency", "2", "--cold", "1", "--warm", "4"])
        .args(["--payload", r#"{"peers":1}"#]))
    .success()
    .stdout_has("throughput ×1")
    .stdout_has("throughput ×N")
    .stdout_has("latency ×N p99")
    .stdout_has("Lambda Managed Instances: ×N is 2 invocations at once");
    // Without --concurrency: no load rows.
    let plain = run(slim().arg("bench").arg(faults_zip()).args([
        "--cold",
        "1",
        "--warm",
        "2",
        "--payload",
        r#"{"mode":"ok"}"#,
    ]))
    .success();
    assert!(!plain.stdout.contains("throughput"), "{plain}");
    // A function that takes one invocation at a time is refused by bench too.
    run(slim().arg("bench").arg(faults_zip()).args([
        "--concurrency",
        "2",
        "--cold",
        "1",
        "--warm",
        "2",
    ]))
    .failure(1)
    .stderr_has("the function takes one invocation at a time");
}

/// `concurrency` and `ephemeral-storage` in `[package.metadata.slim]` are the
/// defaults of `run`, as `memory` and `timeout` are; the command line wins.
#[test]
fn the_packages_metadata_sets_the_concurrency() {
    concurrent();
    let run_it = |extra: &[&str]| {
        run(slim()
            .arg("run")
            .arg("--manifest-path")
            .arg(crate::common::fixture("concurrent").join("Cargo.toml"))
            .args(["--target", X86, "--target-dir"])
            .arg(crate::common::shared_target_dir())
            .args([
                "-q",
                "--payload",
                r#"{"peers":1}"#,
                "--message-format",
                "json",
            ])
            .args(extra))
        .success()
        .json()
    };
    let doc = run_it(&[]);
    assert_eq!(doc["function"]["concurrency"], 3, "{doc:#}");
    assert_eq!(doc["function"]["ephemeral_storage_mb"], 600, "{doc:#}");
    assert_eq!(invocations(&doc).len(), 3);
    assert_eq!(invocations(&doc)[0]["response"]["max_concurrency"], "3");
    let doc = run_it(&["--concurrency", "2", "--ephemeral-storage", "512"]);
    assert_eq!(doc["function"]["concurrency"], 2);
    assert_eq!(doc["function"]["ephemeral_storage_mb"], 512);
}
