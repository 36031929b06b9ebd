//! The build settings of two manifests compared: the options a user chose, the
//! slim profile, the flags, the cargo command, the zip time, target and runtime.

use serde::Serialize;

use super::cause::{differs, Cause};
use crate::model::manifest::{BuildInfo, Manifest};
use crate::model::options::SETTINGS;

/// Build settings: options, features, profile, flags, timestamp, target.
pub(crate) fn compare(recorded: &Manifest, now: &Manifest, out: &mut Vec<Cause>) {
    let before = out.len();
    let (r, n) = (&recorded.build, &now.build);
    for ((what, rec), (_, found)) in chosen(r).into_iter().zip(chosen(n)) {
        differs(out, what, rec, found);
    }
    // A differing option already explains the profile and command it implies.
    let explained = out.len() > before;
    if !explained {
        profile(r, n, out);
    }
    differs(
        out,
        "rustflags",
        r.rustflags.join(" "),
        n.rustflags.join(" "),
    );
    differs(
        out,
        "user RUSTFLAGS",
        r.user_rustflags.join(" "),
        n.user_rustflags.join(" "),
    );
    if !explained {
        cargo_command(r, n, out);
    }
    differs(out, "zip timestamp", json(&r.timestamp), json(&n.timestamp));
    differs(
        out,
        "target",
        recorded.target.triple.clone(),
        now.target.triple.clone(),
    );
    differs(
        out,
        "runtime",
        recorded.runtime.to_string(),
        now.runtime.to_string(),
    );
}

/// The settings a user chooses, as the flag that sets each and its value: the
/// same list for the record and for now, compared pairwise. The build options
/// are the settings table's rows that change bytes (their label and shown
/// value), then the feature selection.
fn chosen(b: &BuildInfo) -> Vec<(&'static str, String)> {
    let options = SETTINGS
        .iter()
        .filter_map(|row| Some((row.label?, (row.shown)(&b.options))));
    options
        .chain([
            ("features", joined(&b.features, ",")),
            ("--all-features", b.all_features.to_string()),
            ("--no-default-features", b.no_default_features.to_string()),
        ])
        .collect()
}

/// The slim profile, compared when no chosen setting explains it.
fn profile(r: &BuildInfo, n: &BuildInfo, out: &mut Vec<Cause>) {
    for (key, rec) in &r.profile.ours {
        let now = n.profile.ours.get(key).map_or("unset", String::as_str);
        if rec != now {
            out.push(Cause::ProfileKey {
                key: key.clone(),
                recorded: rec.clone(),
                now: now.to_string(),
            });
        }
    }
    if r.profile.user_keys != n.profile.user_keys {
        out.push(Cause::ProfileUserKeys {
            recorded: r.profile.user_keys.join(", "),
            now: n.profile.user_keys.join(", "),
        });
    }
}

/// The cargo command, compared when no chosen setting explains it.
fn cargo_command(r: &BuildInfo, n: &BuildInfo, out: &mut Vec<Cause>) {
    let (rc, nc) = (command(&r.command), command(&n.command));
    let only = |a: &[&str], b: &[&str]| -> Vec<String> {
        a.iter()
            .filter(|x| !b.contains(x))
            .map(|x| x.to_string())
            .collect()
    };
    let (gone, new) = (only(&rc, &nc), only(&nc, &rc));
    if !gone.is_empty() || !new.is_empty() {
        out.push(Cause::CargoCommand {
            gone: gone.join(" "),
            new: new.join(" "),
        });
    }
}

fn joined<T: std::fmt::Display>(items: &[T], separator: &str) -> String {
    items
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

fn json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The cargo command without the flags that do not change the bytes (verify adds
/// `--locked`; `--color`/`--quiet` follow the terminal). Manifests written since
/// output settings left the record hold none of the output flags; older ones may.
fn command(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip_next = false;
    for a in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        match a.as_str() {
            "--color" | "--message-format" => skip_next = true,
            "--locked" | "--frozen" | "--offline" | "--quiet" | "--verbose" => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_ignores_flags_that_do_not_change_bytes() {
        let a: Vec<String> = ["cargo", "build", "--color", "auto", "--locked"]
            .map(String::from)
            .into();
        let b: Vec<String> = ["cargo", "build", "--quiet", "--color", "never"]
            .map(String::from)
            .into();
        assert_eq!(command(&a), command(&b));
    }
}
