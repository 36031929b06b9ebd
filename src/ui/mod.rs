//! What the user sees: status lines on stderr, results on stdout, a progress bar on a
//! terminal. Human text goes to stderr and machine output (JSON) to stdout, as cargo
//! does, so `cargo slim build --message-format json | jq` works.

pub(crate) mod table;

use std::io::{self, IsTerminal, Write};

/// Whether to colour output (and cargo's): as cargo's `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

impl Color {
    /// The word cargo's `--color` takes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Color::Auto => "auto",
            Color::Always => "always",
            Color::Never => "never",
        }
    }
}

impl std::str::FromStr for Color {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Color::Auto, Color::Always, Color::Never]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "`{}` is not a colour choice: use auto, always or never",
                    s.escape_debug()
                )
            })
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "markdown" => Ok(Format::Markdown),
            _ => Err(format!(
                "`{}` is not a message format: use human, json or markdown",
                s.escape_debug()
            )),
        }
    }
}

/// Results as tables for people, as one JSON document for programs, or (size) as
/// markdown for a pull-request comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Format {
    #[default]
    Human,
    Json,
    /// A pull-request comment (`cargo slim size`).
    Markdown,
}

#[derive(Debug, Clone)]
pub(crate) struct Ui {
    pub verbose: u8,
    pub quiet: bool,
    pub format: Format,
    pub color: Color,
    /// stderr is a terminal: a progress bar may be drawn.
    pub stderr_tty: bool,
}

impl Ui {
    pub(crate) fn new(verbose: u8, quiet: bool, format: Format, color: Color) -> Ui {
        Ui {
            verbose,
            quiet,
            format,
            color,
            stderr_tty: io::stderr().is_terminal(),
        }
    }

    pub(crate) fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// `--message-format markdown` (a pull-request comment; `size` only).
    pub(crate) fn markdown(&self) -> bool {
        self.format == Format::Markdown
    }

    /// Draw progress bars only on a terminal and when not asked to be quiet.
    pub(crate) fn progress_bars(&self) -> bool {
        self.stderr_tty && !self.quiet && std::env::var_os("CI").is_none()
    }

    /// A status line in cargo's style (`   Compiling`-like, right-aligned verb).
    pub(crate) fn status(&self, verb: &str, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{verb:>12} {}", message.as_ref());
        }
    }

    /// A line shown only with `-v`.
    pub(crate) fn verbose(&self, message: impl AsRef<str>) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{:>12} {}", "[slim]", message.as_ref());
        }
    }

    /// Something worth knowing about what just happened (`note: …`).
    pub(crate) fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("note: {}", message.as_ref());
        }
    }

    pub(crate) fn warn(&self, message: impl AsRef<str>) {
        eprintln!("warning: {}", message.as_ref());
    }

    /// Print a result on stdout. Errors (a closed pipe) are returned so the caller
    /// stops; `main_entry` treats a broken pipe as a quiet end.
    pub(crate) fn out(&self, text: &str) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    }

    /// Print a JSON document on stdout, pretty and newline-terminated.
    pub(crate) fn out_json(&self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        self.out(&text)?;
        Ok(())
    }

    /// Width tables should fit: `COLUMNS` when set (as `ls` and cargo honour it),
    /// else the width of the terminal stdout is on (most shells do not export
    /// `COLUMNS`), else 80. Never below 40.
    pub(crate) fn width(&self) -> usize {
        let from_env = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<usize>().ok());
        let from_tty = || terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| w.0.into());
        from_env.or_else(from_tty).unwrap_or(80).max(40)
    }
}

/// Print an already rendered error to stderr. A failing stderr has nowhere left to
/// report to, so its error is ignored.
/// Write bytes to stdout as they are, at once: a streamed response's chunks as
/// they arrive.
pub(crate) fn out_bytes(data: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(data)?;
    stdout.flush()
}

pub(crate) fn eprintln_error(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}
