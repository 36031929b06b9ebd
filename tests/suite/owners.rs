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

/// A build option's flag is spelled only in its row of the settings table:
/// the command line, verify's labels and the rebuild commands are derived.
#[test]
fn build_option_flags_are_spelled_only_in_the_settings_table() {
    let (src, files) = src_files();
    let table = std::fs::read_to_string(src.join("model/options/table.rs")).expect("table.rs");
    let flags: Vec<String> = table
        .lines()
        .filter_map(|l| l.trim().strip_prefix("long: \""))
        .filter_map(|rest| rest.split('"').next())
        .map(|long| format!("\"--{long}\""))
        .collect();
    assert!(flags.len() >= 9, "read the flags of table.rs: {flags:?}");
    let mut wrong = Vec::new();
    for file in &files {
        let rel = under(&src, file);
        if rel == "model/options/table.rs" {
            continue;
        }
        let code = non_test_code(file);
        wrong.extend(
            flags
                .iter()
                .filter(|f| code.contains(f.as_str()))
                .map(|f| format!("{rel} spells {f}")),
        );
    }
    assert!(
        wrong.is_empty(),
        "derive it from model::options::SETTINGS instead:\n  {}",
        wrong.join("\n  ")
    );
}

/// Every process is started through `util/process.rs`, which decides its
/// environment, how long a question to it may take and what its failure says.
#[test]
fn processes_are_started_only_through_util_process() {
    let (src, files) = src_files();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = under(&src, file);
        if rel == "util/process.rs" {
            continue;
        }
        let code = non_test_code(file).replace("MetadataCommand::new(", "");
        for spawn in ["Command::new(", ".exec()"] {
            if code.contains(spawn) {
                wrong.push(format!("{rel} calls {spawn}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "start it with util::process::program instead:\n  {}",
        wrong.join("\n  ")
    );
}
