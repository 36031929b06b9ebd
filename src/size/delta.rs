//! The difference between two byte counts, as `--diff` and the budgets show it.
//! Every count is at most [`LARGEST_FILE`] (a file's size is an `off_t`; budgets
//! and size reports are refused above it when read), so the difference of two
//! counts always fits an `i64` and is exact — never wrapped (as `a as i64 - b as
//! i64` wrapped for a size.json claiming 2^64 bytes) nor clamped.

use crate::model::budget::LARGEST_FILE;

/// `a - b`. (A count above [`LARGEST_FILE`] cannot get here: were one to, it
/// would count as `LARGEST_FILE`, keeping this total.)
pub(crate) fn difference(a: u64, b: u64) -> i64 {
    let wide = i128::from(a.min(LARGEST_FILE)) - i128::from(b.min(LARGEST_FILE));
    i64::try_from(wide).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_at_the_ends() {
        assert_eq!(difference(LARGEST_FILE, 0), i64::MAX);
        assert_eq!(difference(0, LARGEST_FILE), -i64::MAX);
        assert_eq!(difference(5, 7), -2);
    }
}
