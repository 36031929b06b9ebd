//! The cargo command line for one target: what to build (profile, target,
//! package, bin, features, lock-file flags), the `--config` settings that carry
//! our profile, linker and rustflags, how cargo reports, and its environment.

use crate::model::linker::LinkerKind;
use crate::model::target::Target;
use crate::pipeline::build::settings::Settings;
use crate::pipeline::build::Context;
use crate::pipeline::compile::cargo_build::Invocation;
use crate::pipeline::compile::profile::PROFILE;
use crate::pipeline::compile::rustflags;
use crate::pipeline::compile::toolchain;
use crate::pipeline::plan::{self, Plan};
use crate::ui::Ui;

pub(crate) fn invocation(
    ui: &Ui,
    plan: &Plan,
    ctx: &Context,
    target: &Target,
    settings: &Settings,
) -> Invocation {
    let linker = &settings.linker;
    let program = match linker.kind {
        LinkerKind::Zig => "cargo-zigbuild".into(),
        _ => toolchain::cargo_program(),
    };
    let mut args = vec!["build".to_string()];
    args.extend(selection_args(plan, settings));
    let config = settings
        .profile
        .config_args()
        .into_iter()
        .chain(linker.config_args(&target.triple))
        .chain(settings.flags.config_args.iter().cloned());
    for c in config {
        args.push("--config".into());
        args.push(c);
    }
    let mut env = rustflags::c_flags_env(&settings.paths, &target.triple);
    if plan.options.build_std {
        // Panic messages stay unless --panic immediate-abort (a rustflag).
        args.extend([
            "-Zbuild-std=std,panic_abort".into(),
            "-Zbuild-std-features=optimize_for_size".into(),
        ]);
        env.extend(toolchain::build_std_env(&ctx.toolchain));
    }
    if let Some(encoded) = &settings.flags.encoded_env {
        env.push(("CARGO_ENCODED_RUSTFLAGS".to_string(), encoded.clone()));
    }
    Invocation {
        program,
        args,
        output_args: output_args(ui),
        env,
    }
}

/// What to build: the profile, target, package, bin, features and the
/// lock-file flags the user gave.
fn selection_args(plan: &Plan, settings: &Settings) -> Vec<String> {
    let s = &plan.selection;
    let linker = &settings.linker;
    let mut args: Vec<String> = vec![
        "--profile".into(),
        PROFILE.into(),
        "--target".into(),
        linker.cargo_target.clone(),
        "--manifest-path".into(),
        settings.manifest_path(plan).display().to_string(),
        "--package".into(),
        settings.package_id(plan).repr,
        "--bin".into(),
        plan.bin.to_string(),
        "--target-dir".into(),
        plan.target_dir.path().display().to_string(),
    ];
    let features = plan::feature_args(&s.features);
    if !features.is_empty() {
        args.push("--features".into());
        args.push(features.join(","));
    }
    for (flag, on) in [
        ("--all-features", s.features.all),
        ("--no-default-features", s.features.no_default),
        ("--locked", s.locked),
        ("--frozen", s.frozen),
        ("--offline", s.offline),
    ] {
        if on {
            args.push(flag.into());
        }
    }
    args
}

/// How cargo reports: JSON messages for us, rendered diagnostics and colour for
/// the user, its own status lines only when we show no progress bar.
fn output_args(ui: &Ui) -> Vec<String> {
    let mut args = vec![
        "--message-format".to_string(),
        "json-render-diagnostics".to_string(),
        "--color".to_string(),
        ui.color.as_str().to_string(),
    ];
    if ui.quiet || ui.progress_bars() {
        args.push("--quiet".into());
    } else if ui.verbose > 1 {
        args.push("--verbose".into());
    }
    args
}
