//! The build options of the settings table (`model/options/table.rs`) as
//! flags: one clap argument per row, made from the row (its flag, value name,
//! `--help` and group), and read back as the values given, which the row's own
//! parser checks (the same parser `[*.metadata.slim]` goes through). No build
//! option is spelled here.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use crate::model::options::{Flag, GivenValue, SETTINGS};

/// The settings given as flags, by field, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SettingArgs {
    pub given: Vec<(&'static str, GivenValue)>,
}

impl Args for SettingArgs {
    fn augment_args(mut cmd: Command) -> Command {
        for row in SETTINGS {
            let arg = Arg::new(row.field)
                .long(row.flag.long())
                .help(row.help)
                .help_heading(row.heading);
            cmd = cmd.arg(match row.flag {
                Flag::Value { value_name, .. } => arg.value_name(value_name).action(ArgAction::Set),
                Flag::Switch { .. } => arg.action(ArgAction::SetTrue),
                Flag::Repeated { value_name, .. } => {
                    arg.value_name(value_name).action(ArgAction::Append)
                }
            });
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for SettingArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut given = Vec::new();
        for row in SETTINGS {
            let value = match row.flag {
                Flag::Value { .. } => matches
                    .get_one::<String>(row.field)
                    .map(|v| GivenValue::Text(v.clone())),
                Flag::Switch { to, .. } => {
                    matches.get_flag(row.field).then_some(GivenValue::Bool(to))
                }
                Flag::Repeated { .. } => matches
                    .get_many::<String>(row.field)
                    .map(|v| GivenValue::List(v.cloned().collect())),
            };
            given.extend(value.map(|v| (row.field, v)));
        }
        Ok(SettingArgs { given })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}
