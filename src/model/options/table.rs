//! The settings table: every build option, declared once. [`Options`] is the
//! typed result (what a manifest records in `build.options`); [`SETTINGS`] has
//! one row per field: its flag, its `[*.metadata.slim]` key, its parser, its
//! `--help`, and how `verify`, `size` and `generate` show it. The command line
//! (`cli/settings.rs`), the metadata tables, the merge between them
//! (`merge.rs`: the command line, then the package's table, then the
//! workspace's, then the default of [`Options::default`]), the known keys of
//! a metadata error, verify's labels and the rebuild commands are all derived
//! from the rows.
//!
//! Adding an option (docs/architecture.md): a field of [`Options`] (with
//! `#[serde(default)]` if manifests written before it must still be read), its
//! default in [`Options::default`], a row in [`SETTINGS`]; then its use.

use serde::{Deserialize, Serialize};

use super::setting::{or_default, parse, switch_args, value_args, Flag, Setting};
use super::{CpuName, LinkerChoice, OptLevel, PanicStrategy};
use crate::model::cpu_baseline::DeclaredBaseline;
use crate::model::include::{Include, IncludeSpec};

/// Build options after merging the command line with `[*.metadata.slim]`, and
/// as a manifest's `build.options` records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Options {
    pub opt_level: Option<OptLevel>,
    pub cpu: Option<CpuName>,
    /// A CPU baseline above Lambda's, declared on purpose: flags up to it are
    /// allowed and the preflight audits against it. Recorded only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_baseline: Option<DeclaredBaseline>,
    /// Rebuild std from source, optimised for size (`--build-std`).
    pub build_std: bool,
    /// A manifest without it was made when `--build-std` always meant
    /// immediate-abort panics (`model/manifest.rs` upgrades it on reading).
    #[serde(default)]
    pub panic: PanicStrategy,
    pub linker: LinkerChoice,
    /// Files beside `bootstrap`, paths relative to the workspace root.
    pub include: Vec<Include>,
    pub preflight: bool,
    /// Embed the `.dep-v0` dependency list in bootstrap (`--no-audit-data`: no).
    /// Manifests written before it existed had none.
    #[serde(default)]
    pub audit_data: bool,
    /// Also an OCI image beside the zip (`--image`, `image = true`). Recorded
    /// only when set, so a zip-only manifest is unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub image: bool,
    /// Package a bootstrap that holds paths of the building machine instead of
    /// refusing it (`--allow-host-paths`). Recorded only when set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_host_paths: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            opt_level: None,
            cpu: None,
            cpu_baseline: None,
            build_std: false,
            panic: PanicStrategy::Abort,
            linker: LinkerChoice::Auto,
            include: Vec::new(),
            preflight: true,
            audit_data: true,
            image: false,
            allow_host_paths: false,
        }
    }
}

const BUILD: &str = "Build";
const PACKAGE: &str = "Package";

/// One row per field of [`Options`], in the order `--help` lists them.
pub(crate) const SETTINGS: &[Setting] = &[
    Setting {
        field: "opt_level",
        key: "opt-level",
        flag: Flag::Value {
            long: "opt-level",
            value_name: "LEVEL",
        },
        heading: BUILD,
        help: "Optimization level of the slim profile: z (default: smallest), s, 3, 2, 1, 0",
        label: Some("--opt-level"),
        set: |o, v, _| {
            o.opt_level = Some(parse(v.text()?)?);
            Ok(())
        },
        shown: |o| or_default(o.opt_level),
        args: |o| value_args("--opt-level", o.opt_level),
    },
    Setting {
        field: "cpu",
        key: "cpu",
        flag: Flag::Value {
            long: "cpu",
            value_name: "CPU",
        },
        heading: BUILD,
        help: "CPU to generate code for, within the CPU baseline: neoverse-n1 (Graviton2) \
               for arm64, x86-64-v2 for x86_64. A newer one (neoverse-v1, x86-64-v3) is \
               refused unless declared with --cpu-baseline: Lambda may run the function on a \
               CPU without its instructions, which stops it with SIGILL [default: the \
               target's baseline]",
        label: Some("--cpu"),
        set: |o, v, _| {
            o.cpu = Some(parse(v.text()?)?);
            Ok(())
        },
        shown: |o| or_default(o.cpu.as_ref()),
        args: |o| value_args("--cpu", o.cpu.as_ref()),
    },
    Setting {
        field: "cpu_baseline",
        key: "cpu-baseline",
        flag: Flag::Value {
            long: "cpu-baseline",
            value_name: "CPU",
        },
        heading: BUILD,
        help: "The oldest CPU the function will run on, when you know it is newer than \
               Lambda promises (neoverse-n1 for arm64, x86-64-v2 for x86_64): neoverse-v1, \
               neoverse-v2, x86-64-v3, x86-64-v4. Flags up to it (--cpu, target-cpu, \
               -march/-mcpu in CFLAGS) are then allowed, the preflight checks the code \
               against it, and the manifest records it. It applies to the targets of its \
               architecture",
        label: None,
        set: |o, v, _| {
            o.cpu_baseline = Some(parse(v.text()?)?);
            Ok(())
        },
        shown: |o| or_default(o.cpu_baseline),
        args: |o| value_args("--cpu-baseline", o.cpu_baseline),
    },
    Setting {
        field: "build_std",
        key: "build-std",
        flag: Flag::Switch {
            long: "build-std",
            to: true,
        },
        heading: BUILD,
        help: "Rebuild the standard library for size (-Zbuild-std, optimize_for_size; \
               rust-src is installed on demand). On a stable toolchain this build runs with \
               RUSTC_BOOTSTRAP=1. Panic messages are kept",
        label: Some("--build-std"),
        set: |o, v, _| {
            o.build_std = v.bool()?;
            Ok(())
        },
        shown: |o| o.build_std.to_string(),
        args: |o| switch_args("--build-std", o.build_std),
    },
    Setting {
        field: "panic",
        key: "panic",
        flag: Flag::Value {
            long: "panic",
            value_name: "STRATEGY",
        },
        heading: BUILD,
        help: "What a panic does: abort (default: print the message, then abort) or \
               immediate-abort (print nothing; smallest; needs --build-std)",
        label: Some("--panic"),
        set: |o, v, _| {
            o.panic = parse(v.text()?)?;
            Ok(())
        },
        shown: |o| o.panic.to_string(),
        args: |o| {
            value_args(
                "--panic",
                (o.panic != PanicStrategy::Abort).then_some(o.panic),
            )
        },
    },
    Setting {
        field: "linker",
        key: "linker",
        flag: Flag::Value {
            long: "linker",
            value_name: "LINKER",
        },
        heading: BUILD,
        help: "Linker: auto, lld (rust-lld), zig (cargo-zigbuild), gcc (a cross gcc)",
        label: Some("--linker"),
        set: |o, v, _| {
            o.linker = parse(v.text()?)?;
            Ok(())
        },
        shown: |o| o.linker.as_str().to_string(),
        args: |o| {
            let chosen = o.linker != LinkerChoice::Auto;
            value_args("--linker", chosen.then_some(o.linker.as_str()))
        },
    },
    Setting {
        field: "include",
        key: "include",
        flag: Flag::Repeated {
            long: "include",
            value_name: "PATH[:NAME]",
        },
        heading: PACKAGE,
        help: "Extra file to put in function.zip, as PATH or PATH:NAME (repeatable)",
        label: Some("--include"),
        set: |o, v, paths| {
            let specs: Vec<IncludeSpec> = v
                .list()?
                .iter()
                .map(|s| parse(s))
                .collect::<Result<_, _>>()?;
            if let Some(p) = paths {
                o.include = specs
                    .iter()
                    .map(|s| {
                        s.resolve(&p.base, &p.workspace_root)
                            .map_err(|e| e.to_string())
                    })
                    .collect::<Result<_, _>>()?;
            }
            Ok(())
        },
        shown: |o| {
            let list: Vec<String> = o.include.iter().map(ToString::to_string).collect();
            list.join(" ")
        },
        // One word, `--include=PATH:NAME`: a PATH may start with `-`, which as a
        // word of its own the argument parser would take for an option.
        args: |o| o.include.iter().map(|i| format!("--include={i}")).collect(),
    },
    Setting {
        field: "preflight",
        key: "preflight",
        flag: Flag::Switch {
            long: "no-preflight",
            to: false,
        },
        heading: BUILD,
        help: "Skip the runtime preflight checks (not recommended)",
        label: None,
        set: |o, v, _| {
            o.preflight = v.bool()?;
            Ok(())
        },
        shown: |o| o.preflight.to_string(),
        args: |o| switch_args("--no-preflight", !o.preflight),
    },
    Setting {
        field: "audit_data",
        key: "audit-data",
        flag: Flag::Switch {
            long: "no-audit-data",
            to: false,
        },
        heading: PACKAGE,
        help: "Do not embed the dependency list (cargo-auditable's `.dep-v0` section) in \
               bootstrap; the SBOM and provenance are still written",
        label: Some("the dependency list"),
        set: |o, v, _| {
            o.audit_data = v.bool()?;
            Ok(())
        },
        shown: |o| {
            let shown = if o.audit_data {
                "embedded"
            } else {
                "--no-audit-data"
            };
            shown.to_string()
        },
        args: |o| switch_args("--no-audit-data", !o.audit_data),
    },
    Setting {
        field: "image",
        key: "image",
        flag: Flag::Switch {
            long: "image",
            to: true,
        },
        heading: PACKAGE,
        help: "Also write an OCI container image of the function: image/ (OCI layout) and \
               image.tar (oci-archive) beside function.zip. Static (musl) targets only",
        label: Some("--image"),
        set: |o, v, _| {
            o.image = v.bool()?;
            Ok(())
        },
        shown: |o| o.image.to_string(),
        args: |o| switch_args("--image", o.image),
    },
    Setting {
        field: "allow_host_paths",
        key: "allow-host-paths",
        flag: Flag::Switch {
            long: "allow-host-paths",
            to: true,
        },
        heading: BUILD,
        help: "Package a bootstrap that holds paths of this machine (a home directory, the \
               checkout's path: see docs/reproducibility.md) instead of refusing it; the \
               host-path audit still reports them",
        label: None,
        set: |o, v, _| {
            o.allow_host_paths = v.bool()?;
            Ok(())
        },
        shown: |o| o.allow_host_paths.to_string(),
        args: |o| switch_args("--allow-host-paths", o.allow_host_paths),
    },
];

/// The row of a metadata key.
pub(crate) fn by_key(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// The flag of the option in `field`, as typed (`--allow-host-paths`), for
/// messages that tell the user which flag did something.
pub(crate) fn flag_of(field: &str) -> String {
    SETTINGS
        .iter()
        .find(|s| s.field == field)
        .map_or_else(|| field.to_string(), |s| s.flag.spelled())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::options::Given;

    /// Every field of `Options` has exactly one row, and rows agree with it.
    #[test]
    fn one_row_per_field() {
        // serde lists every field of `Options` when refusing an unknown one
        // (whether or not a field is written when it has its default).
        let refusal = serde_json::from_str::<Options>(r#"{"?": 0}"#).unwrap_err();
        let text = refusal.to_string();
        let expected = text.split("expected one of ").nth(1).unwrap_or_default();
        let mut fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        fields.sort_unstable();
        let mut rows: Vec<&str> = SETTINGS.iter().map(|s| s.field).collect();
        rows.sort_unstable();
        assert_eq!(rows, fields, "{text}");
        let mut keys: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        keys.dedup();
        assert_eq!(keys.len(), SETTINGS.len());
        // The default asks for nothing: a default build's rebuild command has
        // no option flags.
        assert!(SETTINGS
            .iter()
            .all(|s| (s.args)(&Options::default()).is_empty()));
    }

    /// What `args` says, set through the row's own flag, gives the value back.
    #[test]
    fn args_round_trip_through_the_parsers() {
        let o = Options {
            opt_level: Some(OptLevel::S),
            cpu: Some("neoverse-n1".parse().unwrap()),
            cpu_baseline: Some("neoverse-v1".parse().unwrap()),
            build_std: true,
            panic: PanicStrategy::ImmediateAbort,
            linker: LinkerChoice::Zig,
            include: Vec::new(),
            preflight: false,
            audit_data: false,
            image: true,
            allow_host_paths: true,
        };
        let mut back = Options::default();
        for row in SETTINGS {
            let args = (row.args)(&o);
            match (row.flag, args.as_slice()) {
                (Flag::Value { .. }, [flag, value]) => {
                    assert_eq!(flag, &row.flag.spelled());
                    (row.set)(&mut back, Given::Text(value), None).unwrap();
                }
                (Flag::Switch { to, .. }, [flag]) => {
                    assert_eq!(flag, &row.flag.spelled());
                    (row.set)(&mut back, Given::Bool(to), None).unwrap();
                }
                (Flag::Repeated { .. }, []) => {}
                other => panic!("{}: {other:?}", row.field),
            }
        }
        assert_eq!(back, o);
    }
}
