//! `--message-format markdown`: the size documents as a compact GitHub-flavoured
//! markdown comment for a pull request — the total, a section table, the crates
//! (or the crate changes of a diff) and the budget verdict.
//!
//! Every table adds up: rows too small or too many to show are folded into one
//! `[N other …]` row, and the last row is the total, so a reader (or a test) can
//! check the sum.

use std::fmt::Write as _;

use super::delta::difference;
use crate::ui::table::{bytes, delta, percent};

use super::budget::{BudgetStatus, BudgetVerdict, LimitSource};
use super::crates::CratesView;
use super::diff::{DeltaTable, DiffReport};
use super::report::{Document, SizeReport};
use super::sections::SectionsView;

/// Sections below this share of the file are folded into one row.
const SMALL_SECTION: f64 = 0.01;
/// The row holding the ELF header tables and alignment padding.
const OUTSIDE: &str = "[headers+padding]";

/// The markdown for one document, given how many crate or symbol rows to show.
pub(crate) fn document(doc: &Document, rows: usize) -> String {
    let rows = if rows == 0 { usize::MAX } else { rows };
    match doc {
        Document::Size(r) => size(r, rows),
        Document::Diff(d) => diff(d, rows),
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn title(out: &mut String, what: &str, label: Option<&String>) {
    let _ = match label {
        Some(l) => writeln!(out, "### {what} — `{}`\n", cell(l)),
        None => writeln!(out, "### {what}\n"),
    };
}

fn size(r: &SizeReport, rows: usize) -> String {
    let mut out = String::new();
    title(&mut out, "cargo slim size", r.label.as_ref());
    let _ = writeln!(
        out,
        "`{}`: **{} bytes**, ELF {}-bit {}{}\n",
        cell(&r.path),
        bytes(r.file_bytes),
        r.format.bits,
        r.format.machine,
        if r.stripped { ", stripped" } else { "" }
    );
    if let Some(s) = &r.stripping {
        let _ = writeln!(
            out,
            "Shipped (stripped): {} bytes; stripping saved {} bytes.\n",
            bytes(s.pair.stripped_bytes),
            bytes(s.saved_bytes.max(0) as u64)
        );
    }
    if let Some(v) = &r.sections {
        out.push_str(&sections(v));
    }
    if let Some(v) = &r.crates {
        out.push_str(&crates(v, rows));
    }
    verdict(&mut out, r.budget.as_ref());
    notes(&mut out, &r.notes);
    for hint in super::heavy::render(&r.hints) {
        let _ = writeln!(out, "> {}", cell(&hint));
    }
    out
}

fn sections(v: &SectionsView) -> String {
    let mut out = String::from("| section | bytes | share |\n|---|---:|---:|\n");
    let file = v.file_bytes;
    let mut small = (0usize, 0u64);
    let mut in_rows = 0u64;
    for row in v.rows.iter().filter(|r| r.file_bytes > 0) {
        in_rows += row.file_bytes;
        if row.share < SMALL_SECTION {
            small.0 += 1;
            small.1 += row.file_bytes;
            continue;
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            cell(&row.name),
            bytes(row.file_bytes),
            percent(row.file_bytes, file)
        );
    }
    if small.0 > 0 {
        let _ = writeln!(
            out,
            "| [{} smaller sections] | {} | {} |",
            small.0,
            bytes(small.1),
            percent(small.1, file)
        );
    }
    // Headers, padding, less any overlap: what makes the rows the file size.
    let outside = difference(file, in_rows);
    let _ = writeln!(out, "| {OUTSIDE} | {} | |", signed(outside));
    let _ = writeln!(out, "| **total** | **{}** | 100.0% |\n", bytes(file));
    out
}

fn crates(v: &CratesView, rows: usize) -> String {
    let mut out = format!(
        "Crates, over {} bytes of {}:\n\n| crate | bytes | share |\n|---|---:|---:|\n",
        bytes(v.covered_bytes),
        v.sections.join(" ")
    );
    let shown = rows.min(v.rows.len());
    for row in &v.rows[..shown] {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&row.name),
            bytes(row.bytes),
            percent(row.bytes, v.covered_bytes)
        );
    }
    let rest = &v.rows[shown..];
    if !rest.is_empty() {
        let b: u64 = rest.iter().map(|r| r.bytes).sum();
        let _ = writeln!(
            out,
            "| [{} other crates] | {} | {} |",
            rest.len(),
            bytes(b),
            percent(b, v.covered_bytes)
        );
    }
    let _ = writeln!(
        out,
        "| **total** | **{}** | 100.0% |\n",
        bytes(v.covered_bytes)
    );
    out
}

fn diff(d: &DiffReport, rows: usize) -> String {
    let mut out = String::new();
    title(&mut out, "cargo slim size diff", d.new.label.as_ref());
    let change = if d.old.file_bytes == 0 {
        String::new()
    } else {
        format!(
            " ({:+.1}%)",
            d.file_delta as f64 * 100.0 / d.old.file_bytes as f64
        )
    };
    let _ = writeln!(
        out,
        "**{} bytes**{change}: {} → {} bytes (`{}` → `{}`)\n",
        delta(d.file_delta),
        bytes(d.old.file_bytes),
        bytes(d.new.file_bytes),
        cell(&d.old.path),
        cell(&d.new.path)
    );
    if let Some(t) = &d.sections {
        out.push_str(&delta_table("section", t, rows, true));
    }
    if let Some(t) = &d.crates {
        out.push_str(&delta_table("crate", t, rows, false));
    }
    verdict(&mut out, d.budget.as_ref());
    notes(&mut out, &d.notes);
    out
}

/// Changed rows first (largest change first, as the diff sorts them), at most
/// `limit`; the rest, changed or not, in one row; then the totals.
fn delta_table(what: &str, t: &DeltaTable, limit: usize, code: bool) -> String {
    let mut out = format!("| {what} | old | new | delta |\n|---|---:|---:|---:|\n");
    let changed: Vec<_> = t.rows.iter().filter(|r| r.delta != 0).collect();
    let shown = limit.min(changed.len());
    for r in &changed[..shown] {
        let name = if code {
            format!("`{}`", cell(&r.name))
        } else {
            cell(&r.name)
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            bytes(r.old_bytes),
            bytes(r.new_bytes),
            delta(r.delta)
        );
    }
    let shown_old: u64 = changed[..shown].iter().map(|r| r.old_bytes).sum();
    let shown_new: u64 = changed[..shown].iter().map(|r| r.new_bytes).sum();
    let rest = t.rows.len() - shown;
    if rest > 0 {
        let (old, new) = (t.old_total - shown_old, t.new_total - shown_new);
        let _ = writeln!(
            out,
            "| [{rest} other {what}s] | {} | {} | {} |",
            bytes(old),
            bytes(new),
            delta(difference(new, old))
        );
    }
    let _ = writeln!(
        out,
        "| **total** | **{}** | **{}** | **{}** |\n",
        bytes(t.old_total),
        bytes(t.new_total),
        delta(t.delta)
    );
    out
}

fn verdict(out: &mut String, v: Option<&BudgetVerdict>) {
    let Some(v) = v else { return };
    let mark = match v.status {
        BudgetStatus::Ok => "✅ within budget",
        BudgetStatus::Over => "❌ over budget",
        BudgetStatus::Warning => "⚠️ over a Lambda limit",
        BudgetStatus::None => return,
    };
    let figures: Vec<String> = v
        .checks
        .iter()
        .filter(|c| c.source != LimitSource::Lambda)
        .map(|c| {
            format!(
                "{} {} of {} ({})",
                c.kind,
                bytes(c.bytes),
                cell(&c.limit_text),
                percent(c.bytes, c.limit)
            )
        })
        .collect();
    let _ = writeln!(out, "**Budget:** {mark}: {}\n", figures.join("; "));
    for line in v.human_lines() {
        let _ = writeln!(out, "- {}", cell(&line));
    }
    if v.checks.iter().any(|c| c.over) {
        out.push('\n');
    }
}

fn notes(out: &mut String, notes: &[String]) {
    for n in notes {
        let _ = writeln!(out, "> {}", cell(n));
    }
}

fn signed(n: i64) -> String {
    if n < 0 {
        delta(n)
    } else {
        bytes(n as u64)
    }
}
