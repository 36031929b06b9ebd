//! `cargo slim new` / `init`: what a template writes, what is refused, and that
//! every template answers its sample event: its own handler test, and the crate
//! run as a process against a loopback Runtime API. (The one full `cargo slim
//! build` of a template is in tests/suite/generate.rs, which deploys it; here every
//! template is built for the host, in one shared target directory, which
//! compiles their dependencies once.)

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::runtime_api::invoke_once;
use crate::common::{in_crate, output_ok, repo, run, slim, stable_release};
use serde_json::{json, Value};

const TEMPLATES: &[&str] = &["basic", "http", "sqs", "s3", "eventbridge", "stream"];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir");
                out.push(rel.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn new_writes_each_template_with_the_pinned_toolchain_and_lean_dependencies() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let release = stable_release();
    for template in TEMPLATES {
        let name = format!("fn-{template}");
        run(slim().current_dir(tmp.path()).args([
            "new",
            &name,
            "--template",
            template,
            "--arch",
            "arm64,x86_64",
        ]))
        .success()
        .stderr_has(&format!(
            "Created function `{name}` ({template} template, Rust {release})"
        ));
        let dir = tmp.path().join(&name);
        assert_eq!(
            files_under(&dir),
            [
                ".gitignore",
                "Cargo.toml",
                "events/event.json",
                "rust-toolchain.toml",
                "src/main.rs"
            ]
        );

        let toolchain: toml::Table =
            toml::from_str(&read(&dir.join("rust-toolchain.toml"))).expect("toml");
        assert_eq!(
            toolchain["toolchain"]["channel"].as_str(),
            Some(release.as_str())
        );
        let targets: Vec<&str> = toolchain["toolchain"]["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        assert_eq!(
            targets,
            ["aarch64-unknown-linux-musl", "x86_64-unknown-linux-musl"]
        );

        let manifest: toml::Table = toml::from_str(&read(&dir.join("Cargo.toml"))).expect("toml");
        assert_eq!(manifest["package"]["name"].as_str(), Some(name.as_str()));
        let slim_meta = &manifest["package"]["metadata"]["slim"];
        assert_eq!(slim_meta["arch"].as_array().map(Vec::len), Some(2));
        assert_eq!(slim_meta["runtime"].as_str(), Some("provided.al2023"));
        assert_eq!(slim_meta["memory"].as_integer(), Some(128));
        assert_eq!(
            slim_meta["deploy"]["log-retention-days"].as_integer(),
            Some(30)
        );
        let deps = manifest["dependencies"].as_table().expect("dependencies");
        for (dep, spec) in deps {
            // Every Lambda crate comes without its default features: they add
            // tracing subscribers and every event type a function does not use.
            if dep.starts_with("lambda_") || dep == "aws_lambda_events" {
                assert_eq!(
                    spec["default-features"].as_bool(),
                    Some(false),
                    "{template}: {dep}"
                );
            }
            if dep == "tokio" {
                let features = spec["features"].as_array().expect("tokio features");
                assert_eq!(features.len(), 1, "{template}: tokio {features:?}");
            }
        }
        if let Some(events) = deps.get("aws_lambda_events") {
            assert!(
                events["features"].as_array().is_some_and(|f| f.len() <= 2),
                "{template}"
            );
        }
        serde_json::from_str::<serde_json::Value>(&read(&dir.join("events/event.json")))
            .expect("event json");
        let main = read(&dir.join("src/main.rs"));
        assert!(
            main.contains("#[tokio::main(flavor = \"current_thread\")]"),
            "{template}"
        );
        assert!(
            main.contains("include_str!(\"../events/event.json\")"),
            "{template}: handler test reads the sample"
        );
        assert_eq!(read(&dir.join(".gitignore")), "/target\n");
    }
}

#[test]
fn new_and_init_never_overwrite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let new = |name: &str| {
        run(slim()
            .current_dir(tmp.path())
            .args(["new", name, "--toolchain", "1.95.0"]))
    };
    new("twice").success();
    let main = tmp.path().join("twice/src/main.rs");
    std::fs::write(&main, "// mine\n").expect("edit");
    new("twice")
        .failure(2)
        .stderr_has("destination `twice` already exists")
        .stderr_has("help: use `cargo slim init twice`");
    assert_eq!(read(&main), "// mine\n");

    // init in a directory with a Cargo.toml: refused before anything is written.
    let dir = tmp.path().join("existing");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("Cargo.toml"), "# mine\n").expect("write");
    run(slim()
        .current_dir(&dir)
        .args(["init", "--toolchain", "1.95.0"]))
    .failure(2)
    .stderr_has("already has Cargo.toml; cargo slim never overwrites a file");
    assert_eq!(files_under(&dir), ["Cargo.toml"]);
    assert_eq!(read(&dir.join("Cargo.toml")), "# mine\n");

    // init keeps an existing .gitignore, and says it lacks /target.
    let dir = tmp.path().join("with-ignore");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join(".gitignore"), "*.log\n").expect("write");
    run(slim()
        .arg("init")
        .arg(&dir)
        .args(["--toolchain", "1.95.0", "--template", "s3"]))
    .success()
    .stderr_has("Created function `with-ignore` (s3 template")
    .stderr_has("add `/target` to it");
    assert_eq!(read(&dir.join(".gitignore")), "*.log\n");
}

/// What `init` finds in the way is refused before anything is written: an
/// `events` file, a dangling `events` link, a `src` link to a directory
/// elsewhere (it used to write the crate through it). A FIFO named `.gitignore`
/// is kept and not read (it used to hang `init`).
#[test]
fn init_checks_what_is_in_the_way_before_writing() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    let events_file = |d: &Path| std::fs::write(d.join("events"), "mine").expect("write");
    let dangling = |d: &Path| symlink("/nonexistent/events", d.join("events")).expect("link");
    let src_elsewhere = |d: &Path| symlink(outside.path(), d.join("src")).expect("link");
    type Make<'a> = &'a dyn Fn(&Path);
    let cases: [(&str, Make); 3] = [
        ("`events` exists and is not a directory", &events_file),
        ("`events` is a symbolic link", &dangling),
        ("`src` is a symbolic link", &src_elsewhere),
    ];
    for (says, make) in cases {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("fn-crate");
        std::fs::create_dir(&dir).expect("mkdir");
        make(&dir);
        let names = |d: &Path| {
            let mut n: Vec<String> = std::fs::read_dir(d)
                .expect("read")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            n.sort();
            n
        };
        let before = names(&dir);
        run(slim().arg("init").arg(&dir).args(["--toolchain", "1.95.0"]))
            .failure(2)
            .stderr_has(says)
            .stderr_has("nothing was written");
        assert_eq!(names(&dir), before, "{says}: something was written");
        assert!(
            files_under(outside.path()).is_empty(),
            "{says}: written outside"
        );
    }
    // A FIFO named .gitignore: kept, never opened; init finishes.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fifo-crate");
    std::fs::create_dir(&dir).expect("mkdir");
    output_ok(Command::new("mkfifo").arg(dir.join(".gitignore")));
    let mut child = slim()
        .arg("init")
        .arg(&dir)
        .args(["--toolchain", "1.95.0"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().expect("kill");
            panic!("init is still waiting on the FIFO after 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    assert!(dir.join("src/main.rs").is_file());
}

#[test]
fn bad_names_and_options_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (args, says) in [
        (
            vec!["new", "1st"],
            "`1st` is not a valid crate name: it must start with an ASCII letter",
        ),
        (
            vec!["new", "fn"],
            "`fn` is not a valid crate name: it is a Rust keyword",
        ),
        (
            vec!["new", "my fn"],
            "`my fn` is not a valid crate name: ` ` is not allowed",
        ),
        (
            vec!["new", "ok", "--toolchain", "nightly"],
            "`nightly` is not a Rust release number",
        ),
        (
            vec!["new", "ok", "--template", "grpc"],
            "unknown template `grpc`",
        ),
        (
            vec!["new", "ok", "--arch", "riscv"],
            "unknown architecture `riscv`",
        ),
    ] {
        run(slim().current_dir(tmp.path()).args(&args))
            .failure(2)
            .stderr_has(says);
    }
    run(slim()
        .current_dir(tmp.path())
        .args(["init", "--name", "a.b"]))
    .failure(2)
    .stderr_has("help: use ASCII letters");
    assert!(
        files_under(tmp.path()).is_empty(),
        "nothing written on an error"
    );
}

/// Each template's handler test on its sample event, `cargo fmt --check` (a
/// template must be what rustfmt writes), and the crate answering the sample
/// event as a process. Host builds only: the full cross build of a template is
/// tests/suite/generate.rs's.
#[test]
fn every_template_passes_its_own_handler_test() {
    let root = repo().join("target/fixtures/templates");
    let target_dir = repo().join("target/fixtures/templates-host");
    let release = stable_release();
    for template in TEMPLATES {
        let dir = root.join(template);
        // Keep Cargo.lock between runs (same dependency versions, no new
        // resolution); everything else is scaffolded afresh.
        let lock = std::fs::read(dir.join("Cargo.lock")).ok();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        if let Some(lock) = lock {
            std::fs::write(dir.join("Cargo.lock"), lock).expect("lock");
        }
        output_ok(slim().arg("init").arg(&dir).args([
            "--name",
            &format!("tpl-{template}"),
            "--template",
            template,
            "--toolchain",
            &release,
        ]));
        // The crate lives under this repository's directory: a [workspace]
        // table keeps cargo from taking it for a member of ours.
        let manifest = dir.join("Cargo.toml");
        let text = read(&manifest);
        std::fs::write(&manifest, format!("{text}\n[workspace]\n")).expect("workspace");
        // As rustfmt writes it.
        run(in_crate("cargo", &dir).args(["fmt", "--check"])).success();
        let out = output_ok(
            in_crate("cargo", &dir)
                .args(["test", "--quiet", "--target-dir"])
                .arg(&target_dir),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("test result: ok. 1 passed"),
            "{template}: {stdout}"
        );

        // The same crate as a process, through a loopback Runtime API: a host
        // debug build, reusing the dependencies `cargo test` just compiled.
        output_ok(
            in_crate("cargo", &dir)
                .args(["build", "--quiet", "--target-dir"])
                .arg(&target_dir),
        );
        let exe = target_dir.join("debug").join(format!("tpl-{template}"));
        let reply = answer(&exe, &read(&dir.join("events/event.json")));
        assert_eq!(reply, expected_reply(template), "{template}");
    }
}

/// Run a function binary for one event; its reply, parsed.
fn answer(exe: &Path, event: &str) -> Value {
    let reply = invoke_once(Command::new(exe), event, Duration::from_secs(30))
        .unwrap_or_else(|| panic!("{} did not answer", exe.display()));
    assert!(
        reply.path.ends_with("/response"),
        "{}: {}",
        reply.path,
        reply.body
    );
    serde_json::from_str(&reply.body).expect("a JSON reply")
}

/// What each template answers to its own events/event.json.
fn expected_reply(template: &str) -> Value {
    match template {
        "basic" => json!({"message": "Hello, cargo-slim!"}),
        "sqs" => {
            json!({"batchItemFailures": [{"itemIdentifier": "2e1424d4-f796-459a-8184-9c92662be6da"}]})
        }
        "s3" => json!(["example-bucket/uploads/report.csv"]),
        "eventbridge" => json!("o-1001"),
        "stream" => json!({"batchItemFailures": [
            {"itemIdentifier": "49590338271490256608559692540925702759324208523137515618"}
        ]}),
        "http" => json!({
            "statusCode": 200,
            "headers": {"content-type": "text/plain; charset=utf-8"},
            "multiValueHeaders": {},
            "body": "Hello, cargo-slim!",
            "isBase64Encoded": false,
            "cookies": []
        }),
        other => panic!("no expected reply for {other}"),
    }
}
