//! Symbol names: demangling (Rust legacy and v0 via `rustc-demangle`), the crate a
//! symbol is charged to.
//!
//! The crate rule, as `--help` and docs/size.md state it:
//!
//! > A symbol is charged to the first crate its demangled name mentions that is not
//! > part of the standard library, reading left to right; a name that mentions only
//! > standard-library crates is charged to `std`.
//!
//! So `hello::handler` is `hello`'s; `<serde_json::Value as core::fmt::Debug>::fmt`
//! is `serde_json`'s (the impl lives with the type); and a generic instantiation
//! such as `core::ptr::drop_in_place::<tokio::runtime::Runtime>` is `tokio`'s —
//! std's generic code exists in a binary only because some crate used it with its
//! own types, and the first such type named is the best guess available without
//! rebuilding. Only v0 names spell out every type argument (legacy ones say
//! `Vec<T,A>`), which is why `cargo slim build` mangles v0. The rule is
//! deterministic, so a diff between two builds compares like with like.
//!
//! The standard library is std's own crates and, unless the user's dependency
//! graph has a crate of the name, std's private dependencies ([`StdCrates`]).
//! Symbols that are not Rust-mangled (the C library, C code from build scripts,
//! `#[no_mangle]` functions) go to `[non-rust]`, except the LLVM libunwind that
//! Rust's own `unwind` crate links in, which counts as `std`.

/// Crates of the Rust distribution that reach a binary only through `std`.
const STD_CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "compiler_builtins",
    "panic_abort",
    "panic_unwind",
    "unwind",
    "std_detect",
    "rustc_std_workspace_core",
    "rustc_std_workspace_alloc",
    "rustc_std_workspace_std",
    // v0 name of the allocator shims rustc generates (`__rustc::__rust_alloc`).
    "__rustc",
];

/// Crates std itself depends on, for Linux targets (`library/Cargo.lock` of Rust
/// 1.95: the backtrace printer, std's `HashMap`, the libc bindings), which are also
/// ordinary crates.io crates. Such a crate is std's in a binary unless the user's
/// dependency graph has a crate of that name ([`StdCrates`]).
pub(crate) const STD_PRIVATE: &[&str] = &[
    "addr2line",
    "adler2",
    "cfg_if",
    "gimli",
    "hashbrown",
    "libc",
    "memchr",
    "miniz_oxide",
    "object",
    "rustc_demangle",
];

/// The row for symbols without Rust mangling.
pub(crate) const NON_RUST: &str = "[non-rust]";

pub(crate) fn is_std(krate: &str) -> bool {
    STD_CRATES.contains(&krate)
}

/// Which crate names count as the standard library's in one binary: std's own
/// crates always; a crate of [`STD_PRIVATE`] when the user's dependency graph has
/// no crate of that name.
///
/// A name in both graphs (the lambda template links its own `memchr`) stays the
/// user's, std's copy included. v0 names do carry each crate's disambiguator, and
/// the two `memchr` crates have different ones (the std of Rust 1.95 is
/// v0-mangled too); but a disambiguator is a hash of the `-C metadata` values the
/// crate was compiled with, which the binary does not record, so it separates the
/// two crates without saying which one is std's. Only the toolchain's own rlibs
/// could say, and `size` reads files built elsewhere (a CI artifact, a zip).
#[derive(Debug, Clone, Default)]
pub(crate) struct StdCrates {
    /// The crates linked from the user's graph (`_` for `-`); `None` when the
    /// binary comes without a dependency list, and then every [`STD_PRIVATE`]
    /// name counts as std's.
    pub linked: Option<Vec<String>>,
}

impl StdCrates {
    /// Whether `krate` is std's.
    pub(crate) fn is_std(&self, krate: &str) -> bool {
        is_std(krate) || (STD_PRIVATE.contains(&krate) && !self.user_has(krate))
    }

    /// Whether the user's dependency graph has a crate named `krate`.
    pub(crate) fn user_has(&self, krate: &str) -> bool {
        self.linked
            .as_ref()
            .is_some_and(|names| names.iter().any(|n| n == krate))
    }
}

/// A demangled symbol name and the crate it is charged to (before std folding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    /// Demangled, without the legacy hash; the raw name when it is not Rust.
    pub text: String,
    /// The crate as named in the symbol (`core`, `tokio`, …) or [`NON_RUST`].
    pub krate: String,
    /// `krate` is the standard library's ([`StdCrates`]): shown as `std` unless
    /// `--split-std`.
    pub std: bool,
}

/// Demangle `raw` and find its crate, with the std crates of this binary.
pub(crate) fn demangle(raw: &str, std: &StdCrates) -> Name {
    // C++ (Itanium) names share the `_ZN` prefix with legacy Rust ones; LLVM's
    // libunwind, linked in by Rust's `unwind` crate, is the one C++ library every
    // Rust binary for Linux carries.
    if ["_ZN9libunwind", "_Unwind_", "__unw_", "__libunwind_"]
        .iter()
        .any(|p| raw.starts_with(p))
    {
        return Name {
            text: raw.to_string(),
            krate: "unwind".to_string(),
            std: true,
        };
    }
    match rustc_demangle::try_demangle(raw) {
        Ok(d) if is_rust(raw) => {
            let mut text = format!("{d:#}");
            // LLVM numbers local copies (`fmt.20`); the number changes from build
            // to build, so it would only get in the way of a diff.
            if let Some((base, n)) = text.rsplit_once('.') {
                if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                    text.truncate(base.len());
                }
            }
            // A Rust name without any crate path is an inherent method of a
            // primitive type (`<str>::trim_matches::<<char>::is_whitespace>` in
            // v0), which core defines.
            let krate = crate_of(&text, |k| std.is_std(k))
                .unwrap_or("core")
                .to_string();
            let std = std.is_std(&krate);
            Name { text, krate, std }
        }
        _ => Name {
            text: raw.to_string(),
            krate: NON_RUST.to_string(),
            std: false,
        },
    }
}

/// True for names in a Rust mangling: v0 (`_R…`) or legacy (`_ZN…17h<hash>E`).
/// A bare `_ZN…E` without the hash is C++, which `rustc-demangle` would accept too.
fn is_rust(raw: &str) -> bool {
    let raw = raw.strip_prefix('_').unwrap_or(raw);
    let raw = raw.strip_prefix('_').unwrap_or(raw);
    if raw.starts_with('R') {
        return true;
    }
    // Legacy: `ZN … 17h<16 hex>E`, possibly followed by an LLVM suffix (`.llvm.123`).
    // (Dots also occur inside legacy names, as `..` for `::`.)
    raw.starts_with("ZN")
        && raw.rfind("17h").is_some_and(|at| {
            let tail = &raw.as_bytes()[at + 3..];
            tail.len() >= 17
                && tail[..16].iter().all(u8::is_ascii_hexdigit)
                && tail[16] == b'E'
                && (tail.len() == 17 || tail[17] == b'.')
        })
}

/// The crate a demangled name is charged to: the first path root that is not a
/// standard-library crate (as `is_std` says); else the first that is one of std's
/// private dependencies (`gimli` in `OnceCell<gimli::…>` says more than `core`,
/// for `--split-std`); else the first path root.
pub(crate) fn crate_of(text: &str, is_std: impl Fn(&str) -> bool) -> Option<&str> {
    let mut best: Option<(u8, &str)> = None;
    for root in path_roots(text) {
        if !is_std(root) {
            return Some(root);
        }
        let rank = if STD_CRATES.contains(&root) { 2 } else { 1 };
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, root));
        }
    }
    best.map(|(_, root)| root)
}

/// The first segments of the paths in a demangled name: identifiers followed by
/// `::` that do not themselves follow `::`. In a demangled Rust name every path is
/// absolute, so these are crate names.
fn path_roots(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if !is_ident_byte(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_ident_byte(bytes[i]) {
                i += 1;
            }
            let after_path = start >= 2 && &bytes[start - 2..start] == b"::";
            let before_path = bytes[i..].starts_with(b"::");
            let starts_with_digit = bytes[start].is_ascii_digit();
            if before_path && !after_path && !starts_with_digit {
                return text.get(start..i);
            }
        }
        None
    })
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The name to show for a crate: standard-library crates (`std` true, see
/// [`StdCrates`]) fold into `std` unless `split_std`.
pub(crate) fn display_crate(krate: &str, std: bool, split_std: bool) -> &str {
    if !split_std && std {
        "std"
    } else {
        krate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_rule() {
        let cases = [
            ("hello::handler", "hello"),
            ("<serde_json::Value as core::fmt::Debug>::fmt", "serde_json"),
            ("<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::deserialize_struct", "serde_json"),
            ("core::ptr::drop_in_place<tokio::runtime::Runtime>", "tokio"),
            ("<T as core::fmt::Display>::fmt", "core"),
            ("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop", "alloc"),
            ("<hello_lambda::Request as serde_core::de::Deserialize>::deserialize", "hello_lambda"),
            ("hello::main::{{closure}}", "hello"),
            ("<core::cell::once::OnceCell<core::result::Result<addr2line::line::Lines, gimli::read::Error>>>::try_init", "addr2line"),
            // v0 names carry the type arguments legacy names leave as `T`.
            ("<alloc::vec::Vec<tokio::runtime::task::Notified>>::reserve", "tokio"),
            ("core::ptr::drop_in_place::<core::option::Option<alloc::sync::Arc<hyper::common::exec::Exec>>>", "hyper"),
            ("<alloc::vec::Vec<u8> as core::fmt::Debug>::fmt", "alloc"),
        ];
        for (text, want) in cases {
            assert_eq!(crate_of(text, is_std), Some(want), "{text}");
        }
        assert_eq!(crate_of("main", is_std), None);
    }

    /// std's private dependencies are std's unless the user's graph has a crate
    /// of the name.
    #[test]
    fn std_private_crates() {
        // The lambda template's graph has memchr, not gimli.
        let known = StdCrates {
            linked: Some(vec!["hello_lambda".to_string(), "memchr".to_string()]),
        };
        let unknown = StdCrates::default();
        let gimli = "_RNvNtNtCs8w4ax0dKNtV_5gimli4read4unit10parse_unit";
        let legacy_gimli = "_ZN5gimli4read4unit10parse_unit17h0123456789abcdefE";
        let memchr = "_RNvNtNtCsf1EXwn00hpY_6memchr6memchr8fallback6memchr";
        let row = |raw: &str, std: &StdCrates, split: bool| {
            let n = demangle(raw, std);
            display_crate(&n.krate, n.std, split).to_string()
        };
        for std in [&known, &unknown] {
            for raw in [gimli, legacy_gimli] {
                assert_eq!(row(raw, std, false), "std");
                assert_eq!(row(raw, std, true), "gimli");
            }
        }
        assert_eq!(row(memchr, &known, false), "memchr");
        assert_eq!(row(memchr, &known, true), "memchr");
        assert_eq!(row(memchr, &unknown, false), "std");
        // A std-private crate in the type arguments is passed over like core is.
        let hashmap = "<hashbrown::raw::RawTable<(alloc::string::String, tokio::sync::Notify)> as core::ops::drop::Drop>::drop";
        assert_eq!(crate_of(hashmap, |k| known.is_std(k)), Some("tokio"));
        assert_eq!(crate_of(hashmap, is_std), Some("hashbrown"));
        // std's own use of its dependencies keeps their names for --split-std.
        let once = "<core::cell::once::OnceCell<core::result::Result<addr2line::line::Lines, gimli::read::Error>>>::try_init";
        let n = demangle("_RNvCs1234_4core4main", &known);
        assert_eq!((n.krate.as_str(), n.std), ("core", true));
        assert_eq!(crate_of(once, |k| known.is_std(k)), Some("addr2line"));
    }

    #[test]
    fn demangles_legacy_and_v0() {
        // Legacy: hello::hello_fixture_marker.
        let demangle = |raw| demangle(raw, &StdCrates::default());
        let legacy = demangle("_ZN5hello20hello_fixture_marker17h0123456789abcdefE");
        assert_eq!(legacy.text, "hello::hello_fixture_marker");
        assert_eq!(legacy.krate, "hello");
        // v0: <core::fmt::Arguments>::new_const (shape of a std symbol).
        let v0 = demangle("_RNvCs1234_5hello4main");
        assert_eq!(v0.text, "hello::main");
        assert_eq!(v0.krate, "hello");
        // Dots inside a legacy name and an LLVM suffix after it.
        let dotted = demangle("_ZN4core3ptr44drop_in_place$LT$tokio..runtime..Runtime$GT$17h0123456789abcdefE.llvm.42");
        assert_eq!(dotted.krate, "tokio");
        // A primitive type's method names no crate: core's.
        let primitive = demangle("_RINvMNtCs7BliBxkEZsN_4core3stre12trim_matchesNvMNtNtB5_4char7methodsc13is_whitespaceECscvXrVAunxI1_5hyper");
        assert_eq!(
            primitive.text,
            "<str>::trim_matches::<<char>::is_whitespace>"
        );
        assert_eq!(primitive.krate, "core");
        // C++ and C are not Rust.
        assert_eq!(demangle("_ZN3foo3barEv").krate, NON_RUST);
        assert_eq!(demangle("memcpy").krate, NON_RUST);
        assert_eq!(
            demangle("_ZN9libunwind10UnwindCursorINS_17LocalAddressSpaceEE4stepEb").krate,
            "unwind"
        );
    }

    #[test]
    fn folds_std() {
        assert_eq!(display_crate("core", true, false), "std");
        assert_eq!(display_crate("core", true, true), "core");
        assert_eq!(display_crate("tokio", false, false), "tokio");
    }
}
