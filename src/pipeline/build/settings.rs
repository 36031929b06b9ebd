//! How one target is built, decided before cargo runs and recorded after: the
//! linker, the rustflags (ours merged with the user's), the `slim` profile's
//! keys and the path remapping.

use std::path::PathBuf;

use anyhow::Result;
use cargo_metadata::Metadata;

use crate::model::linker::Linker;
use crate::model::profile_plan::ProfilePlan;
use crate::model::target::Target;
use crate::pipeline::build::Context;
use crate::pipeline::cargo_config;
use crate::pipeline::linker;
use crate::pipeline::plan::Plan;
use crate::pipeline::profile;
use crate::pipeline::rustflags::{self, Rustflags};
use crate::pipeline::toolchain;
use crate::ui::Ui;

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) linker: Linker,
    pub(crate) flags: Rustflags,
    pub(crate) profile: ProfilePlan,
    /// Absolute paths and the placeholders they are remapped to (`/build`, …).
    pub(crate) remaps: Vec<(PathBuf, String)>,
}

impl Settings {
    /// Decide them for `target`. `graph` is cargo's metadata filtered for the
    /// target: it says whether C code is built, which decides the linker.
    pub(crate) fn decide(
        ui: &Ui,
        plan: &Plan,
        ctx: &Context,
        target: &Target,
        graph: &Metadata,
    ) -> Result<Settings> {
        let c_crates = linker::c_building_crates(graph, &plan.package.id);
        let linker = linker::choose(
            &ctx.toolchain,
            plan.options.linker,
            target,
            plan.runtime,
            &ctx.config,
            &c_crates,
        )?;
        ui.verbose(format!(
            "{target}: linker {} — {}",
            linker.program, linker.reason
        ));

        let ws = plan.workspace_root();
        let rust_src = toolchain::rust_src(&ctx.toolchain);
        let remaps = rustflags::remaps(
            ws,
            cargo_config::cargo_home().as_deref(),
            plan.target_dir.path(),
            plan.options
                .build_std
                .then_some((rust_src.as_path(), ctx.toolchain.commit_hash.as_str())),
        );
        let cpu = plan.options.cpu.as_ref().map(|c| c.as_str());
        let flags = rustflags::ours(&remaps, cpu, plan.options.panic, &linker);
        let flags = rustflags::merge(
            flags,
            rustflags::user_env_flags(),
            &target.triple,
            &ctx.config,
        );
        let profile = profile::plan(&plan.options, ws, &ctx.config);
        if !profile.user_keys.is_empty() {
            ui.verbose(format!(
                "[profile.slim] keys of yours kept: {}",
                profile.user_keys.join(", ")
            ));
        }
        Ok(Settings {
            linker,
            flags,
            profile,
            remaps,
        })
    }
}
