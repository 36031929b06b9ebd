//! The sections view: every byte of the file is either in a section, in one of the
//! ELF header tables, or padding between them, and the rows say which.

use serde::Serialize;

use crate::artifact::elf::Image;

#[derive(Debug, Clone, Serialize)]
pub struct SectionRow {
    pub name: String,
    pub file_bytes: u64,
    pub vm_bytes: u64,
    /// `file_bytes` as a fraction of the file (0.0–1.0).
    pub share: f64,
}

/// Sections plus the bytes outside them; `sum(rows.file_bytes) + elf_header +
/// program_headers + section_headers + padding - overlap == file_bytes`.
#[derive(Debug, Clone, Serialize)]
pub struct SectionsView {
    pub file_bytes: u64,
    /// Sections in file order, empty-in-file sections (like `.bss`) included.
    pub rows: Vec<SectionRow>,
    pub elf_header: u64,
    pub program_headers: u64,
    pub section_headers: u64,
    /// Bytes in no section and no header: alignment between sections.
    pub padding: u64,
    /// Bytes claimed twice (by overlapping sections or tables); 0 in a normal file.
    pub overlap: u64,
}

impl SectionsView {
    /// Rows, header tables and padding, less overlap: equals `file_bytes` (the
    /// invariant the tests and the fuzz target check).
    pub fn accounted_bytes(&self) -> u64 {
        let rows: u64 = self.rows.iter().map(|r| r.file_bytes).sum();
        (rows + self.elf_header + self.program_headers + self.section_headers + self.padding)
            .saturating_sub(self.overlap)
    }
}

pub(crate) fn view(image: &Image<'_>) -> SectionsView {
    let file = image.file_bytes;
    let rows: Vec<SectionRow> = image
        .sections
        .iter()
        .enumerate()
        .filter(|(i, s)| *i != 0 || s.file_bytes != 0 || s.vm_bytes != 0 || !s.name.is_empty())
        .map(|(_, s)| SectionRow {
            name: s.name.clone(),
            file_bytes: s.file_bytes,
            vm_bytes: s.vm_bytes,
            share: share(s.file_bytes, file),
        })
        .collect();

    // Every claimed range of the file; the padding is what none of them covers.
    let mut ranges: Vec<(u64, u64)> = vec![
        (0, image.elf_header),
        (image.program_headers.0, image.program_headers.1),
        (image.section_headers.0, image.section_headers.1),
    ];
    ranges.extend(image.sections.iter().map(|s| (s.offset, s.file_bytes)));
    let claimed: u64 = ranges.iter().map(|r| r.1).sum();
    let covered = union_len(&mut ranges, file);
    SectionsView {
        file_bytes: file,
        rows,
        elf_header: image.elf_header,
        program_headers: image.program_headers.1,
        section_headers: image.section_headers.1,
        padding: file - covered,
        overlap: claimed - covered,
    }
}

/// The number of bytes in `0..limit` covered by at least one (offset, len) range.
/// Callers have checked that every range lies inside the file.
fn union_len(ranges: &mut [(u64, u64)], limit: u64) -> u64 {
    ranges.sort_unstable();
    let mut total = 0;
    let mut cursor = 0;
    for &(off, len) in ranges.iter() {
        let end = off.saturating_add(len).min(limit);
        let start = off.max(cursor);
        if end > start {
            total += end - start;
            cursor = end;
        }
    }
    total
}

pub(crate) fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_handles_overlap_and_gaps() {
        let mut r = vec![(0, 10), (5, 10), (20, 5), (24, 0)];
        assert_eq!(union_len(&mut r, 100), 20);
    }
}
