//! A sha256 per ELF section with bytes in the file: recorded in the manifest, so
//! `verify` can say *which* part of a differing executable changed.

use super::image::Image;
use crate::model::manifest::SectionHash;

/// Every section with a file range — all but the null section at index 0 and
/// SHT_NOBITS ones (`.bss`) — in section-table order. The same list the
/// manifests written so far hold, so old and new records compare.
pub(crate) fn section_hashes(elf: &[u8]) -> anyhow::Result<Vec<SectionHash>> {
    super::with_aligned(elf, |data| {
        let image = super::image::read(data)?;
        Ok(digests(&image, data))
    })
}

fn digests(image: &Image<'_>, data: &[u8]) -> Vec<SectionHash> {
    image
        .sections
        .iter()
        .skip(1)
        .filter(|s| s.kind != object::elf::SHT_NOBITS)
        .map(|s| {
            // `read` checked that sections with file bytes lie inside the file; an
            // SHT_NULL entry past index 0 has no bytes to hash.
            let bytes = usize::try_from(s.offset)
                .ok()
                .zip(usize::try_from(s.file_bytes).ok())
                .and_then(|(o, n)| data.get(o..o.checked_add(n)?))
                .unwrap_or_default();
            SectionHash {
                name: s.name.clone(),
                size: s.file_bytes,
                sha256: crate::util::hash::sha256_hex(bytes),
            }
        })
        .collect()
}
