//! Which functions run only after the program asked the CPU what it supports.
//!
//! Libraries that carry code for newer CPUs (memchr, httparse, ring, aws-lc,
//! std's own `is_x86_feature_detected!`) pick it at run time: they run `cpuid`
//! or read the auxiliary vector once, keep the answer in a variable, and test
//! it before calling the newer code or storing its address in a function
//! pointer. The binary shows the evidence, and this module reads it as a graph:
//!
//! - a function *checks* when it runs `cpuid` (x86), reads an `ID_*`/`MIDR`
//!   system register (AArch64), or names one of the known places where the
//!   answer is kept or computed ([`CAPABILITY_NAMES`]), directly or through
//!   the GOT;
//! - the program starts at its *roots*: the entry point, every function whose
//!   address is stored in data (vtables, init arrays, tables of function
//!   pointers: nothing says what chose them), and code outside every function
//!   symbol;
//! - an edge is any instruction of one function naming another (call, jump,
//!   address taken).
//!
//! A function reachable from a root without passing through a function that
//! checks runs whatever the CPU: *unconditional*. One reachable only through
//! such a function is *selected at run time*. One no root reaches is *never
//! referenced*: code the linker kept (an assembly file's other functions share
//! its section) that nothing calls.
//!
//! This is evidence, not proof: a function that checks may still run newer
//! code on a path its check does not guard; an address computed in a way the
//! decoder does not follow makes a live function look unreferenced; a
//! dispatcher this rule does not recognise makes its targets unconditional (a
//! false alarm, answered by fixing the flags or declaring the baseline).
//! docs/preflight.md says so.

use std::collections::VecDeque;

use crate::artifact::code::{Decoded, RefKind};
use crate::artifact::elf::pointers::Pointer;

use super::functions::Functions;

/// Names (substrings of symbol names, raw or demangled) of where CPU
/// capabilities are kept or detected: OpenSSL-style capability vectors (aws-lc
/// and ring prefix them: `aws_lc_0_47_0_OPENSSL_ia32cap_P`,
/// `ring_core_0_17_14__OPENSSL_armcap_P`), ring's own feature flags
/// (`ring::cpu::intel::featureflags::FEATURES`), std's `std_detect` cache,
/// the auxiliary vector, compiler-rt's and libgcc's `__builtin_cpu_supports`
/// data, and the outline atomics' LSE flag.
pub(super) const CAPABILITY_NAMES: &[&str] = &[
    "OPENSSL_ia32cap",
    "OPENSSL_armcap",
    "OPENSSL_cpuid_setup",
    "ring::cpu::",
    "std_detect::",
    "getauxval",
    "__cpu_model",
    "__cpu_features2",
    "__aarch64_cpu_features",
    "__init_cpu_features",
    "__aarch64_have_lse_atomics",
    // ring's flags, set once from its capability vector.
    "avx2_available",
    "adx_bmi2_available",
];

/// Name parts by which crypto and string libraries mark the variant of a
/// routine written for one CPU extension (`aes_hw_ctr32_encrypt_blocks`,
/// `aesni_gcm_encrypt`, `gcm_ghash_avx`, `sha256_block_data_order_avx`,
/// `ecp_nistz256_select_w5_avx2`, `bn_mulx4x_mont`, `__ecp_nistz256_mul_montx`,
/// `find_avx2`): the variants a library chooses among at run time, after its
/// CPU check, often through a choice stored at key set-up rather than a call
/// from the check. Algorithm names that are also feature names (`sha3`,
/// `aes`, `crc`) are not among them: an `SHA3_Update` is no variant.
const VARIANT_PARTS: &[&str] = &[
    "avx",
    "avx2",
    "avx512",
    "avx512f",
    "avx512vl",
    "vaes",
    "vpclmulqdq",
    "aesni",
    "clmul",
    "shaext",
    "hw",
    "neon",
    "sve",
    "sve2",
    "ssse3",
    "sse41",
    "adx",
    "bmi2",
    "mulx",
    "mulx4x",
    "sqrx8x",
    "montx",
    "movbe",
    "xop",
];

/// The variant part `name` carries, if any.
fn variant_part(name: &str) -> Option<&'static str> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(|part| {
            let part = part.to_ascii_lowercase();
            VARIANT_PARTS.iter().find(|v| **v == part).copied()
        })
}

/// How a function is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reach {
    /// From a root without a CPU check on the way.
    Unconditional,
    /// Only through functions that check; the text says which.
    Selected(String),
    /// From no root.
    Unreferenced,
}

/// What the audit needs of the file besides its code.
pub(super) struct Graph<'a> {
    pub functions: &'a Functions,
    pub code: &'a Decoded,
    pub pointers: &'a [Pointer],
    /// The `.got` section's address range: its pointers are how code reaches a
    /// symbol, not stored choices.
    pub got: Option<(u64, u64)>,
    pub entry: u64,
}

/// How each function of [`Functions::list`] is reached.
pub(super) fn reach(graph: &Graph<'_>) -> Vec<Reach> {
    let mut state = State::new(graph);
    state.references(graph);
    state.pointers(graph);
    let n = state.n;
    let (roots, edges) = (&state.roots, &state.edges);
    // Everything reachable from the roots, and what is reachable without
    // passing a function that checks.
    let reachable = walk(roots, edges, |_| true);
    let mut unchecked = walk(roots, edges, |f| f >= n || state.checks[f].is_none());
    // What the graph leaves unconditional may still be a named variant, chosen
    // through a choice stored earlier (when the program checks anywhere).
    let detects = state.checks.iter().any(Option::is_some);
    let mut named = false;
    for (f, func) in graph.functions.list.iter().enumerate() {
        if let (true, true, Some(part)) = (detects, unchecked[f], variant_part(&func.name)) {
            state.checks[f] = Some(format!(
                "is named as a `{part}` variant, chosen by a program that asks the CPU \
                 what it supports"
            ));
            named = true;
        }
    }
    if named {
        unchecked = walk(roots, edges, |f| f >= n || state.checks[f].is_none());
    }
    let via = through_checks(&state, &reachable);
    let checks = &state.checks;
    (0..n)
        .map(|f| {
            if unchecked[f] && checks[f].is_none() {
                Reach::Unconditional
            } else if let Some(text) = &checks[f] {
                Reach::Selected(text.clone())
            } else if let (true, Some(c)) = (reachable[f], via[f]) {
                let how = checks[c].as_deref().unwrap_or("checks");
                Reach::Selected(format!(
                    "reached only through {}, which {how}",
                    graph.functions.list[c].name
                ))
            } else {
                Reach::Unreferenced
            }
        })
        .collect()
}

/// The graph being built: nodes are the functions (`0..n`), then the data
/// symbols (a table of function pointers is reached through the code that
/// names the table).
struct State<'a> {
    functions: &'a Functions,
    n: usize,
    /// Per function: why it counts as checking the CPU.
    checks: Vec<Option<String>>,
    edges: Vec<Vec<usize>>,
    roots: Vec<usize>,
}

impl<'a> State<'a> {
    fn new(graph: &Graph<'a>) -> State<'a> {
        let functions = graph.functions;
        let n = functions.list.len();
        let mut checks: Vec<Option<String>> = vec![None; n];
        for &at in &graph.code.probes {
            if let Some(f) = functions.at(at) {
                checks[f].get_or_insert_with(|| "asks the CPU (cpuid / ID registers)".to_string());
            }
        }
        State {
            functions,
            n,
            checks,
            edges: vec![Vec::new(); n + functions.objects()],
            roots: functions.at(graph.entry).into_iter().collect(),
        }
    }

    fn node(&self, addr: u64) -> Option<usize> {
        self.functions
            .at(addr)
            .or_else(|| self.functions.object_at(addr).map(|o| self.n + o))
    }

    /// Edges and checks from what the instructions name.
    fn references(&mut self, graph: &Graph<'_>) {
        let probing: Vec<bool> = self.checks.iter().map(Option::is_some).collect();
        for r in &graph.code.references {
            let from = self.functions.at(r.at);
            // An address loaded from the GOT: the slot holds the real target.
            let through_got = (r.kind == RefKind::Address)
                .then(|| graph.pointers.binary_search_by_key(&r.to, |p| p.at).ok())
                .flatten()
                .map(|i| graph.pointers[i].to);
            for target in std::iter::once(r.to).chain(through_got) {
                if let (Some(f), Some(cap)) = (from, self.functions.capability_at(target)) {
                    self.checks[f]
                        .get_or_insert_with(|| format!("reads the CPU capabilities ({cap})"));
                }
                match (from, self.node(target)) {
                    (Some(from), Some(to)) if from != to => {
                        // Calling the code that asks the CPU is asking it.
                        if to < self.n && probing[to] && self.checks[from].is_none() {
                            self.checks[from] = Some(format!(
                                "calls {}, which asks the CPU",
                                self.functions.list[to].name
                            ));
                        }
                        self.edges[from].push(to);
                    }
                    (None, Some(to)) => self.roots.push(to),
                    _ => {}
                }
            }
        }
    }

    /// Edges and roots from pointers stored in data.
    fn pointers(&mut self, graph: &Graph<'_>) {
        let in_got = |at: u64| {
            graph
                .got
                .is_some_and(|(start, end)| at >= start && at < end)
        };
        for p in graph.pointers.iter().filter(|p| !in_got(p.at)) {
            let Some(to) = self.functions.at(p.to) else {
                continue;
            };
            match self.functions.object_at(p.at) {
                Some(table) => self.edges[self.n + table].push(to),
                None => self.roots.push(to),
            }
        }
        // Data symbols no code names (exported tables, init arrays) are roots too.
        let mut named = vec![false; self.edges.len()];
        for targets in &self.edges {
            for &t in targets {
                named[t] = true;
            }
        }
        self.roots
            .extend((self.n..self.edges.len()).filter(|&o| !named[o]));
    }
}

/// For each node reached only through checking functions: the first such
/// function on the way (breadth first from every reachable checking function).
fn through_checks(state: &State<'_>, reachable: &[bool]) -> Vec<Option<usize>> {
    let checking: Vec<usize> = (0..state.n)
        .filter(|&f| state.checks[f].is_some() && reachable[f])
        .collect();
    let mut via: Vec<Option<usize>> = vec![None; state.edges.len()];
    let mut queue: VecDeque<usize> = checking.iter().copied().collect();
    for &f in &checking {
        via[f] = Some(f);
    }
    while let Some(f) = queue.pop_front() {
        for &to in &state.edges[f] {
            if via[to].is_none() {
                via[to] = via[f];
                queue.push_back(to);
            }
        }
    }
    via
}

/// The functions reachable from `roots` along `edges`, entering only functions
/// `enter` allows (a root included).
fn walk(roots: &[usize], edges: &[Vec<usize>], enter: impl Fn(usize) -> bool) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut stack: Vec<usize> = Vec::new();
    for &r in roots {
        if !seen[r] && enter(r) {
            seen[r] = true;
            stack.push(r);
        }
    }
    while let Some(f) = stack.pop() {
        for &to in &edges[f] {
            if !seen[to] && enter(to) {
                seen[to] = true;
                stack.push(to);
            }
        }
    }
    seen
}
