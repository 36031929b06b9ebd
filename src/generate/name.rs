//! The names and paths that go from a manifest into generated files, each held
//! to a grammar that cannot break out of YAML, HCL or a shell line.

use crate::util::error::SlimError;

/// ASCII letters, digits, `-` and `_`, starting with a letter: a cargo package or
/// binary name as `cargo new` makes them, and a valid Lambda function name.
pub(crate) fn check_name(what: &str, value: &str) -> Result<String, SlimError> {
    let ok = value.len() <= 64
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    keep(ok, value, || {
        untrusted(
            what,
            value,
            "ASCII letters, digits, `-` and `_`, starting with a letter, at most 64",
            false,
        )
    })
}

/// A relative path of plain components: ASCII letters, digits and `._+-`, no
/// `..`, no empty or absolute part. `.` alone is the directory itself.
pub(crate) fn check_rel_path(what: &str, value: &str) -> Result<String, SlimError> {
    if value == "." {
        return Ok(value.to_string());
    }
    let ok = !value.is_empty()
        && value.len() <= 1024
        && value.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
        });
    let grammar = "a relative path of ASCII letters, digits and `._+-`";
    keep(ok, value, || untrusted(what, value, grammar, true))
}

/// A cargo feature (`name` or `dep/name`), a CPU name or an opt-level: ASCII
/// letters, digits and `_-/+.`.
pub(crate) fn check_word(what: &str, value: &str) -> Result<String, SlimError> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '+' | '.'));
    keep(ok, value, || {
        untrusted(what, value, "ASCII letters, digits and `_-/+.`", false)
    })
}

/// Standard base64 of a SHA-256: 43 characters and one `=`.
pub(crate) fn check_code_sha256(value: &str) -> Result<String, SlimError> {
    let ok = value.len() == 44
        && value.ends_with('=')
        && value[..43]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    keep(ok, value, || {
        untrusted(
            "zip.code_sha256",
            value,
            "the base64 of a SHA-256 (44 characters)",
            false,
        )
    })
}

/// `value` when it passed its grammar, else the error `reject` makes.
fn keep(ok: bool, value: &str, reject: impl FnOnce() -> SlimError) -> Result<String, SlimError> {
    if ok {
        Ok(value.to_string())
    } else {
        Err(reject())
    }
}

fn untrusted(what: &str, value: &str, grammar: &str, is_path: bool) -> SlimError {
    let shown: String = value.chars().take(80).collect();
    SlimError::UnsafeForGenerated {
        what: what.to_string(),
        value: shown.escape_debug().to_string(),
        grammar: grammar.to_string(),
        is_path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_paths_and_words_keep_to_their_grammar() {
        assert!(check_name("bin", "hello-lambda").is_ok());
        for bad in ["", "1a", "a b", "a\"b", "a\nb", "a${x}", &"a".repeat(65)] {
            assert!(check_name("bin", bad).is_err(), "{bad:?}");
        }
        assert!(check_rel_path("p", "target/slim/x/aarch64-unknown-linux-musl").is_ok());
        for bad in [
            "", "/abs", "a/../b", "a//b", "a b", "a/'b", "${{ x }}", "a/./b",
        ] {
            assert!(check_rel_path("p", bad).is_err(), "{bad:?}");
        }
        assert!(check_word("feature", "serde/derive").is_ok());
        assert!(check_word("feature", "a;rm -rf /").is_err());
        assert!(check_code_sha256("RPg1VvX7WXZD6vJ2XUuqA9V0sUOUrPffxrtsWuLPxUA=").is_ok());
        assert!(check_code_sha256("RPg1VvX7WXZD6vJ2XUuqA9V0sUOUrPffxrtsWuLPx\"A=").is_err());
    }
}
