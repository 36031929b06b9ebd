//! How one target is built, decided before cargo runs and recorded after: the
//! linker, the rustflags (ours merged with the user's), the `slim` profile's
//! keys and the path map.

use anyhow::Result;
use std::path::PathBuf;

use cargo_metadata::{Metadata, PackageId};

use crate::model::cpu_baseline::CpuBaseline;
use crate::model::linker::Linker;
use crate::model::local_dependency::LocalDependency;
use crate::model::profile_plan::ProfilePlan;
use crate::model::target::Target;
use crate::pipeline::build::Context;
use crate::pipeline::compile::anchor::Anchor;
use crate::pipeline::compile::cargo_config;
use crate::pipeline::compile::cpu_flags;
use crate::pipeline::compile::linker;
use crate::pipeline::compile::path_map::{PathMap, Places};
use crate::pipeline::compile::profile;
use crate::pipeline::compile::rustflags::{self, Rustflags};
use crate::pipeline::plan::Plan;
use crate::pipeline::supply_chain::local_dependencies;
use crate::ui::Ui;

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) linker: Linker,
    pub(crate) flags: Rustflags,
    pub(crate) profile: ProfilePlan,
    /// Where each source path of this machine is written as (`/build`, …).
    pub(crate) paths: PathMap,
    /// Where cargo sees the sources, when not where they are.
    pub(crate) anchor: Option<Anchor>,
    /// Dependencies read from elsewhere than cargo's download cache.
    pub(crate) local_dependencies: Vec<LocalDependency>,
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
        anchor: Option<&Anchor>,
    ) -> Result<Settings> {
        // Flags that would compile code the runtime's CPUs cannot run are
        // refused before minutes of compiling; the preflight audits the result.
        cpu_flags::refuse_above(
            CpuBaseline::for_build(plan.options.cpu_baseline, target.arch),
            &target.triple,
            plan.options.cpu.as_ref().map(|c| c.as_str()),
            &cpu_flags::user_rustflags(&target.triple, &ctx.config),
            &ctx.config,
        )?;
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
        let cargo_home = cargo_config::cargo_home();
        let paths = PathMap::new(&Places {
            workspace_root: ws,
            target_dir: plan.target_dir.path(),
            cargo_home: cargo_home.as_deref(),
            sysroot: &ctx.toolchain.sysroot,
            rustc_commit: ctx.toolchain.source_commit(),
            packages: &graph.packages,
            anchor,
        });
        let cpu = plan.options.cpu.as_ref().map(|c| c.as_str());
        let flags = rustflags::ours(&paths, cpu, plan.options.panic, &linker);
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
            paths,
            anchor: anchor.cloned(),
            local_dependencies: local_dependencies::find(
                &graph.packages,
                ws,
                cargo_home.as_deref(),
            ),
        })
    }

    /// The function's package id as cargo names it in this build (through the
    /// anchor, when there is one).
    pub(crate) fn package_id(&self, plan: &Plan) -> PackageId {
        let repr = &plan.package.id.repr;
        PackageId {
            repr: self
                .anchor
                .as_ref()
                .map_or_else(|| repr.clone(), |a| a.seen_id(repr)),
        }
    }

    /// The manifest path cargo is given.
    pub(crate) fn manifest_path(&self, plan: &Plan) -> PathBuf {
        let path = plan.manifest_path();
        self.anchor
            .as_ref()
            .map_or_else(|| path.to_path_buf(), |a| a.seen(path))
    }
}
