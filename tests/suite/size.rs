//! `cargo slim size` on real binaries: golden facts on the fixtures, agreement with
//! cargo-bloat, damaged input, diffs, stripping, pipes and widths.
//!
//! The `hello` and lambda_runtime binaries are the `bootstrap.full` files of
//! `cargo slim build` in the shared fixtures target directory (shared with the
//! build tests); `hello` plus one dependency is built with plain cargo and the
//! slim profile's settings, in a target directory of its own.

use crate::common;

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

const TRIPLE: &str = "x86_64-unknown-linux-musl";

/// The release profile set like the slim profile (and like the recorded
/// cargo-bloat run, so its numbers apply to the same code).
const PROFILE_ENV: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_LTO", "fat"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
    ("CARGO_PROFILE_RELEASE_PANIC", "abort"),
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s"),
    ("CARGO_PROFILE_RELEASE_STRIP", "false"),
];

/// Build a crate with plain cargo; returns the unstripped executable.
fn cargo_build_in(manifest_dir: &Path, bin: &str, target_dir: &Path) -> PathBuf {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(manifest_dir)
        .args(["build", "--release", "--quiet", "--target", TRIPLE])
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("RUSTFLAGS");
    for (k, v) in PROFILE_ENV {
        cmd.env(k, v);
    }
    common::run(&mut cmd).success();
    target_dir.join(TRIPLE).join("release").join(bin)
}

/// The lambda fixture is built at opt-level "s", the level of the recorded
/// cargo-bloat run (tests/data), so both describe the same code; the build tests
/// build it with the same arguments, so CI compiles it once.
const LAMBDA_ARGS: &[&str] = &["-q", "--opt-level", "s"];

/// The fixtures' unstripped links from `cargo slim build`, in the shared target
/// directory: the same builds the build tests make, so CI compiles them once.
fn hello() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| common::build("hello", "hello", TRIPLE, &["-q"]).full)
}

fn lambda() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| common::build("hello-lambda", "hello-lambda", TRIPLE, LAMBDA_ARGS).full)
}

/// `hello` with one more dependency (serde_json, with the versions of the lambda
/// template's lock file), copied to a directory of its own. Same package, so the same crate
/// names on both sides of a diff; a target directory of its own, so the two
/// `hello` executables do not overwrite each other.
fn hello_plus_serde_json() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = common::shared_target_dir().join("size-hello-plus-dep");
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let toml = std::fs::read_to_string(common::fixture("hello").join("Cargo.toml")).unwrap();
        let toml = toml.replace("[workspace]", "[dependencies]\nserde_json = \"1\"\n\n[workspace]");
        std::fs::write(dir.join("Cargo.toml"), toml).unwrap();
        std::fs::copy(
            common::fixture("hello-lambda").join("Cargo.lock"),
            dir.join("Cargo.lock"),
        )
        .unwrap();
        std::fs::write(
            dir.join("src/main.rs"),
            "fn main() {\n\
                 let text: Vec<String> = std::env::args().skip(1).collect();\n\
                 let v: serde_json::Value = serde_json::from_str(&text.join(\" \")).unwrap_or_default();\n\
                 println!(\"{v}\");\n\
             }\n",
        )
        .unwrap();
        cargo_build_in(&dir, "hello", &dir.join("target"))
    })
}

/// Run `cargo slim size ARGS --message-format json` and parse stdout.
fn size_json(args: &[&str]) -> Value {
    common::run(
        common::slim()
            .arg("size")
            .args(args)
            .args(["--message-format", "json"]),
    )
    .success()
    .json()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn rows(v: &Value) -> &Vec<Value> {
    v["rows"].as_array().expect("rows")
}

fn crate_bytes(crates: &Value, name: &str) -> Option<u64> {
    rows(crates)
        .iter()
        .find(|r| r["name"] == name)
        .map(|r| r["bytes"].as_u64().unwrap())
}

#[test]
fn lambda_golden_facts() {
    let doc = size_json(&[s(lambda()), "--sections", "--crates", "-n", "0"]);
    assert_eq!(doc["kind"], "size");
    let file_bytes = doc["file_bytes"].as_u64().unwrap();
    assert_eq!(file_bytes, std::fs::metadata(lambda()).unwrap().len());

    let sections = &doc["sections"];
    let sum: u64 = rows(sections)
        .iter()
        .map(|r| r["file_bytes"].as_u64().unwrap())
        .sum::<u64>()
        + [
            "elf_header",
            "program_headers",
            "section_headers",
            "padding",
        ]
        .iter()
        .map(|k| sections[k].as_u64().unwrap())
        .sum::<u64>()
        - sections["overlap"].as_u64().unwrap();
    assert_eq!(sum, file_bytes, "section rows + headers + padding = file");

    let crates = &doc["crates"];
    let covered = crates["covered_bytes"].as_u64().unwrap();
    let sum: u64 = rows(crates)
        .iter()
        .map(|r| r["bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(
        sum, covered,
        "crate rows sum to the covered sections exactly"
    );
    for name in [
        "tokio",
        "serde_json",
        "lambda_runtime",
        "std",
        "hello_lambda",
        "[unattributed]",
    ] {
        assert!(
            crate_bytes(crates, name).is_some_and(|b| b > 0),
            "{name} missing"
        );
    }
    assert!(crate_bytes(crates, "core").is_none(), "core folds into std");

    let doc = size_json(&[
        s(lambda()),
        "--symbols",
        "--filter",
        "hello_lambda_greeting",
    ]);
    let syms = rows(&doc["symbols"]);
    assert_eq!(syms.len(), 1, "{syms:?}");
    assert_eq!(syms[0]["name"], "hello_lambda::hello_lambda_greeting");
    assert_eq!(syms[0]["crate"], "hello_lambda");
    assert_eq!(syms[0]["section"], ".text");
}

#[test]
fn hello_fixture_symbol_is_the_fixture_crate() {
    let doc = size_json(&[s(hello()), "--symbols", "--filter", "marker"]);
    let syms = rows(&doc["symbols"]);
    assert_eq!(syms[0]["name"], "hello::hello_fixture_marker");
    assert_eq!(syms[0]["crate"], "hello");
    let doc = size_json(&[s(hello()), "--symbols", "--filter", "hello", "-n", "0"]);
    assert!(rows(&doc["symbols"]).iter().all(|r| r["crate"] == "hello"));
}

/// cargo-bloat's `--crates` on the same code (recorded with the command in
/// tests/data: plain cargo with the slim profile's settings and v0 mangling, as
/// `cargo slim build` mangles) against ours over `.text`, its only section,
/// every crate it lists. Compared under cargo-bloat's definitions: its `std`
/// also holds std's private dependencies (gimli, addr2line, … — those not in the
/// fixture's Cargo.lock) and its `[Unknown]` holds C and C++ code (our
/// `[non-rust]` plus LLVM libunwind, our `unwind`).
///
/// The two generic rules part ways, and each difference below is one of them:
/// cargo-bloat charges a monomorphised generic to the crate whose rlib holds the
/// copy, the crate that *instantiated* it; we charge it to the first crate its
/// name mentions (docs/size.md). So:
/// - crates that instantiate others' generics with their own types
///   (`lambda_runtime_api_client` builds hyper's client for its `Body`;
///   `lambda_runtime` instantiates serde_json and http) get less from us, and the
///   code they lose is in other crates' rows under names that mention them;
/// - crates whose generics others instantiate (hyper, http, hyper_util, tokio,
///   futures_util, serde_json, bytes) get more;
/// - std gets less: drop glue is named after the type dropped
///   (`core::ptr::drop_in_place::<tokio::net::tcp::stream::TcpStream>`), which
///   cargo-bloat finds in no rlib and calls std's;
/// - crates nobody instantiates anything of agree to the byte or nearly;
/// - what moves, moves among the user's crates: their total agrees.
#[test]
fn agrees_with_cargo_bloat() {
    // Long (~100 lines) on purpose: one comparison, asserting in order each fact
    // of the list above, with the whole table in every failure message.
    const INSTANTIATORS: &[&str] = &["lambda_runtime_api_client", "lambda_runtime"];
    const NAMED_FIRST: &[&str] = &[
        "hyper",
        "http",
        "hyper_util",
        "tokio",
        "futures_util",
        "serde_json",
        "bytes",
    ];
    const LEAVES: &[&str] = &["hello_lambda", "zmij", "mio", "atomic_waker", "socket2"];
    let bloat = bloat_crates();
    let doc = size_json(&[
        s(lambda()),
        "--crates",
        "--symbols",
        "--section",
        ".text",
        "--split-std",
        "-n",
        "0",
    ]);
    let as_bloat = as_bloat_crate();
    let mut ours: HashMap<String, u64> = HashMap::new();
    for row in rows(&doc["crates"]) {
        if let Some(name) = as_bloat(row["name"].as_str().unwrap()) {
            *ours.entry(name).or_default() += row["bytes"].as_u64().unwrap();
        }
    }
    let get = |m: &HashMap<String, u64>, n: &str| m.get(n).copied().unwrap_or(0);
    let mut report = String::new();
    let mut names: Vec<&String> = bloat.keys().collect();
    names.sort_by_key(|n| std::cmp::Reverse(bloat[*n]));
    for n in &names {
        report.push_str(&format!(
            "{n}: cargo-bloat {}, ours {}\n",
            bloat[*n],
            get(&ours, n)
        ));
    }
    let within = |a: u64, b: u64, pct: f64| (a as f64 - b as f64).abs() <= pct / 100.0 * b as f64;

    let (b_std, o_std) = (get(&bloat, "std"), get(&ours, "std"));
    assert!(
        o_std < b_std && within(o_std, b_std, 10.0),
        "std:\n{report}"
    );
    let unknown = (get(&bloat, "[Unknown]"), get(&ours, "[Unknown]"));
    assert!(within(unknown.1, unknown.0, 5.0), "[Unknown]:\n{report}");
    for n in LEAVES {
        assert!(within(get(&ours, n), get(&bloat, n), 1.0), "{n}:\n{report}");
    }
    for n in NAMED_FIRST {
        assert!(
            get(&ours, n) > get(&bloat, n),
            "{n} should be larger here:\n{report}"
        );
    }
    for n in INSTANTIATORS {
        assert!(
            get(&ours, n) < get(&bloat, n),
            "{n} should be smaller here:\n{report}"
        );
    }
    // lambda_runtime_api_client's missing code is in other crates' rows, under
    // names that mention it (hyper's `Dispatcher<Client<lambda_runtime_api_client::body::Body>>`).
    let gap = get(&bloat, "lambda_runtime_api_client") - get(&ours, "lambda_runtime_api_client");
    let elsewhere: u64 = rows(&doc["symbols"])
        .iter()
        .filter(|r| {
            let krate = r["crate"].as_str().unwrap();
            krate != "lambda_runtime_api_client"
                && as_bloat(krate).is_some_and(|k| k != "std" && k != "[Unknown]")
                && r["name"]
                    .as_str()
                    .unwrap()
                    .contains("lambda_runtime_api_client::")
        })
        .map(|r| r["bytes"].as_u64().unwrap())
        .sum();
    assert!(
        elsewhere >= gap,
        "gap {gap}, named elsewhere {elsewhere}\n{report}"
    );
    // Everything but std and [Unknown]: the bytes only move between these.
    let users = |m: &HashMap<String, u64>| -> u64 {
        m.iter()
            .filter(|(n, _)| *n != "std" && *n != "[Unknown]")
            .map(|(_, b)| b)
            .sum()
    };
    let (b_users, o_users) = (users(&bloat), users(&ours));
    report.push_str(&format!(
        "user crates: cargo-bloat {b_users}, ours {o_users}\n"
    ));
    assert!(within(o_users, b_users, 5.0), "{report}");
    eprintln!("{report}");
}

/// cargo-bloat's crate rows, recorded in tests/data.
fn bloat_crates() -> HashMap<String, u64> {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/data/cargo-bloat-hello-lambda.json"))
            .unwrap(),
    )
    .unwrap();
    reference["output"]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["size"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Our crate names as cargo-bloat names them: C and C++ code `[Unknown]`,
/// crates not in the fixture's Cargo.lock `std`; `None` for `[unattributed]`,
/// which it has no row for.
fn as_bloat_crate() -> impl Fn(&str) -> Option<String> {
    let lock = std::fs::read_to_string(common::fixture("hello-lambda").join("Cargo.lock")).unwrap();
    let locked: Vec<String> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"').replace('-', "_"))
        .collect();
    move |name| match name {
        "[non-rust]" | "unwind" => Some("[Unknown]".into()),
        "[unattributed]" => None,
        n if !locked.iter().any(|l| l == n) => Some("std".into()),
        n => Some(n.into()),
    }
}

/// std's private dependencies: without --split-std they are in the `std` row
/// (the fixture's graph, in the shipped bootstrap's `.dep-v0`, has no gimli);
/// a name the graph has (memchr) keeps its row; the table says so under it.
#[test]
fn std_private_dependencies_count_as_std() {
    let folded = size_json(&[s(lambda()), "--crates", "-n", "0"]);
    let crates = &folded["crates"];
    assert_eq!(crates["dependency_list"], true);
    let std_private: Vec<&str> = crates["std_private"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    for name in ["addr2line", "gimli", "miniz_oxide", "rustc_demangle"] {
        assert!(std_private.contains(&name), "{crates:#}");
        assert_eq!(crate_bytes(crates, name), None, "{name} folds into std");
    }
    assert!(crates["also_yours"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "memchr"));
    assert!(crate_bytes(crates, "memchr").is_some());
    let split = size_json(&[s(lambda()), "--crates", "--split-std", "-n", "0"]);
    let gimli = crate_bytes(&split["crates"], "gimli").expect("gimli row with --split-std");
    let std_split: u64 = [
        "std",
        "core",
        "alloc",
        "addr2line",
        "gimli",
        "miniz_oxide",
        "rustc_demangle",
    ]
    .iter()
    .filter_map(|n| crate_bytes(&split["crates"], n))
    .sum();
    assert!(gimli > 10_000 && crate_bytes(crates, "std").unwrap() >= std_split);
    let out = common::run(common::slim().arg("size").arg(lambda()).arg("--crates"))
        .success()
        .stdout;
    let text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("note: std includes its private dependencies addr2line, gimli,"),
        "{out}"
    );
    assert!(
        text.contains("memchr") && text.contains("of your crates and of std"),
        "{out}"
    );
    // The build mangled v0, and says so in its manifest.
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(lambda().with_file_name("slim-manifest.json")).unwrap(),
    )
    .unwrap();
    let flags = manifest.to_string();
    assert!(
        flags.contains("-Csymbol-mangling-version=v0"),
        "{manifest:#}"
    );
}

#[test]
fn diff_shows_the_added_dependency_on_top() {
    let doc = size_json(&[s(hello_plus_serde_json()), "--diff", s(hello())]);
    assert_eq!(doc["kind"], "diff");
    let crates = &doc["crates"];
    let top = &rows(crates)[0];
    assert_eq!(top["name"], "serde_json", "{crates:#}");
    assert!(top["delta"].as_i64().unwrap() > 0);
    assert_eq!(top["old_bytes"], 0);
    // Totals are the real sizes.
    let sections = &doc["sections"];
    assert_eq!(sections["old_total"], doc["old"]["file_bytes"]);
    assert_eq!(sections["new_total"], doc["new"]["file_bytes"]);
    assert_eq!(
        doc["file_delta"].as_i64().unwrap(),
        sections["delta"].as_i64().unwrap()
    );
    let symbols = rows(&doc["symbols"]);
    assert!(symbols
        .iter()
        .any(|r| r["crate"] == "serde_json" && r["delta"].as_i64().unwrap() > 0));
    let deltas: Vec<u64> = symbols
        .iter()
        .map(|r| r["delta"].as_i64().unwrap().unsigned_abs())
        .collect();
    assert!(
        deltas.windows(2).all(|w| w[0] >= w[1]),
        "sorted by absolute change"
    );
}

/// Copy the unstripped binary as bootstrap.full and write a stripped twin
/// (symbol table removed with `object`'s ELF builder) as bootstrap.
fn strip_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let data = std::fs::read(hello()).unwrap();
    let full = dir.join("bootstrap.full");
    std::fs::write(&full, &data).unwrap();
    let mut builder = object::build::elf::Builder::read(&*data).unwrap();
    for section in builder.sections.iter_mut() {
        if section.name.as_slice() == b".symtab" || section.name.as_slice() == b".strtab" {
            section.delete = true;
        }
    }
    for symbol in builder.symbols.iter_mut() {
        symbol.delete = true;
    }
    let mut out = Vec::new();
    builder.write(&mut out).unwrap();
    let shipped = dir.join("bootstrap");
    std::fs::write(&shipped, out).unwrap();
    (full, shipped)
}

#[test]
fn stripped_files_and_what_stripping_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (full, shipped) = strip_pair(dir.path());
    let full_len = std::fs::metadata(&full).unwrap().len();
    let shipped_len = std::fs::metadata(&shipped).unwrap().len();
    assert!(shipped_len < full_len);

    let doc = size_json(&[s(&full)]);
    let st = &doc["stripping"];
    assert_eq!(st["unstripped_bytes"], full_len);
    assert_eq!(st["stripped_bytes"], shipped_len);
    assert_eq!(
        st["saved_bytes"].as_i64().unwrap(),
        (full_len - shipped_len) as i64
    );

    // The stripped file: sections, a plain note, exit 0.
    // It points at the unstripped twin.
    common::run(common::slim().args(["size", "--crates"]).arg(&shipped))
        .success()
        .stdout_has("stripped")
        .stdout_has("symbols are gone")
        .stdout_has(".text")
        .stdout_has("bootstrap.full");
    let doc = size_json(&[s(&shipped), "--crates"]);
    assert_eq!(doc["stripped"], true);
    assert!(doc["crates"].is_null());
    assert!(doc["stripping"]["saved_bytes"].as_i64().unwrap() > 0);
}

/// A few hundred damaged copies of a real binary through the library entry point,
/// and a handful through the command: clean errors, exit code 2, no panic.
#[test]
fn damaged_and_foreign_files_end_in_clean_errors() {
    let data = std::fs::read(hello()).unwrap();
    let options = cargo_slim::SizeOptions::default();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut errors = 0;
    for i in 0..400 {
        let bad: Vec<u8> = if i % 2 == 0 {
            data[..(next() % data.len() as u64) as usize].to_vec()
        } else {
            let mut bad = data.clone();
            // Flip bits in the headers (first 4 KiB) and anywhere else.
            for _ in 0..4 {
                let at = if next() % 2 == 0 {
                    next() % 4096
                } else {
                    next() % data.len() as u64
                };
                bad[at as usize] ^= 1 << (next() % 8);
            }
            bad
        };
        if cargo_slim::analyze(&bad, &options).is_err() {
            errors += 1;
        }
    }
    assert!(errors > 100, "most truncations are errors ({errors})");

    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", data[..data.len() / 3].to_vec()),
        ("header-only", data[..40].to_vec()),
        ("text", b"hello world\n".to_vec()),
        ("empty", Vec::new()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = common::run(common::slim().args(["size", "--crates"]).arg(&path))
            .failure(2)
            .stderr_lacks("panicked");
        assert!(out.stderr.starts_with("error: "), "{out}");
    }
    common::run(common::slim().args(["size", "/no/such/file"]))
        .failure(2)
        .stderr_has("cannot read");
}

#[test]
fn tables_fit_80_columns_and_pipes_end_quietly() {
    let out = common::run(
        common::slim()
            .env_remove("COLUMNS")
            .args(["size", "--sections", "--crates", "--symbols"])
            .arg(lambda()),
    )
    .success()
    .stdout;
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    let wide = common::run(
        common::slim()
            .args(["size", "--symbols", "--wide"])
            .arg(lambda()),
    )
    .stdout;
    assert!(wide.lines().any(|l| l.chars().count() > 80));

    // `cargo slim size | head -1`: the reader goes away after one line.
    let mut child = common::slim()
        .args(["size", "--symbols", "-n", "0"])
        .arg(lambda())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// No path: the last `cargo slim build`'s bootstrap.full.
#[test]
fn no_path_uses_the_last_build() {
    let built = common::build("hello", "hello", TRIPLE, &[]);
    let doc = common::run(
        common::slim()
            .args([
                "size",
                "--crates",
                "--message-format",
                "json",
                "--manifest-path",
            ])
            .arg(common::fixture("hello").join("Cargo.toml"))
            .args(["--target", TRIPLE, "--target-dir"])
            .arg(common::shared_target_dir()),
    )
    .success()
    .json();
    assert_eq!(doc["path"], s(&built.full));
    assert_eq!(
        doc["stripping"]["stripped_bytes"].as_u64().unwrap(),
        std::fs::metadata(&built.bootstrap).unwrap().len()
    );
    assert!(crate_bytes(&doc["crates"], "hello").is_some());
}

/// `size` with no path is read-only: after `build --runtime provided.al2 --opt-level
/// s` and a touched source, `size` with other options (`--runtime
/// provided.al2023`) analyses the build that is there, says it may be stale and
/// prints the command that rebuilds it with its recorded settings; the zip, its
/// checksum file and the manifest are byte for byte unchanged.
#[test]
fn size_never_replaces_the_last_build() {
    let tmp = tempfile::tempdir().unwrap();
    let krate = common::copy_fixture("hello", tmp.path());
    let target_dir = tmp.path().join("target");
    common::run(
        common::slim()
            .current_dir(&krate)
            .args([
                "build",
                "-q",
                "--runtime",
                "provided.al2",
                "--opt-level",
                "s",
            ])
            .args(["--target", TRIPLE, "--target-dir"])
            .arg(&target_dir),
    )
    .success();
    let built = common::Built::at(&target_dir, "hello", TRIPLE);
    let files = [&built.zip, &built.sha256, &built.manifest, &built.full];
    let before: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    // A source edited after the build (its mtime is what cargo goes by).
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(krate.join("src/main.rs"))
        .unwrap()
        .set_modified(later)
        .unwrap();

    let doc = common::run(
        common::slim()
            .current_dir(&krate)
            .args(["size", "--message-format", "json", "--runtime"])
            .args(["provided.al2023", "--target", TRIPLE, "--target-dir"])
            .arg(&target_dir),
    )
    .success()
    .stderr_has("may be stale (src/main.rs changed")
    .stderr_has(&format!(
        "cargo slim build --target-dir {} --target {TRIPLE} --bin hello --runtime \
         provided.al2 --opt-level s",
        target_dir.display()
    ))
    .stderr_lacks("Compiling")
    .stderr_lacks("Building")
    .json();
    assert_eq!(doc["path"], s(&built.full));
    for (path, old) in files.iter().zip(&before) {
        assert!(
            &std::fs::read(path).unwrap() == old,
            "{} was replaced",
            path.display()
        );
    }
}
