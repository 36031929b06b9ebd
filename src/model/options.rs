//! Typed, validated build options: what the command line, `[*.metadata.slim]` and
//! a recorded `slim-manifest.json` are all turned into before anything runs.
//!
//! Every value that may end up as a cargo argument, a rustc flag, an environment
//! value or a path is one of the small types here, parsed with `FromStr` against
//! a strict grammar. A manifest travels with an artifact and may come from
//! anywhere, so the same parsers guard it: a CPU name that smuggles in the
//! `CARGO_ENCODED_RUSTFLAGS` separator (U+001F), a feature that starts with `-`,
//! a bin name with `/` or `..` is refused with the field named, before it can
//! become a flag or a path.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::include::Include;
use crate::model::target::{Arch, Libc, Runtime, Target};

/// A value that does not match its grammar. The caller names the field
/// (`--cpu`, `[package.metadata.slim] cpu`, `build.options.cpu`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    /// What the value should have been: "a CPU name".
    pub what: &'static str,
    /// The value, escaped and shortened for display.
    pub value: String,
    /// The grammar, in words.
    pub rule: &'static str,
}

impl InvalidValue {
    pub fn new(what: &'static str, value: &str, rule: &'static str) -> InvalidValue {
        InvalidValue {
            what,
            value: shown(value),
            rule,
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not {}: {}", self.value, self.what, self.rule)
    }
}

impl std::error::Error for InvalidValue {}

/// A value as it can safely be shown in a message: control characters escaped,
/// at most 80 characters.
pub fn shown(value: &str) -> String {
    let escaped: String = value.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &escaped[..at]),
        None => escaped,
    }
}

/// A word of `first` then `rest` characters, 1 to `max` bytes long.
fn word(value: &str, max: usize, first: fn(char) -> bool, rest: fn(char) -> bool) -> bool {
    let mut chars = value.chars();
    !value.is_empty() && value.len() <= max && chars.next().is_some_and(first) && chars.all(rest)
}

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn alnum_or_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// An LLVM CPU name for `-Ctarget-cpu` (`neoverse-n1`, `x86-64-v3`, `native`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuName(String);
string_newtype!(CpuName);

impl FromStr for CpuName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if word(s, 64, alnum, |c| {
            alnum_or_underscore(c) || c == '-' || c == '.'
        }) {
            Ok(CpuName(s.to_string()))
        } else {
            Err(InvalidValue::new(
                "a CPU name",
                s,
                "a letter or digit, then letters, digits, `-`, `_` or `.` (at most 64), \
                 e.g. neoverse-n1 or x86-64-v3",
            ))
        }
    }
}

/// The name of a binary target of the package (`--bin`, `package.bin`); also a
/// directory name under the output directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BinName(String);
string_newtype!(BinName);

impl FromStr for BinName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if word(s, 128, alnum_or_underscore, |c| {
            alnum_or_underscore(c) || c == '-'
        }) {
            Ok(BinName(s.to_string()))
        } else {
            Err(InvalidValue::new(
                "a binary name",
                s,
                "a letter, digit or `_`, then letters, digits, `-` or `_` (at most 128)",
            ))
        }
    }
}

/// A cargo feature: `name` or `package/name` (as `--features` takes them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeatureName(String);
string_newtype!(FeatureName);

impl FromStr for FeatureName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let part = |p: &str| {
            word(p, 128, alnum_or_underscore, |c| {
                alnum_or_underscore(c) || matches!(c, '-' | '+' | '.')
            })
        };
        let ok = match s.split_once('/') {
            Some((package, feature)) => {
                part(package.strip_suffix('?').unwrap_or(package)) && part(feature)
            }
            None => part(s),
        };
        if ok {
            Ok(FeatureName(s.to_string()))
        } else {
            Err(InvalidValue::new(
                "a feature name",
                s,
                "`name` or `package/name`, each a letter, digit or `_`, then letters, digits, \
                 `-`, `_`, `+` or `.`",
            ))
        }
    }
}

impl FeatureName {
    /// `--features "a b,c"` → `[a, b, c]`, split as cargo splits them, each checked.
    pub fn parse_list<S: AsRef<str>>(values: &[S]) -> Result<Vec<FeatureName>, InvalidValue> {
        values
            .iter()
            .flat_map(|v| v.as_ref().split([' ', ',']))
            .filter(|f| !f.is_empty())
            .map(str::parse)
            .collect()
    }
}

/// The slim profile's `opt-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptLevel {
    O0,
    O1,
    O2,
    O3,
    /// "s": small.
    S,
    /// "z": smallest (our default).
    Z,
}

impl OptLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            OptLevel::O0 => "0",
            OptLevel::O1 => "1",
            OptLevel::O2 => "2",
            OptLevel::O3 => "3",
            OptLevel::S => "s",
            OptLevel::Z => "z",
        }
    }

    /// The value in TOML, as a `--config profile.slim.opt-level=…` takes it.
    pub fn toml(self) -> String {
        match self {
            OptLevel::S | OptLevel::Z => format!("\"{}\"", self.as_str()),
            _ => self.as_str().to_string(),
        }
    }
}

impl fmt::Display for OptLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OptLevel {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "0" => OptLevel::O0,
            "1" => OptLevel::O1,
            "2" => OptLevel::O2,
            "3" => OptLevel::O3,
            "s" => OptLevel::S,
            "z" => OptLevel::Z,
            _ => {
                return Err(InvalidValue::new(
                    "an opt-level",
                    s,
                    "use 0, 1, 2, 3, s or z",
                ))
            }
        })
    }
}

impl Serialize for OptLevel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OptLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Which linker to use (`--linker`, recorded as asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkerChoice {
    #[default]
    Auto,
    Lld,
    Zig,
    Gcc,
}

impl LinkerChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkerChoice::Auto => "auto",
            LinkerChoice::Lld => "lld",
            LinkerChoice::Zig => "zig",
            LinkerChoice::Gcc => "gcc",
        }
    }
}

impl FromStr for LinkerChoice {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => LinkerChoice::Auto,
            "lld" => LinkerChoice::Lld,
            "zig" => LinkerChoice::Zig,
            "gcc" => LinkerChoice::Gcc,
            _ => {
                return Err(InvalidValue::new(
                    "a linker",
                    s,
                    "use auto, lld, zig or gcc",
                ))
            }
        })
    }
}

/// How a panic ends the process (`--panic`). Both abort: Lambda starts a new
/// process after a crash either way. They differ in what the log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PanicStrategy {
    /// `panic = "abort"`: the panic message and location are printed first
    /// (`thread 'main' panicked at src/main.rs:7:5: …`), then the process aborts.
    #[default]
    Abort,
    /// `-Cpanic=immediate-abort`: the process stops at once and prints nothing;
    /// std's formatting and panic machinery are left out. Needs a rebuilt std.
    ImmediateAbort,
}

impl PanicStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            PanicStrategy::Abort => "abort",
            PanicStrategy::ImmediateAbort => "immediate-abort",
        }
    }
}

impl fmt::Display for PanicStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PanicStrategy {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "abort" => Ok(PanicStrategy::Abort),
            "immediate-abort" => Ok(PanicStrategy::ImmediateAbort),
            _ => Err(InvalidValue::new(
                "a panic strategy",
                s,
                "use abort or immediate-abort",
            )),
        }
    }
}

/// Build options after merging the command line with `[*.metadata.slim]`; the
/// same type is read back from a manifest's `build.options` (through
/// [`RecordedOptions`], so a record is checked like a command line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RecordedOptions")]
pub struct Options {
    pub opt_level: Option<OptLevel>,
    pub cpu: Option<CpuName>,
    /// Rebuild std from source, optimised for size (`--build-std`).
    pub build_std: bool,
    pub panic: PanicStrategy,
    pub linker: LinkerChoice,
    /// Files beside `bootstrap`, paths relative to the workspace root.
    pub include: Vec<Include>,
    pub preflight: bool,
    /// Embed the `.dep-v0` dependency list in bootstrap (`--no-audit-data`: no).
    /// Manifests written before it existed had none (see [`RecordedOptions`]).
    pub audit_data: bool,
    /// Also an OCI image beside the zip (`--image`, `image = true`). Recorded
    /// only when set, so a zip-only manifest is unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub image: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            opt_level: None,
            cpu: None,
            build_std: false,
            panic: PanicStrategy::Abort,
            linker: LinkerChoice::Auto,
            include: Vec::new(),
            preflight: true,
            audit_data: true,
            image: false,
        }
    }
}

/// Options that cannot go together: the rule the command line, the metadata
/// tables and a recorded manifest all pass through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// `--panic immediate-abort` without `--build-std`.
    ImmediateAbortNeedsBuildStd,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::ImmediateAbortNeedsBuildStd => f.write_str(
                "panic strategy `immediate-abort` needs build-std: the precompiled standard \
                 library has the panic machinery built in, only a rebuilt one can leave it out",
            ),
        }
    }
}

impl std::error::Error for Conflict {}

impl Options {
    /// Check the options against each other.
    pub fn check(&self) -> Result<(), Conflict> {
        if self.panic == PanicStrategy::ImmediateAbort && !self.build_std {
            return Err(Conflict::ImmediateAbortNeedsBuildStd);
        }
        Ok(())
    }
}

/// `build.options` as a manifest holds it. `panic` was added later: a record
/// without it was made when `--build-std` always meant immediate-abort panics,
/// so that is what it reproduces.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedOptions {
    opt_level: Option<OptLevel>,
    cpu: Option<CpuName>,
    build_std: bool,
    #[serde(default)]
    panic: Option<PanicStrategy>,
    linker: LinkerChoice,
    include: Vec<Include>,
    preflight: bool,
    /// Manifests written before it existed had no embedded list.
    #[serde(default)]
    audit_data: bool,
    /// Written only when set.
    #[serde(default)]
    image: bool,
}

impl TryFrom<RecordedOptions> for Options {
    type Error = Conflict;
    fn try_from(r: RecordedOptions) -> Result<Self, Self::Error> {
        let legacy = if r.build_std {
            PanicStrategy::ImmediateAbort
        } else {
            PanicStrategy::Abort
        };
        let options = Options {
            opt_level: r.opt_level,
            cpu: r.cpu,
            build_std: r.build_std,
            panic: r.panic.unwrap_or(legacy),
            linker: r.linker,
            include: r.include,
            preflight: r.preflight,
            audit_data: r.audit_data,
            image: r.image,
        };
        options.check()?;
        Ok(options)
    }
}

/// The build options as asked on the command line, before `[*.metadata.slim]`
/// fills the gaps. Include specs stay as written: they are resolved against the
/// working directory when the plan is made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedOptions {
    pub opt_level: Option<OptLevel>,
    pub cpu: Option<CpuName>,
    pub build_std: bool,
    pub panic: Option<PanicStrategy>,
    pub linker: Option<LinkerChoice>,
    pub include: Vec<crate::model::include::IncludeSpec>,
    pub no_preflight: bool,
    pub no_audit_data: bool,
    pub image: bool,
    /// An image index over every target's image (`--multi-arch`); not recorded:
    /// it is an output of the whole invocation, not of one target's build.
    pub multi_arch: bool,
    /// `--budget` rules (the metadata's are added when planning).
    pub budgets: Vec<crate::model::budget::BudgetRule>,
}

/// Feature selection, as cargo takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    pub list: Vec<FeatureName>,
    pub all: bool,
    pub no_default: bool,
}

/// Which package, binary and targets: the typed form of the selection flags
/// `build`, `size` and `verify` share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub manifest_path: Option<std::path::PathBuf>,
    /// `-p NAME[@VERSION]`, matched against the workspace members (never passed on).
    pub package: Option<String>,
    pub bin: Option<BinName>,
    pub arch: Vec<Arch>,
    pub libc: Option<Libc>,
    pub targets: Vec<Target>,
    pub runtime: Option<Runtime>,
    pub features: Features,
    pub target_dir: Option<std::path::PathBuf>,
    pub locked: bool,
    pub frozen: bool,
    pub offline: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_names() {
        for ok in [
            "neoverse-n1",
            "x86-64-v3",
            "native",
            "cortex-a72",
            "generic",
        ] {
            assert!(ok.parse::<CpuName>().is_ok(), "{ok}");
        }
        for bad in [
            "x86-64\u{1f}-Clinker=/tmp/evil.sh",
            "-Clinker=x",
            "a b",
            "",
            "a\nb",
            "../x",
            &"a".repeat(65),
        ] {
            assert!(bad.parse::<CpuName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bin_names() {
        for ok in ["hello", "hello-lambda", "my_fn2", "_x"] {
            assert!(ok.parse::<BinName>().is_ok(), "{ok}");
        }
        for bad in ["..", "../x", "a/b", "-h", "--help", "", "a\0b", "a.b"] {
            assert!(bad.parse::<BinName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn feature_names() {
        let list = FeatureName::parse_list(&["a b,c", "serde/derive", "tokio?/rt", "x+y.z"]);
        assert_eq!(list.map(|l| l.len()), Ok(6));
        for bad in [
            "-Zunstable",
            "--all-features",
            "a/b/c",
            "a\u{1f}b",
            "/x",
            "x/",
        ] {
            assert!(bad.parse::<FeatureName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn opt_levels_round_trip() {
        for s in ["0", "1", "2", "3", "s", "z"] {
            assert_eq!(s.parse::<OptLevel>().map(|o| o.as_str()), Ok(s));
        }
        assert_eq!(OptLevel::Z.toml(), "\"z\"");
        assert_eq!(OptLevel::O3.toml(), "3");
        assert!("4".parse::<OptLevel>().is_err());
        assert!("\"z\"".parse::<OptLevel>().is_err());
    }

    #[test]
    fn panic_strategies_and_their_rule() {
        for s in ["abort", "immediate-abort"] {
            assert_eq!(s.parse::<PanicStrategy>().map(|p| p.as_str()), Ok(s));
        }
        assert!("unwind".parse::<PanicStrategy>().is_err());
        assert!("immediate_abort".parse::<PanicStrategy>().is_err());
        let mut o = Options {
            panic: PanicStrategy::ImmediateAbort,
            ..Options::default()
        };
        assert_eq!(o.check(), Err(Conflict::ImmediateAbortNeedsBuildStd));
        o.build_std = true;
        assert_eq!(o.check(), Ok(()));
    }

    #[test]
    fn recorded_options_are_checked_and_old_records_keep_their_meaning() {
        let record = |extra: &str| {
            serde_json::from_str::<Options>(&format!(
                r#"{{"opt_level":null,"cpu":null,"linker":"auto","include":[],"preflight":true,{extra}}}"#
            ))
        };
        let o = record(r#""build_std":true,"panic":"abort""#).unwrap();
        assert_eq!((o.build_std, o.panic), (true, PanicStrategy::Abort));
        // Before `panic` was recorded, --build-std meant immediate-abort.
        let o = record(r#""build_std":true"#).unwrap();
        assert_eq!(o.panic, PanicStrategy::ImmediateAbort);
        let o = record(r#""build_std":false"#).unwrap();
        assert_eq!(o.panic, PanicStrategy::Abort);
        let err = record(r#""build_std":false,"panic":"immediate-abort""#).unwrap_err();
        assert!(err.to_string().contains("needs build-std"), "{err}");
        assert!(record(r#""build_std":true,"panic":"unwind""#).is_err());
        assert!(record(r#""build_std":true,"panic":"abort","x":1"#).is_err());
        // What is written reads back the same.
        let o = Options {
            build_std: true,
            panic: PanicStrategy::ImmediateAbort,
            ..Options::default()
        };
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<Options>(&text).unwrap(), o);
    }

    #[test]
    fn messages_escape_and_shorten() {
        let err = "a\u{1f}b".parse::<CpuName>().unwrap_err();
        assert!(err.to_string().starts_with("`a\\u{1f}b` is not a CPU name"));
        let long = "x".repeat(10_000).parse::<CpuName>().unwrap_err();
        assert!(long.to_string().len() < 300);
    }
}
