//! `cargo slim new` / `cargo slim init`: a new function crate from a template.
//!
//! The templates (in `templates/`, embedded at compile time) are lean by
//! measurement (docs/templates.md): each default feature they leave out is one a
//! function does not use. This module only renders and writes files; which
//! toolchain to pin is decided by the caller.

pub(crate) mod crate_name;
pub(crate) mod template;
pub(crate) mod writer;

pub(crate) use crate_name::CrateName;
pub(crate) use template::Template;

use crate::model::target::Arch;

/// What `new` / `init` were asked for, before the name and toolchain are checked.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// `new`: the name, which is also the directory. `init`: `--name`, if given.
    pub name: Option<String>,
    /// `init`: the directory [default: the current one]. `None` for `new`.
    pub init_dir: Option<std::path::PathBuf>,
    pub init: bool,
    pub template: Template,
    pub arches: Vec<Arch>,
    /// `--toolchain`: the release to pin instead of the installed stable one.
    pub toolchain: Option<String>,
}

/// What to scaffold, every value already validated.
#[derive(Debug, Clone)]
pub(crate) struct Scaffold {
    pub name: CrateName,
    pub template: Template,
    /// The architectures `[package.metadata.slim] arch` defaults to; the
    /// toolchain file lists their musl targets.
    pub arches: Vec<Arch>,
    /// The exact stable release to pin in rust-toolchain.toml, e.g. `1.95.0`.
    pub toolchain: String,
}

/// One file of the new crate: a path relative to its root, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct File {
    pub path: &'static str,
    pub text: String,
}

impl Scaffold {
    /// Every file of the new crate, `.gitignore` last (`init` may keep the user's).
    pub(crate) fn files(&self) -> Vec<File> {
        let sources = self.template.sources();
        let fill = |text: &str| self.fill(text);
        vec![
            File {
                path: "Cargo.toml",
                text: fill(template::COMMON_CARGO_TOML).replace("{{dependencies}}", sources.deps),
            },
            File {
                path: "rust-toolchain.toml",
                text: fill(template::COMMON_TOOLCHAIN),
            },
            File {
                path: "src/main.rs",
                text: fill(sources.main),
            },
            File {
                path: "events/event.json",
                text: sources.event.to_string(),
            },
            File {
                path: ".gitignore",
                text: template::COMMON_GITIGNORE.to_string(),
            },
        ]
    }

    fn fill(&self, text: &str) -> String {
        let quoted = |items: Vec<String>| {
            items
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let arches = quoted(self.arches.iter().map(|a| a.as_str().to_string()).collect());
        let targets = quoted(
            self.arches
                .iter()
                .map(|a| format!("{}-unknown-linux-musl", a.triple_prefix()))
                .collect(),
        );
        // Every value was validated to a grammar with no quote, backslash or
        // newline (CrateName, Arch, a release number), so plain substitution
        // cannot break the TOML or Rust it lands in.
        text.replace("{{name}}", self.name.as_str())
            .replace("{{toolchain}}", &self.toolchain)
            .replace("{{arch}}", &arches)
            .replace("{{targets}}", &targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaffold(template: Template) -> Scaffold {
        Scaffold {
            name: CrateName::parse("my-fn").expect("valid"),
            template,
            arches: vec![Arch::Arm64],
            toolchain: "1.95.0".into(),
        }
    }

    #[test]
    fn every_template_renders_valid_toml_with_no_placeholder_left() {
        for template in Template::ALL {
            for file in scaffold(*template).files() {
                assert!(
                    !file.text.contains("{{"),
                    "{template:?} {}: placeholder left",
                    file.path
                );
                if file.path.ends_with(".toml") {
                    let value: toml::Table = toml::from_str(&file.text)
                        .unwrap_or_else(|e| panic!("{template:?} {}: {e}", file.path));
                    if file.path == "Cargo.toml" {
                        assert_eq!(value["package"]["name"].as_str(), Some("my-fn"));
                    } else {
                        assert_eq!(value["toolchain"]["channel"].as_str(), Some("1.95.0"));
                        let targets = value["toolchain"]["targets"].as_array().expect("targets");
                        assert_eq!(targets[0].as_str(), Some("aarch64-unknown-linux-musl"));
                    }
                }
                if file.path.ends_with(".json") {
                    serde_json::from_str::<serde_json::Value>(&file.text)
                        .unwrap_or_else(|e| panic!("{template:?} {}: {e}", file.path));
                }
            }
        }
    }
}
