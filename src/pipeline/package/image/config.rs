//! The image configuration: platform, how Lambda starts the function, labels,
//! and the layer's DiffID. Nothing in it depends on the machine or the clock:
//! `created` and the history entry carry the build's one timestamp.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use oci_spec::image::{
    Arch as OciArch, ConfigBuilder, HistoryBuilder, ImageConfigurationBuilder, Os, RootFsBuilder,
};

use super::layer::{RUNTIME_DIR, TASK_DIR};
use crate::model::target::Arch;

/// What goes into the config besides the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConfigInput {
    pub arch: Arch,
    /// RFC 3339, UTC.
    pub created: String,
    /// `org.opencontainers.image.*` labels; sorted, so serialized in one order.
    pub labels: BTreeMap<String, String>,
    /// `sha256:<hex>` of the uncompressed layer.
    pub diff_id: String,
}

/// The environment: the usual `PATH`, and the two directories as Lambda's
/// OS-only base images set them, so a function reading `LAMBDA_TASK_ROOT` finds
/// its `--include` files in the image as in the zip.
pub(super) fn env() -> Vec<String> {
    vec![
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
        format!("LAMBDA_TASK_ROOT=/{TASK_DIR}"),
        format!("LAMBDA_RUNTIME_DIR=/{RUNTIME_DIR}"),
    ]
}

/// (architecture, variant) as the OCI platform names them.
pub(super) fn platform(arch: Arch) -> (OciArch, Option<&'static str>) {
    match arch {
        Arch::Arm64 => (OciArch::ARM64, Some("v8")),
        Arch::X86_64 => (OciArch::Amd64, None),
    }
}

/// The config as canonical JSON bytes (what its digest is taken over).
pub(super) fn build(input: &ConfigInput) -> Result<Vec<u8>> {
    let labels: HashMap<String, String> = input.labels.clone().into_iter().collect();
    let config = ConfigBuilder::default()
        .env(env())
        .entrypoint(vec![format!("/{RUNTIME_DIR}/bootstrap")])
        .working_dir(format!("/{TASK_DIR}"))
        .labels(labels)
        .build()?;
    let history = HistoryBuilder::default()
        .created(input.created.clone())
        .created_by("cargo slim build --image".to_string())
        .comment("bootstrap in /var/runtime, --include files in /var/task".to_string())
        .build()?;
    let rootfs = RootFsBuilder::default()
        .typ("layers")
        .diff_ids(vec![input.diff_id.clone()])
        .build()?;
    let (architecture, variant) = platform(input.arch);
    let mut builder = ImageConfigurationBuilder::default()
        .created(input.created.clone())
        .architecture(architecture)
        .os(Os::Linux)
        .config(config)
        .rootfs(rootfs)
        .history(vec![history]);
    if let Some(v) = variant {
        builder = builder.variant(v.to_string());
    }
    super::canonical_json(&builder.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm64_config_has_what_lambda_needs() {
        let input = ConfigInput {
            arch: Arch::Arm64,
            created: "1980-01-01T00:00:00Z".into(),
            labels: [
                ("org.opencontainers.image.version", "0.1.0"),
                ("org.opencontainers.image.revision", "abc"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            diff_id: format!("sha256:{}", "0".repeat(64)),
        };
        let bytes = build(&input).unwrap();
        // Many serializations: HashMap order must not leak into the bytes.
        for _ in 0..20 {
            assert_eq!(build(&input).unwrap(), bytes);
        }
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["architecture"], "arm64");
        assert_eq!(v["variant"], "v8");
        assert_eq!(v["os"], "linux");
        assert_eq!(v["created"], "1980-01-01T00:00:00Z");
        assert_eq!(v["config"]["Entrypoint"][0], "/var/runtime/bootstrap");
        assert_eq!(v["config"]["WorkingDir"], "/var/task");
        assert_eq!(v["config"]["Env"][1], "LAMBDA_TASK_ROOT=/var/task");
        assert_eq!(v["config"]["Env"][2], "LAMBDA_RUNTIME_DIR=/var/runtime");
        assert_eq!(v["rootfs"]["diff_ids"][0], input.diff_id);
        assert_eq!(v["history"][0]["created"], "1980-01-01T00:00:00Z");
        let text = String::from_utf8(bytes).unwrap();
        let rev = text.find("image.revision").unwrap();
        let ver = text.find("image.version").unwrap();
        assert!(rev < ver, "labels sorted: {text}");
    }

    #[test]
    fn x86_64_has_no_variant() {
        let input = ConfigInput {
            arch: Arch::X86_64,
            created: "1980-01-01T00:00:00Z".into(),
            labels: BTreeMap::new(),
            diff_id: format!("sha256:{}", "0".repeat(64)),
        };
        let v: serde_json::Value = serde_json::from_slice(&build(&input).unwrap()).unwrap();
        assert_eq!(v["architecture"], "amd64");
        assert!(v.get("variant").is_none());
    }
}
