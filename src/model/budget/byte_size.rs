//! A number of bytes as written with a unit (`900KiB`, `1.5MB`, `500000`).
//!
//! Units follow the usual convention: `KB`/`MB`/`GB` are powers of 1000, `KiB`/
//! `MiB`/`GiB` powers of 1024, `B` (or no unit) bytes. A decimal point is allowed
//! (`1.5MiB`); the result is rounded down to whole bytes.

use std::fmt;
use std::str::FromStr;

use crate::model::invalid_value::shown;

/// The largest size a file can have (`off_t` is a signed 64-bit number): no
/// budget, and no figure of a size report, may exceed it. Differences between
/// two such figures then always fit an `i64`, exactly.
pub(crate) const LARGEST_FILE: u64 = i64::MAX as u64;

/// A number of bytes, as written with a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ByteSize {
    pub bytes: u64,
    /// As the user wrote it (`900 KiB`), for messages.
    pub text: String,
}

const UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("kb", 1_000),
    ("kib", 1 << 10),
    ("mb", 1_000_000),
    ("mib", 1 << 20),
    ("gb", 1_000_000_000),
    ("gib", 1 << 30),
];

impl FromStr for ByteSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let bad = || {
            format!(
                "`{}` is not a size: write a number and a unit, e.g. 900KiB, 1.5MB or \
                 500000 (units B, KB, KiB, MB, MiB, GB, GiB)",
                shown(s)
            )
        };
        if text.is_empty() || text.len() > 40 {
            return Err(bad());
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let unit = unit.trim().to_ascii_lowercase();
        let factor = if unit.is_empty() {
            1
        } else {
            UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|(_, f)| *f)
                .ok_or_else(bad)?
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() || fraction.contains('.') || fraction.len() > 6 {
            return Err(bad());
        }
        let whole: u64 = whole.parse().map_err(|_| bad())?;
        // Fraction as millionths, so 1.5MiB is exact and 0.1KB is 100 bytes.
        let millionths: u64 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<6}").parse().map_err(|_| bad())?
        };
        let bytes = whole
            .checked_mul(factor)
            .and_then(|b| b.checked_add(millionths.checked_mul(factor)? / 1_000_000))
            .ok_or_else(bad)?;
        if bytes > LARGEST_FILE {
            return Err(format!(
                "`{}` is more than any file can hold ({LARGEST_FILE} bytes)",
                shown(s)
            ));
        }
        Ok(ByteSize {
            bytes,
            text: text.to_string(),
        })
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(s: &str) -> u64 {
        s.parse::<ByteSize>().unwrap().bytes
    }

    #[test]
    fn no_larger_than_a_file_can_be() {
        assert_eq!(size("9223372036854775807"), LARGEST_FILE);
        let err = "9223372036854775808".parse::<ByteSize>().unwrap_err();
        assert!(err.contains("more than any file can hold"), "{err}");
    }

    #[test]
    fn units() {
        assert_eq!(size("900"), 900);
        assert_eq!(size("900 B"), 900);
        assert_eq!(size("900KB"), 900_000);
        assert_eq!(size("900 KiB"), 921_600);
        assert_eq!(size("1.5MiB"), 1_572_864);
        assert_eq!(size("0.1kb"), 100);
        assert_eq!(size("50 MB"), 50_000_000);
        assert_eq!(size("1 GiB"), 1 << 30);
        for bad in [
            "",
            "KiB",
            "1.2.3MB",
            "12 furlongs",
            "-5KB",
            "1e3",
            "99999999999999999999GB",
        ] {
            assert!(bad.parse::<ByteSize>().is_err(), "{bad}");
        }
    }
}
