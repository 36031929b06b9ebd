//! What a build produced, read back: the one ELF reader ([`elf`]), the one zip
//! reader ([`zip`]) and the bounded read of a file from disk ([`file`]).
//!
//! `size`, the preflight, `verify` and the manifest code all read artifacts
//! through here, so each bound and each validation exists once. This layer sits
//! below the analyses: it imports only `ui` and `util`, never `cli`, `commands`,
//! `pipeline`, `size`, `preflight` or `verify`.

pub(crate) mod elf;
pub(crate) mod file;
pub(crate) mod zip;

#[cfg(test)]
mod tests {
    /// The layering rule above, checked: no file under `src/artifact/` names a
    /// higher layer.
    #[test]
    fn artifact_imports_nothing_above_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/artifact");
        let mut stack = vec![root];
        let mut files = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for layer in [
                    "cli",
                    "commands",
                    "pipeline",
                    "size",
                    "preflight",
                    "verify",
                    "model",
                ] {
                    assert!(
                        !text.contains(&format!("crate::{layer}")),
                        "{} imports crate::{layer}",
                        path.display()
                    );
                }
            }
        }
        assert!(files >= 4);
    }
}
