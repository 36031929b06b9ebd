//! The `cpu` check: does the machine code need a CPU feature the function's
//! CPU baseline does not guarantee?
//!
//! Every instruction of the executable sections is decoded
//! (`crate::artifact::code`) and compared with the baseline
//! (`crate::model::cpu_baseline`): Graviton2's Neoverse N1 for arm64, x86-64-v2
//! for x86_64, unless the build declared a higher one. An instruction above it
//! is reported per feature with the function and crate it sits in (names from
//! the symbol table: `bootstrap.full`, or the stripped file's twin of the same
//! build-id). Code that the program selects at run time after asking the CPU
//! ([`selection`]) is reported as such and passes; anything else fails: on a
//! CPU without the feature it dies with SIGILL the first time it runs.

mod functions;
mod selection;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::artifact::code::{self, Isa};
use crate::artifact::elf::{self, pointers};
use crate::model::cpu_baseline::CpuBaseline;
use crate::model::target::Arch;

use super::CheckResult;
use functions::Functions;
use selection::Reach;

/// Above-baseline instructions of one feature in one function.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Finding {
    pub feature: String,
    /// Demangled; `[no function symbol]` for code outside every function symbol.
    pub function: String,
    pub krate: String,
    /// The first such instruction.
    pub address: u64,
    pub instructions: u64,
    /// Up to three distinct mnemonics, for the message.
    pub mnemonics: Vec<String>,
    /// How the code is reached: `unconditional` (fails the check),
    /// `selected at run time`, `never referenced`, `toolchain runtime`, or
    /// `unknown` (a stripped file).
    pub reached: &'static str,
    /// Why, for all but `unconditional`.
    pub why: Option<String>,
}

impl Finding {
    fn fails(&self) -> bool {
        self.reached == UNCONDITIONAL
    }
}

const UNCONDITIONAL: &str = "unconditional";

/// The audit of one executable against one baseline.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CpuAudit {
    pub baseline: &'static CpuBaseline,
    pub instructions: u64,
    /// Whether function names were available (a symbol table, here or in the
    /// twin it was read from).
    pub named: bool,
    /// Instructions that ask the CPU what it is (`cpuid`, ID registers).
    pub probes: usize,
    pub findings: Vec<Finding>,
}

impl CpuAudit {
    /// Findings that run whatever the CPU.
    pub(crate) fn unconditional(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.fails())
    }
}

/// Audit the ELF `data` against `baseline`. `None` for a machine this audit does
/// not decode (not a Lambda architecture: other checks fail it).
pub(crate) fn audit(
    data: &[u8],
    baseline: &'static CpuBaseline,
) -> anyhow::Result<Option<CpuAudit>> {
    elf::with_aligned(data, |data| {
        let image = elf::image::read(data)?;
        let Some(isa) = Isa::of_machine(&image.format.machine) else {
            return Ok(None);
        };
        let arch = match isa {
            Isa::X86_64 => Arch::X86_64,
            Isa::Aarch64 => Arch::Arm64,
        };
        if arch != baseline.arch {
            return Ok(None);
        }
        let decoded = code::decode(isa, &code::code_ranges(data, &image));
        let pointers = pointers::read(data)?;
        let functions = Functions::of(&image);
        let got = image
            .sections
            .iter()
            .find(|s| s.name == ".got")
            .map(|s| (s.addr, s.addr.saturating_add(s.vm_bytes)));
        let reach = selection::reach(&selection::Graph {
            functions: &functions,
            code: &decoded,
            pointers: &pointers,
            got,
            entry: image.entry,
        });
        // Without function names, only x86 code that never runs `cpuid` is
        // known to use its newer instructions unconditionally (AArch64 code can
        // ask the kernel instead, through `getauxval`, which a stripped file
        // does not name).
        let unnamed_fail = isa == Isa::X86_64 && decoded.probes.is_empty();
        let mut groups: BTreeMap<(Option<usize>, String), Finding> = BTreeMap::new();
        for used in decoded.uses.iter().filter(|u| !baseline.has(&u.feature)) {
            let f = functions.at(used.at);
            let finding = groups
                .entry((f, used.feature.to_string()))
                .or_insert_with(|| new_finding(&functions, f, used, &reach, unnamed_fail));
            finding.instructions += 1;
            let mnemonic = used.mnemonic.to_string();
            if finding.mnemonics.len() < 3 && !finding.mnemonics.contains(&mnemonic) {
                finding.mnemonics.push(mnemonic);
            }
        }
        let mut findings: Vec<Finding> = groups.into_values().collect();
        findings.sort_by(|a, b| {
            (!a.fails(), &a.feature, a.address).cmp(&(!b.fails(), &b.feature, b.address))
        });
        Ok(Some(CpuAudit {
            baseline,
            instructions: decoded.instructions,
            named: !functions.list.is_empty(),
            probes: decoded.probes.len(),
            findings,
        }))
    })
}

fn new_finding(
    functions: &Functions,
    f: Option<usize>,
    used: &code::FeatureUse,
    reach: &[Reach],
    unnamed_fail: bool,
) -> Finding {
    let (function, krate, reached, why) = match f {
        Some(i) => {
            let func = &functions.list[i];
            let (reached, why) = match &reach[i] {
                Reach::Selected(why) => ("selected at run time", Some(why.clone())),
                _ if func.toolchain => (
                    "toolchain runtime",
                    Some(
                        "the Rust toolchain's prebuilt runtime, built for the target's baseline"
                            .into(),
                    ),
                ),
                Reach::Unreferenced => (
                    "never referenced",
                    Some("no call, jump or stored pointer reaches it".into()),
                ),
                Reach::Unconditional => (UNCONDITIONAL, None),
            };
            (func.name.clone(), func.krate.clone(), reached, why)
        }
        // No names at all (stripped, no twin).
        None if functions.list.is_empty() && !unnamed_fail => (
            "[stripped: no function names]".to_string(),
            String::new(),
            "unknown",
            Some(
                "without its symbols (the unstripped build, bootstrap.full) nothing tells \
                 whether the program chooses this code at run time"
                    .into(),
            ),
        ),
        None => (
            "[no function symbol]".to_string(),
            String::new(),
            UNCONDITIONAL,
            None,
        ),
    };
    Finding {
        feature: used.feature.to_string(),
        function,
        krate,
        address: used.at,
        instructions: 0,
        mnemonics: Vec::new(),
        reached,
        why,
    }
}

/// The `cpu` check's result for `audit`.
pub(crate) fn check(audit: &CpuAudit) -> CheckResult {
    let baseline = audit.baseline;
    let unconditional: Vec<&Finding> = audit.unconditional().collect();
    let mut others: BTreeMap<&str, (std::collections::BTreeSet<&str>, usize)> = BTreeMap::new();
    for f in audit.findings.iter().filter(|f| !f.fails()) {
        let entry = others.entry(f.reached).or_default();
        entry.0.insert(&f.feature);
        entry.1 += 1;
    }
    let at_run_time: String = others
        .iter()
        .map(|(reached, (features, places))| {
            let features: Vec<&str> = features.iter().copied().collect();
            format!(
                "; {reached}: {} in {places} place{}",
                features.join(", "),
                if *places == 1 { "" } else { "s" }
            )
        })
        .collect();
    if unconditional.is_empty() {
        return CheckResult::pass(
            "cpu",
            format!(
                "{} instructions within {} ({}){at_run_time}",
                crate::ui::table::bytes(audit.instructions),
                baseline.name,
                baseline.describes
            ),
        );
    }
    let shown: Vec<String> = unconditional.iter().take(4).map(|f| describe(f)).collect();
    let more = unconditional.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    CheckResult::fail(
        "cpu",
        format!(
            "needs CPU features {} does not have ({}): {}{more}{at_run_time}",
            baseline.name,
            baseline.describes,
            shown.join("; ")
        ),
        format!(
            "on such a CPU this code dies with SIGILL. Build it for the baseline: remove \
             -march/-mcpu/-m<feature> flags above it from CFLAGS, CFLAGS_<target>, TARGET_CFLAGS \
             and target-cpu/target-feature from RUSTFLAGS and cargo config; or, if the function \
             only ever runs on newer CPUs, declare that baseline with --cpu-baseline (one of {})",
            CpuBaseline::names(baseline.arch).join(", ")
        ),
    )
}

fn describe(f: &Finding) -> String {
    let krate = if f.krate.is_empty() {
        String::new()
    } else {
        format!(" ({})", f.krate)
    };
    format!(
        "{} in {}{krate}, {} instruction{} ({}) from {:#x}",
        f.feature,
        f.function,
        f.instructions,
        if f.instructions == 1 { "" } else { "s" },
        f.mnemonics.join(", "),
        f.address
    )
}
