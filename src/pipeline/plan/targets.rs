//! Which targets to build: `--target`, else the metadata's `target`, else
//! `--arch`/`--libc` (or their metadata keys) with our defaults; each once.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::model::options::Selection;
use crate::model::target::{Arch, Libc, Target};
use crate::pipeline::plan::metadata_tables::{metadata_error, MetadataTables};

pub(crate) fn resolve_targets(select: &Selection, meta: &MetadataTables) -> Result<Vec<Target>> {
    let mut targets = select.targets.clone();
    if targets.is_empty() && select.arch.is_empty() && select.libc.is_none() {
        if let Some((place, t)) = meta.pick(|m| m.target.clone()) {
            for triple in t.to_vec() {
                targets.push(
                    Target::from_triple(&triple).map_err(|e| metadata_error(place, "target", e))?,
                );
            }
        }
    }
    if targets.is_empty() {
        let arches: Vec<Arch> = if !select.arch.is_empty() {
            select.arch.clone()
        } else if let Some((place, a)) = meta.pick(|m| m.arch.clone()) {
            a.to_vec()
                .iter()
                .map(|s| {
                    s.parse::<Arch>()
                        .map_err(|e| metadata_error(place, "arch", e))
                })
                .collect::<Result<_>>()?
        } else {
            vec![Arch::X86_64]
        };
        let libc = match select.libc {
            Some(l) => l,
            None => meta
                .parse::<Libc>("libc", |m| m.libc.clone())?
                .unwrap_or_default(),
        };
        for arch in arches {
            targets.push(Target::new(arch, libc));
        }
    }
    let mut seen = BTreeSet::new();
    targets.retain(|t| seen.insert(t.triple.clone()));
    Ok(targets)
}
