//! The crate names of the `.dep-v0` dependency list (cargo-auditable's format, which
//! `cargo slim build` embeds in `bootstrap`), read back from an ELF file. `size`
//! needs only the names: they say which crates of the names std's private
//! dependencies also carry (`memchr`, `hashbrown`, …) are the user's.
//!
//! The section is untrusted input: its decompressed size is bounded (cargo-auditable's
//! readers' limit), and a list that does not decompress or parse is treated as
//! absent, never as an error: the analysis then says it had no list.

use std::io::Read;

use flate2::read::ZlibDecoder;
use serde::Deserialize;

use super::image::{self, Image};

/// The section name.
pub(crate) const SECTION: &str = ".dep-v0";

/// The most decompressed bytes read.
const READ_LIMIT: u64 = 8 * 1024 * 1024;

#[derive(Deserialize)]
struct List {
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
}

/// The crate names (with `_` for `-`, as symbols spell them) of the list in `data`,
/// whose sections `image` describes; `None` without a readable list.
pub(crate) fn crate_names(data: &[u8], image: &Image<'_>) -> Option<Vec<String>> {
    let section = image.sections.iter().find(|s| s.name == SECTION)?;
    let start = usize::try_from(section.offset).ok()?;
    let len = usize::try_from(section.file_bytes).ok()?;
    let bytes = data.get(start..start.checked_add(len)?)?;
    let mut json = Vec::new();
    ZlibDecoder::new(bytes)
        .take(READ_LIMIT)
        .read_to_end(&mut json)
        .ok()?;
    let list: List = serde_json::from_slice(&json).ok()?;
    let mut names: Vec<String> = list
        .packages
        .into_iter()
        .map(|p| p.name.replace('-', "_"))
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// [`crate_names`] of an ELF file's bytes; `None` when it is not a readable ELF
/// file or has no list.
pub(crate) fn crate_names_of(data: &[u8]) -> Option<Vec<String>> {
    super::with_aligned(data, |data| {
        let image = image::read(data).ok()?;
        crate_names(data, &image)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(text: &str) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn reads_names_and_refuses_garbage() {
        let list = zlib(
            r#"{"packages":[{"name":"hello-lambda","version":"0.1.0","source":"local","root":true},{"name":"memchr","version":"2.7.4","source":"crates.io"}],"format":1}"#,
        );
        let mut obj = object::write::Object::new(
            object::BinaryFormat::Elf,
            object::Architecture::X86_64,
            object::Endianness::Little,
        );
        let id = obj.add_section(
            Vec::new(),
            SECTION.as_bytes().to_vec(),
            object::SectionKind::Other,
        );
        obj.append_section_data(id, &list, 1);
        let elf = obj.write().unwrap();
        assert_eq!(
            crate_names_of(&elf),
            Some(vec!["hello_lambda".to_string(), "memchr".to_string()])
        );
        let mut damaged = elf.clone();
        let at = damaged.windows(list.len()).position(|w| w == list).unwrap();
        damaged[at + 4] ^= 0xff;
        assert_eq!(crate_names_of(&damaged), None);
        assert_eq!(crate_names_of(b"not an elf"), None);
    }
}
