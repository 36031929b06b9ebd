//! Known heavy dependencies: a small curated table (`heavy.toml`, beside this
//! file, each entry with its source and the bytes we measured with
//! tests/bench/heavy.sh) of crates that often make a function large and the
//! lighter option. An entry is shown only when one of its crates has bytes in
//! the binary analysed — a crate that is in the dependency graph but whose code
//! the linker dropped costs nothing and earns no hint.

use serde::{Deserialize, Serialize};

use super::crates::CratesView;

const TABLE: &str = include_str!("heavy.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    entry: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    /// Crate names as the crates view shows them (`_`, not `-`).
    crates: Vec<String>,
    what: String,
    lighter: String,
    measured: String,
    source: String,
}

/// An entry whose crates are in this binary.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Hint {
    pub id: String,
    /// What pulls the bytes in.
    pub what: String,
    /// The lighter option.
    pub lighter: String,
    /// What we measured it to cost (docs/size.md).
    pub measured: String,
    pub source: String,
    /// The entry's crates present here, with their bytes in this binary.
    pub crates: Vec<HintCrate>,
    /// Their sum.
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HintCrate {
    pub name: String,
    pub bytes: u64,
}

fn table() -> Vec<Entry> {
    // The table is compiled in and checked by a unit test: it always parses.
    toml::from_str::<Table>(TABLE)
        .map(|t| t.entry)
        .unwrap_or_default()
}

/// The hints for the crates in `view`.
pub(crate) fn hints(view: &CratesView) -> Vec<Hint> {
    table()
        .into_iter()
        .filter_map(|e| {
            let crates: Vec<HintCrate> = e
                .crates
                .iter()
                .filter_map(|name| {
                    // A private dependency of std's may be folded into `std`.
                    let bytes = view
                        .rows
                        .iter()
                        .find(|r| &r.name == name)
                        .map(|r| r.bytes)
                        .or_else(|| {
                            let part = view.std_private.iter().find(|p| &p.name == name);
                            part.map(|p| p.bytes)
                        })?;
                    (bytes > 0).then(|| HintCrate {
                        name: name.clone(),
                        bytes,
                    })
                })
                .collect();
            if crates.is_empty() {
                return None;
            }
            Some(Hint {
                bytes: crates.iter().map(|c| c.bytes).sum(),
                id: e.id,
                what: e.what,
                lighter: e.lighter,
                measured: e.measured,
                source: e.source,
                crates,
            })
        })
        .collect()
}

/// One paragraph per hint, for the human report (the source is in the JSON and
/// in docs/size.md).
pub(crate) fn render(hints: &[Hint]) -> Vec<String> {
    hints
        .iter()
        .map(|h| {
            let list: Vec<String> = h
                .crates
                .iter()
                .map(|c| format!("{} {}", c.name, crate::ui::table::bytes(c.bytes)))
                .collect();
            format!(
                "hint: {} bytes here ({}): {}. Lighter: {}. Measured: {}.",
                crate::ui::table::bytes(h.bytes),
                list.join(", "),
                h.what,
                h.lighter,
                h.measured,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::size::crates::CrateRow;

    #[test]
    fn the_table_parses_and_every_entry_is_sourced() {
        let entries = toml::from_str::<Table>(TABLE).unwrap().entry;
        assert!(!entries.is_empty());
        for e in &entries {
            assert!(!e.crates.is_empty() && !e.source.is_empty(), "{}", e.id);
            assert!(e.crates.iter().all(|c| !c.contains('-')), "{}", e.id);
        }
    }

    #[test]
    fn a_hint_needs_bytes_of_its_crate() {
        let row = |name: &str, bytes| CrateRow {
            name: name.into(),
            bytes,
            share: 0.0,
            symbols: 1,
        };
        let view = |rows| CratesView {
            sections: vec![".text".into()],
            covered_bytes: 0,
            file_share: 0.0,
            split_std: false,
            rows,
            ..CratesView::default()
        };
        let first = &table()[0];
        let present = hints(&view(vec![row(&first.crates[0], 1000)]));
        assert_eq!(present.len(), 1);
        assert_eq!(present[0].bytes, 1000);
        assert!(hints(&view(vec![row(&first.crates[0], 0)])).is_empty());
        assert!(hints(&view(vec![row("serde_json", 1000)])).is_empty());
        // std's backtrace crates folded into the `std` row still earn their hint.
        let folded = CratesView {
            rows: vec![row("std", 5000)],
            std_private: vec![crate::size::crates::StdPart {
                name: "gimli".into(),
                bytes: 700,
            }],
            ..CratesView::default()
        };
        let found = hints(&folded);
        assert!(found
            .iter()
            .any(|h| h.crates.iter().any(|c| c.name == "gimli" && c.bytes == 700)));
    }
}
