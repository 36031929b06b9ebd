//! Lambda's filesystem under `cargo slim run`: the zip at `/var/task`, a `/tmp`
//! of the ephemeral storage's size, everything else read-only, built in a
//! mount namespace (as root) or a user and mount namespace (as another user).
//! On a machine that permits neither, each test says so and checks that the
//! run says what it could not do.

use std::process::Command;

use serde_json::Value;

use crate::common::{require_tool, run, slim, Outcome};
use crate::run::zip;

/// Whether the run had Lambda's filesystem; when it had not, say so on the
/// test's output and check that the run said why.
fn lambda_fs(out: &Outcome, doc: &Value) -> bool {
    let fs = &doc["confinement"]["filesystem"];
    if fs["applied"] == "yes" {
        return true;
    }
    eprintln!(
        "this machine does not permit a mount namespace ({}): checking the fallback",
        fs["why"]
    );
    assert!(
        out.stderr.contains("filesystem NOT Lambda's ("),
        "no warning for {fs}: {out}"
    );
    false
}

fn files(cmd: &mut Command) -> (Outcome, Value) {
    let out = run(cmd.arg("run").arg(zip()).args([
        "--payload",
        r#"{"mode":"files"}"#,
        "--message-format",
        "json",
    ]));
    let doc = out.json();
    (out, doc)
}

const EROFS: &str = "Read-only file system (os error 30)";

/// The function reads what the zip shipped at `/var/task/…`, writes and reads
/// back in `/tmp`, and every other write is refused with Lambda's error.
fn sees_lambdas_filesystem(out: Outcome, doc: Value, how: &str) {
    if !lambda_fs(&out, &doc) {
        return;
    }
    let out = out.success();
    let inv = &doc["invocations"][0];
    let seen = &inv["response"];
    assert_eq!(seen["read"], "hello from /var/task\n", "{out}");
    assert_eq!(seen["tmp"], "kept in /tmp", "{out}");
    for key in ["task_write", "etc_write", "root_write"] {
        assert_eq!(seen[key], EROFS, "{key}: {out}");
    }
    assert_eq!(seen["cwd"], "/var/task");
    let applied = doc["confinement"]["filesystem"]["how"].as_str().unwrap();
    assert!(applied.starts_with(how), "{applied}");
    assert!(applied.contains("/tmp 512 MB"), "{applied}");
}

#[test]
fn the_function_sees_lambdas_filesystem_where_the_os_permits() {
    let (out, doc) = files(&mut slim());
    sees_lambdas_filesystem(out, doc, "mount namespace");
    // Lambda's variables say where things are; no TMPDIR of ours.
    let doc = run(slim().arg("run").arg(zip()).args([
        "--payload",
        r#"{"mode":"ok"}"#,
        "--message-format",
        "json",
    ]))
    .success()
    .json();
    if doc["confinement"]["filesystem"]["applied"] == "yes" {
        let env = &doc["invocations"][0]["response"]["env"];
        assert_eq!(env["LAMBDA_TASK_ROOT"], "/var/task");
        assert!(env.get("TMPDIR").is_none(), "{env}");
        assert!(env["LD_LIBRARY_PATH"]
            .as_str()
            .unwrap()
            .contains(":/var/task:"));
    }
}

/// Not root: the same filesystem, in a user namespace (cargo-slim run as
/// `nobody`, on a zip and a target directory it can read).
#[test]
fn an_unprivileged_user_gets_it_through_a_user_namespace() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        // We are that unprivileged user already: the first test covers it.
        return;
    }
    let setpriv = require_tool("setpriv");
    let mut cmd = Command::new(setpriv);
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_cargo-slim"))
        .arg("slim")
        .env("HOME", "/nonexistent")
        .env_remove("CARGO_TARGET_DIR");
    let (out, doc) = files(&mut cmd);
    sees_lambdas_filesystem(out, doc, "user and mount namespace");
}

#[test]
fn a_write_to_var_task_fails_with_lambdas_error_and_says_why() {
    let out =
        run(slim()
            .arg("run")
            .arg(zip())
            .args(["--payload", r#"{"mode":"write_task"}"#, "-v"]))
        .failure(1);
    if !out.stderr.contains("filesystem as on Lambda (") {
        eprintln!("no mount namespace here: checking the fallback");
        out.stderr_has("filesystem NOT Lambda's (");
        return;
    }
    let doc = out.json();
    assert_eq!(doc["errorMessage"], EROFS, "{doc}");
    out.stderr_has("note: only /tmp is writable, as on Lambda: /var/task (the zip), /opt");
}

/// `/tmp` holds `--ephemeral-storage` MB and no more (ENOSPC past it), as
/// Lambda's does. (Locally /tmp is memory: the memory size leaves room.)
#[test]
fn tmp_holds_the_ephemeral_storage() {
    let fill = |storage: &str, mb: u32| {
        let out = run(slim()
            .arg("run")
            .arg(zip())
            .args([
                "--ephemeral-storage",
                storage,
                "--memory",
                "2048",
                "--timeout",
                "60",
            ])
            .args(["--payload", &format!(r#"{{"mode":"fill_tmp","mb":{mb}}}"#)])
            .args(["--message-format", "json"]));
        let doc = out.json();
        (out, doc)
    };
    let (out, doc) = fill("512", 520);
    if !lambda_fs(&out, &doc) {
        return;
    }
    let seen = &doc["invocations"][0]["response"];
    assert_eq!(
        seen["outcome"], "No space left on device (os error 28)",
        "{doc}"
    );
    let written = seen["written_mb"].as_u64().unwrap();
    assert!((510..=512).contains(&written), "{doc}");
    let (out, doc) = fill("600", 520);
    out.success();
    assert_eq!(doc["invocations"][0]["response"]["outcome"], "ok", "{doc}");
    assert_eq!(doc["function"]["ephemeral_storage_mb"], 600);
    for bad in ["511", "10241", "x"] {
        run(slim()
            .arg("run")
            .arg(zip())
            .args(["--ephemeral-storage", bad]))
        .failure(2)
        .stderr_has("--ephemeral-storage")
        .stdout_is("");
    }
}

/// `--no-limits` runs as before, and says so: the zip in a temporary directory
/// (`LAMBDA_TASK_ROOT`), no `/var/task`.
#[test]
fn no_limits_keeps_this_machines_filesystem_and_says_so() {
    let doc = run(slim()
        .arg("run")
        .arg(zip())
        .args(["--payload", r#"{"mode":"files"}"#, "--no-limits"])
        .args(["--message-format", "json"]))
    .success()
    .stderr_has("filesystem NOT Lambda's (--no-limits)")
    .json();
    assert_eq!(doc["confinement"]["filesystem"]["why"], "--no-limits");
    let seen = &doc["invocations"][0]["response"];
    assert!(
        seen["read"].as_str().unwrap().starts_with("error: "),
        "{seen}"
    );
    assert_ne!(seen["cwd"], "/var/task");
}
