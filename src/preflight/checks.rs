//! The checks: each turns the facts read from an ELF into one [`CheckResult`] that
//! names what it found and, when it fails, what to change.

use object::elf;

use crate::model::target::Arch;

use super::runtime_facts::RuntimeFacts;
use super::symbol_version::Family;
use super::version_needs::{glibc_fix, versions, GCC_LIBS_FIX};
use super::{CheckResult, Linkage};
use crate::artifact::elf::{Body, ElfFacts, Layout};

/// Every check, in the order a reader should fix them. `linkage` is what is
/// known of how the file was linked: it decides which glibc fix is true.
pub(super) fn run_all(
    facts: &ElfFacts,
    arch: Option<Arch>,
    rt: &RuntimeFacts,
    linkage: &Linkage,
) -> Vec<CheckResult> {
    let mut checks = vec![class(facts.layout), machine(facts.machine, arch)];
    // Nothing else about a 32-bit or big-endian file matters: it cannot run.
    if let Some(body) = &facts.body {
        // The loader to expect follows the file's own machine when Lambda has it.
        let loader_arch = Arch::from_elf_machine(facts.machine).or(arch);
        checks.push(file_type(body));
        checks.push(segments(body));
        checks.push(interpreter(body, loader_arch, rt));
        checks.push(needed(body, rt));
        let glibc_fix = glibc_fix(loader_arch, rt, linkage);
        checks.push(versions("glibc", &[Family::Glibc], body, rt, &glibc_fix));
        let gcc_families = [Family::Glibcxx, Family::Cxxabi, Family::Gcc];
        checks.push(versions("gcc-libs", &gcc_families, body, rt, GCC_LIBS_FIX));
    }
    checks
}

const MUSL_FIX: &str = "build with --libc musl: a static executable needs nothing from the runtime";

fn class(layout: Layout) -> CheckResult {
    if layout.is_lambda() && !layout.is_linux() {
        CheckResult::fail(
            "class",
            format!(
                "{}, but built for another operating system (EI_OSABI {})",
                layout.describe(),
                layout.os_abi
            ),
            "build for a Linux target (*-unknown-linux-musl or *-unknown-linux-gnu)",
        )
    } else if layout.is_lambda() {
        CheckResult::pass("class", layout.describe())
    } else {
        CheckResult::fail(
            "class",
            format!(
                "{}: Lambda runs only 64-bit little-endian executables",
                layout.describe()
            ),
            "build for an aarch64 or x86_64 Linux target (--arch arm64 or --arch x86_64)",
        )
    }
}

/// The machines someone may plausibly build for by mistake, by `e_machine`.
const MACHINE_NAMES: &[(elf::Machine, &str)] = &[
    (elf::EM_X86_64, "EM_X86_64"),
    (elf::EM_AARCH64, "EM_AARCH64"),
    (elf::EM_386, "EM_386 (32-bit x86)"),
    (elf::EM_ARM, "EM_ARM (32-bit Arm)"),
    (elf::EM_RISCV, "EM_RISCV"),
    (elf::EM_PPC64, "EM_PPC64"),
    (elf::EM_S390, "EM_S390"),
    (elf::EM_MIPS, "EM_MIPS"),
    (elf::EM_LOONGARCH, "EM_LOONGARCH"),
];

/// `x86_64 (EM_X86_64)` / `EM_ARM (32-bit Arm)` / `e_machine 999`.
fn describe_machine(machine: u16) -> String {
    let name = MACHINE_NAMES
        .iter()
        .find(|(m, _)| m.0 == machine)
        .map_or_else(|| format!("e_machine {machine}"), |(_, n)| n.to_string());
    match Arch::from_elf_machine(machine) {
        Some(arch) => format!("{arch} ({name})"),
        None => name,
    }
}

fn machine(machine: u16, want: Option<Arch>) -> CheckResult {
    let found = Arch::from_elf_machine(machine);
    let described = describe_machine(machine);
    match (found, want) {
        (Some(found), Some(want)) if found == want => CheckResult::pass(
            "machine",
            format!("{described}, the function's architecture"),
        ),
        (Some(found), Some(want)) => CheckResult::fail(
            "machine",
            format!("the executable is {described} but the function's architecture is {want}"),
            format!(
                "rebuild for {want} (--arch {want}, target {}-unknown-linux-musl), or set \
                 the function's architecture to {found}",
                want.triple_prefix()
            ),
        ),
        (Some(_), None) => CheckResult::pass(
            "machine",
            format!("{described}; no --arch given, so either Lambda architecture passes"),
        ),
        (None, _) => CheckResult::fail(
            "machine",
            format!("{described} is not a Lambda architecture (arm64 or x86_64)"),
            "build for aarch64 or x86_64 Linux (--arch arm64 or --arch x86_64)",
        ),
    }
}

fn file_type(body: &Body) -> CheckResult {
    let kind = match body.file_type {
        t if t == elf::ET_EXEC.0 => Ok("executable (ET_EXEC)"),
        t if t == elf::ET_DYN.0 && body.interpreter.is_some() => {
            Ok("position-independent executable (ET_DYN with an interpreter)")
        }
        t if t == elf::ET_DYN.0 && body.pie_flag => {
            Ok("static position-independent executable (ET_DYN, DF_1_PIE)")
        }
        t if t == elf::ET_DYN.0 => Err(
            "a shared library (ET_DYN with neither an interpreter nor DF_1_PIE), not an \
             executable"
                .to_string(),
        ),
        t if t == elf::ET_REL.0 => Err("an object file (ET_REL), not a linked executable".into()),
        t if t == elf::ET_CORE.0 => Err("a core dump (ET_CORE), not an executable".into()),
        t => Err(format!("of ELF type {t}, not an executable")),
    };
    match kind {
        Ok(_) if body.entry == 0 => CheckResult::fail(
            "type",
            "the executable has no entry point (e_entry is 0)",
            "package the executable of the function's [[bin]] target",
        ),
        Ok(kind) => CheckResult::pass("type", format!("{kind}, entry {:#x}", body.entry)),
        Err(what) => CheckResult::fail(
            "type",
            format!("the file is {what}"),
            "package the executable of the function's [[bin]] target, not a library",
        ),
    }
}

/// Size of a 64-bit program header: the only `e_phentsize` the kernel accepts.
const PHDR_SIZE: u64 = 56;
/// The kernel's bound on the program header table (`load_elf_phdrs`).
const MAX_PHDR_TABLE: u64 = 65_536;

/// What the kernel's ELF loader needs before it runs a single instruction: a
/// program header table of 1 to 64 KiB of 56-byte entries (no `PN_XNUM`
/// extension), at least one `PT_LOAD`, and the entry point inside an executable
/// one. Anything else is `exec format error`, or a crash at the first instruction.
fn segments(body: &Body) -> CheckResult {
    let table = &body.segments;
    let fix = "relink the function with its toolchain's linker: this file was damaged or \
               edited after linking";
    let refused = |what: String| CheckResult::fail("segments", what, fix);
    let count = u64::from(table.count);
    if u64::from(table.entry_size) != PHDR_SIZE {
        return refused(format!(
            "program headers of {} bytes (e_phentsize), not {PHDR_SIZE}: the kernel refuses \
             to execute it",
            table.entry_size
        ));
    }
    if count == 0 || count * PHDR_SIZE > MAX_PHDR_TABLE {
        let what = match table.count {
            0 => "no program headers (e_phnum is 0)".to_string(),
            0xffff => "e_phnum is PN_XNUM (0xffff), which the kernel does not resolve".to_string(),
            n => format!("{n} program headers, over the kernel's 64 KiB table"),
        };
        return refused(format!("{what}: the kernel refuses to execute it"));
    }
    if table.loads.is_empty() {
        return refused("no PT_LOAD segment: the kernel would map nothing to run".into());
    }
    let runs = |l: &crate::artifact::elf::facts::Load| {
        l.executable && l.vaddr <= body.entry && body.entry - l.vaddr < l.memsz
    };
    if body.entry != 0 && !table.loads.iter().any(runs) {
        return refused(format!(
            "the entry point {:#x} is outside every executable PT_LOAD segment: it would \
             crash at its first instruction",
            body.entry
        ));
    }
    CheckResult::pass(
        "segments",
        format!(
            "{} program headers, {} PT_LOAD, the entry point in an executable one",
            table.count,
            table.loads.len()
        ),
    )
}

fn interpreter(body: &Body, arch: Option<Arch>, rt: &RuntimeFacts) -> CheckResult {
    let runtime = rt.runtime;
    let Some(path) = &body.interpreter else {
        if body.needed.is_empty() {
            return CheckResult::pass("interpreter", "statically linked: no dynamic loader needed");
        }
        return CheckResult::fail(
            "interpreter",
            format!(
                "no PT_INTERP, yet the file needs {}: nothing would load them",
                body.needed.join(", ")
            ),
            MUSL_FIX,
        );
    };
    let Some(arch) = arch else {
        return CheckResult::fail(
            "interpreter",
            format!("dynamically linked with {path}, for a machine Lambda does not have"),
            "build for aarch64 or x86_64 Linux",
        );
    };
    let loader = rt.loader(arch);
    if path == loader {
        CheckResult::pass(
            "interpreter",
            format!("dynamically linked; loader {path} is on {runtime}"),
        )
    } else {
        let fix = if path.contains("musl") {
            "link musl statically (the default for Rust's *-linux-musl targets: remove \
             `-C target-feature=-crt-static`), or build with --libc gnu"
                .to_string()
        } else {
            format!(
                "link against glibc's standard loader {loader} (drop any --dynamic-linker \
                 option), or {MUSL_FIX}"
            )
        };
        CheckResult::fail(
            "interpreter",
            format!("loader {path} does not exist on {runtime} (its {arch} loader is {loader})"),
            fix,
        )
    }
}

/// What to do about one library the runtime lacks.
fn library_fix(library: &str) -> &'static str {
    if library.starts_with("libstdc++") {
        "link libstdc++ statically (-static-libstdc++)"
    } else if library.starts_with("libssl") || library.starts_with("libcrypto") {
        "use rustls instead of native-tls/OpenSSL, or the openssl crate's `vendored` feature"
    } else if library.starts_with("ld-musl") || library.starts_with("libc.musl") {
        "link musl statically"
    } else {
        "link it statically (most -sys crates have a `static`, `vendored` or `bundled` feature)"
    }
}

fn needed(body: &Body, rt: &RuntimeFacts) -> CheckResult {
    let runtime = rt.runtime;
    if body.needed.is_empty() {
        return CheckResult::pass("needed", "no shared libraries needed");
    }
    let missing: Vec<&String> = body.needed.iter().filter(|l| !rt.ships(l)).collect();
    if missing.is_empty() {
        return CheckResult::pass(
            "needed",
            format!("{}: all ship with {runtime}", body.needed.join(", ")),
        );
    }
    let names: Vec<&str> = missing.iter().map(|l| l.as_str()).collect();
    let mut fixes: Vec<String> = missing
        .iter()
        .map(|l| format!("{l}: {}", library_fix(l)))
        .collect();
    fixes.push(MUSL_FIX.to_string());
    CheckResult::fail(
        "needed",
        format!(
            "needs {} which {runtime} does not ship (it has {})",
            names.join(", "),
            rt.libraries
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !name.starts_with("ld-"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        fixes.join("; or "),
    )
}

#[cfg(test)]
mod tests {
    use super::super::version_needs::tests::body;
    use super::*;
    use crate::model::target::Runtime;

    #[test]
    fn machine_mismatch_says_both_sides() {
        let r = machine(elf::EM_X86_64.0, Some(Arch::Arm64));
        assert!(!r.passed);
        assert_eq!(
            r.detail,
            "the executable is x86_64 (EM_X86_64) but the function's architecture is arm64"
        );
        assert!(machine(elf::EM_AARCH64.0, Some(Arch::Arm64)).passed);
        assert!(!machine(elf::EM_ARM.0, None).passed);
    }

    #[test]
    fn class_needs_64_bit_little_endian_linux() {
        let layout = |class, data, os_abi| Layout {
            class,
            data,
            os_abi,
        };
        assert!(class(layout(2, 1, 0)).passed);
        assert!(class(layout(2, 1, 3)).passed);
        let freebsd = class(layout(2, 1, 9));
        assert!(!freebsd.passed);
        assert!(freebsd.detail.contains("EI_OSABI 9"), "{}", freebsd.detail);
        assert_eq!(
            class(layout(1, 1, 0)).detail,
            "32-bit, little-endian: Lambda runs only 64-bit little-endian executables"
        );
    }

    #[test]
    fn loaders_and_types() {
        let al2 = RuntimeFacts::of(Runtime::Al2);
        let mut b = body(&[]);
        assert!(interpreter(&b, Some(Arch::X86_64), al2).passed);
        b.interpreter = Some("/lib/ld-musl-x86_64.so.1".into());
        let r = interpreter(&b, Some(Arch::X86_64), al2);
        assert!(!r.passed);
        assert!(
            r.detail.contains("/lib/ld-musl-x86_64.so.1"),
            "{}",
            r.detail
        );
        b.interpreter = None;
        b.pie_flag = false;
        assert!(!file_type(&b).passed, "a shared library");
        b.needed.clear();
        assert!(interpreter(&b, Some(Arch::X86_64), al2).passed);
    }
}
