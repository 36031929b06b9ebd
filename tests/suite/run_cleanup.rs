//! `run` and `bench` leave nothing behind and stay bounded, whatever the function
//! does and however cargo-slim is stopped: SIGTERM, SIGHUP or SIGKILL during a
//! run or a bench, a function whose children and double-forked daemons outlive
//! it, one that keeps forking, one that floods its output. Afterwards no process
//! of the function (found by a marker in its environment, which its children
//! inherit), no cgroup named after cargo-slim's pid and nothing in its TMPDIR
//! may remain.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{peak_rss_kib, slim};
use crate::run::{processes_with, zip};

/// How long the janitor and the supervisors may take to clean up after a
/// SIGKILL (they need milliseconds; this only bounds a failing test).
const CLEANUP_PATIENCE: Duration = Duration::from_secs(20);

/// One cargo-slim run/bench, its marker and its own TMPDIR.
struct Traced {
    child: Child,
    marker: String,
    tmp: tempfile::TempDir,
}

impl Traced {
    /// Start `cargo slim SUBCOMMAND zip ARGS…` with a marker in the function's
    /// environment and a TMPDIR of its own.
    fn start(subcommand: &str, args: &[&str]) -> Traced {
        let tmp = tempfile::tempdir().unwrap();
        let marker = format!(
            "SLIM_CLEANUP_MARKER={}-{}",
            std::process::id(),
            tmp.path().display()
        );
        let child = slim()
            .arg(subcommand)
            .arg(zip())
            .args(args)
            .args(["--env", &marker])
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Traced { child, marker, tmp }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait until the function and what it started are running (`count`
    /// processes carry the marker).
    fn wait_for_processes(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while processes_with(&self.marker).len() < count {
            assert!(Instant::now() < deadline, "the function did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Wait for cargo-slim to end: its exit code (`None`: a signal) and stderr.
    fn finish(mut self) -> (Option<i32>, String, Leftovers) {
        let mut stderr = String::new();
        let _ = self
            .child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr);
        let code = self.child.wait().unwrap().code();
        let left = Leftovers {
            pid: self.pid(),
            marker: self.marker,
            tmp: self.tmp,
        };
        (code, stderr, left)
    }
}

/// What a finished run could have left.
struct Leftovers {
    pid: u32,
    marker: String,
    tmp: tempfile::TempDir,
}

impl Leftovers {
    /// Everything still there, described.
    fn now(&self) -> Vec<String> {
        let mut found: Vec<String> = processes_with(&self.marker)
            .into_iter()
            .map(|pid| format!("process {pid}"))
            .collect();
        found.extend(
            cgroups_of(self.pid)
                .iter()
                .map(|d| format!("cgroup {}", d.display())),
        );
        found.extend(
            std::fs::read_dir(self.tmp.path())
                .unwrap()
                .flatten()
                .map(|e| format!("temporary {}", e.path().display())),
        );
        found
    }

    /// What is still there once cleaning up has had its time.
    fn after_cleanup(&self) -> Vec<String> {
        let deadline = Instant::now() + CLEANUP_PATIENCE;
        loop {
            let left = self.now();
            if left.is_empty() || Instant::now() > deadline {
                return left;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// cgroups named after cargo-slim's pid (`cargo-slim-PID-N`) in our own group
/// of every mounted hierarchy: where cargo-slim makes them.
fn cgroups_of(pid: u32) -> Vec<PathBuf> {
    let prefix = format!("cargo-slim-{pid}-");
    let membership = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut found = Vec::new();
    for mount in std::fs::read_dir("/sys/fs/cgroup")
        .into_iter()
        .flatten()
        .flatten()
    {
        for line in membership.lines() {
            let path = line.splitn(3, ':').nth(2).unwrap_or("/");
            let ours = mount.path().join(path.trim_start_matches('/'));
            for entry in std::fs::read_dir(&ours).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(&prefix) && !found.contains(&entry.path()) {
                    found.push(entry.path());
                }
            }
        }
    }
    found
}

/// `{"mode":"children","then":THEN}`: the function starts a child in its
/// process group and a double-forked daemon.
fn children(then: &str) -> String {
    format!(r#"{{"mode":"children","then":"{then}"}}"#)
}

/// Start `subcommand` on a function that starts children and hangs, wait until
/// all three processes run, and say whether its cgroups exist.
fn start_hanging(subcommand: &str, extra: &[&str]) -> (Traced, bool) {
    let payload = children("hang");
    let mut args = vec!["--payload", &payload, "--timeout", "60"];
    if subcommand == "bench" {
        args.extend(["--cold", "1", "--warm", "1"]);
    }
    args.extend(extra);
    let run = Traced::start(subcommand, &args);
    run.wait_for_processes(3);
    let confined = !cgroups_of(run.pid()).is_empty();
    (run, confined)
}

#[test]
fn sigterm_and_sighup_stop_a_run_or_a_bench_and_leave_nothing() {
    let cases: [(&str, &str, &[&str]); 4] = [
        ("run", "TERM", &[]),
        ("run", "HUP", &["--no-limits"]),
        ("bench", "TERM", &[]),
        ("bench", "HUP", &["--no-limits"]),
    ];
    for (subcommand, signal, extra) in cases {
        let (run, confined) = start_hanging(subcommand, extra);
        let case = format!("{subcommand} {extra:?}, SIG{signal}");
        if !extra.is_empty() {
            assert!(!confined, "{case}: --no-limits made cgroups");
        }
        run.signal(signal);
        let (code, stderr, left) = run.finish();
        assert_eq!(code, Some(2), "{case}: {stderr}");
        assert!(
            stderr.contains(&format!("error: interrupted by SIG{signal}")),
            "{case}: {stderr}"
        );
        // An orderly stop: everything is gone by the time cargo-slim has exited.
        assert_eq!(left.now(), Vec::<String>::new(), "{case}");
    }
}

#[test]
fn sigkill_of_a_run_or_a_bench_leaves_nothing() {
    let cases: [(&str, &[&str]); 3] = [("run", &[]), ("run", &["--no-limits"]), ("bench", &[])];
    for (subcommand, extra) in cases {
        let (run, confined) = start_hanging(subcommand, extra);
        let case = format!("{subcommand} {extra:?}, SIGKILL");
        if extra.is_empty() && !confined {
            eprintln!("{case}: no cgroups on this machine: only processes and files checked");
        }
        run.signal("KILL");
        let (code, stderr, left) = run.finish();
        assert_eq!(code, None, "{case}: {stderr}");
        // Nobody inside cargo-slim could clean up: its supervisors and janitor did.
        assert_eq!(left.after_cleanup(), Vec::<String>::new(), "{case}");
    }
}

#[test]
fn what_the_function_started_ends_with_its_environment() {
    // It exits, answers, or is killed at its timeout: its child and its
    // double-forked daemon go with it, with cgroups and without.
    let exit = children("exit");
    let answer = children("answer");
    let hang = children("hang");
    let cases: [(&str, &[&str], i32); 5] = [
        (&exit, &["--no-limits"], 1),
        (&exit, &[], 1),
        (&answer, &["--no-limits"], 0),
        (&answer, &["--repeat", "2", "--no-limits"], 0),
        (&hang, &["--timeout", "1", "--no-limits"], 1),
    ];
    for (payload, extra, expected) in cases {
        let mut args = vec!["--payload", payload];
        args.extend(extra);
        let run = Traced::start("run", &args);
        let (code, stderr, left) = run.finish();
        let case = format!("{payload} {extra:?}");
        assert_eq!(code, Some(expected), "{case}: {stderr}");
        assert_eq!(left.now(), Vec::<String>::new(), "{case}");
    }
}

#[test]
fn a_function_that_keeps_forking_leaves_no_cgroup_and_no_process() {
    // Two daemons forking `sleep` as fast as they can, in each of three cold
    // starts and a warm environment; 1,024 MB gives them most of a CPU.
    for extra in [&[][..], &["--no-limits"][..]] {
        let mut args = vec!["--payload", r#"{"mode":"forker"}"#];
        args.extend(["--cold", "3", "--warm", "1", "--memory", "1024"]);
        args.extend(extra);
        let run = Traced::start("bench", &args);
        let (code, stderr, left) = run.finish();
        assert_eq!(code, Some(0), "{extra:?}: {stderr}");
        assert_eq!(left.now(), Vec::<String>::new(), "{extra:?}");
    }
}

/// The bound on cargo-slim's peak RSS while a function floods its output for the
/// whole of its timeout. (It was 1.26 GB for `flood` and 2.6 GB for
/// `flood_chunks` in 3 s before the output was windowed.)
const FLOOD_RSS_BOUND_KIB: u64 = 64 * 1024;

#[test]
fn a_flood_of_output_keeps_our_memory_bounded_and_says_what_it_dropped() {
    // `y` lines as fast as it can; 64 KiB chunks without a newline.
    for mode in ["flood", "flood_chunks"] {
        let payload = format!(r#"{{"mode":"{mode}"}}"#);
        let mut child = slim()
            .arg("run")
            .arg(zip())
            .args(["--payload", &payload, "--timeout", "3"])
            .args(["--message-format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        // Every line is forwarded as it comes: count them, keep none.
        let forwarded = std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            let mut newlines = 0u64;
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            }
            newlines
        });
        // VmHWM is a high-water mark: its last reading before the exit is the peak
        // of (nearly) the whole run.
        let mut peak = 0;
        while child.try_wait().unwrap().is_none() {
            peak = peak.max(peak_rss_kib(pid).unwrap_or(0));
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            peak > 0 && peak < FLOOD_RSS_BOUND_KIB,
            "{mode}: peak RSS {peak} KiB, bound {FLOOD_RSS_BOUND_KIB} KiB"
        );
        let doc: serde_json::Value = serde_json::from_str(&stdout.join().unwrap()).unwrap();
        let inv = &doc["invocations"][0];
        assert_eq!(inv["status"], "timeout", "{mode}");
        let kept = inv["logs"].as_array().unwrap();
        let dropped = &inv["logs_dropped"];
        assert!(!kept.is_empty(), "{mode}");
        assert!(
            dropped["records"].as_u64().unwrap() > 0,
            "{mode}: {dropped}"
        );
        assert!(dropped["bytes"].as_u64().unwrap() > 0, "{mode}: {dropped}");
        let kept_bytes: usize = kept.iter().map(|l| l["text"].as_str().unwrap().len()).sum();
        assert!(kept.len() <= 10_000 && kept_bytes <= 256 * 1024, "{mode}");
        // What was dropped from the record still reached stderr.
        let lines = forwarded.join().unwrap();
        assert!(
            lines >= kept.len() as u64 + dropped["records"].as_u64().unwrap(),
            "{mode}: {lines} lines forwarded"
        );
    }
}
