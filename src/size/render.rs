//! Tables for people, from the same documents JSON output serialises.

use std::fmt::Write as _;

use crate::ui::table::{bytes, delta, fit, percent, Align, Table};

use super::crates::CratesView;
use super::diff::{DeltaTable, DiffReport};
use super::report::{Document, SizeReport, Stripping, SymbolsView};
use super::sections::SectionsView;
use super::shorten::shorten;

/// Crate names longer than this are cut in symbol tables (the symbol column is the
/// one that gives way to the terminal width).
const CRATE_WIDTH: usize = 18;

/// How to lay out: the width to fit (`None`: `--wide`), rows to show, names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub width: Option<usize>,
    /// Crate rows to show before folding the rest into one row (0: all).
    pub crate_rows: usize,
    pub full_names: bool,
}

pub(crate) fn document(doc: &Document, layout: Layout) -> String {
    match doc {
        Document::Size(r) => size_report(r, layout),
        Document::Diff(d) => diff_report(d, layout),
    }
}

/// Cut a path from the left so that `path` plus `rest` fit the width: the file
/// name is the part worth keeping.
fn fit_path(path: &str, rest: usize, layout: Layout) -> String {
    let Some(width) = layout.width else {
        return path.to_string();
    };
    let room = width.saturating_sub(rest).max(12);
    let len = path.chars().count();
    if len <= room {
        return path.to_string();
    }
    let tail: String = path.chars().skip(len - (room - 1)).collect();
    format!("…{tail}")
}

/// Wrap prose at the width (a word longer than a line keeps its own line).
fn wrap(text: &str, indent: &str, layout: Layout) -> String {
    let Some(width) = layout.width else {
        return format!("{text}\n");
    };
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn size_report(r: &SizeReport, layout: Layout) -> String {
    let mut out = String::new();
    if let Some(label) = &r.label {
        let _ = writeln!(out, "== {label} ==");
    }
    let what = format!(
        ": {} bytes, ELF {}-bit {}-endian {}{}",
        bytes(r.file_bytes),
        r.format.bits,
        r.format.endian,
        r.format.machine,
        if r.stripped { ", stripped" } else { "" }
    );
    let _ = writeln!(
        out,
        "{}{what}",
        fit_path(&r.path, what.chars().count(), layout)
    );
    if let Some(s) = &r.stripping {
        out.push_str(&stripping(s));
    }
    if let Some(v) = &r.sections {
        out.push('\n');
        out.push_str(&sections(v, layout));
    }
    if let Some(v) = &r.crates {
        out.push('\n');
        out.push_str(&crates(v, layout));
    }
    if let Some(v) = &r.symbols {
        out.push('\n');
        out.push_str(&symbols(v, layout));
    }
    if let Some(v) = &r.budget {
        out.push('\n');
        out.push_str(&v.block(""));
    }
    notes(&mut out, &r.notes, layout);
    for hint in super::heavy::render(&r.hints) {
        out.push_str(&wrap(&hint, "      ", layout));
    }
    out
}

fn stripping(s: &Stripping) -> String {
    format!(
        "stripping saved {} bytes ({}): {} unstripped → {} shipped\n",
        bytes(s.saved_bytes.max(0) as u64),
        percent(s.saved_bytes.max(0) as u64, s.pair.unstripped_bytes),
        bytes(s.pair.unstripped_bytes),
        bytes(s.pair.stripped_bytes),
    )
}

fn notes(out: &mut String, notes: &[String], layout: Layout) {
    for note in notes {
        out.push_str(&wrap(&format!("note: {note}"), "      ", layout));
    }
}

fn sections(v: &SectionsView, layout: Layout) -> String {
    let mut t = Table::new(&[
        ("section", Align::Left),
        ("file bytes", Align::Right),
        ("vm bytes", Align::Right),
        ("share", Align::Right),
    ])
    .flexible(0);
    let file = v.file_bytes;
    for row in &v.rows {
        t.row(vec![
            row.name.clone(),
            bytes(row.file_bytes),
            bytes(row.vm_bytes),
            percent(row.file_bytes, file),
        ]);
    }
    for (name, n) in [
        ("[ELF header]", v.elf_header),
        ("[program headers]", v.program_headers),
        ("[section headers]", v.section_headers),
        ("[padding]", v.padding),
    ] {
        t.row(vec![name.into(), bytes(n), String::new(), percent(n, file)]);
    }
    if v.overlap > 0 {
        t.row(vec![
            "[overlap, counted twice]".into(),
            format!("-{}", bytes(v.overlap)),
            String::new(),
            String::new(),
        ]);
    }
    t.row(vec![
        "total".into(),
        bytes(file),
        String::new(),
        percent(file, file),
    ]);
    t.render(layout.width)
}

fn crates(v: &CratesView, layout: Layout) -> String {
    let mut out = wrap(
        &format!(
            "crates in {} bytes ({} of the file): {}",
            bytes(v.covered_bytes),
            percent((v.file_share * 1000.0).round() as u64, 1000),
            v.sections.join(" "),
        ),
        "  ",
        layout,
    );
    let mut t = Table::new(&[
        ("crate", Align::Left),
        ("bytes", Align::Right),
        ("share", Align::Right),
        ("symbols", Align::Right),
    ])
    .flexible(0);
    let shown = if layout.crate_rows == 0 {
        v.rows.len()
    } else {
        layout.crate_rows.min(v.rows.len())
    };
    for row in &v.rows[..shown] {
        t.row(vec![
            row.name.clone(),
            bytes(row.bytes),
            percent(row.bytes, v.covered_bytes),
            bytes(row.symbols),
        ]);
    }
    let rest = &v.rows[shown..];
    if !rest.is_empty() {
        let b: u64 = rest.iter().map(|r| r.bytes).sum();
        let s: u64 = rest.iter().map(|r| r.symbols).sum();
        t.row(vec![
            format!("[{} more crates]", rest.len()),
            bytes(b),
            percent(b, v.covered_bytes),
            bytes(s),
        ]);
    }
    t.row(vec![
        "total".into(),
        bytes(v.covered_bytes),
        percent(v.covered_bytes, v.covered_bytes),
        String::new(),
    ]);
    out.push_str(&t.render(layout.width));
    out
}

fn symbol_name(name: &str, layout: Layout) -> String {
    if layout.full_names {
        name.to_string()
    } else {
        shorten(name)
    }
}

fn symbols(v: &SymbolsView, layout: Layout) -> String {
    let mut out = format!(
        "largest symbols: {} of {}{} ({} bytes)\n",
        v.rows.len(),
        bytes(v.matched),
        v.filter
            .as_ref()
            .map(|f| format!(" matching `{f}`"))
            .unwrap_or_default(),
        bytes(v.matched_bytes)
    );
    let mut t = Table::new(&[
        ("bytes", Align::Right),
        ("share", Align::Right),
        ("crate", Align::Left),
        ("symbol", Align::Left),
    ])
    .flexible(3);
    for row in &v.rows {
        t.row(vec![
            bytes(row.bytes),
            format!("{:.1}%", row.share * 100.0),
            fit(&row.krate, CRATE_WIDTH),
            symbol_name(&row.name, layout),
        ]);
    }
    out.push_str(&t.render(layout.width));
    out
}

fn diff_report(d: &DiffReport, layout: Layout) -> String {
    let mut out = String::new();
    if let Some(label) = &d.new.label {
        let _ = writeln!(out, "== {label} ==");
    }
    for (side, s) in [("old", &d.old), ("new", &d.new)] {
        let size = format!(" ({} bytes)", bytes(s.file_bytes));
        let room = side.len() + 2 + size.chars().count();
        let _ = writeln!(out, "{side}: {}{size}", fit_path(&s.path, room, layout));
    }
    let _ = writeln!(
        out,
        "change: {} bytes ({})",
        delta(d.file_delta),
        signed_percent(d.file_delta, d.old.file_bytes)
    );
    for (title, table, with_crate) in [
        ("sections", &d.sections, false),
        ("crates", &d.crates, false),
        ("symbols", &d.symbols, true),
    ] {
        if let Some(t) = table {
            out.push('\n');
            out.push_str(&delta_table(title, t, with_crate, layout));
        }
    }
    if let Some(v) = &d.budget {
        out.push('\n');
        out.push_str(&v.block(""));
    }
    notes(&mut out, &d.notes, layout);
    out
}

fn signed_percent(change: i64, base: u64) -> String {
    if base == 0 {
        return "-".into();
    }
    format!("{:+.1}%", change as f64 * 100.0 / base as f64)
}

fn delta_table(title: &str, d: &DeltaTable, with_crate: bool, layout: Layout) -> String {
    let mut out = format!(
        "{title}: {} changed, {} bytes\n",
        bytes(d.changed),
        delta(d.delta)
    );
    let mut columns = vec![
        ("old", Align::Right),
        ("new", Align::Right),
        ("delta", Align::Right),
    ];
    if with_crate {
        columns.push(("crate", Align::Left));
    }
    let name_header = title.trim_end_matches('s');
    columns.push((name_header, Align::Left));
    let flex = columns.len() - 1;
    let mut t = Table::new(&columns).flexible(flex);
    for row in &d.rows {
        let mut cells = vec![bytes(row.old_bytes), bytes(row.new_bytes), delta(row.delta)];
        if with_crate {
            cells.push(fit(row.krate.as_deref().unwrap_or(""), CRATE_WIDTH));
        }
        cells.push(if with_crate {
            symbol_name(&row.name, layout)
        } else {
            row.name.clone()
        });
        t.row(cells);
    }
    let mut total = vec![bytes(d.old_total), bytes(d.new_total), delta(d.delta)];
    if with_crate {
        total.push(String::new());
    }
    total.push("total".into());
    t.row(total);
    out.push_str(&t.render(layout.width));
    out
}
