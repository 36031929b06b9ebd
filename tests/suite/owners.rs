//! One owner per concept, checked on the source tree (docs/architecture.md):
//! a concept spelled outside its owner is a second copy that must be kept in
//! step by hand. Each rule lists the files allowed to break it while they are
//! being moved (empty when the tree follows it).

use std::path::Path;

use crate::layers::src_files;

/// A file's code before its unit tests (`#[cfg(test)]`), which may spell the
/// real names on purpose to check them.
fn non_test_code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("read source");
    let code = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn under(src: &Path, file: &Path) -> String {
    file.strip_prefix(src)
        .expect("under src")
        .display()
        .to_string()
}

/// The file names `output/file.rs` gives its files, read from its `name()`
/// (`OutputFile::Zip => "function.zip",`): those with a dot, which no other
/// word of the program is (`bootstrap` and `image` are also words).
fn output_file_names(src: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(src.join("output/file.rs")).expect("output/file.rs");
    let mut names: Vec<String> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("OutputFile::") && l.contains("=> \""))
        .filter_map(|l| l.split('"').nth(1).map(str::to_string))
        .filter(|n| n.contains('.'))
        .collect();
    names.push(".cargo-slim-lock".into());
    assert!(
        names.len() >= 8,
        "read the names of output/file.rs: {names:?}"
    );
    names
}

/// Every file name of the output directory is spelled in `output/` only.
#[test]
fn output_file_names_are_spelled_only_in_output() {
    // `function.zip` is also a word of the `--budget` grammar (model/ sits
    // below output/ and parses it).
    const ALLOWED: &[(&str, &str)] = &[("model/budget/mod.rs", "function.zip")];
    let (src, files) = src_files();
    let names = output_file_names(&src);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = under(&src, file);
        if rel.starts_with("output/") {
            continue;
        }
        let code = non_test_code(file);
        for name in &names {
            if code.contains(&format!("\"{name}\""))
                && !ALLOWED.contains(&(rel.as_str(), name.as_str()))
            {
                wrong.push(format!("{rel} spells \"{name}\""));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "use output::OutputFile instead:\n  {}",
        wrong.join("\n  ")
    );
}
