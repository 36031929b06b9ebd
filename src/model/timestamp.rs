//! The fixed time a build stamps into its zip (and image, SBOM, provenance):
//! `SOURCE_DATE_EPOCH` when set, clamped to what a zip can store, else the zip
//! epoch, 1980-01-01 00:00:00 UTC. The manifest records it.

use anyhow::Result;

use crate::util::error::SlimError;

/// The zip's fixed timestamp, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Timestamp {
    /// Seconds since the Unix epoch actually written (after clamping and the zip
    /// format's 2-second rounding).
    pub unix: i64,
    pub from_source_date_epoch: bool,
}

/// The earliest and latest times a zip can store: 1980-01-01T00:00:00Z and
/// 2107-12-31T23:59:58Z.
pub(crate) const ZIP_MIN: i64 = 315_532_800;
pub(crate) const ZIP_MAX: i64 = 4_354_819_198;

impl Timestamp {
    /// From `SOURCE_DATE_EPOCH` (reproducible-builds.org) when set, else the zip
    /// epoch. A value that is not a number is an error, not silently ignored.
    pub(crate) fn from_env() -> Result<Timestamp> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(text) if !text.trim().is_empty() => {
                let secs: i64 = text
                    .trim()
                    .parse()
                    .map_err(|_| SlimError::BadSourceDateEpoch {
                        value: text.clone(),
                    })?;
                let clamped = secs.clamp(ZIP_MIN, ZIP_MAX);
                Ok(Timestamp {
                    unix: clamped - clamped % 2,
                    from_source_date_epoch: true,
                })
            }
            _ => Ok(Timestamp {
                unix: ZIP_MIN,
                from_source_date_epoch: false,
            }),
        }
    }

    /// Could a zip hold this time? An even number of seconds (the zip format's
    /// 2-second steps) between 1980 and 2107; a recorded time must be one.
    pub(crate) fn is_zip_time(self) -> bool {
        (ZIP_MIN..=ZIP_MAX).contains(&self.unix) && self.unix % 2 == 0
    }

    /// The same instant in RFC 3339, UTC (`1980-01-01T00:00:00Z`), for the SBOM.
    pub(crate) fn rfc3339(self) -> String {
        let secs = self.unix.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(self.unix.div_euclid(86_400));
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(3652), (1980, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let t = Timestamp {
            unix: 1_700_000_000,
            from_source_date_epoch: true,
        };
        assert_eq!(t.rfc3339(), "2023-11-14T22:13:20Z");
        assert!(t.is_zip_time());
        assert!(!Timestamp {
            unix: ZIP_MIN + 1,
            ..t
        }
        .is_zip_time());
        assert!(!Timestamp {
            unix: ZIP_MAX + 2,
            ..t
        }
        .is_zip_time());
    }
}
