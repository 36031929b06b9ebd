//! `cargo slim run` and `cargo slim bench` end to end: the `faults` fixture (a
//! std-only function that misbehaves on request) and the real lambda_runtime
//! function, run under the local Runtime API; exit codes, the response bytes on
//! stdout, the CloudWatch-format lines on stderr and the JSON fields.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::{build, run, slim, Built, Outcome};
use serde_json::Value;

const X86: &str = "x86_64-unknown-linux-musl";
const ARM: &str = "aarch64-unknown-linux-musl";

/// The faults fixture, built once per target for the test run.
pub(crate) fn faults(triple: &'static str) -> &'static Built {
    static X: OnceLock<Built> = OnceLock::new();
    static A: OnceLock<Built> = OnceLock::new();
    let cell = if triple == X86 { &X } else { &A };
    cell.get_or_init(|| build("faults", "faults", triple, &["-q"]))
}

pub(crate) fn zip() -> &'static Path {
    &faults(X86).zip
}

/// `cargo slim run ZIP --payload {"mode": MODE} ARGS…`.
fn run_mode(mode: &str, args: &[&str]) -> Outcome {
    run(slim()
        .arg("run")
        .arg(zip())
        .args(["--payload", &format!("{{\"mode\":\"{mode}\"}}")])
        .args(args))
}

/// The single invocation of a `--message-format json` run.
fn only_invocation(doc: &Value) -> &Value {
    let list = doc["invocations"].as_array().expect("invocations");
    assert_eq!(list.len(), 1, "{doc:#}");
    &list[0]
}

fn report_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("REPORT RequestId: "))
        .collect()
}

fn memory_confined(doc: &Value) -> bool {
    doc["confinement"]["memory"]["applied"] == "yes"
}

#[test]
fn ok_sees_lambdas_contract_and_environment() {
    let doc = run(slim()
        .arg("run")
        .arg(zip())
        .args([
            "--payload",
            r#"{"mode":"ok"}"#,
            "--memory",
            "256",
            "--timeout",
            "7",
        ])
        .args(["--env", "GREETING=hi there", "--function-name", "orders"])
        .args(["--client-context", r#"{"client": {"app_title": "t"}}"#])
        .args(["--message-format", "json"])
        .env("SLIM_HOST_SECRET", "must-not-leak"))
    .success()
    .json();
    let inv = only_invocation(&doc);
    assert_eq!(inv["status"], "success");
    let seen = &inv["response"];
    // The headers of GET /next.
    assert_eq!(seen["request_id"], inv["request_id"]);
    assert_eq!(
        seen["arn"],
        "arn:aws:lambda:us-east-1:123456789012:function:orders"
    );
    assert!(
        seen["trace_id"].as_str().unwrap().starts_with("Root=1-"),
        "{seen}"
    );
    assert_eq!(seen["client_context"], r#"{"client":{"app_title":"t"}}"#);
    let deadline: u128 = seen["deadline_ms"].as_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    assert!(
        deadline > now && deadline <= now + 7_000,
        "{deadline} vs {now}"
    );
    // The environment: Lambda's variables, the user's, nothing of the host's.
    let env = &seen["env"];
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "orders");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/orders");
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["_HANDLER"], "bootstrap");
    assert_eq!(env["TZ"], ":UTC");
    assert_eq!(env["GREETING"], "hi there");
    assert_eq!(env["LAMBDA_TASK_ROOT"], seen["cwd"]);
    assert!(env["AWS_LAMBDA_RUNTIME_API"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    for leaked in ["SLIM_HOST_SECRET", "HOME", "USER", "CARGO"] {
        assert!(env.get(leaked).is_none(), "{leaked} leaked: {env}");
    }
    // A read-only task root, a writable scratch dir.
    assert_eq!(seen["task_root_writable"], false);
    assert_eq!(seen["tmp_writable"], true);
    // The record: a cold start with its init, billed including init.
    assert_eq!(inv["memory_size_mb"], 256);
    let init = inv["init"]["duration_ms"].as_f64().unwrap();
    let duration = inv["duration_ms"].as_f64().unwrap();
    assert!(init > 0.0 && duration > 0.0, "{inv}");
    let billed = inv["billed_duration_ms"].as_u64().unwrap();
    assert_eq!(billed, (duration.ceil() + init.ceil()) as u64);
    assert_eq!(doc["function"]["timeout_s"], 7);
}

#[test]
fn memory_and_timeout_default_to_the_packages_metadata() {
    zip(); // built
    let run_it = |extra: &[&str]| {
        run(slim()
            .arg("run")
            .arg("--manifest-path")
            .arg(common::fixture("faults").join("Cargo.toml"))
            .args(["--target", X86, "--target-dir"])
            .arg(common::shared_target_dir())
            .args([
                "-q",
                "--payload",
                r#"{"mode":"ok"}"#,
                "--message-format",
                "json",
            ])
            .args(extra))
        .success()
        .json()
    };
    // [package.metadata.slim] memory = 256, timeout = 5; the function name is the bin's.
    let doc = run_it(&[]);
    assert_eq!(doc["function"]["memory_mb"], 256);
    assert_eq!(doc["function"]["timeout_s"], 5);
    assert_eq!(doc["function"]["name"], "faults");
    assert_eq!(
        only_invocation(&doc)["response"]["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
        "256"
    );
    // The command line wins.
    let doc = run_it(&["--memory", "512", "--timeout", "9"]);
    assert_eq!(doc["function"]["memory_mb"], 512);
    assert_eq!(doc["function"]["timeout_s"], 9);
}

#[test]
fn human_output_has_cloudwatch_lines_and_the_response_on_stdout() {
    let out = run_mode("log", &[])
        .success()
        .stdout_is("\"logged\"\n")
        .stderr_has("[function stderr] a line on stderr");
    let err = &out.stderr;
    let start = err
        .lines()
        .find(|l| l.starts_with("START RequestId: "))
        .unwrap();
    assert!(start.ends_with(" Version: $LATEST"), "{start}");
    let id = start
        .trim_start_matches("START RequestId: ")
        .split(' ')
        .next()
        .unwrap();
    assert!(err.contains(&format!("END RequestId: {id}")), "{err}");
    let report = report_lines(err);
    assert_eq!(report.len(), 1, "{err}");
    let fields: Vec<&str> = report[0].split('\t').collect();
    assert_eq!(fields[0], format!("REPORT RequestId: {id}"));
    assert!(fields[1].starts_with("Duration: ") && fields[1].ends_with(" ms"));
    assert!(fields[2].starts_with("Billed Duration: "));
    assert_eq!(fields[3], "Memory Size: 128 MB");
    assert!(fields[4].starts_with("Max Memory Used: "));
    assert!(fields[5].starts_with("Init Duration: "), "{report:?}");
}

#[test]
fn a_handler_error_is_the_response_and_exit_1() {
    let out = run_mode("error", &[]).failure(1);
    let body = out.json();
    assert_eq!(body["errorType"], "HandlerError");
    assert_eq!(body["errorMessage"], "something went wrong");
    // A handled error is not a platform failure: no Status on the REPORT line.
    assert!(!report_lines(&out.stderr)[0].contains("Status:"), "{out}");
}

#[test]
fn a_panic_kills_the_process_and_is_a_runtime_exit_error() {
    let doc = run_mode("panic", &["--message-format", "json"])
        .failure(1)
        .stderr_has("panicking as asked")
        .json();
    let inv = only_invocation(&doc);
    assert_eq!(inv["status"], "exit_error");
    assert_eq!(inv["error_type"], "Runtime.ExitError");
    // panic = "abort" in the slim profile: the process dies of SIGABRT.
    let message = inv["response"]["errorMessage"].as_str().unwrap();
    assert!(
        message.ends_with("Error: Runtime exited with error: signal: aborted"),
        "{message}"
    );
}

#[test]
fn a_timeout_kills_the_process_and_the_next_invocation_is_cold() {
    let doc = run_mode(
        "hang",
        &[
            "--timeout",
            "1",
            "--repeat",
            "2",
            "--message-format",
            "json",
        ],
    )
    .failure(1)
    .json();
    let list = doc["invocations"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    for inv in list {
        assert_eq!(inv["status"], "timeout", "{inv}");
        // Each one a fresh cold start: a new process ran its init.
        assert!(inv["init"]["duration_ms"].as_f64().unwrap() > 0.0, "{inv}");
        let message = inv["response"]["errorMessage"].as_str().unwrap();
        assert!(
            message.ends_with(&format!(
                "{} Task timed out after 1.00 seconds",
                inv["request_id"].as_str().unwrap()
            )),
            "{message}"
        );
        assert!(inv["duration_ms"].as_f64().unwrap() >= 1000.0);
    }
    // Human form: the timeout line, and Status: timeout on REPORT.
    let out = run_mode("hang", &["--timeout", "1"])
        .failure(1)
        .stderr_has("Task timed out after 1.00 seconds");
    assert!(
        report_lines(&out.stderr)[0].ends_with("\tStatus: timeout"),
        "{out}"
    );
}

#[test]
fn warm_invocations_reuse_the_process() {
    let doc = run_mode("ok", &["--repeat", "3", "--message-format", "json"])
        .success()
        .json();
    let list = doc["invocations"].as_array().unwrap();
    let counts: Vec<i64> = list
        .iter()
        .map(|i| i["response"]["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 3]);
    assert!(list[0]["init"].is_object());
    assert!(list[1]["init"].is_null() && list[2]["init"].is_null());
}

#[test]
fn init_failures_are_reported_as_lambda_does() {
    // Exit before the first GET /next.
    let doc = run(slim().arg("run").arg(zip()).args([
        "--env",
        "FAULTS_INIT=exit",
        "--message-format",
        "json",
    ]))
    .failure(1)
    .json();
    let inv = only_invocation(&doc).clone();
    assert_eq!(inv["status"], "init_failed");
    assert_eq!(inv["error_type"], "Runtime.ExitError");
    assert_eq!(inv["init"]["status"], "error");
    assert_eq!(
        inv["response"]["errorMessage"],
        "Error: Runtime exited with error: exit status 3"
    );
    // POST /runtime/init/error: its error type and body are what the caller gets.
    let out = run(slim()
        .arg("run")
        .arg(zip())
        .args(["--env", "FAULTS_INIT=error"]))
    .failure(1);
    assert_eq!(out.json()["errorType"], "ConfigError");
    let init_report = out
        .stderr
        .lines()
        .find(|l| l.starts_with("INIT_REPORT "))
        .unwrap_or_else(|| panic!("no INIT_REPORT:\n{out}"));
    assert!(
        init_report.starts_with("INIT_REPORT Init Duration: "),
        "{init_report}"
    );
    assert!(
        init_report.ends_with("\tPhase: init\tStatus: error\tError Type: ConfigError"),
        "{init_report}"
    );
}

/// Lambda's init phase limit is 10 s; this test waits that long (once).
#[test]
fn an_init_that_never_ends_times_out_after_10_seconds() {
    let out = run(slim()
        .arg("run")
        .arg(zip())
        .args(["--env", "FAULTS_INIT=hang"]))
    .failure(1);
    assert_eq!(out.json()["errorType"], "Sandbox.Timedout");
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("INIT_REPORT Init Duration: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.ends_with("\tPhase: init\tStatus: timeout"), "{line}");
    let ms: f64 = line
        .trim_start_matches("INIT_REPORT Init Duration: ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(ms >= 10_000.0, "{line}");
}

#[test]
fn an_oversize_response_is_refused_with_413() {
    let out = run_mode("oversize", &[]).failure(1);
    assert_eq!(
        out.json(),
        serde_json::json!({
            "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge"
        })
    );
    // What the function itself is told (413 RequestEntityTooLarge) is checked by
    // the api_server unit test: here the process may be gone before it logs it.
    assert!(
        report_lines(&out.stderr)[0].contains("Error Type: Function.ResponseSizeTooLarge"),
        "{out}"
    );
}

#[test]
fn a_streamed_response_arrives_whole() {
    let doc = run_mode("stream", &["--message-format", "json"])
        .success()
        .json();
    let inv = only_invocation(&doc);
    assert_eq!(inv["response"], "chunk one;chunk two;chunk three");
    assert!(inv["streamed"]["chunks"].as_u64().unwrap() >= 1, "{inv}");
    run_mode("stream", &[])
        .success()
        .stdout_is("chunk one;chunk two;chunk three\n");
}

/// A streamed response's chunks reach stdout as they come, before the response
/// ends: the function holds its end until the test, having read the first
/// chunk on stdout, creates the file it waits for. Bounded by the timeout,
/// should the first chunk never come.
#[test]
fn a_streamed_response_reaches_stdout_before_it_ends() {
    use std::io::{BufRead as _, BufReader, Read as _};
    use std::os::unix::fs::PermissionsExt as _;
    use std::process::Stdio;

    // Outside /tmp, and open to the function's user: it only looks.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let gate = dir.path().join("gate");
    let payload = format!(r#"{{"mode":"stream_gated","gate":"{}"}}"#, gate.display());
    let mut child = slim()
        .arg("run")
        .arg(zip())
        .args(["--payload", &payload, "--timeout", "30"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let running = child.try_wait().unwrap().is_none();
    std::fs::write(&gate, b"").unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let stderr = errors.join().unwrap();
    assert_eq!(first, "first chunk\n", "{stderr}");
    assert!(
        running,
        "the run had ended before its first chunk was read:\n{stderr}"
    );
    assert_eq!(rest, "second chunk\n", "{stderr}");
    assert!(status.success(), "{status}: {stderr}");
    // The record has the stream's timing: two chunks, the first byte before the end.
    let doc =
        run(slim()
            .arg("run")
            .arg(zip())
            .args(["--payload", &payload, "--message-format", "json"]))
        .success()
        .json();
    let streamed = &only_invocation(&doc)["streamed"];
    assert_eq!(streamed["chunks"], 2, "{streamed}");
    assert_eq!(streamed["bytes"], 25, "{streamed}");
    let times = streamed["chunk_times"].as_array().unwrap();
    assert_eq!(times.len(), 2, "{streamed}");
    let ttfb = streamed["ttfb_ms"].as_f64().unwrap();
    assert_eq!(times[0]["at_ms"].as_f64().unwrap(), ttfb);
    assert!(times[1]["at_ms"].as_f64().unwrap() >= ttfb, "{streamed}");
    assert_eq!(times[0]["bytes"], 12);
}

#[test]
fn a_streamed_response_that_fails_midway_reports_its_trailers() {
    let doc = run_mode("stream_error", &["--message-format", "json"])
        .failure(1)
        .json();
    let inv = only_invocation(&doc);
    assert_eq!(inv["status"], "function_error");
    assert_eq!(inv["error_type"], "StreamError");
    assert_eq!(
        inv["response"],
        serde_json::json!({"errorMessage": "stream broke", "errorType": "StreamError"})
    );
}

#[test]
fn no_limits_runs_unconfined_and_says_so() {
    let doc = run(slim()
        .arg("run")
        .arg(zip())
        .args(["--payload", r#"{"mode":"alloc","mb":200}"#, "--no-limits"])
        .args(["--message-format", "json"]))
    .success()
    .stderr_has("warning: running without Lambda's full limits: memory NOT limited (--no-limits)")
    .json();
    assert_eq!(doc["confinement"]["memory"]["applied"], "no");
    assert_eq!(doc["confinement"]["memory"]["why"], "--no-limits");
    assert_eq!(only_invocation(&doc)["response"]["allocated"], 200 << 20);
}

#[test]
fn exceeding_memory_is_out_of_memory_where_cgroups_permit() {
    let out = run(slim()
        .arg("run")
        .arg(zip())
        .args(["--payload", r#"{"mode":"alloc","mb":400}"#])
        .args(["--message-format", "json"]));
    let doc = out.json();
    if memory_confined(&doc) {
        out.failure(1);
        let inv = only_invocation(&doc);
        assert_eq!(inv["error_type"], "Runtime.OutOfMemory", "{inv}");
        assert_eq!(inv["max_memory_used_mb"], 128, "{inv}");
    } else {
        // Unconfined: the function gets its memory, and we say why.
        out.success().stderr_has("memory NOT limited (");
    }
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("event.json");
    std::fs::write(&bad, "{\"name\": ").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--event".into(), bad.display().to_string()],
            "is not valid JSON: EOF while parsing",
        ),
        (
            vec!["--event".into(), "/nonexistent/event.json".into()],
            "cannot read the event file /nonexistent/event.json",
        ),
        (
            vec!["--sample".into(), "kafka".into()],
            "samples: apigw-http",
        ),
        (
            vec!["--memory".into(), "64".into()],
            "outside Lambda's range, 128–10240 MB",
        ),
        (
            vec!["--env".into(), "AWS_REGION=x".into()],
            "reserved by Lambda",
        ),
    ];
    for (args, expected) in cases {
        run(slim().arg("run").arg(zip()).args(&args))
            .failure(2)
            .stderr_has(expected)
            .stderr_lacks("panicked")
            .stdout_is("");
    }
    lambda_refuses_it_so_do_we(dir.path());
    // A damaged zip.
    let broken = dir.path().join("function.zip");
    std::fs::write(&broken, b"PK\x03\x04garbage").unwrap();
    run(slim().arg("run").arg(&broken))
        .failure(2)
        .stderr_has("cannot read the zip archive");
}

/// What Lambda's API refuses is refused before anything runs, exit 2, by `run`
/// and `bench` alike: names, regions and variable names outside Lambda's
/// grammar, events that are not UTF-8 or nest too deep, `--repeat 0`. (A bad
/// name or region used to surface as the function timing out.)
fn lambda_refuses_it_so_do_we(dir: &Path) {
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let bom = file("bom.env", b"\xef\xbb\xbfAWS_REGION=eu-west-1\n");
    let latin1 = file("latin1.env", b"GREETING=caf\xe9\n");
    let utf8_event = file("latin1.json", b"{\"name\": \"caf\xe9\"}");
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let deep_event = file("deep.json", deep.as_bytes());
    let name = "is not a Lambda function name";
    let region = "is not an AWS region name";
    let variable = "is not a name Lambda accepts";
    let long = "x".repeat(65);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--function-name", "a\nb"], name),
        (vec!["--function-name", "a\r\nb"], name),
        (vec!["--function-name", ""], name),
        (vec!["--function-name", &long], name),
        (vec!["--region", "us-east-1\n"], region),
        (vec!["--region", "\r\n"], region),
        (vec!["--region", ""], region),
        (vec!["--env", "I B=1"], variable),
        (vec!["--env", "1X=1"], variable),
        (vec!["--env", "X=1"], variable),
        (
            vec!["--env-file", &bom],
            "`AWS_REGION` is reserved by Lambda",
        ),
        (vec!["--env-file", &latin1], "latin1.env:1: not UTF-8 text"),
        (
            vec!["--event", &utf8_event],
            "invalid UTF-8 at line 1 column 14",
        ),
        (
            vec!["--event", &deep_event],
            "nested deeper than 1000 levels",
        ),
    ];
    for subcommand in ["run", "bench"] {
        for (args, expected) in &cases {
            run(slim().arg(subcommand).arg(zip()).args(args))
                .labelled(subcommand)
                .failure(2)
                .stderr_has(expected)
                .stderr_lacks("Timedout")
                .stdout_is("");
        }
    }
    run(slim().arg("run").arg(zip()).args(["--repeat", "0"]))
        .failure(2)
        .stderr_has("--repeat")
        .stderr_has("0 invocations")
        .stdout_is("");
}

/// Copy the faults bootstrap with `mode`, or write `bytes` instead of it.
fn bootstrap_file(dir: &Path, bytes: Option<&[u8]>, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("bootstrap");
    match bytes {
        Some(b) => std::fs::write(&path, b).unwrap(),
        None => {
            std::fs::copy(&faults(X86).bootstrap, &path).unwrap();
        }
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[test]
fn an_unrunnable_bootstrap_is_an_invalid_entrypoint() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(Option<&[u8]>, u32, &str); 2] = [
        (None, 0o644, "permission denied"),
        (
            Some(b"\x7fELF not really an executable"),
            0o755,
            "exec format error",
        ),
    ];
    for (bytes, mode, why) in cases {
        let sub = tempfile::tempdir_in(dir.path()).unwrap();
        let path = bootstrap_file(sub.path(), bytes, mode);
        let doc = run(slim().arg("run").arg(&path))
            .failure(1)
            .stderr_has("Error Type: Runtime.InvalidEntrypoint")
            .json();
        assert_eq!(doc["errorType"], "Runtime.InvalidEntrypoint");
        assert_eq!(
            doc["errorMessage"],
            format!("Error: fork/exec /var/task/bootstrap: {why}")
        );
    }
}

#[test]
fn arm64_runs_under_qemu_and_is_marked_emulated() {
    common::require_tool("qemu-aarch64-static");
    let built = faults(ARM);
    let doc = run(slim()
        .arg("run")
        .arg(&built.zip)
        .args(["--payload", r#"{"mode":"ok"}"#, "--timeout", "60"])
        .args(["--message-format", "json"]))
    .success()
    .json();
    assert_eq!(doc["emulated"], "qemu-aarch64-static");
    let inv = only_invocation(&doc);
    assert_eq!(inv["emulated"], "qemu-aarch64-static");
    assert_eq!(inv["response"]["count"], 1);
    // Human form: every REPORT line says so, and so does the start line.
    let out = run(slim().arg("run").arg(&built.zip).args(["--timeout", "60"]))
        .success()
        .stderr_has("emulated by qemu-aarch64-static");
    assert!(
        report_lines(&out.stderr)[0].ends_with("\t[emulated: qemu-aarch64-static]"),
        "{out}"
    );
    // No qemu: a clear error naming the package.
    run(slim()
        .arg("run")
        .arg(&built.zip)
        .env("CARGO_SLIM_QEMU", "/nonexistent/qemu-aarch64"))
    .failure(2)
    .stderr_has("qemu-user-static");
}

#[test]
fn the_real_lambda_runtime_client_answers_built_before_run() {
    // The same build as tests/suite/build.rs and tests/suite/size.rs (compiled once).
    let args = ["-q", "--opt-level", "s"];
    build("hello-lambda", "hello-lambda", X86, &args);
    // No PATH: run builds the package (a no-op now) and runs its zip.
    let out = run(slim()
        .arg("run")
        .arg("--manifest-path")
        .arg(common::fixture("hello-lambda").join("Cargo.toml"))
        .args(["--target", X86, "--target-dir"])
        .arg(common::shared_target_dir())
        .args(&args[1..])
        .args(["--payload", r#"{"name":"slim"}"#, "--repeat", "2"]))
    .success()
    .stdout_is("{\"message\":\"Hello, slim!\"}\n{\"message\":\"Hello, slim!\"}\n")
    // The function name defaults to the binary's.
    .stderr_lacks("error");
    assert_eq!(report_lines(&out.stderr).len(), 2, "{out}");
}

#[test]
fn every_sample_event_reaches_the_function_and_parses_with_aws_lambda_events() {
    for sample in [
        "apigw-http",
        "function-url",
        "sqs",
        "sns",
        "s3",
        "eventbridge",
        "dynamodb",
    ] {
        let doc = run(slim().arg("run").arg(zip()).args(["--sample", sample]))
            .success()
            .json();
        assert_eq!(doc["count"], 1, "{sample}");
    }
    // The real types: a test crate of its own, sharing the fixtures' target dir.
    run(Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(common::fixture("events").join("Cargo.toml"))
        .arg("--target-dir")
        .arg(common::shared_target_dir()))
    .success()
    .stdout_has("7 passed");
}

#[test]
fn bench_json_is_consistent() {
    let doc = run(slim()
        .arg("bench")
        .arg(zip())
        .args([
            "--cold",
            "3",
            "--warm",
            "5",
            "--payload",
            r#"{"mode":"ok"}"#,
        ])
        .args(["--message-format", "json"]))
    .success()
    .json();
    assert_eq!(
        (doc["cold"].as_u64(), doc["warm"].as_u64()),
        (Some(3), Some(5))
    );
    let builds = doc["builds"].as_array().unwrap();
    assert_eq!(builds.len(), 1);
    let b = &builds[0];
    assert_eq!(b["init_ms"]["n"], 3);
    assert_eq!(b["first_invoke_ms"]["n"], 3);
    assert_eq!(b["warm_ms"]["n"], 5);
    for figure in ["init_ms", "first_invoke_ms", "warm_ms"] {
        let f = &b[figure];
        let get = |k: &str| f[k].as_f64().unwrap();
        assert!(get("min") > 0.0, "{figure}: {f}");
        assert!(
            get("min") <= get("p50") && get("p50") <= get("p90"),
            "{figure}: {f}"
        );
        assert!(
            get("p90") <= get("p99") && get("p99") <= get("max"),
            "{figure}: {f}"
        );
    }
    assert!(b["cold_max_rss_kib"]["max"].as_f64().unwrap() > 0.0, "{b}");
    assert!(b["warm_max_rss_kib"].as_u64().unwrap() > 0, "{b}");
    let zip_bytes = std::fs::metadata(zip()).unwrap().len();
    assert_eq!(b["zip_bytes"], zip_bytes);
    assert_eq!(
        b["bootstrap_bytes"],
        std::fs::metadata(&faults(X86).bootstrap).unwrap().len()
    );
    // Counted from bootstrap.full beside the zip: at least std and faults itself.
    assert!(b["crates"].as_u64().unwrap() >= 2, "{b}");
    assert_eq!(b["failures"].as_array().unwrap().len(), 0);
    assert_eq!(doc["emulated"], false);
}

#[test]
fn bench_compare_runs_both_and_prints_ratios() {
    let dir = faults(X86).dir.clone();
    let out = run(slim()
        .arg("bench")
        .arg(zip())
        .arg("--compare")
        .arg(&dir)
        .args([
            "--cold",
            "2",
            "--warm",
            "2",
            "--payload",
            r#"{"mode":"ok"}"#,
        ]))
    .success()
    .stdout_has("init p50")
    .stdout;
    assert!(
        out.starts_with(&format!("A: {}\nB: {}\n", zip().display(), dir.display())),
        "{out}"
    );
    let bytes_row = out
        .lines()
        .find(|l| l.starts_with("bootstrap bytes"))
        .unwrap_or_else(|| panic!("{out}"));
    // The same build twice: the same bytes, ratio 1.
    assert!(bytes_row.ends_with("(1.00×)"), "{bytes_row}");
}

#[test]
fn bench_counts_failures_and_exits_1() {
    run(slim().arg("bench").arg(zip()).args([
        "--cold",
        "1",
        "--warm",
        "1",
        "--payload",
        r#"{"mode":"error"}"#,
    ]))
    .failure(1)
    .stderr_has("invocation(s) failed")
    .stderr_has("HandlerError");
}

/// Processes whose environment holds `marker` (the function started with
/// `--env MARKER=…`).
pub(crate) fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        if environ.split(|&b| b == 0).any(|kv| kv == marker.as_bytes()) {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

#[test]
fn ctrl_c_ends_the_run_and_kills_the_function() {
    use std::io::{BufRead as _, BufReader};
    let marker = format!("SLIM_TEST_MARKER={}", std::process::id());
    let mut child = slim()
        .arg("run")
        .arg(zip())
        .args(["--payload", r#"{"mode":"hang"}"#, "--timeout", "120"])
        .args(["--env", &marker])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    // Wait for the invocation to start: the function is then running.
    while !line.starts_with("START RequestId:") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no START line");
    }
    assert_eq!(processes_with(&marker).len(), 1, "the function runs");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(2), "{rest}");
    assert!(rest.contains("error: interrupted"), "{rest}");
    assert!(
        processes_with(&marker).is_empty(),
        "the function outlived us"
    );
}

#[test]
fn bench_under_qemu_marks_every_figure_emulated() {
    common::require_tool("qemu-aarch64-static");
    let built = faults(ARM);
    let args = ["--cold", "1", "--warm", "1", "--timeout", "60"];
    let doc = run(slim()
        .arg("bench")
        .arg(&built.zip)
        .args(args)
        .args(["--message-format", "json"]))
    .success()
    .stderr_has("runs under qemu-aarch64-static")
    .json();
    assert_eq!(doc["emulated"], true);
    assert_eq!(doc["builds"][0]["emulated"], "qemu-aarch64-static");
    run(slim().arg("bench").arg(&built.zip).args(args))
        .success()
        .stdout_has("EMULATED: ");
}

/// A streaming function's time to first byte, in bench: of each cold start's
/// first invocation and of the warm ones; not shown for a buffered one.
#[test]
fn bench_reports_time_to_first_byte_of_streamed_responses() {
    let doc = run(slim()
        .arg("bench")
        .arg(zip())
        .args([
            "--cold",
            "2",
            "--warm",
            "3",
            "--payload",
            r#"{"mode":"stream"}"#,
        ])
        .args(["--message-format", "json"]))
    .success()
    .json();
    let b = &doc["builds"][0];
    assert_eq!(b["first_ttfb_ms"]["n"], 2, "{b}");
    assert_eq!(b["warm_ttfb_ms"]["n"], 3, "{b}");
    // The first byte comes before the whole response.
    let ttfb = b["warm_ttfb_ms"]["p50"].as_f64().unwrap();
    assert!(
        ttfb > 0.0 && ttfb <= b["warm_ms"]["max"].as_f64().unwrap(),
        "{b}"
    );
    run(slim().arg("bench").arg(zip()).args([
        "--cold",
        "1",
        "--warm",
        "2",
        "--payload",
        r#"{"mode":"stream"}"#,
    ]))
    .success()
    .stdout_has("warm TTFB p50");
    let buffered = run(slim()
        .arg("bench")
        .arg(zip())
        .args([
            "--cold",
            "1",
            "--warm",
            "2",
            "--payload",
            r#"{"mode":"ok"}"#,
        ])
        .args(["--message-format", "json"]))
    .success()
    .json();
    assert!(
        buffered["builds"][0]["warm_ttfb_ms"].is_null(),
        "{buffered}"
    );
}

/// Max Memory Used counts what the environment brings into memory, its code and
/// the files it reads included, as a fresh Lambda environment reads them from
/// disk: a function that reads 8 MiB shipped in its zip shows at least that
/// (the page cache of the unpacked files is dropped before each environment
/// starts; it was charged to cargo-slim, which wrote them, and the figure read
/// 1 MB). Where memory is not confined the figure is the process's peak RSS,
/// which a read() does not raise: the test says so and checks the source.
#[test]
fn max_memory_used_counts_the_files_the_function_reads() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = dir.path().join("bootstrap");
    std::fs::copy(&faults(X86).bootstrap, &bootstrap).unwrap();
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("data.bin"), vec![7u8; 8 << 20]).unwrap();
    let zip_path = dir.path().join("function.zip");
    common::output_ok(
        Command::new(common::require_tool("zip"))
            .current_dir(dir.path())
            .args(["-q", "function.zip", "bootstrap", "data.bin"]),
    );
    let doc = run(slim()
        .arg("run")
        .arg(&zip_path)
        .args(["--payload", r#"{"mode":"read_data"}"#, "--memory", "256"])
        .args(["--repeat", "2", "--message-format", "json"]))
    .success()
    .json();
    let list = doc["invocations"].as_array().unwrap();
    assert_eq!(list[0]["response"]["read"], 8 << 20);
    let first = &list[0];
    let bytes = first["max_memory_used_bytes"].as_u64().unwrap();
    assert_eq!(
        first["max_memory_used_mb"],
        bytes.div_ceil(1 << 20),
        "{first}"
    );
    if memory_confined(&doc) {
        assert!(
            first["memory_measured_by"]
                .as_str()
                .unwrap()
                .starts_with("cgroup v"),
            "{first}"
        );
        assert!(bytes >= 8 << 20, "{first}");
        // The REPORT line of a human run says the same.
        let out = run(slim().arg("run").arg(&zip_path).args([
            "--payload",
            r#"{"mode":"read_data"}"#,
            "--memory",
            "256",
        ]))
        .success();
        let report = report_lines(&out.stderr)[0].to_string();
        let mb: u64 = report
            .split("Max Memory Used: ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{report}"));
        assert!(mb >= 9, "{report}");
    } else {
        eprintln!("memory is not confined here: Max Memory Used is the process's peak RSS");
        assert_eq!(
            first["memory_measured_by"],
            "peak RSS (VmHWM) of the function process"
        );
    }
}
