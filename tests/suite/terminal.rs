//! Output on a real terminal: tables fit the terminal's width, read from the
//! terminal itself (most shells do not export `COLUMNS`). Driven through
//! `script`, which gives the command a pseudo-terminal of the size `stty` sets.

use crate::common;

use std::process::Command;

/// Widths (in characters) of the table rows of `cargo slim size --symbols` on a
/// terminal of `cols` columns, analysing cargo-slim's own unstripped test build.
fn widths_on_terminal(cols: u16) -> Vec<usize> {
    let bin = env!("CARGO_BIN_EXE_cargo-slim");
    let script = common::require_tool("script");
    let line = format!("stty cols {cols} rows 40; '{bin}' size --symbols -n 30 '{bin}'");
    let out = common::output_ok(
        Command::new(script)
            .args(["-qec", &line, "/dev/null"])
            .env_remove("COLUMNS"),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains('%'))
        .map(|l| l.trim_end_matches('\r').chars().count())
        .collect()
}

#[test]
fn tables_fit_the_terminal_width_without_columns() {
    let wide = widths_on_terminal(132);
    let max = wide.iter().copied().max().unwrap_or(0);
    assert!(
        max > 80 && max <= 132,
        "widest line {max} on a 132-column terminal"
    );
    let narrow = widths_on_terminal(60);
    let max = narrow.iter().copied().max().unwrap_or(0);
    assert!(max <= 60, "widest line {max} on a 60-column terminal");
}
