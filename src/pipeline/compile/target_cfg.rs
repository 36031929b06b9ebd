//! Deciding a `cfg(…)` for a target without spawning rustc: from rustc's
//! built-in description of the target (the `cfg-expr` crate's table, the facts
//! `rustc --print cfg` gives for it), and only for the predicates that name the
//! target itself (arch, os, family, env, vendor, abi, endianness, pointer
//! width). What flags or the profile can change (`target_feature`, `panic`,
//! atomics, `debug_assertions`, a `--cfg`) is left to the caller's `other`;
//! `None` from it, or a triple the table lacks, leaves the answer open.

use cfg_expr::expr::TargetMatcher;
use cfg_expr::targets::get_builtin_target_by_triple;
use cfg_expr::{Expression, Predicate, TargetPredicate};

/// Whether `expr` holds for `triple`; `None`: it cannot be decided here.
pub(crate) fn decide(
    expr: &Expression,
    triple: &str,
    other: impl Fn(&Predicate) -> Option<bool>,
) -> Option<bool> {
    let info = get_builtin_target_by_triple(triple)?;
    expr.eval(|pred| match pred {
        Predicate::Target(
            tp @ (TargetPredicate::Arch(_)
            | TargetPredicate::Os(_)
            | TargetPredicate::Family(_)
            | TargetPredicate::Env(_)
            | TargetPredicate::Vendor(_)
            | TargetPredicate::Abi(_)
            | TargetPredicate::Endian(_)
            | TargetPredicate::PointerWidth(_)),
        ) => Some(info.matches(tp)),
        other_pred => other(other_pred),
    })
}
