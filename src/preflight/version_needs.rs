//! The symbol-version checks (`glibc`, `gcc-libs`): the versions the ELF needs
//! against the runtime's ceilings, and the fix that is true for how the file
//! was linked.

use crate::artifact::elf::Body;
use crate::model::target::Arch;

use super::runtime_facts::RuntimeFacts;
use super::symbol_version::{Family, SymbolVersion, Version};
use super::{CheckResult, Linkage};

/// How many symbols to name per version in a message before "and N more".
const SYMBOLS_SHOWN: usize = 4;

/// The fix for glibc symbol versions above the runtime's, true for how the file
/// was linked: a build whose glibc zig already pinned (for another runtime) is
/// rebuilt for this one with `--runtime`; one linked against whatever glibc the
/// linker had is pinned with zig; either can go static with musl.
pub(super) fn glibc_fix(arch: Option<Arch>, rt: &RuntimeFacts, linkage: &Linkage) -> String {
    let (runtime, glibc) = (rt.runtime, rt.glibc());
    let musl = "--libc musl (static: needs no glibc)";
    let pin = format!(
        "pin glibc {glibc} with zig: `cargo slim build --libc gnu --linker zig --runtime {runtime}`"
    );
    match linkage {
        Linkage::Pinned {
            glibc: pinned,
            runtime: built_for,
        } => format!(
            "this build has glibc pinned to {pinned} (for {built_for}); rebuild for {runtime}: \
             `cargo slim build --libc gnu --runtime {runtime}` pins {glibc}; or rebuild with {musl}"
        ),
        Linkage::Unpinned => format!(
            "rebuild with {musl}, or {pin} (it was linked against the linker's own glibc; \
             zig: `pip install ziglang cargo-zigbuild`)"
        ),
        Linkage::Unknown => {
            let prefix = arch.map_or("<arch>", Arch::triple_prefix);
            format!(
                "rebuild with {musl}, or {pin} (by hand: cargo zigbuild --target \
                 {prefix}-unknown-linux-gnu.{glibc})"
            )
        }
    }
}

pub(super) const GCC_LIBS_FIX: &str =
    "link libstdc++/libgcc statically (-static-libstdc++ -static-libgcc in \
     the C/C++ build), or build with --libc musl";

/// `__libc_start_main, fcntl64 and 3 more`.
fn some_symbols(symbols: &[String]) -> String {
    if symbols.is_empty() {
        return "no symbol (a version the link asked for)".to_string();
    }
    let shown = symbols[..symbols.len().min(SYMBOLS_SHOWN)].join(", ");
    match symbols.len().saturating_sub(SYMBOLS_SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// A version need above the runtime's ceiling, or one it cannot be assumed to have.
struct Excess<'a> {
    family: Family,
    version: Option<Version>,
    name: &'a str,
    symbols: &'a [String],
}

/// The needs of some families, sorted against the runtime's ceilings.
#[derive(Default)]
struct Needs<'a> {
    /// The highest version needed per family.
    highest: Vec<(Family, Version)>,
    /// Needs the runtime does not meet.
    excess: Vec<Excess<'a>>,
    /// Unmet weak needs: the loader tolerates them.
    tolerated: Vec<String>,
}

/// The symbol version needs in `families` against the runtime's ceilings.
pub(super) fn versions(
    check: &str,
    families: &[Family],
    body: &Body,
    rt: &RuntimeFacts,
    fix: &str,
) -> CheckResult {
    let needs = sort_needs(families, body, rt);
    if needs.excess.is_empty() {
        CheckResult::pass(check, met(&needs, rt))
    } else {
        CheckResult::fail(check, unmet(needs.excess, families, rt), fix)
    }
}

fn sort_needs<'a>(families: &[Family], body: &'a Body, rt: &RuntimeFacts) -> Needs<'a> {
    let mut needs = Needs::default();
    for need in &body.version_needs {
        let parsed = SymbolVersion::parse(&need.name);
        if !families.contains(&parsed.family) {
            continue;
        }
        let Some(ceiling) = rt.ceiling(parsed.family) else {
            continue;
        };
        if let Some(v) = parsed.version {
            match needs.highest.iter_mut().find(|(f, _)| *f == parsed.family) {
                Some((_, h)) => *h = (*h).max(v),
                None => needs.highest.push((parsed.family, v)),
            }
        }
        if parsed.version.is_some_and(|v| v <= ceiling) {
            continue;
        }
        if need.weak {
            needs.tolerated.push(need.name.clone());
            continue;
        }
        needs.excess.push(Excess {
            family: parsed.family,
            version: parsed.version,
            name: &need.name,
            symbols: &need.symbols,
        });
    }
    needs.highest.sort();
    needs
}

/// All needs met: the highest of each family against its ceiling, and the
/// weak needs the loader lets pass.
fn met(needs: &Needs, rt: &RuntimeFacts) -> String {
    let runtime = rt.runtime;
    let mut detail = if needs.highest.is_empty() {
        "no such symbol versions needed".to_string()
    } else {
        let found: Vec<String> = needs
            .highest
            .iter()
            .map(|(family, v)| {
                let ceiling = rt.ceiling(*family).map_or(String::new(), |c| c.to_string());
                format!("highest {}_{v} (≤ {ceiling})", family.prefix())
            })
            .collect();
        format!("{} on {runtime}", found.join(", "))
    };
    if !needs.tolerated.is_empty() {
        detail.push_str(&format!(
            "; weak needs {} are missing but tolerated by the loader",
            needs.tolerated.join(", ")
        ));
    }
    detail
}

/// Per family, newest first: `needs GLIBC_2.34 for __libc_start_main;
/// provided.al2 has 2.26; also GLIBC_2.28 for fcntl64`.
fn unmet(mut excess: Vec<Excess>, families: &[Family], rt: &RuntimeFacts) -> String {
    let runtime = rt.runtime;
    excess.sort_by(|a, b| (a.family, b.version).cmp(&(b.family, a.version)));
    let mut parts: Vec<String> = Vec::new();
    for family in families {
        let mut of_family = excess.iter().filter(|e| e.family == *family);
        let Some(first) = of_family.next() else {
            continue;
        };
        let has = match (first.version, rt.ceiling(*family)) {
            (Some(_), Some(ceiling)) => format!("{runtime} has {ceiling}"),
            _ => format!("{runtime} cannot be assumed to define it"),
        };
        let mut text = format!(
            "needs {} for {}; {has}",
            first.name,
            some_symbols(first.symbols)
        );
        let rest: Vec<String> = of_family
            .map(|e| format!("{} for {}", e.name, some_symbols(e.symbols)))
            .collect();
        if !rest.is_empty() {
            text.push_str(&format!("; also {}", rest.join(", ")));
        }
        parts.push(text);
    }
    parts.join(". ")
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::artifact::elf::VersionNeed;
    use crate::model::target::Runtime;
    use object::elf;

    pub(in crate::preflight) fn body(needs: &[(&str, &str, &[&str])]) -> Body {
        Body {
            file_type: elf::ET_DYN.0,
            entry: 0x1000,
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            dynamic: true,
            pie_flag: true,
            needed: vec!["libc.so.6".into()],
            version_needs: needs
                .iter()
                .map(|(lib, name, syms)| VersionNeed {
                    library: lib.to_string(),
                    name: name.to_string(),
                    weak: false,
                    symbols: syms.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            ..Body::default()
        }
    }

    #[test]
    fn glibc_above_the_runtime_names_version_symbol_and_ceiling() {
        let b = body(&[
            ("libc.so.6", "GLIBC_2.2.5", &["malloc"]),
            ("libc.so.6", "GLIBC_2.28", &["fcntl64"]),
            ("libc.so.6", "GLIBC_2.34", &["__libc_start_main"]),
        ]);
        let al2 = RuntimeFacts::of(Runtime::Al2);
        let fix = glibc_fix(Some(Arch::X86_64), al2, &Linkage::Unknown);
        let r = versions("glibc", &[Family::Glibc], &b, al2, &fix);
        assert!(!r.passed);
        assert!(
            r.detail.starts_with(
                "needs GLIBC_2.34 for __libc_start_main; provided.al2 has 2.26; also GLIBC_2.28 for fcntl64"
            ),
            "{}",
            r.detail
        );
        let said = r.fix.as_deref().unwrap();
        assert!(said.contains("--libc musl"), "{said}");
        assert!(said.contains("x86_64-unknown-linux-gnu.2.26"), "{said}");

        let al2023 = RuntimeFacts::of(Runtime::Al2023);
        let r = versions("glibc", &[Family::Glibc], &b, al2023, &fix);
        assert!(r.passed, "{}", r.detail);
        assert!(r.detail.contains("highest GLIBC_2.34"), "{}", r.detail);
    }

    #[test]
    fn glibc_fix_is_true_for_how_the_file_was_linked() {
        let al2 = RuntimeFacts::of(Runtime::Al2);
        let zig = Linkage::Pinned {
            glibc: "2.34".into(),
            runtime: Runtime::Al2023,
        };
        let said = glibc_fix(Some(Arch::Arm64), al2, &zig);
        assert!(!said.contains("--linker zig"), "{said}");
        assert!(
            said.contains("glibc pinned to 2.34 (for provided.al2023)"),
            "{said}"
        );
        assert!(
            said.contains("`cargo slim build --libc gnu --runtime provided.al2` pins 2.26"),
            "{said}"
        );
        let gcc = glibc_fix(Some(Arch::Arm64), al2, &Linkage::Unpinned);
        assert!(
            gcc.contains("--linker zig --runtime provided.al2`"),
            "{gcc}"
        );
        assert!(gcc.contains("--libc musl"), "{gcc}");
    }

    #[test]
    fn private_and_weak_versions() {
        let mut b = body(&[("libc.so.6", "GLIBC_PRIVATE", &["__libc_thing"])]);
        let al2023 = RuntimeFacts::of(Runtime::Al2023);
        let r = versions("glibc", &[Family::Glibc], &b, al2023, "fix");
        assert!(!r.passed);
        assert!(r.detail.contains("GLIBC_PRIVATE"));
        b.version_needs[0].weak = true;
        assert!(versions("glibc", &[Family::Glibc], &b, al2023, "fix").passed);
    }

    #[test]
    fn long_symbol_lists_are_cut() {
        let syms: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
        assert_eq!(some_symbols(&syms), "s0, s1, s2, s3 and 6 more");
    }
}
