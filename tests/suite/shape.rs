//! The source tree's size rule, checked: no file of `src/` over 400 lines and no
//! function over 80, unless the comment above the function says why it stays
//! long (a line of it containing "long" or "split"). A long file or function is
//! usually several ideas; docs/architecture.md says how to split them.

use crate::layers::src_files;

const MAX_FILE_LINES: usize = 400;
const MAX_FN_LINES: usize = 80;

/// A line with string and char literals and the trailing comment taken out, so
/// braces inside them are not counted.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_str => {
                chars.next();
            }
            '"' => in_str = !in_str,
            '\'' if !in_str => {
                // A char literal ('{', '\n') or a lifetime ('a): skip a literal only.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') {
                    for n in chars.by_ref() {
                        if n == '\'' {
                            break;
                        }
                    }
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                }
            }
            '/' if !in_str && chars.peek() == Some(&'/') => break,
            _ if in_str => {}
            _ => out.push(c),
        }
    }
    out
}

fn fn_name(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t
        .strip_prefix("pub(crate) ")
        .or_else(|| t.strip_prefix("pub(super) "))
        .or_else(|| t.strip_prefix("pub "))
        .unwrap_or(t);
    let t = t.strip_prefix("async ").unwrap_or(t);
    let t = t.strip_prefix("const ").unwrap_or(t);
    let rest = t.strip_prefix("fn ")?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Functions longer than the limit without a why-comment: (name, first line, lines).
fn long_functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let (mut depth, mut opened, mut end) = (0i64, false, i);
        for (j, l) in lines.iter().enumerate().skip(i) {
            let code = code_of(l);
            depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            opened |= code.contains('{');
            if opened && depth <= 0 {
                end = j;
                break;
            }
        }
        let len = end - i + 1;
        let says_why = lines[..i]
            .iter()
            .rev()
            .take_while(|l| {
                let t = l.trim_start();
                t.starts_with("//") || t.starts_with("#[")
            })
            .any(|l| l.contains("long") || l.contains("split"));
        if len > MAX_FN_LINES && !says_why {
            out.push((name.to_string(), i + 1, len));
        }
    }
    out
}

#[test]
fn no_long_files_or_functions() {
    let (src, files) = src_files();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src").display();
        let text = std::fs::read_to_string(file).expect("read source");
        let n = text.lines().count();
        if n > MAX_FILE_LINES {
            wrong.push(format!("src/{rel}: {n} lines"));
        }
        for (name, at, len) in long_functions(&text) {
            wrong.push(format!("src/{rel}:{at}: fn {name} is {len} lines"));
        }
    }
    assert!(
        wrong.is_empty(),
        "over {MAX_FILE_LINES} lines per file or {MAX_FN_LINES} per function, \
         without a comment above saying why it stays long:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn the_checker_counts_a_function() {
    let body = "    let x = '{';\n    let s = \"}}\";\n".repeat(45);
    let text = format!("fn big() {{\n{body}}}\n\n// Stays long: a table.\nfn ok() {{\n{body}}}\n");
    let found = long_functions(&text);
    assert_eq!(found, vec![("big".to_string(), 1, 92)]);
}
