//! Quoting for the three languages we write. Every value is validated to a
//! strict grammar before it gets here ([`super::function`]); quoting is the
//! second wall, so even a value that slipped through stays a string.

/// A YAML double-quoted scalar.
pub(crate) fn yaml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An HCL quoted template with no interpolation: `${` and `%{` are escaped.
pub(crate) fn hcl(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A POSIX shell word in single quotes (a `'` inside is closed, escaped, reopened).
pub(crate) fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_stay_strings() {
        assert_eq!(yaml(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(yaml("a\nb: c"), r#""a\nb: c""#);
        assert_eq!(
            hcl("${path.module}/x %{if}"),
            r#""$${path.module}/x %%{if}""#
        );
        assert_eq!(hcl("a$b"), r#""a$b""#);
        assert_eq!(shell("it's"), r#"'it'\''s'"#);
    }
}
