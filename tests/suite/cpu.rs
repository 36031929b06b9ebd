//! The CPU baseline: flags above it are refused before compiling, and `check`
//! (and the build's preflight) names the function whose instructions go above
//! it. The `cshim` fixture's C function `cshim_mix` compiles to AVX2 or SHA3
//! instructions when its flags allow them (`-mavx2`, `-march=armv8.4-a+sha3`),
//! to plain code otherwise.

use std::process::Command;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::common::{self, build, require_tool, run, slim};

const X86: &str = "x86_64-unknown-linux-musl";
const ARM: &str = "aarch64-unknown-linux-musl";

/// The flag each arch's test compiles cshim's C with, and the feature it
/// brings in that the baseline lacks.
fn above(triple: &str) -> (&'static str, &'static str, &'static str) {
    if triple == X86 {
        ("CFLAGS_x86_64_unknown_linux_musl", "-mavx2", "avx")
    } else {
        (
            "CFLAGS_aarch64_unknown_linux_musl",
            "-march=armv8.4-a+sha3",
            "sha3",
        )
    }
}

fn cshim_build(triple: &str) -> Command {
    let mut cmd = slim();
    cmd.args(["build", "-q", "--target", triple, "--manifest-path"])
        .arg(common::fixture("cshim").join("Cargo.toml"))
        .arg("--target-dir")
        .arg(common::shared_target_dir());
    cmd
}

#[test]
fn c_flags_above_the_baseline_are_refused_before_compiling() {
    for triple in [X86, ARM] {
        let (var, flag, feature) = above(triple);
        let out = run(cshim_build(triple).env(var, flag))
            .failure(2)
            .stderr_has(&format!(
                "`{flag}` ({var}) asks for CPU features beyond the baseline"
            ))
            .stderr_has("they stop the function with SIGILL")
            .stderr_has(&format!("help: remove it from {var}"));
        let stderr = &out.stderr;
        assert!(stderr.contains(feature), "{stderr}");
        assert!(
            !stderr.contains("Compiling"),
            "refused before compiling: {stderr}"
        );
    }
}

#[test]
fn every_place_a_cpu_flag_can_come_from_is_refused() {
    run(cshim_build(X86).env("TARGET_CFLAGS", "-O2 -march=native"))
        .failure(2)
        .stderr_has("`-march=native` (TARGET_CFLAGS) asks for CPU features beyond the baseline x86-64-v2: whatever the build machine has (native)");
    run(cshim_build(X86).env("RUSTFLAGS", "-C target-cpu=haswell"))
        .failure(2)
        .stderr_has("`-C target-cpu=haswell` (RUSTFLAGS) asks for CPU features beyond the baseline x86-64-v2: avx, avx2, bmi1, bmi2");
    run(cshim_build(ARM).args(["--cpu", "neoverse-v1"]))
        .failure(2)
        .stderr_has(
            "`--cpu neoverse-v1` (--cpu) asks for CPU features beyond the baseline neoverse-n1",
        )
        .stderr_has("sha3");
    // Cargo config: rustflags, and [env] for build scripts (cc reads CFLAGS there).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".cargo")).unwrap();
    std::fs::write(
        dir.path().join(".cargo/config.toml"),
        "[build]\nrustflags = [\"-Ctarget-feature=+avx2\"]\n",
    )
    .unwrap();
    run(cshim_build(X86).current_dir(dir.path()))
        .failure(2)
        .stderr_has("`-Ctarget-feature=+avx2` (rustflags in cargo config) asks for CPU features beyond the baseline x86-64-v2: avx, avx2;");
    std::fs::write(
        dir.path().join(".cargo/config.toml"),
        "[env]\nCFLAGS = \"-mcpu=native\"\n",
    )
    .unwrap();
    run(cshim_build(ARM).current_dir(dir.path()))
        .failure(2)
        .stderr_has(
            "`-mcpu=native` (CFLAGS) asks for CPU features beyond the baseline neoverse-n1",
        );
    // `-mtune` too: through cargo-zigbuild's zig cc it selects the CPU.
    run(cshim_build(X86).env("TARGET_CFLAGS", "-march=x86-64-v2 -mtune=haswell"))
        .failure(2)
        .stderr_has("`-mtune=haswell` (TARGET_CFLAGS) asks for CPU features beyond");
    // Within the baseline: built, and the preflight's cpu check passes it.
    run(cshim_build(X86).env("TARGET_CFLAGS", "-O2 -march=x86-64-v2")).success();
}

/// cshim built by `cargo slim build` with a flag above Lambda's baseline and
/// the higher baseline declared (`--cpu-baseline`), in a target directory of
/// its own (the shared one holds the plain build other tests read).
fn cshim_above(triple: &str) -> common::Built {
    static BUILT: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    let target_dir = common::repo().join("target/fixtures-cpu");
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap();
    if !built.iter().any(|t| t == triple) {
        require_tool("cargo-zigbuild");
        let (var, flag, _) = above(triple);
        let mut cmd = slim();
        cmd.env(var, flag);
        let args = ["-q", "--cpu-baseline", declared(triple)];
        common::build_in(cmd, "cshim", "cshim", triple, &target_dir, &args);
        built.push(triple.to_string());
    }
    common::Built::at(&target_dir, "cshim", triple)
}

/// A baseline that has the feature [`above`] brings in.
fn declared(triple: &str) -> &'static str {
    if triple == X86 {
        "x86-64-v3"
    } else {
        "neoverse-v1"
    }
}

fn check_json(path: &std::path::Path, args: &[&str]) -> common::Outcome {
    run(slim()
        .args(["--message-format", "json", "check"])
        .arg(path)
        .args(args))
}

fn cpu_check(json: &Value) -> &Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "cpu")
        .expect("a cpu check")
}

#[test]
fn a_declared_baseline_allows_the_flag_and_check_names_the_function() {
    for (triple, arch, mnemonic) in [(X86, "x86_64", "vpxor"), (ARM, "arm64", "eor3")] {
        let built = cshim_above(triple);
        let (_, flag, feature) = above(triple);
        // The build allowed the flag, passed its preflight against the declared
        // baseline and recorded it.
        let m: Value =
            serde_json::from_str(&std::fs::read_to_string(&built.manifest).unwrap()).unwrap();
        assert_eq!(m["build"]["options"]["cpu_baseline"], declared(triple));
        // `check` holds the zip to Lambda's baseline, naming the function from
        // the bootstrap.full beside it.
        run(slim().arg("check").arg(&built.zip).args(["--arch", arch]))
            .failure(1)
            .stdout_has("cpu          FAIL")
            .stdout_has(&format!("{feature} in cshim_mix ([non-rust])"))
            .stdout_has("dies with SIGILL")
            .stdout_has("preflight failed: 1 of 11 checks (cpu)");
        let json = check_json(&built.zip, &["--arch", arch]).failure(1).json();
        let cpu = &json["cpu"];
        let baseline = if triple == X86 {
            "x86-64-v2"
        } else {
            "neoverse-n1"
        };
        assert_eq!(cpu["baseline"]["name"], baseline, "{flag}");
        let failing: Vec<&Value> = cpu["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["reached"] == "unconditional")
            .collect();
        assert_eq!(failing.len(), 1, "{triple}: {failing:?}");
        assert_eq!(failing[0]["function"], "cshim_mix");
        assert_eq!(failing[0]["feature"], feature);
        assert!(
            failing[0]["mnemonics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == mnemonic),
            "{failing:?}"
        );
        // Checked against the declared baseline: it passes.
        let json = check_json(
            &built.zip,
            &["--arch", arch, "--cpu-baseline", declared(triple)],
        )
        .success()
        .json();
        assert_eq!(cpu_check(&json)["passed"], true);
    }
}

/// The same fixture built by `cargo slim build` without the flag: plain code,
/// and the build's preflight and `check` both pass it.
#[test]
fn check_passes_the_same_code_built_for_the_baseline() {
    require_tool("cargo-zigbuild");
    for triple in [X86, ARM] {
        let built = build("cshim", "cshim", triple, &[]);
        let json = check_json(&built.zip, &[]).success().json();
        let cpu = cpu_check(&json);
        assert_eq!(cpu["passed"], true, "{cpu}");
        // The names come from bootstrap.full beside the zip (same build-id).
        let names: Vec<&str> = json["cpu"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["function"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"cshim_mix"), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("stripped")), "{names:?}");
    }
}

/// The README example as the suite builds it for both arches (shared with the
/// build and size tests): its newer instructions are all chosen at run time.
#[test]
fn readme_example_passes_on_both_arches() {
    for triple in [X86, ARM] {
        let built = build(
            "hello-lambda",
            "hello-lambda",
            triple,
            &["-q", "--opt-level", "s"],
        );
        let json = check_json(&built.zip, &[]).success().json();
        assert_eq!(json["passed"], true);
        let findings = json["cpu"]["findings"].as_array().unwrap();
        assert!(findings.iter().all(|f| f["reached"] != "unconditional"));
        if triple == X86 {
            // memchr's AVX2 search, chosen after std's is_x86_feature_detected!.
            let memchr = findings
                .iter()
                .find(|f| f["feature"] == "avx2" && f["krate"] == "memchr")
                .expect("memchr's avx2 code");
            assert_eq!(memchr["reached"], "selected at run time");
            assert!(memchr["why"]
                .as_str()
                .unwrap()
                .contains("reached only through"));
        }
    }
}

/// Under qemu emulating the baseline CPU, the instruction it lacks stops the
/// function as on Lambda (SIGILL, Runtime.ExitError), and the report names
/// the function, the instruction and the feature.
#[test]
fn a_too_new_instruction_stops_the_run_with_sigill_in_its_function() {
    for (triple, instruction, feature, model) in [
        (
            X86,
            "`vmovdqu` needs avx",
            "avx",
            "qemu-x86_64-static -cpu Nehalem",
        ),
        (
            ARM,
            "`eor3` needs sha3",
            "sha3",
            "qemu-aarch64-static -cpu neoverse-n1",
        ),
    ] {
        let built = cshim_above(triple);
        run(slim().args(["run", "--baseline-cpu"]).arg(&built.zip))
            .failure(1)
            .stdout_has("Runtime exited with error: signal: illegal instruction")
            .stderr_has(&format!("[emulated: {model}]"))
            .stderr_has("SIGILL at 0x")
            .stderr_has(&format!("in cshim_mix ([non-rust]): {instruction}"));
        let json = run(slim()
            .args(["--message-format", "json", "run", "--baseline-cpu"])
            .arg(&built.zip))
        .failure(1)
        .json();
        let invocation = &json["invocations"][0];
        assert_eq!(
            invocation["error_type"], "Runtime.ExitError",
            "{invocation}"
        );
        let fault = &invocation["fault"];
        assert_eq!(fault["signal"], 4, "{fault}");
        assert_eq!(fault["function"], "cshim_mix");
        assert_eq!(fault["features"][0], feature);
        // Natively (this machine has AVX) the same code runs through: cshim is
        // no Lambda function, so it then exits with status 0 after printing.
        if triple == X86 {
            run(slim().arg("run").arg(&built.zip))
                .failure(1)
                .stdout_has("Runtime exited with error: exit status 0")
                .stderr_has("cshim_mix = 63");
        }
    }
}

/// The README example runs under both baseline models, with `run` and `bench`.
#[test]
fn the_readme_example_runs_on_the_baseline_cpus() {
    for (triple, model) in [
        (X86, "qemu-x86_64-static -cpu Nehalem"),
        (ARM, "qemu-aarch64-static -cpu neoverse-n1"),
    ] {
        let built = build(
            "hello-lambda",
            "hello-lambda",
            triple,
            &["-q", "--opt-level", "s"],
        );
        run(slim()
            .args(["run", "--baseline-cpu", "--payload", r#"{"name":"n1"}"#])
            .arg(&built.zip))
        .success()
        .stdout_has(r#""message":"Hello, n1!""#)
        .stderr_has(&format!("[emulated: {model}]"));
    }
    let built = build(
        "hello-lambda",
        "hello-lambda",
        X86,
        &["-q", "--opt-level", "s"],
    );
    let doc = run(slim()
        .args(["bench", "--baseline-cpu", "--cold", "1", "--warm", "2"])
        .args(["--payload", r#"{"name":"n1"}"#, "--message-format", "json"])
        .arg(&built.zip))
    .success()
    .json();
    assert_eq!(
        doc["builds"][0]["failures"].as_array().unwrap().len(),
        0,
        "{doc}"
    );
    assert_eq!(doc["emulated"], true, "{doc}");
}
