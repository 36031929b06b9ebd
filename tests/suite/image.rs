//! `cargo slim build --image`: the OCI image is read by real tools (skopeo,
//! umoci), holds the zip's bootstrap byte for byte, answers an invocation, is
//! byte-reproducible across checkout paths and target directories, and is
//! checked by `cargo slim verify`. Bad requests fail before compiling.

use crate::common;

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::runtime_api::{lambda_env, RuntimeApi, REQUEST_ID};
use crate::common::{
    build_in, exec_for, fixture, output_ok, require_tool, run, slim, Built, Outcome,
};
use serde_json::Value;

const ARM64: &str = "aarch64-unknown-linux-musl";
const X86_64: &str = "x86_64-unknown-linux-musl";
const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

fn manifest(built: &Built) -> Value {
    serde_json::from_slice(&fs::read(&built.manifest).expect("manifest")).expect("manifest JSON")
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON from skopeo")
}

fn skopeo(args: &[&str], image: &str) -> Value {
    json(&output_ok(
        Command::new(require_tool("skopeo"))
            .arg("inspect")
            .args(args)
            .arg(image),
    ))
}

/// `oci:DIR:latest` for the layout beside `built`'s zip.
fn oci_ref(built: &Built) -> String {
    format!("oci:{}:latest", built.dir.join("image").display())
}

/// `umoci unpack` the layout into `bundle` (rootless when not root).
fn umoci_unpack(layout: &Path, bundle: &Path) {
    let mut cmd = Command::new(require_tool("umoci"));
    cmd.arg("unpack");
    let uid = run(Command::new("id").arg("-u")).stdout;
    if uid.trim() != "0" {
        cmd.arg("--rootless");
    }
    output_ok(
        cmd.arg("--image")
            .arg(format!("{}:latest", layout.display()))
            .arg(bundle),
    );
}

/// The `bootstrap` entry of a zip, read with `unzip -p`.
fn zip_bootstrap(zip: &Path) -> Vec<u8> {
    output_ok(
        Command::new(require_tool("unzip"))
            .arg("-p")
            .arg(zip)
            .arg("bootstrap"),
    )
    .stdout
}

/// The real lambda_runtime function, as an arm64 image: skopeo sees a
/// single-platform image with one gzip layer and Lambda's entrypoint, it copies
/// to a docker-archive, and umoci unpacks a `var/runtime/bootstrap` identical to
/// the zip's that answers an invocation under qemu.
#[test]
fn arm64_image_is_read_by_skopeo_and_umoci_and_answers_an_invocation() {
    let _outputs = common::outputs_exclusive();
    // opt-level s: the build tests/suite/build.rs and tests/suite/size.rs make (compiled once).
    let built = build_in(
        slim(),
        "hello-lambda",
        "hello-lambda",
        ARM64,
        &common::shared_target_dir(),
        &["-q", "--opt-level", "s", "--image"],
    );
    let m = manifest(&built);
    assert_eq!(m["build"]["options"]["image"], true);
    let rec = &m["image"];
    let archive = format!(
        "oci-archive:{}:latest",
        built.dir.join("image.tar").display()
    );

    let info = skopeo(&[], &archive);
    assert_eq!(info["Architecture"], "arm64");
    assert_eq!(info["Os"], "linux");
    assert_eq!(info["Digest"], rec["manifest"]["digest"]);
    assert_eq!(info["Created"], "1980-01-01T00:00:00Z");
    assert_eq!(info["Layers"].as_array().map(Vec::len), Some(1));
    assert_eq!(info["Labels"]["org.opencontainers.image.version"], "0.1.0");

    let raw = skopeo(&["--raw"], &archive);
    assert_eq!(
        raw["mediaType"], "application/vnd.oci.image.manifest.v1+json",
        "a plain image manifest, not an index: {raw}"
    );
    let layers = raw["layers"].as_array().expect("layers");
    assert_eq!(layers.len(), 1, "{raw}");
    assert_eq!(layers[0]["mediaType"], LAYER_GZIP);
    assert_eq!(layers[0]["digest"], rec["layer"]["digest"]);
    assert_eq!(raw["config"]["digest"], rec["config"]["digest"]);

    let config = skopeo(&["--config"], &oci_ref(&built));
    assert_eq!(config["architecture"], "arm64");
    assert_eq!(config["variant"], "v8");
    assert_eq!(
        config["config"]["Entrypoint"],
        serde_json::json!(["/var/runtime/bootstrap"])
    );
    assert_eq!(config["config"]["WorkingDir"], "/var/task");
    let env = config["config"]["Env"].to_string();
    assert!(env.contains("LAMBDA_TASK_ROOT=/var/task"), "{env}");
    assert!(env.contains("LAMBDA_RUNTIME_DIR=/var/runtime"), "{env}");
    assert_eq!(config["rootfs"]["diff_ids"][0], rec["layer_diff_id"]);
    assert_eq!(config["history"][0]["created"], "1980-01-01T00:00:00Z");

    let tmp = tempfile::tempdir().unwrap();
    let docker = tmp.path().join("docker.tar");
    output_ok(
        Command::new(require_tool("skopeo"))
            .arg("copy")
            .arg(oci_ref(&built))
            .arg(format!(
                "docker-archive:{}:hello-lambda:latest",
                docker.display()
            )),
    );
    assert!(fs::metadata(&docker).unwrap().len() > rec["layer"]["size"].as_u64().unwrap());

    let bundle = tmp.path().join("bundle");
    umoci_unpack(&built.dir.join("image"), &bundle);
    let unpacked = bundle.join("rootfs/var/runtime/bootstrap");
    assert!(
        fs::read(&unpacked).unwrap() == zip_bootstrap(&built.zip),
        "the image's bootstrap differs from the zip's"
    );
    assert!(bundle.join("rootfs/var/task").is_dir());

    let api = RuntimeApi::start(r#"{"name":"image"}"#);
    let mut cmd = exec_for(ARM64, &unpacked);
    for (k, v) in lambda_env(&api) {
        cmd.env(k, v);
    }
    let mut child = cmd
        .env("LAMBDA_TASK_ROOT", bundle.join("rootfs/var/task"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the unpacked bootstrap");
    let reply = api.reply(Duration::from_secs(60));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let reply = reply.unwrap_or_else(|| {
        panic!(
            "no reply from the unpacked function; stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        reply.path,
        format!("/2018-06-01/runtime/invocation/{REQUEST_ID}/response")
    );
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["message"], "Hello, image!");
}

/// The layer's tar, entry by entry: Lambda's paths, every parent, sorted, root
/// owned, one mtime, plain ustar; and the gzip header carries no name or time.
fn layer_entries(built: &Built) -> Vec<(String, u32, u64, u64)> {
    let m = manifest(built);
    let digest = m["image"]["layer"]["digest"].as_str().unwrap().to_string();
    let hex = digest.trim_start_matches("sha256:");
    let gz = fs::read(built.dir.join("image/blobs/sha256").join(hex)).unwrap();
    assert_eq!(
        &gz[3..10],
        &[0, 0, 0, 0, 0, 2, 255],
        "gzip: no flags, mtime 0"
    );
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut tar)
        .unwrap();
    let mut archive = tar::Archive::new(&tar[..]);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        assert!(entry.pax_extensions().unwrap().is_none(), "no PAX records");
        let h = entry.header().clone();
        assert!(h.as_ustar().is_some(), "ustar headers");
        assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
        out.push((
            String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
            h.mode().unwrap(),
            h.mtime().unwrap(),
            h.size().unwrap(),
        ));
    }
    out
}

/// `cargo slim build --arch arm64 --image` in a copy of the hello fixture, with
/// an --include file, at SOURCE_DATE_EPOCH 1700000000; `vary`: in another
/// timezone and locale.
fn build_hello_image(crate_dir: &Path, target_dir: &Path, vary: bool) {
    let mut cmd = slim();
    if vary {
        cmd.env("TZ", "Pacific/Kiritimati").env("LC_ALL", "C.UTF-8");
    }
    output_ok(
        cmd.current_dir(crate_dir)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(["build", "--arch", "arm64", "-q", "--image"])
            .args(["--include", "conf/app.json:conf/app.json", "--target-dir"])
            .arg(target_dir),
    );
}

/// Two checkouts at different paths with different target directories (and
/// timezones and locales) give the same image, byte for byte (and the same
/// manifest); SOURCE_DATE_EPOCH sets
/// every time in it; --include files land under /var/task with their parents.
#[test]
fn same_image_from_two_checkout_paths() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for root in [
        a.path().to_path_buf(),
        b.path().join("some/deeper/checkout path"),
    ] {
        let crate_dir = common::copy_fixture("hello", &root);
        fs::create_dir_all(crate_dir.join("conf")).unwrap();
        fs::write(crate_dir.join("conf/app.json"), b"{\"x\":1}\n").unwrap();
        let target_dir = root.join("tgt");
        build_hello_image(&crate_dir, &target_dir, root != a.path());
        let built = Built::at(&target_dir, "hello", ARM64);
        outputs.push((
            fs::read(built.dir.join("image.tar")).unwrap(),
            fs::read(&built.manifest).unwrap(),
            built,
        ));
    }
    assert!(
        outputs[0].0 == outputs[1].0,
        "image.tar differs between checkout paths"
    );
    assert!(
        outputs[0].1 == outputs[1].1,
        "slim-manifest.json differs between checkout paths"
    );
    let built = &outputs[0].2;
    // The provenance names the image too: image.tar and the image by its
    // manifest digest, as the slim-manifest records them.
    let m = manifest(built);
    let statement: Value =
        serde_json::from_slice(&fs::read(built.dir.join("function.intoto.json")).unwrap()).unwrap();
    let subjects: Vec<(String, String)> = statement["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let name = s["name"].as_str().unwrap().to_string();
            (name, s["digest"]["sha256"].as_str().unwrap().to_string())
        })
        .collect();
    let image_digest = m["image"]["manifest"]["digest"].as_str().unwrap();
    assert_eq!(
        subjects,
        vec![
            (
                "function.zip".to_string(),
                m["zip"]["sha256"].as_str().unwrap().to_string()
            ),
            (
                "image.tar".to_string(),
                m["image"]["archive"]["sha256"]
                    .as_str()
                    .unwrap()
                    .to_string()
            ),
            (
                "image".to_string(),
                image_digest.trim_start_matches("sha256:").to_string()
            ),
        ]
    );
    let entries = layer_entries(built);
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "var/",
            "var/runtime/",
            "var/runtime/bootstrap",
            "var/task/",
            "var/task/conf/",
            "var/task/conf/app.json"
        ]
    );
    let modes: Vec<u32> = entries.iter().map(|e| e.1).collect();
    assert_eq!(modes, [0o755, 0o755, 0o755, 0o755, 0o755, 0o644]);
    assert!(entries.iter().all(|e| e.2 == 1_700_000_000), "{entries:?}");
    let m = manifest(built);
    let info = skopeo(
        &[],
        &format!("oci-archive:{}", built.dir.join("image.tar").display()),
    );
    assert_eq!(info["Created"], "2023-11-14T22:13:20Z");
    assert_eq!(info["Digest"], m["image"]["manifest"]["digest"]);
    assert_eq!(
        m["image"]["archive"]["size"].as_u64(),
        Some(outputs[0].0.len() as u64)
    );

    // In git, the image is labelled with the commit; verify from a later commit
    // with the same sources rebuilds it with the recorded labels and agrees.
    let checkout = a.path().join("hello");
    let git = |args: &[&str]| {
        output_ok(
            Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(&checkout),
        )
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "one"]);
    let first = String::from_utf8(git(&["rev-parse", "HEAD"]).stdout).unwrap();
    build_hello_image(&checkout, &a.path().join("tgt"), false);
    let m = manifest(built);
    assert_eq!(
        m["image"]["labels"]["org.opencontainers.image.revision"].as_str(),
        Some(first.trim())
    );
    fs::write(checkout.join("NOTES.md"), b"not a source file\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "two"]);

    // verify: the artifact matches; a changed blob is named; the rebuild agrees.
    let verify = |extra: &[&str]| {
        run(slim()
            .current_dir(a.path().join("hello"))
            .args(["verify", "--arch", "arm64", "--target-dir"])
            .arg(a.path().join("tgt"))
            .args(extra))
    };
    verify(&["--artifact-only"])
        .success()
        .stderr_has("image sha256:");
    let config = m["image"]["config"]["digest"].as_str().unwrap();
    let config_blob = built
        .dir
        .join("image/blobs/sha256")
        .join(config.trim_start_matches("sha256:"));
    let original = fs::read(&config_blob).unwrap();
    fs::write(&config_blob, b"{}").unwrap();
    verify(&["--artifact-only"])
        .failure(1)
        .stderr_has("image config blob");
    fs::write(&config_blob, original).unwrap();
    verify(&[]).success().stderr_has("reproducible");
}

/// `--multi-arch`: one layout whose index names an arm64 and an amd64 manifest
/// (with a warning that Lambda does not take it); each target's own image stays
/// a plain manifest. The amd64 image, unpacked by umoci, runs natively.
#[test]
fn multi_arch_index_beside_the_per_target_images() {
    let _outputs = common::outputs_exclusive();
    let triples = format!("{ARM64},{X86_64}");
    let out = output_ok(
        slim()
            .arg("build")
            .arg("--manifest-path")
            .arg(fixture("hello").join("Cargo.toml"))
            .args(["--target", &triples, "--target-dir"])
            .arg(common::shared_target_dir())
            .args(["--image", "--multi-arch", "--message-format", "json"]),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Lambda rejects image indexes"), "{stderr}");
    assert!(stderr.contains("image.tar"), "{stderr}");
    // Beside the per-target output directories, wherever those are.
    let x86 = Built::at(&common::shared_target_dir(), "hello", X86_64);
    let index_dir: PathBuf = x86.dir.parent().unwrap().join("image-multi-arch");

    // The JSON summary: image bytes and digest beside the zip's, per target.
    let summary = json(&out);
    for t in summary["targets"].as_array().unwrap() {
        let built = Built::at(
            &common::shared_target_dir(),
            "hello",
            t["target"].as_str().unwrap(),
        );
        let m = manifest(&built);
        assert_eq!(t["image_digest"], m["image"]["manifest"]["digest"]);
        let size = fs::metadata(built.dir.join("image.tar")).unwrap().len();
        assert_eq!(t["image_bytes"].as_u64(), Some(size));
        assert!(t["zip_bytes"].as_u64().unwrap() < size, "{t}");
    }
    let index_tar = index_dir.join("image.tar");
    assert_eq!(
        summary["multi_arch"]["archive_bytes"].as_u64(),
        Some(fs::metadata(&index_tar).unwrap().len())
    );
    let raw = skopeo(
        &["--raw"],
        &format!("oci:{}:latest", index_dir.join("image").display()),
    );
    assert_eq!(raw["mediaType"], "application/vnd.oci.image.index.v1+json");
    let platforms: Vec<String> = raw["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["platform"]["architecture"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(platforms, ["arm64", "amd64"]);

    let raw = skopeo(&["--raw"], &oci_ref(&x86));
    assert_eq!(
        raw["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    let config = skopeo(&["--config"], &oci_ref(&x86));
    assert_eq!(config["architecture"], "amd64");
    assert!(config.get("variant").is_none(), "{config}");
    assert_eq!(raw["manifests"], Value::Null);
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    umoci_unpack(&x86.dir.join("image"), &bundle);
    run(&mut exec_for(
        X86_64,
        &bundle.join("rootfs/var/runtime/bootstrap"),
    ))
    .success()
    .stdout_is("hello from cargo-slim fixture, 1 args\n");

    // A build without --image removes the image, so no manifest sits beside
    // an image it does not describe.
    output_ok(
        slim()
            .arg("build")
            .arg("--manifest-path")
            .arg(fixture("hello").join("Cargo.toml"))
            .args(["--target", X86_64, "-q", "--target-dir"])
            .arg(common::shared_target_dir()),
    );
    assert!(!x86.dir.join("image").exists());
    assert!(!x86.dir.join("image.tar").exists());
    assert!(manifest(&x86).get("image").is_none());
    assert!(manifest(&x86)["build"]["options"].get("image").is_none());
    let summary = json(&output_ok(
        slim()
            .arg("build")
            .arg("--manifest-path")
            .arg(fixture("hello").join("Cargo.toml"))
            .args(["--target", X86_64, "-q", "--message-format", "json"])
            .arg("--target-dir")
            .arg(common::shared_target_dir()),
    ));
    assert!(
        summary["targets"][0].get("image_bytes").is_none() && summary.get("multi_arch").is_none(),
        "a zip-only summary keeps its shape: {summary}"
    );
}

/// Exit 2, an error with a hint, and nothing compiled.
fn assert_refused_before_compiling(out: Outcome, needle: &str) -> String {
    out.failure(2)
        .stderr_has("error: ")
        .stderr_has(needle)
        .stderr_has("help: ")
        .stderr_lacks("Compiling")
        .stderr_lacks("panicked")
        .stderr
}

#[test]
fn image_of_a_gnu_build_is_refused_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let stderr = assert_refused_before_compiling(
        run(slim()
            .arg("build")
            .arg("--manifest-path")
            .arg(fixture("hello").join("Cargo.toml"))
            .args([
                "--arch",
                "arm64",
                "--libc",
                "gnu",
                "--image",
                "--target-dir",
            ])
            .arg(tmp.path())),
        "needs a static (musl) bootstrap",
    );
    assert!(stderr.contains("--libc musl"), "{stderr}");
}

/// `image = true` in `[package.metadata.slim]` asks for the image as --image
/// does (so a gnu target is refused the same way).
#[test]
fn image_from_package_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let crate_dir = common::copy_fixture("hello", tmp.path());
    let toml = crate_dir.join("Cargo.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    text.push_str("\n[package.metadata.slim]\nimage = true\n");
    fs::write(&toml, text).unwrap();
    assert_refused_before_compiling(
        run(slim()
            .current_dir(&crate_dir)
            .args(["build", "--arch", "x86_64", "--libc", "gnu", "--target-dir"])
            .arg(tmp.path().join("t"))),
        "needs a static (musl) bootstrap",
    );
}

#[test]
fn image_output_that_cannot_be_written_fails_before_compiling() {
    let tmp = tempfile::tempdir().unwrap();
    // Below a regular file nothing can be created, even by root.
    let file = tmp.path().join("not-a-dir");
    fs::write(&file, b"keep me").unwrap();
    let build_into = |target_dir: &Path| {
        run(slim()
            .arg("build")
            .arg("--manifest-path")
            .arg(fixture("hello").join("Cargo.toml"))
            .args(["--target", X86_64, "--image", "--target-dir"])
            .arg(target_dir))
    };
    assert_refused_before_compiling(
        build_into(&file.join("target")),
        "cannot write to the output directory",
    );
    assert_eq!(fs::read(&file).unwrap(), b"keep me");

    // image.tar taken by a directory that is not ours.
    let target_dir = tmp.path().join("t");
    let blocked = Built::at(&target_dir, "hello", X86_64)
        .dir
        .join("image.tar");
    fs::create_dir_all(blocked.join("mine")).unwrap();
    assert_refused_before_compiling(build_into(&target_dir), "is in the way");
    assert!(blocked.join("mine").is_dir(), "left alone");
}
