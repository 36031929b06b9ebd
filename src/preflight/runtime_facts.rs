//! What each Lambda OS-only runtime gives a `bootstrap`: its dynamic loader, the
//! shared libraries it ships and the newest symbol versions those libraries define.
//!
//! This is the one place these facts live. Each is conservative: a library is listed
//! only where its presence on the runtime is documented or follows from something
//! documented, and a ceiling is the oldest version the runtime could have. The
//! sources, and what could not be verified, are in docs/preflight.md ("Runtime
//! facts"); change both together.

use crate::model::target::{Arch, Runtime};

use super::symbol_version::{Family, Version};

/// The facts about one runtime.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuntimeFacts {
    pub runtime: Runtime,
    /// Shared libraries (DT_NEEDED names) the runtime ships, with why we believe so.
    pub libraries: &'static [(&'static str, &'static str)],
    /// libstdc++'s newest GLIBCXX_ version; kept although libstdc++ itself is not
    /// listed as shipped (see `libraries`), so a failure can say both things.
    pub glibcxx: Version,
    /// libstdc++'s newest CXXABI_ version.
    pub cxxabi: Version,
    /// libgcc_s's newest GCC_ version.
    pub gcc: Version,
}

/// Every library the glibc package installs that a program may name in DT_NEEDED;
/// present wherever glibc is, on both runtimes. (Since glibc 2.34 libdl, libpthread,
/// librt and libutil are empty stubs kept for compatibility: still there.)
const GLIBC_PART: &str = "part of the glibc package";

/// libgcc_s is needed by every Rust `*-linux-gnu` executable that gcc links (std's
/// unwinder). Such builds failing on both runtimes fail on a GLIBC_ version, which
/// glibc's loader checks only once every DT_NEEDED library was found: libgcc_s was
/// there (docs/preflight.md has the reports).
const LIBGCC: &str = "libgcc package (needed by Rust gnu executables linked by gcc)";

const LIBRARIES: &[(&str, &str)] = &[
    ("libc.so.6", GLIBC_PART),
    ("libm.so.6", GLIBC_PART),
    ("libdl.so.2", GLIBC_PART),
    ("libpthread.so.0", GLIBC_PART),
    ("librt.so.1", GLIBC_PART),
    ("libutil.so.1", GLIBC_PART),
    ("libresolv.so.2", GLIBC_PART),
    ("ld-linux-x86-64.so.2", GLIBC_PART),
    ("ld-linux-aarch64.so.1", GLIBC_PART),
    ("libgcc_s.so.1", LIBGCC),
];

const AL2023: RuntimeFacts = RuntimeFacts {
    runtime: Runtime::Al2023,
    libraries: LIBRARIES,
    // gcc 11 (AL2023 core toolchain): GLIBCXX_3.4.29, CXXABI_1.3.13; libgcc_s
    // defines nothing newer than GCC_7.0.0 before gcc 12 (GCC_12.0.0).
    glibcxx: Version::new(&[3, 4, 29]),
    cxxabi: Version::new(&[1, 3, 13]),
    gcc: Version::new(&[7, 0, 0]),
};

const AL2: RuntimeFacts = RuntimeFacts {
    runtime: Runtime::Al2,
    libraries: LIBRARIES,
    // gcc 7.3 (Amazon Linux 2): GLIBCXX_3.4.24, CXXABI_1.3.11, GCC_7.0.0.
    glibcxx: Version::new(&[3, 4, 24]),
    cxxabi: Version::new(&[1, 3, 11]),
    gcc: Version::new(&[7, 0, 0]),
};

impl RuntimeFacts {
    pub(crate) fn of(runtime: Runtime) -> &'static RuntimeFacts {
        match runtime {
            Runtime::Al2023 => &AL2023,
            Runtime::Al2 => &AL2,
        }
    }

    /// The glibc version, from the one place the project keeps it.
    pub(crate) fn glibc(&self) -> Version {
        let (major, minor) = self.runtime.glibc();
        Version::new(&[major, minor])
    }

    /// The newest version of `family` the runtime defines; `None` for families
    /// cargo-slim knows nothing about.
    pub(crate) fn ceiling(&self, family: Family) -> Option<Version> {
        match family {
            Family::Glibc => Some(self.glibc()),
            Family::Glibcxx => Some(self.glibcxx),
            Family::Cxxabi => Some(self.cxxabi),
            Family::Gcc => Some(self.gcc),
            Family::Other => None,
        }
    }

    pub(crate) fn ships(&self, library: &str) -> bool {
        self.libraries.iter().any(|(name, _)| *name == library)
    }

    /// The path of the dynamic loader for `arch` (PT_INTERP of a dynamically linked
    /// executable). glibc's ABI paths; both runtimes have them.
    pub(crate) fn loader(&self, arch: Arch) -> &'static str {
        match arch {
            Arch::X86_64 => "/lib64/ld-linux-x86-64.so.2",
            Arch::Arm64 => "/lib/ld-linux-aarch64.so.1",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_ceilings_match_the_documented_versions() {
        assert_eq!(
            RuntimeFacts::of(Runtime::Al2).glibc(),
            Version::new(&[2, 26])
        );
        assert_eq!(
            RuntimeFacts::of(Runtime::Al2023).glibc(),
            Version::new(&[2, 34])
        );
    }

    #[test]
    fn libstdcxx_is_not_assumed() {
        for runtime in [Runtime::Al2, Runtime::Al2023] {
            let facts = RuntimeFacts::of(runtime);
            assert!(facts.ships("libc.so.6"));
            assert!(facts.ships("libgcc_s.so.1"));
            assert!(!facts.ships("libstdc++.so.6"));
            assert!(!facts.ships("libssl.so.3"));
        }
    }
}
