//! Showing a command line the way a POSIX shell reads it, so a user can copy it.

/// `s` as one shell word: bare when it is made of safe characters, else in single
/// quotes; a word with control characters (which a terminal would interpret, and
/// which may come from an untrusted manifest) in bash's `$'…'` form with `\xNN`
/// escapes, so what is shown is exactly what would run.
pub(crate) fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c))
    {
        return s.to_string();
    }
    if !s.chars().any(char::is_control) {
        return format!("'{}'", s.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\'' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Words joined into one copyable command line.
pub(crate) fn join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_it() {
        assert_eq!(quote("--opt-level"), "--opt-level");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(
            quote("x86-64\u{1f}-Clinker=/e"),
            r"$'x86-64\x1f-Clinker=/e'"
        );
        assert_eq!(quote("\u{1b}[31m'"), r"$'\x1b[31m\''");
    }
}
