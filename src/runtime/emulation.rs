//! How this machine runs the bootstrap: natively when its architecture is ours,
//! under qemu user-mode emulation when it is the other Lambda architecture — or
//! always under qemu, emulating the CPU baseline (`--baseline-cpu`: the oldest
//! CPU Lambda may give, whose missing instructions stop the function with
//! SIGILL as they would on Lambda; [`crate::runtime::fault_watch`] says where).
//! Figures taken under emulation measure qemu as much as the function; every
//! report marks them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::artifact::elf::ElfFacts;
use crate::model::target::Arch;
use crate::util::error::SlimError;

/// Environment variable naming the qemu to use (a path or a program on PATH).
pub(crate) const QEMU_ENV: &str = "CARGO_SLIM_QEMU";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum Runner {
    Native,
    /// qemu run explicitly: `qemu-aarch64-static [-cpu MODEL] [-L sysroot] bootstrap`.
    Qemu {
        program: PathBuf,
        sysroot: Option<PathBuf>,
        /// A CPU model to emulate (`neoverse-n1`, `Nehalem`); faults are then
        /// located (qemu's debugger stub is watched).
        cpu: Option<String>,
        arch: Arch,
    },
    /// The kernel runs it through a registered binfmt_misc interpreter.
    Binfmt {
        entry: String,
    },
}

impl Runner {
    pub(crate) fn emulated(&self) -> bool {
        !matches!(self, Runner::Native)
    }

    /// "qemu-aarch64-static" / "binfmt_misc qemu-aarch64", for reports.
    pub(crate) fn label(&self) -> Option<String> {
        match self {
            Runner::Native => None,
            Runner::Qemu { program, cpu, .. } => {
                let name = program
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| program.display().to_string());
                Some(match cpu {
                    Some(model) => format!("{name} -cpu {model}"),
                    None => name,
                })
            }
            Runner::Binfmt { entry } => Some(format!("binfmt_misc {entry}")),
        }
    }

    /// The architecture whose faults are to be located (under a CPU model).
    pub(crate) fn watched(&self) -> Option<Arch> {
        match self {
            Runner::Qemu {
                cpu: Some(_), arch, ..
            } => Some(*arch),
            _ => None,
        }
    }

    /// The program and arguments that start `bootstrap`; `debugger`: the
    /// socket for qemu's debugger stub, when faults are watched.
    pub(crate) fn command(
        &self,
        bootstrap: &Path,
        debugger: Option<&Path>,
    ) -> (PathBuf, Vec<String>) {
        let path = bootstrap.display().to_string();
        match self {
            Runner::Native | Runner::Binfmt { .. } => (bootstrap.to_path_buf(), Vec::new()),
            Runner::Qemu {
                program,
                sysroot,
                cpu,
                ..
            } => {
                let mut args = Vec::new();
                if let Some(model) = cpu {
                    args.push("-cpu".into());
                    args.push(model.clone());
                }
                if let Some(socket) = debugger {
                    args.push("-g".into());
                    args.push(socket.display().to_string());
                }
                if let Some(root) = sysroot {
                    args.push("-L".into());
                    args.push(root.display().to_string());
                }
                args.push(path);
                (program.clone(), args)
            }
        }
    }
}

/// The architecture of `data` when it is an ELF of a Lambda architecture (64-bit
/// little-endian), and whether it names a dynamic loader (PT_INTERP). Read by the
/// one ELF reader; anything it cannot read is "not an ELF we can run".
pub(crate) fn elf_arch(data: &[u8]) -> Option<(Arch, bool)> {
    let facts = ElfFacts::read(data).ok()?;
    if !facts.layout.is_lambda() {
        return None;
    }
    let arch = Arch::from_elf_machine(facts.machine)?;
    let dynamic = facts.body.is_some_and(|b| b.interpreter.is_some());
    Some((arch, dynamic))
}

/// Whether the kernel of a Lambda host would exec `data` natively: a script with a
/// `#!` line, or an ELF of this machine's architecture. (We must decide before
/// exec: `execvp` hands a file the kernel refuses to /bin/sh, which Lambda's
/// `execve` does not.)
pub(crate) fn natively_executable(data: &[u8]) -> bool {
    data.starts_with(b"#!")
        || elf_arch(data).is_some_and(|(arch, _)| crate::model::target::host_arch() == Some(arch))
}

/// How to run a bootstrap whose bytes start with `data`; `cpu_model`: under
/// qemu emulating that CPU whatever this machine is (`--baseline-cpu`).
pub(crate) fn runner_for(data: &[u8], cpu_model: Option<&str>) -> anyhow::Result<Runner> {
    let Some((arch, dynamic)) = elf_arch(data) else {
        // Not an ELF of a Lambda architecture: a script, or something the kernel
        // will refuse. Lambda would exec it; so do we, and report what happens.
        return Ok(Runner::Native);
    };
    if crate::model::target::host_arch() == Some(arch) && cpu_model.is_none() {
        return Ok(Runner::Native);
    }
    let qemu_name = format!("qemu-{}", arch.triple_prefix());
    let with = |program| qemu(program, arch, dynamic, cpu_model);
    if let Some(chosen) = std::env::var_os(QEMU_ENV) {
        let program = which::which(&chosen).map_err(|_| SlimError::QemuNotExecutable {
            variable: QEMU_ENV.into(),
            value: Path::new(&chosen).display().to_string(),
            install: install_hint(arch),
        })?;
        return Ok(with(program));
    }
    for name in [format!("{qemu_name}-static"), qemu_name.clone()] {
        if let Ok(program) = which::which(&name) {
            return Ok(with(program));
        }
    }
    let binfmt = Path::new("/proc/sys/fs/binfmt_misc").join(&qemu_name);
    if cpu_model.is_none()
        && std::fs::read_to_string(&binfmt).is_ok_and(|s| s.starts_with("enabled"))
    {
        return Ok(Runner::Binfmt { entry: qemu_name });
    }
    Err(SlimError::QemuMissing {
        arch: arch.to_string(),
        host: std::env::consts::ARCH.into(),
        qemu: qemu_name,
        install: install_hint(arch),
    }
    .into())
}

fn install_hint(arch: Arch) -> String {
    format!(
        "install qemu user-mode emulation: `apt-get install qemu-user-static` (Debian, Ubuntu) \
         or `dnf install qemu-user-static` (Fedora), which provides qemu-{}-static; or build \
         for this machine's architecture (--arch {})",
        arch.triple_prefix(),
        crate::model::target::host_arch().map_or("x86_64", |a| a.as_str())
    )
}

fn qemu(program: PathBuf, arch: Arch, dynamic: bool, cpu: Option<&str>) -> Runner {
    // A dynamically linked gnu binary needs the target's glibc: Debian's cross
    // packages put it in /usr/<triple-prefix>-linux-gnu (not for the host's own).
    let sysroot = dynamic
        .then(|| PathBuf::from(format!("/usr/{}-linux-gnu", arch.triple_prefix())))
        .filter(|p| p.is_dir() && crate::model::target::host_arch() != Some(arch));
    Runner::Qemu {
        program,
        sysroot,
        cpu: cpu.map(str::to_string),
        arch,
    }
}
