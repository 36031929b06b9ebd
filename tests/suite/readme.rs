//! The README's first command gives exactly what the README prints: the
//! summary of `cargo slim build --arch arm64` on templates/hello-lambda, every
//! figure and both hashes, so the README cannot drift from what a fresh
//! machine gets. (The bytes do not depend on the target directory, so the
//! suite's shared one serves.)

use crate::common::{self, output_ok, run, Built};

const TRIPLE: &str = "aarch64-unknown-linux-musl";

/// The README's summary block: from the target's line to `top crates`,
/// without the `path` line (it names the target directory).
fn summary(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with(TRIPLE))
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("```"))
        .filter(|l| !l.trim_start().starts_with("path "))
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// `release:` of the suite's rustc.
fn rustc_release() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = output_ok(std::process::Command::new(rustc).arg("-vV"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("release: "))
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn readme_command_one_gives_the_readme_s_hash() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let expected = summary(&readme);
    assert!(
        expected
            .iter()
            .any(|l| l.trim_start().starts_with("sha256 ")),
        "README.md has no summary block with a sha256: {expected:?}"
    );
    let release = rustc_release();
    assert!(
        readme.contains(&format!("Rust {release}")),
        "README.md's figures name another Rust release than this one ({release}): \
         run README command 1 and update its figures and release"
    );
    let target_dir = common::shared_target_dir();
    let _outputs = common::outputs_shared();
    let out = run(common::slim()
        .args([
            "build",
            "--color",
            "never",
            "--arch",
            "arm64",
            "--manifest-path",
        ])
        .arg(common::fixture("hello-lambda").join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir))
    .success();
    assert_eq!(
        summary(&out.stderr),
        expected,
        "README.md's summary is not what the build prints"
    );
    // And the file on disk is what the printed hash says.
    let built = Built::at(&target_dir, "hello-lambda", TRIPLE);
    let out = output_ok(std::process::Command::new("sha256sum").arg(&built.zip));
    let text = String::from_utf8_lossy(&out.stdout);
    let sha = text.split_whitespace().next().unwrap_or_default();
    assert!(
        expected.iter().any(|l| l.ends_with(&sha)),
        "function.zip is {sha}"
    );
}
