//! Where the GNU build-id is in a file: the descriptor of the
//! `.note.gnu.build-id` note, so a build can set it to a hash of what it ships.

use std::ops::Range;

use super::image::Image;

/// The section linkers write the build-id into.
pub(crate) const SECTION: &str = ".note.gnu.build-id";

/// The file range of the build-id bytes (the note's descriptor), or `None` when
/// the file has no such note or it does not hold one well-formed GNU note.
pub(crate) fn range(elf: &[u8]) -> anyhow::Result<Option<Range<usize>>> {
    super::with_aligned(elf, |data| {
        let image = super::image::read(data)?;
        Ok(descriptor(&image, data))
    })
}

fn descriptor(image: &Image<'_>, data: &[u8]) -> Option<Range<usize>> {
    let section = image
        .sections
        .iter()
        .find(|s| s.name == SECTION && s.kind == object::elf::SHT_NOTE)?;
    let start = usize::try_from(section.offset).ok()?;
    let end = start.checked_add(usize::try_from(section.file_bytes).ok()?)?;
    let note = data.get(start..end)?;
    let word = |at: usize| -> Option<usize> {
        let bytes: [u8; 4] = note.get(at..at + 4)?.try_into().ok()?;
        let value = match image.format.endian {
            "big" => u32::from_be_bytes(bytes),
            _ => u32::from_le_bytes(bytes),
        };
        usize::try_from(value).ok()
    };
    let (name_size, desc_size, kind) = (word(0)?, word(4)?, word(8)?);
    if u32::try_from(kind).ok() != Some(object::elf::NT_GNU_BUILD_ID.0)
        || note.get(12..12 + name_size)? != b"GNU\0"
    {
        return None;
    }
    let desc_start = 12 + name_size.div_ceil(4) * 4;
    let desc_end = desc_start.checked_add(desc_size)?;
    (desc_size > 0 && desc_end <= note.len()).then(|| start + desc_start..start + desc_end)
}

/// The build-id bytes of the ELF file `data`, if it has one: they tie a shipped
/// `bootstrap` to the `bootstrap.full` of the same build.
pub(crate) fn read(data: &[u8]) -> Option<Vec<u8>> {
    let range = range(data).ok()??;
    data.get(range).map(<[u8]>::to_vec)
}
