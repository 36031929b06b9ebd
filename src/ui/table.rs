//! Plain-text tables for people. Every view that prints a table also has a JSON form
//! built from the same data; this module only lays out rows.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table with a header row. One column may be marked `flexible`: when the table is
/// wider than the width limit, that column (typically a symbol or path) is cut with
/// an ellipsis so the table fits.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
    flexible: Option<usize>,
}

impl Table {
    pub(crate) fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, _)| h.to_string()).collect(),
            aligns: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
            flexible: None,
        }
    }

    /// Mark the column that may be shortened to fit the width.
    pub(crate) fn flexible(mut self, column: usize) -> Table {
        self.flexible = Some(column);
        self
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    /// Render with two spaces between columns, fitting `max_width` characters when a
    /// flexible column allows it (`None`: no limit).
    pub(crate) fn render(&self, max_width: Option<usize>) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| display_width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(display_width(cell));
            }
        }
        if let (Some(limit), Some(flex)) = (max_width, self.flexible) {
            let total: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
            if total > limit {
                let others = total - widths[flex];
                let header_min = display_width(&self.headers[flex]).max(12);
                widths[flex] = limit.saturating_sub(others).max(header_min);
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate().take(columns) {
                let cell = fit(cell, widths[i]);
                let pad = widths[i].saturating_sub(display_width(&cell));
                let last = i + 1 == columns;
                if i > 0 {
                    text.push_str("  ");
                }
                match self.aligns[i] {
                    Align::Right => {
                        text.push_str(&" ".repeat(pad));
                        text.push_str(&cell);
                    }
                    Align::Left => {
                        text.push_str(&cell);
                        if !last {
                            text.push_str(&" ".repeat(pad));
                        }
                    }
                }
            }
            let _ = writeln!(out, "{}", text.trim_end());
        };
        line(&self.headers);
        for row in &self.rows {
            line(row);
        }
        out
    }
}

fn display_width(s: &str) -> usize {
    s.chars().count()
}

/// Cut `s` to `width` characters, ending in `…` when anything was cut.
pub(crate) fn fit(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// Bytes with thousands separators: `1,267,128`.
pub fn bytes(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed byte delta: `+1,024` / `-512` / `0`.
pub(crate) fn delta(n: i64) -> String {
    match n.cmp(&0) {
        std::cmp::Ordering::Greater => format!("+{}", bytes(n.unsigned_abs())),
        std::cmp::Ordering::Less => format!("-{}", bytes(n.unsigned_abs())),
        std::cmp::Ordering::Equal => "0".to_string(),
    }
}

/// A share of a whole, as a percentage with one decimal: `42.1%`.
pub(crate) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".to_string();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(bytes(0), "0");
        assert_eq!(bytes(999), "999");
        assert_eq!(bytes(1000), "1,000");
        assert_eq!(bytes(1267128), "1,267,128");
        assert_eq!(delta(-1234), "-1,234");
        assert_eq!(delta(5), "+5");
    }

    #[test]
    fn flexible_column_fits_the_width() {
        let mut t = Table::new(&[("size", Align::Right), ("symbol", Align::Left)]).flexible(1);
        t.row(vec!["12".into(), "x".repeat(200)]);
        let text = t.render(Some(40));
        assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
        assert!(text.contains('…'));
        assert!(t.render(None).contains(&"x".repeat(200)));
    }
}
