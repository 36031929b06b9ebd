//! The files of an output directory: each one's name, mode and kind, and the
//! order a build writes them in. A new artifact is one variant here plus the
//! `put` that writes it; a build that does not put it removes the stale copy an
//! earlier build left.

/// Lambda's name for the executable: the file in the output directory, the
/// entry at the root of `function.zip`, the file in `/var/task`.
pub(crate) const BOOTSTRAP: &str = "bootstrap";

/// One file (or directory) a build writes into its output directory.
///
/// The order of [`FUNCTION_FILES`] is the order of writing: the files that
/// describe the others (checksum, then manifest) come last, so that at no moment
/// does a manifest or checksum describe a zip that is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum OutputFile {
    /// `bootstrap.full`: the link with its symbols, for `cargo slim size`.
    Unstripped,
    /// `bootstrap`: the stripped executable that ships.
    Bootstrap,
    /// `function.zip`: bootstrap at the root, plus the `--include` files.
    Zip,
    /// `function.cdx.json`: the CycloneDX SBOM.
    Sbom,
    /// `function.intoto.json`: the in-toto SLSA provenance statement.
    Provenance,
    /// `image.tar`: the OCI image as an oci-archive (`--image`).
    ImageArchive,
    /// `image/`: the same image as an OCI image layout (`--image`).
    ImageLayout,
    /// `size.json`: sections and crates, what `size --diff` needs in CI.
    SizeReport,
    /// `function.zip.sha256`: `<hex>  function.zip`, for `sha256sum -c`.
    Checksum,
    /// `slim-manifest.json`: what was built, how, and every hash.
    Manifest,
}

/// What a function × target directory holds, in writing order.
pub(crate) const FUNCTION_FILES: &[OutputFile] = &[
    OutputFile::Unstripped,
    OutputFile::Bootstrap,
    OutputFile::Zip,
    OutputFile::Sbom,
    OutputFile::Provenance,
    OutputFile::ImageArchive,
    OutputFile::ImageLayout,
    OutputFile::SizeReport,
    OutputFile::Checksum,
    OutputFile::Manifest,
];

/// What the `--multi-arch` directory holds: one image over every target's.
pub(crate) const MULTI_ARCH_FILES: &[OutputFile] =
    &[OutputFile::ImageArchive, OutputFile::ImageLayout];

/// The executables of a build, in the order `size` prefers them: the
/// unstripped link (it has symbols), the shipped file, the zip holding it.
pub(crate) const EXECUTABLES: &[OutputFile] = &[
    OutputFile::Unstripped,
    OutputFile::Bootstrap,
    OutputFile::Zip,
];

/// The suffix that names an unstripped twin: `bootstrap.full` beside `bootstrap`.
pub(crate) const UNSTRIPPED_SUFFIX: &str = ".full";

/// Plain file, or a directory written and replaced as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File {
        mode: u32,
    },
    /// A directory is ours (to replace or remove) only when it holds `marker`,
    /// or is empty: anything else under the name is left alone.
    Tree {
        marker: &'static str,
    },
}

impl OutputFile {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            OutputFile::Unstripped => "bootstrap.full",
            OutputFile::Bootstrap => BOOTSTRAP,
            OutputFile::Zip => "function.zip",
            OutputFile::Sbom => "function.cdx.json",
            OutputFile::Provenance => "function.intoto.json",
            OutputFile::ImageArchive => "image.tar",
            OutputFile::ImageLayout => "image",
            OutputFile::SizeReport => "size.json",
            OutputFile::Checksum => "function.zip.sha256",
            OutputFile::Manifest => "slim-manifest.json",
        }
    }

    pub(crate) const fn kind(self) -> Kind {
        match self {
            OutputFile::Unstripped | OutputFile::Bootstrap => Kind::File { mode: 0o755 },
            OutputFile::ImageLayout => Kind::Tree {
                marker: "oci-layout",
            },
            _ => Kind::File { mode: 0o644 },
        }
    }

    /// The files that describe the others: removed first, written last.
    pub(crate) fn describes_others(self) -> bool {
        matches!(self, OutputFile::Checksum | OutputFile::Manifest)
    }

    /// The file a name stands for, when it is one of ours.
    pub(crate) fn named(name: &str) -> Option<OutputFile> {
        FUNCTION_FILES.iter().copied().find(|f| f.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_every_file_is_listed_once() {
        let mut names: Vec<&str> = FUNCTION_FILES.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FUNCTION_FILES.len());
        for f in FUNCTION_FILES {
            assert_eq!(OutputFile::named(f.name()), Some(*f));
        }
        let last: Vec<OutputFile> = FUNCTION_FILES
            .iter()
            .copied()
            .skip_while(|f| !f.describes_others())
            .collect();
        assert_eq!(last, [OutputFile::Checksum, OutputFile::Manifest]);
        assert!(MULTI_ARCH_FILES.iter().all(|f| FUNCTION_FILES.contains(f)));
    }
}
