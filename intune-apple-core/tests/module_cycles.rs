//! The modules of the core use each other in one direction only (`ARCHITECTURE.md`, "Modules of
//! the core"): this test reads the sources under `src/`, collects the paths each file names
//! (`use crate::…`, `use super::…`, `crate::x::` and `super::` in code, a child module named
//! without `self::`), and fails naming the cycle when the modules use each other in a ring.
//!
//! Two graphs are checked: the top-level modules of the core (`graph`, `model`, `rules`, ...),
//! and the files of `graph/` (a directory below it, such as `credentials/`, counts as one).
//! A name re-exported by `lib.rs` or `graph/mod.rs` counts as a use of the module that defines
//! it, so that going through the facade neither hides nor invents a dependency.
//!
//! It is a text scan of our own sources, not a parser: comments, strings and character
//! literals are blanked first, and code under `#[cfg(test)]` is skipped (a test may use any
//! module to build its fixtures).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path inside the crate: `["graph", "client"]` for `src/graph/client.rs`.
type ModPath = Vec<String>;

/// One source file: its module path and its tokens.
struct Source {
    file: String,
    module: ModPath,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// A path the file names, resolved to the module path it starts from, with where it is.
struct Use {
    path: ModPath,
    /// The name the path brings in (its last segment, or the `as` name).
    name: Option<String>,
    line: usize,
}

fn src_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/graph/client.rs` is `graph::client`, `src/graph/mod.rs` is `graph`, `src/lib.rs` the root.
fn module_of(rel: &Path) -> ModPath {
    let mut parts: ModPath = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !(stem == "mod" || (parts.is_empty() && stem == "lib")) {
        parts.push(stem.to_string());
    }
    parts
}

/// The text with comments, string literals and character literals replaced by spaces (line
/// breaks kept, so that line numbers stay right).
fn blank(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let keep = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(keep(c[i]));
                    i += 1;
                }
            }
        } else if c[i] == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_'))
        {
            // A raw string: r"...", r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= c.len() {
                    break;
                }
                if c[j] == '"' && (0..hashes).all(|k| c.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &c[i..j.min(c.len())] {
                out.push(keep(ch));
            }
            i = j;
        } else if c[i] == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            for &ch in &c[i..(j + 1).min(c.len())] {
                out.push(keep(ch));
            }
            i = j + 1;
        } else if c[i] == '\'' {
            // A character literal ('x', '\n', '\u{1F600}'); otherwise a lifetime.
            let end = if next == Some('\\') {
                (i + 3..c.len().min(i + 12)).find(|&j| c[j] == '\'')
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            if let Some(end) = end {
                for _ in i..=end {
                    out.push(' ');
                }
                i = end + 1;
            } else {
                out.push(c[i]);
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn tokenize(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            tokens.push(Token {
                tok: Tok::Ident(c[start..i].iter().collect()),
                line,
            });
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            tokens.push(Token {
                tok: Tok::PathSep,
                line,
            });
            i += 2;
        } else {
            tokens.push(Token {
                tok: Tok::Punct(ch),
                line,
            });
            i += 1;
        }
    }
    tokens
}

fn ident(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

fn punct(t: Option<&Token>, p: char) -> bool {
    t.is_some_and(|t| t.tok == Tok::Punct(p))
}

fn sep(t: Option<&Token>) -> bool {
    t.is_some_and(|t| t.tok == Tok::PathSep)
}

/// Whether `tokens[i..]` starts with `#[cfg(test)]`.
fn is_cfg_test(tokens: &[Token], i: usize) -> bool {
    punct(tokens.get(i), '#')
        && punct(tokens.get(i + 1), '[')
        && ident(tokens.get(i + 2)) == Some("cfg")
        && punct(tokens.get(i + 3), '(')
        && ident(tokens.get(i + 4)) == Some("test")
        && punct(tokens.get(i + 5), ')')
        && punct(tokens.get(i + 6), ']')
}

/// The index after the item starting at `i`: after its `;`, or after the `}` matching its first
/// `{` (a `use` item ends at its `;` even with braces in it).
fn skip_item(tokens: &[Token], mut i: usize) -> usize {
    let is_use = tokens[i..]
        .iter()
        .take_while(|t| !matches!(t.tok, Tok::Punct(';' | '{')))
        .any(|t| t.tok == Tok::Ident("use".into()));
    let mut depth = 0usize;
    while i < tokens.len() {
        match tokens[i].tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 && !is_use {
                    return i + 1;
                }
            }
            Tok::Punct(';') if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Parses the use tree at `tokens[*i..]` under `prefix`, pushing every path it names.
fn use_tree(
    tokens: &[Token],
    i: &mut usize,
    prefix: &[String],
    out: &mut Vec<(ModPath, Option<String>, usize)>,
) {
    let mut path = prefix.to_vec();
    loop {
        let line = tokens.get(*i).map_or(0, |t| t.line);
        if punct(tokens.get(*i), '{') {
            *i += 1;
            while *i < tokens.len() && !punct(tokens.get(*i), '}') {
                use_tree(tokens, i, &path, out);
                if punct(tokens.get(*i), ',') {
                    *i += 1;
                }
            }
            *i += 1;
            return;
        }
        if punct(tokens.get(*i), '*') {
            *i += 1;
            out.push((path, None, line));
            return;
        }
        let Some(name) = ident(tokens.get(*i)) else {
            return;
        };
        let name = name.to_string();
        *i += 1;
        if sep(tokens.get(*i)) {
            path.push(name);
            *i += 1;
            continue;
        }
        let mut imported = name.clone();
        if name != "self" {
            path.push(name);
        } else if let Some(last) = path.last() {
            imported.clone_from(last);
        }
        if ident(tokens.get(*i)) == Some("as") {
            if let Some(alias) = ident(tokens.get(*i + 1)) {
                imported = alias.to_string();
            }
            *i += 2;
        }
        out.push((path, Some(imported), line));
        return;
    }
}

/// Resolves `path`, named in module `at`, to an absolute module path; `None` for paths outside
/// the crate (std, dependencies).
fn resolve(path: &[String], at: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let first = path.first()?;
    let mut base: ModPath = match first.as_str() {
        "crate" => Vec::new(),
        "self" => at.to_vec(),
        "super" => {
            let mut b = at.to_vec();
            b.pop();
            b
        }
        _ => {
            // A child module named without `self::` (2018 paths).
            let mut child = at.to_vec();
            child.push(first.clone());
            if !modules.contains(&child) {
                return None;
            }
            return Some([at, path].concat());
        }
    };
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Every path a file names, with the module each one is named in.
fn uses(source: &Source, modules: &BTreeSet<ModPath>) -> Vec<Use> {
    let t = &source.tokens;
    let mut found = Vec::new();
    // The inline modules open at each brace depth (`None` for other braces).
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let at: ModPath = source
            .module
            .iter()
            .cloned()
            .chain(stack.iter().flatten().cloned())
            .collect();
        if is_cfg_test(t, i) {
            i = skip_item(t, i + 7);
            continue;
        }
        match &t[i].tok {
            Tok::Punct('{') => {
                let inline = (i >= 2 && ident(t.get(i - 2)) == Some("mod"))
                    .then(|| ident(t.get(i - 1)).map(str::to_string))
                    .flatten();
                stack.push(inline);
                i += 1;
            }
            Tok::Punct('}') => {
                stack.pop();
                i += 1;
            }
            Tok::Ident(kw) if kw == "use" => {
                i += 1;
                let mut trees = Vec::new();
                use_tree(t, &mut i, &[], &mut trees);
                for (path, name, line) in trees {
                    if let Some(path) = resolve(&path, &at, modules) {
                        found.push(Use { path, name, line });
                    }
                }
            }
            Tok::Ident(kw)
                if matches!(kw.as_str(), "crate" | "super" | "self")
                    && sep(t.get(i + 1))
                    && !punct(t.get(i.wrapping_sub(1)), '$')
                    && ident(t.get(i.wrapping_sub(1))) != Some("in") =>
            {
                let line = t[i].line;
                let mut path = vec![kw.clone()];
                i += 1;
                while sep(t.get(i)) {
                    let Some(name) = ident(t.get(i + 1)) else {
                        break;
                    };
                    path.push(name.to_string());
                    i += 2;
                }
                if let Some(path) = resolve(&path, &at, modules) {
                    found.push(Use {
                        path,
                        name: None,
                        line,
                    });
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// One graph: the modules directly below `level` (a file, or a directory as one), and which
/// uses which, with the first place each use is seen.
type Edges = BTreeMap<String, BTreeMap<String, String>>;

/// The module directly below `level` that `path` lands in: through the facade's re-exports
/// (`exports`: name to module) when the path names an item of the facade, [`facade`] for the
/// facade's own items. `None` when the path is not below `level`.
fn node(
    path: &[String],
    level: &[String],
    children: &BTreeSet<String>,
    exports: &BTreeMap<String, String>,
) -> Option<String> {
    if !path.starts_with(level) {
        return None;
    }
    let Some(next) = path.get(level.len()) else {
        return Some(facade(level));
    };
    if children.contains(next) {
        return Some(next.clone());
    }
    Some(exports.get(next).cloned().unwrap_or_else(|| facade(level)))
}

/// The name of the file above the modules of `level`: `lib.rs` for the crate, `mod.rs` below.
fn facade(level: &[String]) -> String {
    if level.is_empty() { "lib.rs" } else { "mod.rs" }.to_string()
}

fn edges_at(level: &[&str], sources: &[Source], modules: &BTreeSet<ModPath>) -> Edges {
    let level: ModPath = level.iter().map(|s| (*s).to_string()).collect();
    let children: BTreeSet<String> = modules
        .iter()
        .filter(|m| m.len() == level.len() + 1 && m.starts_with(&level))
        .map(|m| m[level.len()].clone())
        .collect();
    let no_exports = BTreeMap::new();
    // What the facade (`lib.rs`, `mod.rs`) re-exports, by the name it brings in.
    let mut exports = BTreeMap::new();
    for s in sources.iter().filter(|s| s.module == level) {
        for u in uses(s, modules) {
            if let (Some(name), Some(child)) =
                (u.name, node(&u.path, &level, &children, &no_exports))
            {
                if child != facade(&level) {
                    exports.insert(name, child);
                }
            }
        }
    }
    let mut edges = Edges::new();
    for s in sources {
        let Some(from) = node(&s.module, &level, &children, &no_exports) else {
            continue;
        };
        for u in uses(s, modules) {
            let Some(to) = node(&u.path, &level, &children, &exports) else {
                continue;
            };
            if to != from {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| format!("{}:{}", s.file, u.line));
            }
        }
    }
    edges
}

/// A cycle of `edges`, as the modules in order with the place of each use, if there is one.
fn find_cycle(edges: &Edges) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &Edges,
        state: &mut BTreeMap<String, u8>,
        trail: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        trail.push(n.to_string());
        for (m, _) in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let start = trail.iter().position(|x| x == m).unwrap_or(0);
                    let mut ring: Vec<String> = trail[start..].to_vec();
                    ring.push(m.clone());
                    return Some(ring);
                }
                Some(_) => {}
                None => {
                    if let Some(ring) = visit(m, edges, state, trail) {
                        return Some(ring);
                    }
                }
            }
        }
        trail.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n.as_str()) {
            if let Some(ring) = visit(n, edges, &mut state, &mut Vec::new()) {
                return Some(ring);
            }
        }
    }
    None
}

fn describe(ring: &[String], edges: &Edges) -> String {
    ring.windows(2)
        .map(|w| format!("{} uses {} ({})", w[0], w[1], edges[&w[0]][&w[1]]))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sources() -> (Vec<Source>, BTreeSet<ModPath>) {
    let root = src_dir();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let sources: Vec<Source> = files
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap_or(p);
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            Source {
                file: format!("src/{}", rel.display()),
                module: module_of(rel),
                tokens: tokenize(&blank(&text)),
            }
        })
        .collect();
    let modules = sources.iter().map(|s| s.module.clone()).collect();
    (sources, modules)
}

fn assert_no_cycle(level: &[&str]) {
    let (sources, modules) = sources();
    let edges = edges_at(level, &sources, &modules);
    assert!(
        edges.len() > 2,
        "the scan found almost no uses at {level:?}: {edges:?}"
    );
    if std::env::var_os("INTUNE_APPLE_PRINT_MODULES").is_some() {
        for (from, to) in &edges {
            eprintln!("{from} -> {:?}", to.keys().collect::<Vec<_>>());
        }
    }
    if let Some(ring) = find_cycle(&edges) {
        panic!(
            "the modules of {} use each other in a ring: {}; move what they share into a module below both (ARCHITECTURE.md, \"Modules of the core\")",
            if level.is_empty() { "the core".to_string() } else { level.join("::") },
            describe(&ring, &edges)
        );
    }
}

#[test]
fn the_top_level_modules_of_the_core_have_no_cycle() {
    assert_no_cycle(&[]);
}

/// Which top-level module may use which (ARCHITECTURE.md, "Modules of the core"); `lib.rs` may
/// re-export any.
const MAY_USE: &[(&str, &[&str])] = &[
    ("clock", &[]),
    ("secret", &[]),
    ("pem", &[]),
    ("odata", &[]),
    ("describe", &["secret", "odata"]),
    ("model", &["secret", "describe", "odata"]),
    ("rules", &["model", "secret", "describe"]),
    ("files", &["model", "secret", "pem"]),
    ("graph", &["model", "rules", "clock", "secret", "pem"]),
    ("abm", &["model", "graph", "clock", "secret", "pem"]),
    (
        "workflows",
        &[
            "model", "rules", "files", "graph", "abm", "clock", "secret", "pem", "describe",
        ],
    ),
    (
        "manifest",
        &["workflows", "graph", "model", "rules", "describe"],
    ),
    ("fuzzing", &["graph"]),
];

#[test]
fn the_top_level_modules_use_only_what_architecture_md_allows() {
    let (sources, modules) = sources();
    let edges = edges_at(&[], &sources, &modules);
    let mut refused = Vec::new();
    for (from, to) in &edges {
        if from == "lib.rs" {
            continue;
        }
        let allowed = MAY_USE.iter().find(|(m, _)| m == from).map(|(_, a)| *a);
        for (used, place) in to {
            if !allowed.is_some_and(|a| a.contains(&used.as_str())) {
                refused.push(format!("{from} uses {used} ({place})"));
            }
        }
    }
    assert!(
        refused.is_empty(),
        "uses that ARCHITECTURE.md does not allow (change the code, or the table there and MAY_USE here): {}",
        refused.join(", ")
    );
}

#[test]
fn the_files_of_graph_have_no_cycle() {
    assert_no_cycle(&["graph"]);
}

#[test]
fn the_scan_sees_uses_and_skips_comments_strings_and_tests() {
    let text = "use crate::model::{self, Entity as E};\n// use crate::rules::x;\nconst S: &str = \"crate::files::y\";\nfn f<'a>(c: char) { let _ = 'x'; super::retry::go(); }\n#[cfg(test)]\nmod tests { use crate::workflows::Z; }\n";
    let source = Source {
        file: "src/graph/client.rs".into(),
        module: vec!["graph".into(), "client".into()],
        tokens: tokenize(&blank(text)),
    };
    let modules: BTreeSet<ModPath> = [vec!["graph".to_string()]].into_iter().collect();
    let found: Vec<String> = uses(&source, &modules)
        .iter()
        .map(|u| u.path.join("::"))
        .collect();
    assert_eq!(found, ["model", "model::Entity", "graph::retry::go"]);
}

#[test]
fn a_ring_is_found_and_named() {
    let mut edges = Edges::new();
    for (a, b) in [
        ("client", "paging"),
        ("paging", "error"),
        ("error", "client"),
    ] {
        edges
            .entry(a.into())
            .or_default()
            .insert(b.into(), format!("src/graph/{a}.rs:1"));
    }
    let ring = find_cycle(&edges).unwrap();
    assert_eq!(ring, ["client", "paging", "error", "client"]);
    assert!(describe(&ring, &edges).contains("error uses client (src/graph/error.rs:1)"));
    edges.get_mut("error").unwrap().clear();
    assert_eq!(find_cycle(&edges), None);
}
