//! The architecture step of `cargo xtask test`: each crate's modules form the
//! layers `docs/architecture.md` describes, with no import cycle.
//!
//! A module's imports are the `crate::…`, `super::…` and `self::…` paths in
//! its file: in `use` trees and written inline, outside comments (and inside
//! strings only as a whole `"crate::…"` path, as serde attributes name
//! functions). Each path is resolved to the deepest module file it reaches,
//! and the edge is checked against the crate's [`Rule`]s. Imports made only
//! by test code (`#[cfg(test)]` modules) may also reach the crate's test
//! fixtures; the cycle check counts only the code that ships.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// One layer of a crate: the modules under `module` (`""` is the crate
/// root) and the layers they may import.
pub struct Rule {
    pub module: &'static str,
    /// Other rules' `module`s this layer may import; `"*"`: any.
    pub may_import: &'static [&'static str],
    /// The modules directly below `module` are separate areas (pages, HTTP
    /// handlers) that must not import one another.
    pub areas: bool,
}

pub struct CrateRules {
    pub name: &'static str,
    /// The crate's root file, relative to the workspace.
    pub root: &'static str,
    /// Empty: only the cycle check applies.
    pub rules: &'static [Rule],
    /// Modules (test code included) that test code anywhere may import.
    pub fixtures: &'static [&'static str],
    /// Where SQL may be written (`sqlx::query…`); empty: anywhere.
    pub sql_only_in: &'static [&'static str],
}

const fn layer(module: &'static str, may_import: &'static [&'static str]) -> Rule {
    Rule {
        module,
        may_import,
        areas: false,
    }
}

const fn areas(module: &'static str, may_import: &'static [&'static str]) -> Rule {
    Rule {
        module,
        may_import,
        areas: true,
    }
}

/// The rules, as `docs/architecture.md` draws them.
pub const WORKSPACE: &[CrateRules] = &[
    CrateRules {
        name: "roster-core",
        root: "crates/core/src/lib.rs",
        rules: &[
            layer("", &["*"]),
            layer(
                "capabilities",
                &["assignment", "permission", "role", "wire"],
            ),
            layer("audit", &["audit_filter", "csv", "wire"]),
            layer(
                "bulk",
                &["capabilities", "assignment", "permission", "role", "wire"],
            ),
            layer("membership_header", &["capabilities", "permission", "role"]),
            layer("invitation", &["validate", "role", "wire"]),
            layer("assignment", &["permission", "wire"]),
            layer("validate", &["permission"]),
            layer("wire", &["permission", "role", "timestamp"]),
            layer("audit_filter", &[]),
            layer("csv", &[]),
            layer("permission", &[]),
            layer("protocol", &[]),
            layer("role", &[]),
            layer("timestamp", &[]),
        ],
        fixtures: &[],
        sql_only_in: &[],
    },
    CrateRules {
        name: "roster-server",
        root: "crates/server/src/lib.rs",
        rules: &[
            layer("", &["*"]),
            layer("cli", &["config"]),
            // The router (http/mod.rs) and the handlers, one area per resource.
            areas(
                "http",
                &[
                    "http::access",
                    "http::audit_trail",
                    "http::context",
                    "http::extract",
                    "http::openapi",
                    "state",
                    "services",
                    "auth",
                    "audit",
                    "config",
                    "cooldown",
                    "error",
                    "list_cache",
                    "regions",
                ],
            ),
            // What the handlers share: extractors, the access table and its
            // gate, the audit middleware, the OpenAPI document.
            layer(
                "http::access",
                &[
                    "http::context",
                    "http::extract",
                    "state",
                    "auth",
                    "audit",
                    "error",
                ],
            ),
            layer(
                "http::audit_trail",
                &[
                    "http::access",
                    "http::extract",
                    "state",
                    "services",
                    "store",
                    "audit",
                    "error",
                ],
            ),
            layer(
                "http::context",
                &[
                    "http::extract",
                    "state",
                    "services",
                    "store",
                    "auth",
                    "audit",
                    "error",
                ],
            ),
            layer(
                "http::extract",
                &["state", "services", "auth", "audit", "config", "error"],
            ),
            layer("http::openapi", &["http::access", "regions"]),
            layer("spa", &["config", "error"]),
            layer(
                "state",
                &[
                    "services",
                    "store",
                    "db",
                    "auth",
                    "audit",
                    "config",
                    "cooldown",
                    "error",
                    "list_cache",
                    "regions",
                ],
            ),
            layer(
                "services",
                &[
                    "store",
                    "db",
                    "auth",
                    "audit",
                    "config",
                    "cooldown",
                    "error",
                    "list_cache",
                    "regions",
                ],
            ),
            layer("store", &["db", "audit", "error", "list_cache"]),
            layer("db", &["error"]),
            // Leaves: pure parts, no SQL, no HTTP handling.
            layer("auth", &["config", "error"]),
            layer("audit", &["error"]),
            layer("config", &[]),
            layer("cooldown", &[]),
            layer("error", &[]),
            layer("list_cache", &[]),
            layer("regions", &[]),
        ],
        fixtures: &[],
        sql_only_in: &["store", "db"],
    },
    CrateRules {
        name: "roster (SPA)",
        root: "src/lib.rs",
        rules: &[
            layer("", &["*"]),
            // The routes: every page and the shell.
            layer(
                "app",
                &[
                    "pages",
                    "layout",
                    "components",
                    "state",
                    "api",
                    "auth",
                    "config",
                    "crash",
                    "dom",
                    "format",
                    "icons",
                    "routes",
                ],
            ),
            // One area per page: no page imports another.
            areas(
                "pages",
                &[
                    "components",
                    "state",
                    "api",
                    "auth",
                    "config",
                    "dom",
                    "format",
                    "icons",
                    "routes",
                ],
            ),
            layer(
                "layout",
                &[
                    "components",
                    "state",
                    "api",
                    "auth",
                    "config",
                    "dom",
                    "format",
                    "icons",
                    "routes",
                ],
            ),
            layer(
                "components",
                &[
                    "state", "api", "auth", "config", "dom", "format", "icons", "routes",
                ],
            ),
            layer(
                "state",
                &["api", "auth", "config", "dom", "format", "routes"],
            ),
            layer("api", &["auth", "config", "dom", "format", "routes"]),
            // Leaves.
            layer("auth", &["config", "routes"]),
            layer("crash", &["config"]),
            layer("config", &["routes"]),
            layer("dom", &[]),
            layer("format", &[]),
            layer("icons", &[]),
            layer("routes", &[]),
            // Test code only: fixtures and the browser helpers of wasm tests.
            layer("testing", &["dom"]),
        ],
        fixtures: &["testing"],
        sql_only_in: &[],
    },
    CrateRules {
        name: "roster-server's tests",
        root: "crates/server/tests/api/main.rs",
        rules: &[],
        fixtures: &[],
        sql_only_in: &[],
    },
    CrateRules {
        name: "roster-browser-tests",
        root: "tests/browser/main.rs",
        rules: &[],
        fixtures: &[],
        sql_only_in: &[],
    },
    CrateRules {
        name: "xtask",
        root: "xtask/src/main.rs",
        rules: &[],
        fixtures: &[],
        sql_only_in: &[],
    },
    CrateRules {
        name: "roster-bench",
        root: "bench/src/main.rs",
        rules: &[],
        fixtures: &[],
        sql_only_in: &[],
    },
];

/// Checks every crate of [`WORKSPACE`]; the error lists every violation.
pub fn check_workspace(root: &Path) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut summary = Vec::new();
    for rules in WORKSPACE {
        match load_crate(&root.join(rules.root)) {
            Ok(modules) => {
                let found = check_crate(rules, &modules);
                summary.push(format!(
                    "{}: {} modules, {} imports",
                    rules.name,
                    modules.len(),
                    modules.iter().map(|m| m.imports.len()).sum::<usize>()
                ));
                problems.extend(found.into_iter().map(|p| format!("{}: {p}", rules.name)));
            }
            Err(error) => problems.push(format!("{}: {error}", rules.name)),
        }
    }
    eprintln!("{}", summary.join("\n"));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} import(s) against docs/architecture.md:\n  {}",
            problems.len(),
            problems.join("\n  ")
        ))
    }
}

/// A module file and what it imports.
#[derive(Debug)]
pub struct Module {
    /// `a::b`; the crate root is `""`.
    pub path: String,
    pub imports: Vec<Import>,
    /// The file holds SQL (`sqlx::query…`).
    pub has_sql: bool,
    /// The whole module is test code (declared under `#[cfg(test)]`).
    pub test_only: bool,
    pub reexports: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The imported path, absolute (`a::b::Item`, no `crate::`).
    pub path: String,
    pub line: usize,
    /// Made by test code only.
    pub test: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    Unplaced {
        module: String,
    },
    Forbidden {
        from: String,
        to: String,
        line: usize,
        why: &'static str,
    },
    Cycle {
        modules: Vec<String>,
        /// The imports between them: (from, to, line).
        edges: Vec<(String, String, usize)>,
    },
    Sql {
        module: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unplaced { module } => {
                write!(f, "module `{module}` is in no layer: add it to the rules")
            }
            Problem::Forbidden {
                from,
                to,
                line,
                why,
            } => {
                let (from, to) = (shown(from), shown(to));
                write!(f, "`{from}` (line {line}) imports `{to}`: {why}")
            }
            Problem::Cycle { modules, edges } => {
                let modules: Vec<&str> = modules.iter().map(|m| shown(m)).collect();
                let edges: Vec<String> = edges
                    .iter()
                    .map(|(from, to, line)| {
                        format!("{} → {} (line {line})", shown(from), shown(to))
                    })
                    .collect();
                write!(
                    f,
                    "import cycle among: {} [{}]",
                    modules.join(", "),
                    edges.join("; ")
                )
            }
            Problem::Sql { module } => {
                write!(f, "`{module}` holds SQL, which belongs in the store")
            }
        }
    }
}

/// The crate root is `crate`.
fn shown(module: &str) -> &str {
    if module.is_empty() {
        "crate"
    } else {
        module
    }
}

/// Reads the crate whose root file is `root`: every `.rs` file beside it
/// and below, as modules.
pub fn load_crate(root: &Path) -> Result<Vec<Module>, String> {
    let dir = root.parent().ok_or("the root file has no directory")?;
    let mut files = Vec::new();
    collect_rs(dir, &mut files).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut modules = Vec::new();
    let mut test_only = BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(dir).unwrap_or(file);
        let Some(path) = module_path(relative, root) else {
            continue;
        };
        let source = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let parsed = parse(&path, &source);
        for child in &parsed.test_children {
            test_only.insert(join(&path, child));
        }
        modules.push(Module {
            path,
            imports: parsed.imports,
            has_sql: parsed.has_sql,
            test_only: false,
            reexports: parsed.reexports,
        });
    }
    for module in &mut modules {
        module.test_only = test_only
            .iter()
            .any(|t| module.path == *t || module.path.starts_with(&format!("{t}::")));
    }
    modules.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(modules)
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `http/members.rs` → `http::members`; the root file → `""`; another
/// crate root beside it (`main.rs` next to `lib.rs`) → none.
fn module_path(relative: &Path, root: &Path) -> Option<String> {
    let root_name = root.file_name()?;
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    if parts.is_empty() {
        if relative.as_os_str() == root_name {
            return Some(String::new());
        }
        if last == "main.rs" || last == "lib.rs" {
            return None;
        }
    }
    let stem = last.strip_suffix(".rs")?;
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    Some(parts.join("::"))
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}::{child}")
    }
}

fn parent_of(module: &str) -> String {
    module
        .rsplit_once("::")
        .map(|(p, _)| p.to_owned())
        .unwrap_or_default()
}

/// What one file says about its module.
#[derive(Debug, Default)]
pub struct Parsed {
    pub imports: Vec<Import>,
    /// `#[cfg(test)] mod x;` declarations: child modules that are test code.
    pub test_children: Vec<String>,
    pub has_sql: bool,
    /// `pub use` items of the file's own scope: name → absolute path. An
    /// import of a re-export is an import of what it re-exports.
    pub reexports: BTreeMap<String, String>,
}

/// Reads the imports of the file of `module`.
pub fn parse(module: &str, source: &str) -> Parsed {
    let (code, string_paths) = strip(source);
    let mut parsed = Parsed {
        has_sql: code.contains("sqlx::query") || code.contains("sqlx::raw_sql"),
        ..Parsed::default()
    };
    let tokens = tokenize(&code);
    // A path may start with a child module declared here (`mod child;`).
    let mut children: BTreeSet<String> = BTreeSet::new();
    for pair in tokens.windows(3) {
        if pair[0].0 == "mod" && pair[2].0 == ";" {
            children.insert(pair[1].0.clone());
        }
    }
    // The inline modules the cursor is in: (module path, test code, brace depth).
    let mut scopes: Vec<(String, bool, usize)> = vec![(module.to_owned(), false, 0)];
    let mut depth = 0usize;
    let mut pending_test_attr = false;
    let mut i = 0;
    while i < tokens.len() {
        let (token, line) = (&tokens[i].0, tokens[i].1);
        let (current, in_test, _) = scopes.last().cloned().unwrap_or_default();
        match token.as_str() {
            "#" if tokens.get(i + 1).is_some_and(|t| t.0 == "[") => {
                // An attribute: note `cfg(test)`-like ones, skip the rest.
                let end = matching(&tokens, i + 1, "[", "]");
                let text: String = tokens[i + 2..end].iter().map(|t| t.0.as_str()).collect();
                if text.starts_with("cfg(") && mentions_test(&text) {
                    pending_test_attr = true;
                }
                i = end + 1;
                continue;
            }
            "mod" => {
                if let (Some(name), Some(next)) = (tokens.get(i + 1), tokens.get(i + 2)) {
                    if next.0 == "{" {
                        depth += 1;
                        scopes.push((join(&current, &name.0), in_test || pending_test_attr, depth));
                        pending_test_attr = false;
                        i += 3;
                        continue;
                    }
                    if next.0 == ";" && scopes.len() == 1 {
                        children.insert(name.0.clone());
                        if pending_test_attr {
                            parsed.test_children.push(name.0.clone());
                        }
                    }
                }
                pending_test_attr = false;
            }
            "use" => {
                let end = (i..tokens.len())
                    .find(|&j| tokens[j].0 == ";")
                    .unwrap_or(tokens.len());
                let tree: Vec<&str> = tokens[i + 1..end].iter().map(|t| t.0.as_str()).collect();
                let public = i >= 1 && (tokens[i - 1].0 == "pub" || tokens[i - 1].0 == ")");
                for path in expand_use(&tree) {
                    let path = relative_to_child(&children, scopes.len(), path);
                    if let Some(absolute) = resolve(&current, &path) {
                        let name = absolute.rsplit("::").next().unwrap_or_default();
                        if public && scopes.len() == 1 && !tree.contains(&"as") {
                            parsed.reexports.insert(name.to_owned(), absolute.clone());
                        }
                        parsed.imports.push(Import {
                            path: absolute,
                            line,
                            test: in_test || pending_test_attr,
                        });
                    }
                }
                pending_test_attr = false;
                i = end + 1;
                continue;
            }
            name if scopes.len() == 1
                && children.contains(name)
                && tokens.get(i + 1).is_some_and(|t| t.0 == "::")
                && (i == 0 || tokens[i - 1].0 != "::") =>
            {
                let mut j = i;
                let mut segments = vec!["self"];
                while j < tokens.len() && is_ident(&tokens[j].0) {
                    segments.push(tokens[j].0.as_str());
                    if tokens.get(j + 1).is_some_and(|t| t.0 == "::") {
                        j += 2;
                    } else {
                        break;
                    }
                }
                if let Some(absolute) = resolve(&current, &segments.join("::")) {
                    parsed.imports.push(Import {
                        path: absolute,
                        line,
                        test: in_test,
                    });
                }
                i = j + 1;
                continue;
            }
            "crate" | "super" | "self" if tokens.get(i + 1).is_some_and(|t| t.0 == "::") => {
                let visibility = i >= 1 && tokens[i - 1].0 == "in";
                let mut j = i;
                let mut segments = Vec::new();
                while j < tokens.len() && is_ident(&tokens[j].0) {
                    segments.push(tokens[j].0.as_str());
                    if tokens.get(j + 1).is_some_and(|t| t.0 == "::") {
                        j += 2;
                    } else {
                        break;
                    }
                }
                if !visibility {
                    if let Some(absolute) = resolve(&current, &segments.join("::")) {
                        parsed.imports.push(Import {
                            path: absolute,
                            line,
                            test: in_test,
                        });
                    }
                }
                i = j + 1;
                continue;
            }
            "{" => depth += 1,
            "}" => {
                if scopes.len() > 1 && scopes.last().is_some_and(|s| s.2 == depth) {
                    scopes.pop();
                }
                depth = depth.saturating_sub(1);
            }
            ";" => pending_test_attr = false,
            "fn" | "impl" | "struct" | "enum" | "const" | "static" | "trait" | "type" => {
                pending_test_attr = false
            }
            _ => {}
        }
        i += 1;
    }
    for (path, line) in string_paths {
        let (current, _, _) = scopes[0].clone();
        if let Some(absolute) = resolve(&current, &path) {
            parsed.imports.push(Import {
                path: absolute,
                line,
                test: false,
            });
        }
    }
    parsed
}

/// `child::x` written in the file that declares `mod child;` is `self::child::x`
/// (in the file's own scope; inline modules have their own names).
fn relative_to_child(children: &BTreeSet<String>, depth: usize, path: String) -> String {
    let first = path.split("::").next().unwrap_or_default();
    if depth == 1 && children.contains(first) {
        format!("self::{path}")
    } else {
        path
    }
}

fn mentions_test(cfg: &str) -> bool {
    // `cfg(test)`, `cfg(all(test, …))`, but not `cfg(not(test))`.
    cfg.contains("test") && !cfg.contains("not(test")
}

fn matching(tokens: &[(String, usize)], open: usize, left: &str, right: &str) -> usize {
    let mut level = 0;
    for (j, token) in tokens.iter().enumerate().skip(open) {
        if token.0 == left {
            level += 1;
        } else if token.0 == right {
            level -= 1;
            if level == 0 {
                return j;
            }
        }
    }
    tokens.len().saturating_sub(1)
}

fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && token.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Resolves `path` as written in `module` to an absolute path without
/// `crate::`; paths of other crates give none.
fn resolve(module: &str, path: &str) -> Option<String> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut base = match segments.next()? {
        "crate" => String::new(),
        "self" => module.to_owned(),
        "super" => parent_of(module),
        _ => return None,
    };
    let mut rest = Vec::new();
    for segment in segments {
        if segment == "super" && rest.is_empty() {
            base = parent_of(&base);
        } else if segment != "self" && segment != "*" {
            rest.push(segment);
        }
    }
    Some(rest.iter().fold(base, |acc, s| join(&acc, s)))
}

/// The paths of a `use` tree (`crate::a::{b, c::{d, self}}`).
fn expand_use(tokens: &[&str]) -> Vec<String> {
    fn walk(tokens: &[&str], prefix: &str, out: &mut Vec<String>) {
        // Splits the list at top-level commas.
        let mut level = 0;
        let mut start = 0;
        let mut parts = Vec::new();
        for (j, t) in tokens.iter().enumerate() {
            match *t {
                "{" => level += 1,
                "}" => level -= 1,
                "," if level == 0 => {
                    parts.push(&tokens[start..j]);
                    start = j + 1;
                }
                _ => {}
            }
        }
        parts.push(&tokens[start..]);
        for part in parts {
            let mut path = prefix.to_owned();
            let mut k = 0;
            while k < part.len() {
                match part[k] {
                    "{" => {
                        let close =
                            part.len() - 1 - part.iter().rev().position(|t| *t == "}").unwrap_or(0);
                        walk(&part[k + 1..close], &path, out);
                        path.clear();
                        break;
                    }
                    "as" => break,
                    "::" | "pub" => {}
                    segment if is_ident(segment) || segment == "*" => {
                        path = if path.is_empty() {
                            segment.to_owned()
                        } else {
                            format!("{path}::{segment}")
                        };
                    }
                    _ => {}
                }
                k += 1;
            }
            if !path.is_empty() && path != prefix {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens, "", &mut out);
    out
}

/// The code without comments, string and char literals (blanked, lines
/// kept), and the `"crate::…"` paths found in strings with their lines.
fn strip(source: &str) -> (String, Vec<(String, usize)>) {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut paths = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut level = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    level += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    level -= 1;
                    i += 2;
                    if level == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == '"'
            || (c == 'r' && matches!(next, Some('"') | Some('#')) && !prev_is_ident(&chars, i))
        {
            let start_line = line;
            let mut hashes = 0;
            let raw = c == 'r';
            if raw {
                i += 1;
                while chars.get(i) == Some(&'#') {
                    hashes += 1;
                    i += 1;
                }
                if chars.get(i) != Some(&'"') {
                    out.push('r');
                    continue;
                }
            }
            i += 1;
            let mut text = String::new();
            while i < chars.len() {
                let ch = chars[i];
                if !raw && ch == '\\' {
                    i += 2;
                    continue;
                }
                if ch == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                if ch == '\n' {
                    line += 1;
                    out.push('\n');
                }
                text.push(ch);
                i += 1;
            }
            out.push_str("\"\"");
            if text.len() > "crate::".len()
                && text.starts_with("crate::")
                && !text.ends_with(':')
                && text
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
            {
                paths.push((text, start_line));
            }
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                // The quote, the backslash and the escaped character.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            if c == '\n' {
                line += 1;
            }
            out.push(c);
            i += 1;
        }
    }
    (out, paths)
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Identifiers, `::` and single punctuation, with their lines.
fn tokenize(code: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            // `r#type`: a raw identifier.
            let word: String = chars[start..i].iter().collect();
            tokens.push((word, line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(("::".to_owned(), line));
            i += 2;
        } else {
            tokens.push((c.to_string(), line));
            i += 1;
        }
    }
    tokens
}

/// Every problem of one crate.
pub fn check_crate(rules: &CrateRules, modules: &[Module]) -> Vec<Problem> {
    let known: BTreeSet<&str> = modules.iter().map(|m| m.path.as_str()).collect();
    let deepest = |path: &str| -> String {
        let mut candidate = path.to_owned();
        while !candidate.is_empty() && !known.contains(candidate.as_str()) {
            candidate = parent_of(&candidate);
        }
        candidate
    };
    let reexports: BTreeMap<&str, &BTreeMap<String, String>> = modules
        .iter()
        .map(|m| (m.path.as_str(), &m.reexports))
        .collect();
    // The module a path reaches, through a facade's re-exports (a `mod.rs`
    // that re-exports its own submodules' items).
    let target_of = |path: &str| -> String {
        let mut path = path.to_owned();
        for _ in 0..8 {
            let module = deepest(&path);
            let rest = path[module.len()..].trim_start_matches("::");
            let mut rest = rest.splitn(2, "::");
            let item = rest.next().unwrap_or_default();
            match reexports.get(module.as_str()).and_then(|r| r.get(item)) {
                // Only a facade's: re-exports of its own submodules.
                Some(target)
                    if *target != path
                        && !item.is_empty()
                        && !module.is_empty()
                        && target.starts_with(&format!("{module}::")) =>
                {
                    path = match rest.next() {
                        Some(more) => format!("{target}::{more}"),
                        None => target.clone(),
                    };
                }
                _ => return module,
            }
        }
        deepest(&path)
    };
    let mut problems = Vec::new();
    let mut graph: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut first_line: BTreeMap<(String, String), usize> = BTreeMap::new();
    for module in modules {
        let from_rule = rule_of(rules.rules, &module.path);
        if !rules.rules.is_empty() && from_rule.is_none() {
            problems.push(Problem::Unplaced {
                module: module.path.clone(),
            });
        }
        if module.has_sql
            && !rules.sql_only_in.is_empty()
            && !rules.sql_only_in.iter().any(|p| within(&module.path, p))
        {
            problems.push(Problem::Sql {
                module: module.path.clone(),
            });
        }
        for import in &module.imports {
            let to = target_of(&import.path);
            if to == module.path {
                continue;
            }
            let test = import.test || module.test_only;
            if !test {
                graph
                    .entry(module.path.as_str())
                    .or_default()
                    .insert(to.clone());
                first_line
                    .entry((module.path.clone(), to.clone()))
                    .or_insert(import.line);
            }
            let Some(from_rule) = from_rule else { continue };
            if test && rules.fixtures.iter().any(|f| within(&to, f)) {
                continue;
            }
            if let Some(why) = refusal(rules.rules, from_rule, &module.path, &to) {
                let problem = Problem::Forbidden {
                    from: module.path.clone(),
                    to,
                    line: import.line,
                    why,
                };
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
    }
    for cycle in cycles(&graph) {
        let edges = first_line
            .iter()
            .filter(|((from, to), _)| cycle.contains(from) && cycle.contains(to))
            .map(|((from, to), line)| (from.clone(), to.clone(), *line))
            .collect();
        problems.push(Problem::Cycle {
            modules: cycle,
            edges,
        });
    }
    problems
}

fn within(module: &str, prefix: &str) -> bool {
    prefix.is_empty() || module == prefix || module.starts_with(&format!("{prefix}::"))
}

/// The rule of the longest `module` prefix.
fn rule_of<'r>(rules: &'r [Rule], module: &str) -> Option<&'r Rule> {
    rules
        .iter()
        // The root's rule is the root file's only.
        .filter(|r| within(module, r.module) && (!r.module.is_empty() || module.is_empty()))
        .max_by_key(|r| {
            if r.module.is_empty() {
                0
            } else {
                r.module.split("::").count()
            }
        })
}

fn refusal(rules: &[Rule], from_rule: &Rule, from: &str, to: &str) -> Option<&'static str> {
    let Some(to_rule) = rule_of(rules, to) else {
        return Some("the imported module is in no layer");
    };
    if std::ptr::eq(from_rule, to_rule) {
        if from_rule.areas {
            let area = |m: &str| {
                let rest = m.strip_prefix(from_rule.module).unwrap_or(m);
                rest.trim_start_matches("::")
                    .split("::")
                    .next()
                    .unwrap_or("")
                    .to_owned()
            };
            let (a, b) = (area(from), area(to));
            if !a.is_empty() && !b.is_empty() && a != b {
                return Some(
                    "one area may not import another; move what both need to a shared layer",
                );
            }
        }
        return None;
    }
    if from_rule.may_import.contains(&"*") || from_rule.may_import.contains(&to_rule.module) {
        None
    } else {
        Some("that layer is not below this one")
    }
}

/// The import cycles of a module graph (its strongly connected
/// components of more than one module), each from its first module.
fn cycles(graph: &BTreeMap<&str, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g BTreeMap<&'g str, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, node: &str) {
            self.index.insert(node.to_owned(), self.next);
            self.low.insert(node.to_owned(), self.next);
            self.next += 1;
            self.stack.push(node.to_owned());
            self.on_stack.insert(node.to_owned());
            let targets: Vec<String> = self
                .graph
                .get(node)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default();
            for target in targets {
                if !self.index.contains_key(&target) {
                    self.visit(&target);
                    let low = self.low[&target].min(self.low[node]);
                    self.low.insert(node.to_owned(), low);
                } else if self.on_stack.contains(&target) {
                    let low = self.index[&target].min(self.low[node]);
                    self.low.insert(node.to_owned(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(&top);
                    let done = top == node;
                    component.push(top);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !tarjan.index.contains_key(*node) {
            tarjan.visit(node);
        }
    }
    tarjan.found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(path: &str, source: &str) -> Module {
        let parsed = parse(path, source);
        Module {
            path: path.to_owned(),
            imports: parsed.imports,
            has_sql: parsed.has_sql,
            test_only: false,
            reexports: parsed.reexports,
        }
    }

    fn paths(source: &str, module: &str) -> Vec<(String, bool)> {
        parse(module, source)
            .imports
            .into_iter()
            .map(|i| (i.path, i.test))
            .collect()
    }

    #[test]
    fn reads_use_trees_inline_paths_and_serde_strings_but_not_comments() {
        let source = r#"
            //! Uses `crate::nowhere` in a comment.
            use std::fmt;
            use crate::store::{self, members::{MemberRow, list as members}, audit};
            pub(crate) use super::context::OrgContext;
            /* crate::also::nowhere */
            #[serde(deserialize_with = "crate::timestamp::deserialize")]
            fn f() { let s = "crate::not a path"; crate::db::begin_write(); }
            pub(in crate::http) fn g() {}
        "#;
        let found: Vec<String> = paths(source, "http::members")
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            found,
            [
                "store",
                "store::members::MemberRow",
                "store::members::list",
                "store::audit",
                "http::context::OrgContext",
                "db::begin_write",
                "timestamp::deserialize",
            ]
        );
    }

    #[test]
    fn test_modules_imports_are_marked_and_super_means_the_file() {
        let source = r#"
            use crate::api;
            fn f() -> char { 'x' }
            fn g<'a>(s: &'a str) -> &'a str { s }
            #[cfg(all(test, target_arch = "wasm32"))]
            mod tests {
                use super::*;
                use crate::testing::member;
                fn h() { super::super::dom::focus(); }
            }
            #[cfg(test)]
            mod fixtures;
        "#;
        let parsed = parse("pages::members", source);
        let found: Vec<(String, bool)> = parsed
            .imports
            .iter()
            .map(|i| (i.path.clone(), i.test))
            .collect();
        assert_eq!(
            found,
            [
                ("api".to_owned(), false),
                ("pages::members".to_owned(), true),
                ("testing::member".to_owned(), true),
                ("pages::dom::focus".to_owned(), true),
            ]
        );
        assert_eq!(parsed.test_children, ["fixtures"]);
        let root = parse(
            "",
            "mod http; mod store; use http::router; fn f() { store::x::y(); a::store::z(); }",
        );
        let found: Vec<String> = root.imports.into_iter().map(|i| i.path).collect();
        assert_eq!(found, ["http::router", "store::x::y"]);
    }

    const RULES: CrateRules = CrateRules {
        name: "example",
        root: "src/lib.rs",
        rules: &[
            layer("", &["*"]),
            areas("http", &["http::shared", "store", "error"]),
            layer("http::shared", &["error"]),
            layer("store", &["error"]),
            layer("error", &[]),
            layer("testing", &["*"]),
        ],
        fixtures: &["testing"],
        sql_only_in: &["store"],
    };

    fn problems(modules: &[Module]) -> Vec<String> {
        check_crate(&RULES, modules)
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn a_layered_crate_passes() {
        let modules = [
            module(
                "",
                "mod http; mod store; mod error; use crate::http::router;",
            ),
            module("http", "use crate::store::x; use crate::error::E;"),
            module(
                "http::members",
                "use crate::http::shared::Json; use crate::store::members;",
            ),
            module("http::shared", "use crate::error::E;"),
            module("store", "fn q() { sqlx::query(\"SELECT 1\"); }"),
            module("store::members", "use super::q; use crate::error::E;"),
            module("error", ""),
            module("testing", "use crate::store::members;"),
        ];
        assert_eq!(problems(&modules), Vec::<String>::new());
    }

    #[test]
    fn upward_imports_area_imports_cycles_sql_and_unplaced_modules_fail() {
        let modules = [
            module("", ""),
            module("http", ""),
            module("http::members", "use crate::http::invitations::helper;"),
            module("http::invitations", "fn f() { sqlx::query(\"DELETE\"); }"),
            module("store", "use crate::http::Json;"),
            module("error", "use crate::store::x;"),
            module("mail", ""),
            module("testing", ""),
        ];
        let found = problems(&modules);
        let expected = [
            "`http::members` (line 1) imports `http::invitations`: one area may not import another; move what both need to a shared layer",
            "`http::invitations` holds SQL, which belongs in the store",
            "`store` (line 1) imports `http`: that layer is not below this one",
            "`error` (line 1) imports `store`: that layer is not below this one",
            "module `mail` is in no layer: add it to the rules",
        ];
        for problem in expected {
            assert!(
                found.contains(&problem.to_owned()),
                "missing {problem:?} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expected.len(), "{found:#?}");
    }

    #[test]
    fn an_import_through_a_facade_is_an_import_of_what_it_reexports() {
        let modules = [
            module("", ""),
            module(
                "http",
                "mod members; mod shared; pub use shared::Json; use members::routes;",
            ),
            module("http::members", "use crate::http::Json;"),
            module("http::shared", ""),
            module("store", ""),
            module("error", ""),
            module("testing", ""),
        ];
        assert_eq!(problems(&modules), Vec::<String>::new());
        let modules = [
            module("", ""),
            module(
                "http",
                "mod members; pub fn helper() {} use members::routes;",
            ),
            module("http::members", "use crate::http::helper;"),
            module("store", ""),
            module("error", ""),
            module("testing", ""),
        ];
        assert_eq!(
            problems(&modules),
            ["import cycle among: http, http::members [http → http::members (line 1); http::members → http (line 1)]"]
        );
    }

    #[test]
    fn a_cycle_is_found_and_test_code_may_use_fixtures() {
        let modules = [
            module("", ""),
            module("http", "use crate::store::x;"),
            module("store", "use crate::error::E; #[cfg(test)] mod tests { use crate::testing::f; use crate::http::y; }"),
            module("error", "use crate::store::x;"),
            module("testing", ""),
        ];
        let found = problems(&modules);
        assert!(
            found.contains(
                &"import cycle among: error, store [error → store (line 1); store → error (line 1)]"
                    .to_owned()
            ),
            "{found:#?}"
        );
        assert!(
            !found.iter().any(|p| p.contains("imports `testing`")),
            "{found:#?}"
        );
        // Test code still keeps to the layers for everything but fixtures.
        assert!(
            found
                .iter()
                .any(|p| p.contains("`store` (line 1) imports `http`")),
            "{found:#?}"
        );
    }
}
