//! Options every command takes: how much to say, colour, and the output format.

use clap::Args;

use crate::ui::{Color, Format, Ui};

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct GlobalArgs {
    /// Say more: the linker choice, the exact cargo command (-vv: cargo's own -v).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Say nothing but errors and the result.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Coloring: auto, always, never (passed on to cargo).
    #[arg(long, value_name = "WHEN", global = true, default_value = "auto")]
    pub color: Color,
    /// `human` tables on stderr/stdout, one `json` document on stdout, or (size)
    /// `markdown` for a pull-request comment.
    #[arg(long, value_name = "FMT", global = true, default_value = "human")]
    pub message_format: Format,
}

impl GlobalArgs {
    /// What the user sees, as these options ask.
    pub(crate) fn ui(&self) -> Ui {
        Ui::new(self.verbose, self.quiet, self.message_format, self.color)
    }
}
