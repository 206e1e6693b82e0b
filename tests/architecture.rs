//! The shape of `src/`, read from its source: which module imports which.
//!
//! Every path that names a crate item (`crate::…`, `super::…`, `self::…`, a
//! child module declared in the file, a re-export of the crate root) is
//! resolved to the file that defines the module it goes through. Two checks
//! follow:
//!
//! - top-level modules form layers ([`LAYERS`]): a module imports only
//!   modules of lower layers, never one of its own layer or above;
//! - files form no import cycle, inside a module or across modules.
//!
//! And a file of `src/` over [`LONG_FILE`] lines says why in its header.
//!
//! The test reads text, not the compiler's resolution: a path written in a
//! comment does not count, and a macro that builds a path would be missed
//! (there is none). `rcx` (`src/bin`) sits above every layer.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom up; modules on one line are peers and
/// do not import each other.
const LAYERS: &[&[&str]] = &[
    &["position", "option"],
    &["diagnostic"],
    &["error"],
    &["model"],
    &["progress", "runs"],
    &["read"],
    &["window"],
    &["sort"],
    &["validate", "pulls"],
    &["rollup", "timeline"],
    &["calls"],
    &["inspect"],
    &["write"],
    &["convert"],
    &["gen"],
    &["doc"],
];

/// Edges that break the layering today, each to be removed (issue 15).
/// The test fails if one is missing from the code, so the list only shrinks.
const KNOWN_UPWARD: &[(&str, &str)] = &[];

/// File-level import cycles today, by their smallest file (issue 15).
const KNOWN_CYCLES: &[&[&str]] = &[];

/// Past this many lines a file states why in its first comment lines.
const LONG_FILE: usize = 700;

/// The words a long file's header uses to say why.
const LONG_REASON: &str = "Longer than 700 lines";

struct Module {
    /// `rollup::engine` for `src/rollup/engine.rs`; "" for `src/lib.rs`.
    path: String,
    /// The file's text with comments removed.
    code: String,
    /// Child modules it declares.
    children: BTreeSet<String>,
    lines: usize,
    header: String,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().unwrap() != "bin" {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Removes `//` comments (doc comments included) and the contents of string
/// literals, so paths in prose or messages do not count.
fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_str {
                if c == '"' && prev != '\\' {
                    in_str = false;
                    out.push('"');
                }
                prev = if prev == '\\' && c == '\\' { ' ' } else { c };
                continue;
            }
            if c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\'' {
                in_str = true;
            }
            out.push(c);
            prev = c;
        }
        out.push('\n');
    }
    out
}

fn module_path(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

fn load() -> BTreeMap<String, Module> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut mods = BTreeMap::new();
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let code = strip(&text);
        let mut children = BTreeSet::new();
        for line in code.lines() {
            let t = line.trim_start();
            let t = t.strip_prefix("pub(crate) ").unwrap_or(t);
            let t = t.strip_prefix("pub ").unwrap_or(t);
            if let Some(rest) = t.strip_prefix("mod ") {
                if let Some(name) = rest.strip_suffix(';') {
                    children.insert(name.trim().to_string());
                }
            }
        }
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let path = module_path(&f);
        mods.insert(
            path.clone(),
            Module {
                path,
                lines: text.lines().count(),
                code,
                children,
                header,
            },
        );
    }
    mods
}

/// Names the crate root re-exports, with the module each comes from.
fn root_reexports(mods: &BTreeMap<String, Module>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let code = &mods[""].code;
    let mut rest = code.as_str();
    while let Some(i) = rest.find("pub use ") {
        let stmt = &rest[i + 8..];
        let end = stmt.find(';').unwrap();
        let stmt = &stmt[..end];
        let (module, names) = stmt.split_once("::").unwrap();
        for name in names.split(|c: char| !c.is_alphanumeric() && c != '_') {
            if !name.is_empty() {
                map.insert(name.to_string(), module.to_string());
            }
        }
        rest = &rest[i + 8 + end..];
    }
    map
}

/// Every path starting at a position where an identifier begins, read as
/// `a::b::c` segments; `use x::{a, b::c}` groups are expanded.
fn paths(code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        if ident(bytes[i]) && (i == 0 || !(ident(bytes[i - 1]) || bytes[i - 1] == b':')) {
            let start = i;
            while i < bytes.len() && (ident(bytes[i]) || bytes[i] == b':') {
                i += 1;
            }
            let text = &code[start..i];
            if text.contains("::") {
                let mut segs: Vec<String> = text
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                if text.ends_with("::") && bytes.get(i) == Some(&b'{') {
                    // A group: each top-level item is a path under the prefix.
                    let close = group_end(code, i);
                    for item in split_top(&code[i + 1..close]) {
                        for mut p in paths(&format!(" {item} ")) {
                            let mut full = segs.clone();
                            full.append(&mut p);
                            out.push(full);
                        }
                        let item = item.trim();
                        if !item.contains("::") && !item.is_empty() {
                            let name = item.split_whitespace().next().unwrap().to_string();
                            let mut full = segs.clone();
                            full.push(name);
                            out.push(full);
                        }
                    }
                    i = close;
                } else {
                    out.push(std::mem::take(&mut segs));
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

fn group_end(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (j, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + j;
                }
            }
            _ => {}
        }
    }
    code.len()
}

fn split_top(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (j, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
}

/// The module file a path from `from` goes through, if it names the crate.
fn resolve(
    mods: &BTreeMap<String, Module>,
    roots: &BTreeMap<String, String>,
    from: &Module,
    segs: &[String],
) -> Option<String> {
    let mut base: Vec<String> = if from.path.is_empty() {
        Vec::new()
    } else {
        from.path.split("::").map(str::to_string).collect()
    };
    let mut rest = segs;
    match segs.first().map(String::as_str)? {
        "crate" => {
            base.clear();
            rest = &segs[1..];
            if let Some(first) = rest.first() {
                if let Some(m) = roots.get(first) {
                    if !mods.contains_key(first) {
                        return Some(m.clone());
                    }
                }
            }
        }
        "super" => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        "self" => rest = &segs[1..],
        first if from.children.contains(first) => {}
        _ => return None,
    }
    // The longest prefix that is a module file.
    let mut best = base.join("::");
    let mut cur = base;
    for s in rest {
        cur.push(s.clone());
        let p = cur.join("::");
        if mods.contains_key(&p) {
            best = p;
        } else {
            break;
        }
    }
    Some(best)
}

fn top(path: &str) -> &str {
    path.split("::").next().unwrap()
}

fn file_edges(mods: &BTreeMap<String, Module>) -> BTreeMap<String, BTreeSet<String>> {
    let roots = root_reexports(mods);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in mods.values() {
        let e = edges.entry(m.path.clone()).or_default();
        for p in paths(&m.code) {
            if let Some(to) = resolve(mods, &roots, m, &p) {
                // A module's own declarations (`mod x;` and its re-exports)
                // are not imports of the parent by the child.
                if to != m.path && !to.is_empty() {
                    e.insert(to);
                }
            }
        }
    }
    edges
}

fn rank(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("src/{module} is in no layer of tests/architecture.rs"))
}

#[test]
fn top_level_modules_import_only_lower_layers() {
    let mods = load();
    let mut upward = BTreeSet::new();
    for (from, tos) in file_edges(&mods) {
        if from.is_empty() {
            continue;
        }
        for to in tos {
            let (a, b) = (top(&from), top(&to));
            if a != b && rank(a) <= rank(b) {
                upward.insert((a.to_string(), b.to_string(), format!("{from} -> {to}")));
            }
        }
    }
    let found: BTreeSet<(String, String)> = upward
        .iter()
        .map(|(a, b, _)| (a.clone(), b.clone()))
        .collect();
    let known: BTreeSet<(String, String)> = KNOWN_UPWARD
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let detail: Vec<&String> = upward.iter().map(|(_, _, d)| d).collect();
    assert_eq!(
        found, known,
        "imports that point up or sideways (layers in tests/architecture.rs): {detail:#?}"
    );
}

/// Tarjan's strongly connected components of more than one file.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on.insert(v);
        if let Some(ws) = s.edges.get(v) {
            for w in ws {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let l = s.low[w].min(s.low[v]);
                    s.low.insert(v, l);
                } else if s.on.contains(w) {
                    let l = s.index[w].min(s.low[v]);
                    s.low.insert(v, l);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// Edges from a module's `mod.rs` to its own children are declarations and
/// re-exports, not imports; leaving them out keeps a parent that re-exports
/// a child, used by that child's sibling, from counting as a cycle.
fn import_edges(mods: &BTreeMap<String, Module>) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = file_edges(mods);
    for (from, tos) in edges.iter_mut() {
        let prefix = format!("{from}::");
        tos.retain(|to| from.is_empty() || !to.starts_with(&prefix));
    }
    edges.remove("");
    edges
}

#[test]
fn files_import_each_other_in_no_cycle() {
    let mods = load();
    let found = cycles(&import_edges(&mods));
    let known: Vec<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(
        found, known,
        "files of src/ that import each other in a cycle"
    );
}

#[test]
fn long_files_say_why() {
    let mods = load();
    let mut unexplained: Vec<String> = mods
        .values()
        .filter(|m| m.lines > LONG_FILE && !m.header.contains(LONG_REASON))
        .map(|m| format!("{} ({} lines)", m.path, m.lines))
        .collect();
    unexplained.sort();
    let known: Vec<String> = KNOWN_LONG.iter().map(|s| s.to_string()).collect();
    let found: Vec<String> = unexplained
        .iter()
        .map(|s| s.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(
        found, known,
        "files over {LONG_FILE} lines whose header does not say \"{LONG_REASON}\": {unexplained:?}"
    );
}

/// Long files without a stated reason today (issue 15).
const KNOWN_LONG: &[&str] = &[];

#[test]
fn the_checker_sees_imports() {
    // The checker itself: a path through a group, a root re-export, a
    // `super::` path and a child module all resolve.
    let mods = load();
    let edges = file_edges(&mods);
    assert!(edges["read"].contains("model"), "{:?}", edges["read"]);
    assert!(
        edges["error"].contains("diagnostic"),
        "{:?}",
        edges["error"]
    );
    assert!(
        edges["rollup"].iter().any(|t| t.starts_with("rollup::")),
        "{:?}",
        edges["rollup"]
    );
    let segs = |s: &str| -> Vec<String> { s.split("::").map(str::to_string).collect() };
    let roots = root_reexports(&mods);
    let engine = &mods["rollup::engine"];
    assert_eq!(
        resolve(&mods, &roots, engine, &segs("super::accum::Accumulator")).as_deref(),
        Some("rollup::accum")
    );
    assert_eq!(
        resolve(&mods, &roots, engine, &segs("crate::Error")).as_deref(),
        Some("error")
    );
    let group = paths("use crate::{model::{Field, QueueRow}, Error};");
    assert!(group.contains(&segs("crate::model::Field")), "{group:?}");
    assert!(group.contains(&segs("crate::Error")), "{group:?}");
}

/// String literals of library code that spell something like a flag but
/// are no `rcx` flag, or are left for later; each is `(module, text)`. The
/// test fails when one is no longer in the code, so the list only shrinks.
const FLAG_LIKE_ALLOWED: &[(&str, &str)] = &[];

/// The string literals of a Rust source (plain, raw and byte strings, with
/// escapes left as written); comments and char literals are skipped.
fn string_literals(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                i = end;
            }
            b'\'' => {
                // A char literal ('x', '\n', '"') or a lifetime ('a).
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else {
                    let c = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    if text[i + 1 + c..].starts_with('\'') {
                        i += 2 + c;
                    } else {
                        i += 1;
                    }
                }
            }
            b'r' if (i == 0 || !ident(b[i - 1])) && matches!(b.get(i + 1), Some(b'"' | b'#')) => {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let start = i + 2 + hashes;
                let close = format!("\"{}", "#".repeat(hashes));
                let end = text[start..].find(&close).map_or(b.len(), |e| start + e);
                out.push(text[start..end].to_string());
                i = end + close.len();
            }
            b'"' => {
                let start = i + 1;
                i = start;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push(text[start..i.min(b.len())].to_string());
                i += 1;
            }
            c if ident(c) => {
                while i < b.len() && ident(b[i]) {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// `text` without its `#[cfg_attr(feature = "cli", …)]` attributes: the
/// clap attributes on library enums (`value(help = "…")`) are `rcx`'s help,
/// which spells flags on purpose.
fn without_cli_attributes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("#[cfg_attr(") {
        out.push_str(&rest[..i]);
        let attr = &rest[i..];
        let args = attr["#[cfg_attr(".len()..].trim_start();
        if !args.starts_with("feature = \"cli\"") {
            out.push_str("#[");
            rest = &attr[2..];
            continue;
        }
        // The matching `]`, outside string literals.
        let (mut depth, mut in_str, mut prev) = (0i32, false, ' ');
        let mut end = attr.len();
        for (j, c) in attr.char_indices() {
            match c {
                '"' if prev != '\\' => in_str = !in_str,
                '[' if !in_str => depth += 1,
                ']' if !in_str => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
        }
        rest = &attr[end..];
    }
    out.push_str(rest);
    out
}

/// Where a text spells a flag: `--` and a lowercase letter, not part of a
/// longer run of dashes.
fn spells_flag(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(2)).any(|i| {
        b[i] == b'-'
            && b[i + 1] == b'-'
            && b[i + 2].is_ascii_lowercase()
            && (i == 0 || b[i - 1] != b'-')
    })
}

/// Library texts name options the library's way (`OptionName`:
/// `` `columns` ``); only `rcx` (`src/bin`) spells flags (`--columns`).
/// `src/doc` (the tutorial, which shows `rcx` on purpose) and the clap
/// help attributes of library enums are not read.
#[test]
fn library_texts_spell_no_flag() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = Vec::new();
    let mut allowed_seen = BTreeSet::new();
    for f in files {
        let module = module_path(&f);
        if module == "doc" || module.starts_with("doc::") {
            continue;
        }
        let text = without_cli_attributes(&fs::read_to_string(&f).unwrap());
        for lit in string_literals(&text) {
            if !spells_flag(&lit) {
                continue;
            }
            match FLAG_LIKE_ALLOWED
                .iter()
                .find(|(m, t)| *m == top(&module) && lit.contains(t))
            {
                Some(a) => {
                    allowed_seen.insert(*a);
                }
                None => found.push(format!("{}: {lit:?}", f.display())),
            }
        }
    }
    assert!(
        found.is_empty(),
        "library texts that spell a command-line flag (name the option with \
         `OptionName` instead):\n{}",
        found.join("\n")
    );
    for a in FLAG_LIKE_ALLOWED {
        assert!(
            allowed_seen.contains(a),
            "{a:?} is allowed but no longer in the code: remove it from FLAG_LIKE_ALLOWED"
        );
    }
}

#[test]
fn the_literal_reader_finds_what_a_flag_check_needs() {
    let src = r###"
        // "--in-a-comment"
        /* "--in-a-block" */
        let c = '"'; let l: &'a str = "plain --flag";
        let r = r#"raw "--quoted" text"#; let e = "esc \" --after";
        let d = "-- not a flag"; let s = "x---y";
    "###;
    let lits = string_literals(src);
    assert_eq!(
        lits,
        [
            "plain --flag",
            "raw \"--quoted\" text",
            "esc \\\" --after",
            "-- not a flag",
            "x---y"
        ]
    );
    let flagged: Vec<bool> = lits.iter().map(|l| spells_flag(l)).collect();
    assert_eq!(flagged, [true, true, true, false, false]);
    let attrs = r#"
        #[cfg_attr(
            feature = "cli",
            value(help = "Per group (needs --groups [FILE])")
        )]
        #[cfg_attr(not(feature = "json"), allow(dead_code))]
        A, "--after"
    "#;
    assert_eq!(
        string_literals(&without_cli_attributes(attrs)),
        ["json", "--after"]
    );
}
