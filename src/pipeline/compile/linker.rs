//! Which linker (and C compiler) builds each target. `--linker auto` picks, in
//! order, what is both present and right for the target:
//!
//! | target                   | auto picks                                              |
//! |--------------------------|---------------------------------------------------------|
//! | a linker set in cargo config / `CARGO_TARGET_<T>_LINKER` | that one, untouched      |
//! | musl, no C in the graph  | `rust-lld` (ships with Rust; nothing to install)        |
//! | musl, C in the graph     | zig (cargo-zigbuild), the C compiler and linker in one  |
//! | gnu                      | zig, pinned to the runtime's glibc (`<triple>.2.34`)    |
//! | gnu, no zig              | `<arch>-linux-gnu-gcc` (host `cc` for the host arch),   |
//! |                          | glibc not pinned: the preflight decides if it can run   |
//!
//! "C in the graph" means a package in the dependency graph builds C: it depends
//! on the `cc` or `cmake` crates or declares `links`.

use anyhow::Result;
use cargo_metadata::{DependencyKind, Metadata, PackageId};

use crate::model::linker::{Linker, LinkerKind};
use crate::model::options::LinkerChoice;
use crate::model::target::{Libc, Runtime, Target};
use crate::model::toolchain::Toolchain;
use crate::pipeline::compile::cargo_config::CargoConfig;
use crate::util::error::SlimError;
use crate::util::process;

// The record itself is model/linker.rs; what cargo is told follows from it here.
impl Linker {
    /// How to hand a flag to the linker: raw for lld, `-Wl,` for compiler drivers.
    pub(crate) fn link_arg(&self, arg: &str) -> String {
        match self.kind {
            LinkerKind::Lld => format!("-Clink-arg={arg}"),
            _ => format!("-Clink-arg=-Wl,{arg}"),
        }
    }

    /// The `--config` settings that select this linker.
    pub(crate) fn config_args(&self, triple: &str) -> Vec<String> {
        match self.kind {
            LinkerKind::Lld | LinkerKind::Gcc => {
                vec![format!(
                    "target.{triple}.linker={}",
                    toml_string(&self.program)
                )]
            }
            // cargo-zigbuild sets the linker itself; a config linker is the user's.
            LinkerKind::Zig | LinkerKind::Config => Vec::new(),
        }
    }
}

/// A TOML basic string literal.
pub(crate) fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

const ZIG_INSTALL: &str = "install zig and cargo-zigbuild: `pip install ziglang cargo-zigbuild` \
     (or `cargo install cargo-zigbuild` with zig on PATH)";

/// Choose the linker for `target`.
pub(crate) fn choose(
    toolchain: &Toolchain,
    choice: LinkerChoice,
    target: &Target,
    runtime: Runtime,
    config: &CargoConfig,
    c_crates: &[String],
) -> Result<Linker> {
    let triple = target.triple.as_str();
    match choice {
        LinkerChoice::Lld => lld(toolchain, target).ok_or_else(|| missing("rust-lld", "rust-lld ships with Rust toolchains from rustup; reinstall the toolchain or pick another --linker")),
        LinkerChoice::Zig => zig(target, runtime).ok_or_else(|| missing("cargo-zigbuild", ZIG_INSTALL)),
        LinkerChoice::Gcc => gcc(target).ok_or_else(|| missing(&gcc_name(target), &gcc_install(target))),
        LinkerChoice::Auto => {
            if let Some(configured) = config.target_linker(triple) {
                return Ok(Linker {
                    kind: LinkerKind::Config,
                    version: None,
                    cargo_target: triple.to_string(),
                    reason: format!("cargo configuration sets target.{triple}.linker"),
                    program: configured,
                });
            }
            let c_code = !c_crates.is_empty();
            let pick = match (target.libc, c_code) {
                (Libc::Musl, false) => lld(toolchain, target),
                (Libc::Musl, true) => zig(target, runtime),
                (Libc::Gnu, _) => zig(target, runtime).or_else(|| gcc(target)),
            };
            if let Some(mut l) = pick {
                l.reason = match (target.libc, c_code, &l.kind) {
                    (Libc::Musl, false, _) => "pure-Rust musl build: the toolchain's rust-lld links it with no other tool".into(),
                    (Libc::Musl, true, _) => format!("{} build C code: zig cc compiles and links it for {triple}", c_crates.join(", ")),
                    (Libc::Gnu, _, LinkerKind::Zig) => format!("zig pins glibc to {}.{} ({runtime})", runtime.glibc().0, runtime.glibc().1),
                    _ => format!("no zig found; {} links against its own glibc, which the preflight checks against {runtime}", l.program),
                };
                return Ok(l);
            }
            let triple = triple.to_string();
            Err(match (target.libc, c_code) {
                (Libc::Musl, true) => SlimError::NoCCompiler {
                    crates: c_crates.to_vec(),
                    triple,
                    install: ZIG_INSTALL.into(),
                },
                (Libc::Musl, false) => SlimError::NoRustLld { triple },
                (Libc::Gnu, _) => SlimError::NoGnuLinker {
                    triple,
                    install: format!(
                        "{ZIG_INSTALL}; or {}; or build with --libc musl",
                        gcc_install(target)
                    ),
                },
            }
            .into())
        }
    }
}

fn missing(tool: &str, how: &str) -> anyhow::Error {
    SlimError::ToolMissing {
        tool: tool.into(),
        install: how.into(),
    }
    .into()
}

/// rust-lld from the toolchain's sysroot (`lib/rustlib/<host>/bin/rust-lld`); its
/// version was asked (or remembered) with the toolchain's.
fn lld(toolchain: &Toolchain, target: &Target) -> Option<Linker> {
    if !toolchain.rust_lld().is_file() {
        return None;
    }
    Some(Linker {
        kind: LinkerKind::Lld,
        program: "rust-lld".into(),
        version: toolchain.lld_version.clone(),
        cargo_target: target.triple.clone(),
        reason: String::new(),
    })
}

fn zig(target: &Target, runtime: Runtime) -> Option<Linker> {
    which::which("cargo-zigbuild").ok()?;
    let zig_version = zig_version();
    zig_version.as_ref()?;
    let cargo_target = match target.libc {
        Libc::Gnu => {
            let (major, minor) = runtime.glibc();
            format!("{}.{major}.{minor}", target.triple)
        }
        Libc::Musl => target.triple.clone(),
    };
    Some(Linker {
        kind: LinkerKind::Zig,
        program: "cargo-zigbuild".into(),
        version: zig_version.map(|v| format!("zig {v}")),
        cargo_target,
        reason: String::new(),
    })
}

/// zig's version, from `zig` on PATH or the `ziglang` Python package (which is how
/// cargo-zigbuild finds it too). Asked once per run, however many targets use it.
fn zig_version() -> Option<String> {
    static VERSION: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    VERSION.get_or_init(probe_zig_version).clone()
}

fn probe_zig_version() -> Option<String> {
    if let Ok(zig) = which::which("zig") {
        return version_line(&zig, &["version"]);
    }
    for python in ["python3", "python"] {
        if let Ok(py) = which::which(python) {
            if let Some(v) = version_line(&py, &["-m", "ziglang", "version"]) {
                return Some(v);
            }
        }
    }
    None
}

fn gcc_name(target: &Target) -> String {
    if target.is_host_arch() && target.libc == Libc::Gnu {
        "cc".into()
    } else {
        format!(
            "{}-linux-{}-gcc",
            target.arch.triple_prefix(),
            target.libc.as_str()
        )
    }
}

fn gcc_install(target: &Target) -> String {
    match target.libc {
        Libc::Gnu => format!(
            "install a cross gcc, e.g. `apt-get install gcc-{}-linux-gnu`",
            target.arch.triple_prefix().replace('_', "-")
        ),
        Libc::Musl => format!("install a musl cross gcc named {}", gcc_name(target)),
    }
}

fn gcc(target: &Target) -> Option<Linker> {
    let name = gcc_name(target);
    let path = which::which(&name).ok()?;
    Some(Linker {
        kind: LinkerKind::Gcc,
        version: version_line(&path, &["--version"]),
        program: name,
        cargo_target: target.triple.clone(),
        reason: String::new(),
    })
}

fn version_line(program: &std::path::Path, args: &[&str]) -> Option<String> {
    let text = process::program(program).args(args).ask()?;
    text.lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

/// Packages in `root`'s build graph (normal and build dependencies, not dev) that
/// compile C: they declare `links`, or `cc` or `cmake` is among their resolved
/// dependencies (an optional dependency left off does not count). Pass metadata
/// filtered for the target (`linked_crates::target_metadata`) so that dependencies of
/// other platforms — reqwest's wasm32-only `wasm-bindgen-shared`, which declares
/// `links` — do not count.
pub(crate) fn c_building_crates(metadata: &Metadata, root: &PackageId) -> Vec<String> {
    const C_TOOLS: [&str; 2] = ["cc", "cmake"];
    let graph = crate::pipeline::plan::build_graph(metadata, root);
    let name_of: std::collections::HashMap<&PackageId, &str> = metadata
        .packages
        .iter()
        .map(|p| (&p.id, p.name.as_str()))
        .collect();
    let uses_c_tool = |id: &PackageId| {
        let node = metadata
            .resolve
            .as_ref()
            .and_then(|r| r.nodes.iter().find(|n| &n.id == id));
        node.is_some_and(|n| {
            n.deps.iter().any(|d| {
                d.dep_kinds
                    .iter()
                    .any(|k| k.kind != DependencyKind::Development)
                    && name_of
                        .get(&d.pkg)
                        .is_some_and(|name| C_TOOLS.contains(name))
            })
        })
    };
    let mut found: Vec<String> = graph
        .into_iter()
        .filter(|p| p.links.is_some() || uses_c_tool(&p.id))
        .map(|p| p.name.to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}
