//! The source tree's one rule, checked: dependencies point one way, down the
//! layers drawn in docs/architecture.md. A file may name modules of its own
//! top-level folder and of lower layers, never of a higher layer or of another
//! folder on its own layer; and only `cli/` names clap.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, lowest layer first. Modules on one line share a
/// layer and do not import each other.
const LAYERS: &[&[&str]] = &[
    &["util"],
    &["ui"],
    &["model"],
    &["artifact"],
    &["output"],
    &["size", "preflight", "runtime", "scaffold", "generate"],
    &["pipeline"],
    &["verify", "bench"],
    &["commands"],
    &["cli"],
];

/// Imports against the rule that are still being moved out (each a line of this
/// test's failure text). Empty when the tree is layered; an entry that no longer
/// occurs must be deleted.
const KNOWN: &[&str] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// `src/` and every `.rs` file under it, sorted (also used by `shape.rs`).
pub(crate) fn src_files() -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    (src, files)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every top-level module a file names as `crate::NAME` (also inside
/// `use crate::{a, b::c}` groups), ignoring comments.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.insert(name);
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let (src, files) = src_files();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let Some(own) = rel.iter().next().and_then(|c| c.to_str()) else {
            continue;
        };
        let own = own.trim_end_matches(".rs");
        let Some(own_layer) = layer_of(own) else {
            continue; // lib.rs and main.rs sit above every layer
        };
        let text = std::fs::read_to_string(file).expect("read source");
        // Clap types stop at the command line: everything below takes typed options.
        if own != "cli"
            && text
                .lines()
                .any(|l| l.split("//").next().unwrap_or("").contains("clap::"))
        {
            wrong.push(format!("{} uses clap", rel.display()));
        }
        for name in named_modules(&text) {
            if name == own {
                continue;
            }
            match layer_of(&name) {
                Some(layer) if layer < own_layer => {}
                Some(_) => wrong.push(format!("{} names crate::{name}", rel.display())),
                None => {}
            }
        }
    }
    let stale: Vec<&&str> = KNOWN
        .iter()
        .filter(|k| !wrong.iter().any(|w| w == *k))
        .collect();
    assert!(stale.is_empty(), "fixed, delete from KNOWN: {stale:?}");
    wrong.retain(|w| !KNOWN.contains(&w.as_str()));
    assert!(
        wrong.is_empty(),
        "imports against the layering of docs/architecture.md:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if matches!(name, "lib" | "main") {
            continue;
        }
        assert!(
            layer_of(name).is_some(),
            "src/{name} is on no layer: add it to LAYERS here and to docs/architecture.md"
        );
    }
}
