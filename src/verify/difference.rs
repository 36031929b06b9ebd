//! One hash (or presence) that does not match the record, and how it reads.

use serde::Serialize;

/// What a [`Difference`] is about; its JSON name is the one `kind` always had.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum DifferenceKind {
    /// The rebuilt function.zip.
    Zip,
    /// A file in function.zip.
    File,
    /// An ELF section of the shipped bootstrap.
    Section,
    /// The unstripped link, bootstrap.full.
    Unstripped,
    /// A file of the build on disk (function.zip, bootstrap, image, SBOM…).
    Artifact,
    /// function.zip.sha256.
    ChecksumFile,
    /// The rebuilt binary failed the preflight.
    Preflight,
    /// A digest of the container image.
    Image,
    /// The SBOM or the embedded dependency list.
    SupplyChain,
}

/// One hash (or presence) that does not match the record.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Difference {
    pub kind: DifferenceKind,
    /// The file or section name.
    pub name: String,
    pub recorded: String,
    pub found: String,
}

impl Difference {
    pub(crate) fn new(
        kind: DifferenceKind,
        name: &str,
        recorded: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Difference {
            kind,
            name: name.into(),
            recorded: recorded.into(),
            found: found.into(),
        }
    }

    pub(crate) fn render(&self) -> String {
        let what = match self.kind {
            DifferenceKind::Section => format!("section {} of bootstrap", self.name),
            DifferenceKind::File => format!("{} (in function.zip)", self.name),
            DifferenceKind::Unstripped => "bootstrap.full (unstripped link)".into(),
            _ => self.name.clone(),
        };
        format!(
            "{what}: recorded {}, found {}",
            short(&self.recorded),
            short(&self.found)
        )
    }
}

/// A leading 64-digit hash shortened for people; the rest unchanged.
fn short(text: &str) -> String {
    match text.get(..64) {
        Some(h) if h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{}…{}", &h[..16], &text[64..])
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_their_json_names() {
        let names: Vec<String> = [
            DifferenceKind::Zip,
            DifferenceKind::ChecksumFile,
            DifferenceKind::SupplyChain,
            DifferenceKind::Unstripped,
        ]
        .iter()
        .map(|k| serde_json::to_string(k).unwrap_or_default())
        .collect();
        assert_eq!(
            names,
            [
                "\"zip\"",
                "\"checksum-file\"",
                "\"supply-chain\"",
                "\"unstripped\""
            ]
        );
    }

    #[test]
    fn render_names_the_section_and_shortens_hashes() {
        let h = "ab".repeat(32);
        let d = Difference::new(DifferenceKind::Section, ".text", &h, "missing");
        assert_eq!(
            d.render(),
            "section .text of bootstrap: recorded abababababababab…, found missing"
        );
    }
}
