//! Symbol names shortened for narrow tables (`size --symbols` without
//! `--full-names`).

/// Shorten generics for narrow tables: the arguments of a generic inside another
/// generic's arguments become `…`, so `drop_in_place<tokio::Task<Fut, S>>` reads
/// `drop_in_place<tokio::Task<…>>`. Qualified paths (`<A as B>::f`) are kept.
pub(crate) fn shorten(text: &str) -> String {
    #[derive(PartialEq)]
    enum Open {
        Generic,
        Qualified,
    }
    let mut out = String::with_capacity(text.len());
    let mut stack: Vec<Open> = Vec::new();
    // While Some(depth): inside elided generic arguments, at this nesting depth.
    let mut skipping: Option<usize> = None;
    let mut prev: Option<char> = None;
    for c in text.chars() {
        match c {
            '<' => {
                let generic = prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == ':');
                let generics_open = stack.iter().filter(|o| **o == Open::Generic).count();
                stack.push(if generic {
                    Open::Generic
                } else {
                    Open::Qualified
                });
                if skipping.is_none() {
                    out.push('<');
                    if generic && generics_open >= 1 {
                        out.push('…');
                        skipping = Some(stack.len());
                    }
                }
            }
            '>' if prev != Some('-') && !stack.is_empty() => {
                if skipping == Some(stack.len()) {
                    skipping = None;
                }
                stack.pop();
                if skipping.is_none() {
                    out.push('>');
                }
            }
            _ => {
                if skipping.is_none() {
                    out.push(c);
                }
            }
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_nested_generics() {
        assert_eq!(
            shorten("core::ptr::drop_in_place<tokio::Task<Fut, S<u8>>>"),
            "core::ptr::drop_in_place<tokio::Task<…>>"
        );
        assert_eq!(
            shorten("<hyper::Conn<I,B,T> as core::future::Future>::poll"),
            "<hyper::Conn<I,B,T> as core::future::Future>::poll"
        );
        assert_eq!(
            shorten("gimli::parse::<gimli::Slice<gimli::LE>>"),
            "gimli::parse::<gimli::Slice<…>>"
        );
        assert_eq!(shorten("f<fn() -> u8>"), "f<fn() -> u8>");
        assert_eq!(shorten("plain"), "plain");
    }
}
