//! Runtime preflight: can a Lambda runtime start this `bootstrap`?
//!
//! The commonest way a Rust function fails on Lambda after a "successful" build is
//! at exec time: a glibc symbol version the runtime lacks, the wrong architecture,
//! a shared library the runtime does not ship, a bootstrap without the exec bit.
//! Every one of those is visible in the ELF (and the zip) before deploying, so this
//! module reads them there: `crate::artifact::elf` reads the file, [`runtime_facts`] holds
//! what each runtime provides, [`checks`] compares the two, [`zip`] checks the
//! `bootstrap` entry of a function.zip. `cargo slim build` calls [`check_elf`];
//! `cargo slim check` (commands/check.rs) is [`check_file`]. docs/preflight.md explains each check.

mod checks;
pub(crate) mod cpu;
pub(crate) mod host_paths;
pub(crate) mod runtime_facts;
pub(crate) mod symbol_version;
mod version_needs;
pub(crate) mod zip;

use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use crate::model::cpu_baseline::CpuBaseline;
use crate::model::target::{Arch, Runtime};
use crate::output::{OutputDir, OutputFile, BOOTSTRAP};
use crate::ui::table::{Align, Table};

use crate::artifact::elf::{ElfFacts, VersionNeed};
use runtime_facts::RuntimeFacts;

/// The outcome of every preflight check on one ELF.
#[derive(Debug, Clone, serde::Serialize, Default)]
pub struct PreflightReport {
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckResult {
    /// Stable identifier: `zip-entry`, `class`, `machine`, `type`, `interpreter`,
    /// `needed`, `glibc`, `gcc-libs`.
    pub name: String,
    pub passed: bool,
    /// What was found (always set).
    pub detail: String,
    /// How to fix it (set when failed).
    pub fix: Option<String>,
}

impl CheckResult {
    pub fn pass(name: &str, detail: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.to_string(),
            passed: true,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn fail(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.to_string(),
            passed: false,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

impl PreflightReport {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// One line: `preflight passed: 8 checks` / `preflight failed: 2 of 8 checks
    /// (machine, glibc)`.
    pub fn summary(&self) -> String {
        let total = self.checks.len();
        let failed: Vec<&str> = self.failures().map(|c| c.name.as_str()).collect();
        if failed.is_empty() {
            format!("preflight passed: {total} checks")
        } else {
            format!(
                "preflight failed: {} of {total} checks ({})",
                failed.len(),
                failed.join(", ")
            )
        }
    }

    /// A table of every check, then the fix of each failed one: what `cargo slim
    /// check` prints and what `cargo slim build` can print when preflight fails.
    pub fn render_human(&self) -> String {
        let mut table = Table::new(&[
            ("check", Align::Left),
            ("result", Align::Left),
            ("detail", Align::Left),
        ]);
        for check in &self.checks {
            let result = if check.passed { "ok" } else { "FAIL" };
            table.row(vec![
                check.name.clone(),
                result.into(),
                check.detail.clone(),
            ]);
        }
        let mut out = table.render(None);
        let fixes: Vec<String> = self
            .failures()
            .filter_map(|c| c.fix.as_ref().map(|fix| format!("  {}: {fix}\n", c.name)))
            .collect();
        if !fixes.is_empty() {
            out.push_str("\nto fix:\n");
            out.push_str(&fixes.concat());
        }
        out
    }
}

/// How the checked executable was linked, as far as is known: it decides which
/// glibc fix a failure offers. A build knows its linker; `cargo slim check`
/// learns it from the slim-manifest.json beside the file, when that manifest
/// describes this very file ([`linkage_beside`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Linkage {
    #[default]
    Unknown,
    /// Against whatever glibc the linker found (a cross gcc, a configured linker).
    Unpinned,
    /// zig pinned glibc to `glibc` (`<triple>.2.34`), building for `runtime`.
    Pinned { glibc: String, runtime: Runtime },
}

impl Linkage {
    /// From the target a build gave cargo: `<triple>.<glibc>` when zig pinned it.
    pub(crate) fn of_build(triple: &str, cargo_target: &str, runtime: Runtime) -> Linkage {
        match cargo_target
            .strip_prefix(triple)
            .and_then(|s| s.strip_prefix('.'))
        {
            Some(glibc) => Linkage::Pinned {
                glibc: glibc.to_string(),
                runtime,
            },
            None => Linkage::Unpinned,
        }
    }
}

/// The linkage the slim-manifest.json beside `path` records, if it describes the
/// file read (`data`: the zip, the bootstrap or bootstrap.full, by sha256).
pub(crate) fn linkage_beside(path: &Path, data: &[u8]) -> Linkage {
    let Some(dir) = OutputDir::beside(path) else {
        return Linkage::Unknown;
    };
    let beside = dir.unlocked(OutputFile::Manifest);
    if !beside.is_file() {
        return Linkage::Unknown;
    }
    let Ok(m) = crate::model::manifest::Manifest::read(&beside) else {
        return Linkage::Unknown;
    };
    let sha = crate::util::hash::sha256_hex(data);
    let describes = sha == m.zip.sha256
        || sha == m.unstripped.sha256
        || m.files
            .iter()
            .any(|f| f.name == BOOTSTRAP && f.sha256 == sha);
    if !describes {
        return Linkage::Unknown;
    }
    Linkage::of_build(&m.target.triple, &m.linker.cargo_target, m.runtime)
}

/// Run every check on an ELF image for `arch` (None: don't check the machine) and
/// `runtime`. An image that is not a readable ELF file is an error (exit code 2);
/// failed checks are in the report.
pub fn check_elf(
    elf: &[u8],
    arch: Option<crate::model::target::Arch>,
    runtime: crate::model::target::Runtime,
) -> anyhow::Result<PreflightReport> {
    check_elf_as_linked(elf, arch, runtime, &Linkage::Unknown, &CpuInput::default())
}

/// [`check_elf`] for an executable whose linkage is known (a build's own), so
/// that a failure's fix fits it, against the CPU baseline in `cpu`.
pub(crate) fn check_elf_as_linked(
    elf: &[u8],
    arch: Option<crate::model::target::Arch>,
    runtime: crate::model::target::Runtime,
    linkage: &Linkage,
    cpu: &CpuInput<'_>,
) -> anyhow::Result<PreflightReport> {
    let facts = ElfFacts::read(elf)?;
    let mut checks = checks::run_all(&facts, arch, RuntimeFacts::of(runtime), linkage);
    if let Some(audit) = cpu_audit(elf, &facts, arch, cpu)? {
        checks.push(cpu::check(&audit));
    }
    Ok(PreflightReport { checks })
}

/// What the CPU audit needs besides the executable.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CpuInput<'a> {
    /// The baseline to audit against; `None`: Lambda's for the file's
    /// architecture.
    pub baseline: Option<&'static CpuBaseline>,
    /// Files that may be the unstripped twin of the executable (a
    /// `bootstrap.full` beside it): the one with the same build-id names the
    /// functions (it holds the same code); otherwise the executable's own
    /// symbols do.
    pub twins: &'a [Vec<u8>],
}

/// The CPU audit of a readable 64-bit executable of a Lambda architecture
/// (`None` otherwise, or when it is not the `arch` asked for: `machine` fails).
fn cpu_audit(
    elf: &[u8],
    facts: &ElfFacts,
    arch: Option<Arch>,
    input: &CpuInput<'_>,
) -> anyhow::Result<Option<cpu::CpuAudit>> {
    let Some(own) = Arch::from_elf_machine(facts.machine) else {
        return Ok(None);
    };
    if facts.body.is_none() || arch.is_some_and(|a| a != own) {
        return Ok(None);
    }
    let baseline = input
        .baseline
        .filter(|b| b.arch == own)
        .unwrap_or_else(|| CpuBaseline::lambda(own));
    let own_id = crate::artifact::elf::build_id::read(elf);
    let twin = own_id.as_ref().and_then(|id| {
        input
            .twins
            .iter()
            .find(|t| crate::artifact::elf::build_id::read(t).as_ref() == Some(id))
    });
    cpu::audit(twin.map_or(elf, |t| &t[..]), baseline)
}

/// A checked file: the report and, when an ELF was read, its facts and the
/// paths of a building machine found in it.
pub(crate) struct Checked {
    zip: bool,
    facts: Option<ElfFacts>,
    cpu: Option<cpu::CpuAudit>,
    host_paths: Vec<host_paths::Finding>,
    pub report: PreflightReport,
}

/// Check an ELF, or a zip's `bootstrap` entry and then the ELF inside it.
pub(crate) fn check_file(
    data: &[u8],
    arch: Option<Arch>,
    runtime: Runtime,
    linkage: &Linkage,
    cpu_input: &CpuInput<'_>,
) -> anyhow::Result<Checked> {
    let rt = RuntimeFacts::of(runtime);
    let mut checks = Vec::new();
    let zipped = crate::artifact::zip::looks_like_zip(data);
    let inner;
    let elf = if zipped {
        let found = zip::read_bootstrap(data)?;
        checks.push(found.check);
        match found.elf {
            Some(bytes) => {
                inner = bytes;
                &inner[..]
            }
            None => {
                return Ok(Checked {
                    zip: true,
                    facts: None,
                    cpu: None,
                    host_paths: Vec::new(),
                    report: PreflightReport { checks },
                })
            }
        }
    } else {
        data
    };
    let facts = if zipped {
        ElfFacts::read(elf).context("the zip's `bootstrap` is not a readable ELF executable")?
    } else {
        ElfFacts::read(elf)?
    };
    checks.extend(checks::run_all(&facts, arch, rt, linkage));
    let cpu = cpu_audit(elf, &facts, arch, cpu_input)?;
    if let Some(audit) = &cpu {
        checks.push(cpu::check(audit));
    }
    let found = host_paths::audit(elf, &host_paths::environment_prefixes());
    checks.push(host_paths::check(&found, None));
    Ok(Checked {
        zip: zipped,
        facts: Some(facts),
        cpu,
        host_paths: found,
        report: PreflightReport { checks },
    })
}

/// The JSON document `cargo slim check --message-format json` prints.
#[derive(Debug, Serialize)]
pub(crate) struct CheckOutput<'a> {
    path: String,
    /// `elf` or `zip`.
    input: &'static str,
    runtime: Runtime,
    /// The architecture checked against; null when any was accepted.
    arch: Option<Arch>,
    passed: bool,
    checks: &'a [CheckResult],
    /// What was read from the ELF; null when there was none to read (a zip
    /// without a usable `bootstrap`).
    elf: Option<ElfSummary<'a>>,
    /// The CPU-baseline audit: every above-baseline feature per function.
    cpu: Option<&'a cpu::CpuAudit>,
    /// Paths of a building machine in the file, by prefix (the `host-paths`
    /// check's findings).
    host_paths: &'a [host_paths::Finding],
}

#[derive(Debug, Serialize)]
struct ElfSummary<'a> {
    /// The architecture of the executable, null when not a Lambda one.
    arch: Option<Arch>,
    e_machine: u16,
    interpreter: Option<&'a str>,
    needed: &'a [String],
    version_needs: Vec<VersionNeedJson<'a>>,
}

#[derive(Debug, Serialize)]
struct VersionNeedJson<'a> {
    library: &'a str,
    version: &'a str,
    weak: bool,
    symbols: &'a [String],
}

impl<'a> CheckOutput<'a> {
    pub(crate) fn new(
        path: &Path,
        runtime: Runtime,
        arch: Option<Arch>,
        checked: &'a Checked,
    ) -> Self {
        let elf = checked.facts.as_ref().map(|facts| {
            let body = facts.body.as_ref();
            ElfSummary {
                arch: Arch::from_elf_machine(facts.machine),
                e_machine: facts.machine,
                interpreter: body.and_then(|b| b.interpreter.as_deref()),
                needed: body.map_or(&[][..], |b| &b.needed[..]),
                version_needs: body
                    .map_or(&[][..], |b| &b.version_needs[..])
                    .iter()
                    .map(|n: &'a VersionNeed| VersionNeedJson {
                        library: &n.library,
                        version: &n.name,
                        weak: n.weak,
                        symbols: &n.symbols,
                    })
                    .collect(),
            }
        });
        CheckOutput {
            path: path.display().to_string(),
            input: if checked.zip { "zip" } else { "elf" },
            runtime,
            arch,
            passed: checked.report.passed(),
            checks: &checked.report.checks,
            elf,
            cpu: checked.cpu.as_ref(),
            host_paths: &checked.host_paths,
        }
    }
}
