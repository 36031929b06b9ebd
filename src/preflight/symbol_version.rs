//! Symbol version names as the GNU toolchain writes them (`GLIBC_2.34`,
//! `GLIBCXX_3.4.29`, `CXXABI_1.3.13`, `GCC_7.0.0`) and their ordering.

use std::cmp::Ordering;
use std::fmt;

/// A dotted version number of up to four parts, compared numerically with missing
/// parts as zero (`2.26` == `2.26.0` < `2.27`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Version {
    parts: [u32; 4],
    len: usize,
}

impl Version {
    /// From literal parts; more than four are cut (no version we meet has them).
    pub(crate) const fn new(parts: &[u32]) -> Version {
        let mut out = [0u32; 4];
        let mut i = 0;
        while i < parts.len() && i < 4 {
            out[i] = parts[i];
            i += 1;
        }
        Version { parts: out, len: i }
    }

    /// `"2.34"` → 2.34; `None` unless every part is a number.
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let mut parts = Vec::new();
        for piece in text.split('.') {
            parts.push(piece.parse::<u32>().ok()?);
        }
        (!parts.is_empty() && parts.len() <= 4).then(|| Version::new(&parts))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.parts[..self.len].iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{part}")?;
        }
        Ok(())
    }
}

/// Which library's version namespace a version name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Family {
    /// `GLIBC_*`: libc, libm, libpthread, libdl, librt, ld.so.
    Glibc,
    /// `GLIBCXX_*`: libstdc++.
    Glibcxx,
    /// `CXXABI_*`: libstdc++'s C++ ABI support.
    Cxxabi,
    /// `GCC_*`: libgcc_s.
    Gcc,
    /// Any other library's versions (e.g. `OPENSSL_3.0.0`).
    Other,
}

impl Family {
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Family::Glibc => "GLIBC",
            Family::Glibcxx => "GLIBCXX",
            Family::Cxxabi => "CXXABI",
            Family::Gcc => "GCC",
            Family::Other => "",
        }
    }
}

/// A version name split into its family and number. `version` is `None` for names
/// without a plain number, such as `GLIBC_PRIVATE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SymbolVersion {
    pub family: Family,
    pub version: Option<Version>,
}

impl SymbolVersion {
    pub(crate) fn parse(name: &str) -> SymbolVersion {
        // Longest prefix first: GLIBCXX_ also starts with GLIBC.
        let families = [
            ("GLIBCXX_", Family::Glibcxx),
            ("GLIBC_", Family::Glibc),
            ("CXXABI_", Family::Cxxabi),
            ("GCC_", Family::Gcc),
        ];
        for (prefix, family) in families {
            if let Some(rest) = name.strip_prefix(prefix) {
                let version = match (family, rest) {
                    // Not a number, but a marker glibc 2.36 introduced for
                    // executables linked with packed relative relocations
                    // (`-z pack-relative-relocs`): older loaders lack it.
                    (Family::Glibc, "ABI_DT_RELR") => Some(Version::new(&[2, 36])),
                    _ => Version::parse(rest),
                };
                return SymbolVersion { family, version };
            }
        }
        SymbolVersion {
            family: Family::Other,
            version: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("2.34") > v("2.26"));
        assert!(v("2.3.4") < v("2.26"));
        assert!(v("2.2.5") < v("2.3"));
        assert_eq!(v("2.26"), v("2.26.0"));
        assert!(v("3.4.30") > v("3.4.29"));
        assert_eq!(v("2.17").to_string(), "2.17");
        assert_eq!(Version::parse("2.x"), None);
        assert_eq!(Version::parse(""), None);
    }

    #[test]
    fn names_split_into_families() {
        let p = SymbolVersion::parse;
        assert_eq!(p("GLIBC_2.34").family, Family::Glibc);
        assert_eq!(p("GLIBC_2.34").version, Version::parse("2.34"));
        assert_eq!(p("GLIBCXX_3.4.29").family, Family::Glibcxx);
        assert_eq!(p("CXXABI_1.3.13").family, Family::Cxxabi);
        assert_eq!(p("GCC_3.0").family, Family::Gcc);
        assert_eq!(p("GLIBC_PRIVATE").version, None);
        assert_eq!(p("GLIBC_ABI_DT_RELR").version, Version::parse("2.36"));
        assert_eq!(p("OPENSSL_3.0.0").family, Family::Other);
    }
}
