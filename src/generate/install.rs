//! Where the generated workflow installs cargo-slim from: crates.io at this
//! version, or a git repository at one commit. Either way a pinned, exact
//! source: the workflow must build with the cargo-slim that was tested.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Install {
    /// `cargo install --locked cargo-slim --version VERSION`.
    CratesIo { version: String },
    /// `cargo install --locked --git URL --rev REV cargo-slim`.
    Git { url: String, rev: String },
}

impl Install {
    /// crates.io at the version of the running cargo-slim.
    pub(crate) fn this_version() -> Install {
        Install::CratesIo {
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// The shell command; every part was checked by `from_str` (or is ours).
    pub(crate) fn command(&self) -> String {
        match self {
            Install::CratesIo { version } => {
                format!("cargo install --locked cargo-slim --version {version}")
            }
            Install::Git { url, rev } => {
                format!("cargo install --locked --git {url} --rev {rev} cargo-slim")
            }
        }
    }
}

impl fmt::Display for Install {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Install::CratesIo { version } => write!(f, "cargo-slim {version}"),
            Install::Git { url, rev } => write!(f, "cargo-slim from {url} at {}", &rev[..12]),
        }
    }
}

impl FromStr for Install {
    type Err = String;

    /// `crates-io` or `git+https://HOST/PATH#COMMIT` (a full 40-hex commit: a
    /// branch or tag could move under the workflow).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "crates-io" {
            return Ok(Install::this_version());
        }
        let bad = || {
            format!(
                "`{}` is not an install source: use crates-io or git+https://HOST/PATH#COMMIT \
                 (the full 40-hex commit)",
                s.escape_debug()
            )
        };
        let rest = s.strip_prefix("git+").ok_or_else(bad)?;
        let (url, rev) = rest.split_once('#').ok_or_else(bad)?;
        let url_ok = url.starts_with("https://")
            && url.len() > "https://".len()
            && url.len() <= 512
            && url.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | ':' | '-' | '~')
            });
        let rev_ok = rev.len() == 40 && rev.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if url_ok && rev_ok {
            Ok(Install::Git {
                url: url.to_string(),
                rev: rev.to_string(),
            })
        } else {
            Err(bad())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_sources_only() {
        let rev = "0123456789abcdef0123456789abcdef01234567";
        let git: Install = format!("git+https://example.com/org/cargo-slim.git#{rev}")
            .parse()
            .expect("git");
        assert_eq!(
            git.command(),
            format!("cargo install --locked --git https://example.com/org/cargo-slim.git --rev {rev} cargo-slim")
        );
        assert!(matches!("crates-io".parse(), Ok(Install::CratesIo { .. })));
        for bad in [
            "git+https://example.com/x#main".to_string(),
            format!("git+http://example.com/x#{rev}"),
            format!("git+https://example.com/x;rm -rf /#{rev}"),
            format!("git+https://example.com/$(id)#{rev}"),
            "https://example.com/x".to_string(),
        ] {
            assert!(bad.parse::<Install>().is_err(), "{bad}");
        }
    }
}
