//! The SPA's layers, checked: which top-level module may import which
//! (`crate::…` and `super::…` paths), so that no two of them import each
//! other and no page reaches into another.
//!
//! ```text
//! leaves (routes, dom, icons, format; config; crash; auth)
//!   → api (transport, errors, one module per resource)
//!     → state (contexts, stores)
//!       → components (building blocks, shared dialogs)
//!         → layout | pages::<page> (no page imports another)
//!           → app (routing), lib.rs, main.rs
//! ```
//!
//! `testing` is compiled for tests only; any test may import it.

/// The modules below `api`, in the order they may import each other.
const LEAVES: [&str; 7] = [
    "routes", "dom", "icons", "format", "config", "crash", "auth",
];

/// Module → the top-level modules it may import besides itself (and
/// `testing`, from tests). A page may import only itself among the pages.
const RULES: &[(&str, &[&str])] = &[
    ("routes", &[]),
    ("dom", &[]),
    ("icons", &[]),
    ("format", &[]),
    ("config", &["routes"]),
    ("crash", &["config"]),
    ("auth", &["config", "routes"]),
    ("api", &LEAVES),
    (
        "state",
        &[
            "api", "routes", "dom", "icons", "format", "config", "crash", "auth",
        ],
    ),
    (
        "components",
        &[
            "state", "api", "routes", "dom", "icons", "format", "config", "crash", "auth",
        ],
    ),
    (
        "layout",
        &[
            "components",
            "state",
            "api",
            "routes",
            "dom",
            "icons",
            "format",
            "config",
            "crash",
            "auth",
        ],
    ),
    (
        "pages",
        &[
            "components",
            "state",
            "api",
            "routes",
            "dom",
            "icons",
            "format",
            "config",
            "crash",
            "auth",
        ],
    ),
    (
        "app",
        &[
            "pages",
            "layout",
            "components",
            "state",
            "api",
            "routes",
            "dom",
            "icons",
            "format",
            "config",
            "crash",
            "auth",
        ],
    ),
    ("testing", &["dom"]),
];

/// The module path of a file under `src/` (`api/members.rs` →
/// `["api", "members"]`, `pages/members/mod.rs` → `["pages", "members"]`).
fn module_of(relative: &str) -> Vec<String> {
    let without = relative.trim_end_matches(".rs");
    let mut parts: Vec<String> = without.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without its comments (doc comments name modules
/// freely).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first one or two segments of every path the code imports from
/// within the crate, resolved to absolute module paths.
fn imports(module: &[String], code: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let path_of = |rest: &str| -> Vec<String> {
        rest.split("::")
            .take(2)
            .map(|segment| ident(segment.trim()))
            .take_while(|segment| !segment.is_empty())
            .collect()
    };
    // An inline module (the tests) at the top of a file: `super` there is
    // the file's own module.
    let inline_start = code
        .lines()
        .scan(0usize, |offset, line| {
            let start = *offset;
            *offset += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, line)| {
            let line = line
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            line.starts_with("mod ") && line.trim_end().ends_with('{')
        })
        .map(|(start, _)| start);
    let inline = inline_start.map_or(0..0, |start| {
        let mut depth = 0;
        let end = code[start..]
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => return false,
                }
                depth == 0
            })
            .map_or(code.len(), |(at, _)| start + at);
        start..end
    });
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `roster_crate::`, not ours
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in list.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && c == ',') {
                    found.push(path_of(item.trim()));
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            found.push(path_of(rest));
        }
    }
    for (at, _) in code.match_indices("super::") {
        if code[..at].ends_with("super::") {
            continue; // counted from the first `super` of the chain
        }
        let mut rest = &code[at..];
        let mut ups = 0;
        while let Some(after) = rest.strip_prefix("super::") {
            ups += 1;
            rest = after;
        }
        if inline.contains(&at) {
            ups -= 1;
        }
        let mut path: Vec<String> = module[..module.len().saturating_sub(ups)].to_vec();
        path.extend(path_of(rest));
        found.push(path);
    }
    for path in &mut found {
        path.truncate(2);
    }
    found.retain(|path| !path.is_empty() && path[0] != "self");
    found
}

/// Every import of `src/` that breaks [`RULES`], as `file: path`.
fn violations() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut wrong = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .expect("under src/")
            .to_string_lossy()
            .replace('\\', "/");
        if ["lib.rs", "main.rs", "layers.rs"].contains(&relative.as_str()) {
            continue;
        }
        let module = module_of(&relative);
        let top = module[0].as_str();
        let allowed = RULES
            .iter()
            .find(|(name, _)| *name == top)
            .map(|(_, allowed)| *allowed)
            .unwrap_or_else(|| panic!("src/{relative}: {top} has no rule in RULES"));
        let code = without_comments(&std::fs::read_to_string(&file).expect("readable"));
        for path in imports(&module, &code) {
            let target = path[0].as_str();
            let fine = target == "testing"
                || allowed.contains(&target)
                || (target == top && (top != "pages" || path.get(1) == module.get(1)))
                // `pages` itself only lists the pages.
                || (top == "pages" && target == "pages" && module.len() == 1);
            if !fine {
                wrong.push(format!("src/{relative}: {}", path.join("::")));
            }
        }
    }
    wrong.sort();
    wrong
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let wrong = violations();
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_rules_have_no_cycle() {
    // Each module's allowed imports come before it in RULES.
    for (index, (name, allowed)) in RULES.iter().enumerate() {
        for target in *allowed {
            let position = RULES.iter().position(|(other, _)| other == target);
            assert!(
                position.is_some_and(|p| p < index),
                "{name} may import {target}, which does not come before it"
            );
        }
    }
}

#[test]
fn the_checker_sees_imports_through_lists_and_super() {
    let module = vec![
        "pages".to_owned(),
        "settings".to_owned(),
        "danger_zone".to_owned(),
    ];
    let code = "use crate::{api, pages::members::{LeaveDialog, X}};\nuse super::super::audit_logs::x;\nmod tests {\n    use super::*;\n}\nuse super::super::home::y;\n";
    let found = imports(&module, code);
    assert!(found.contains(&vec!["api".to_owned()]));
    assert!(found.contains(&vec!["pages".to_owned(), "members".to_owned()]));
    assert!(found.contains(&vec!["pages".to_owned(), "audit_logs".to_owned()]));
    assert!(found.contains(&vec!["pages".to_owned(), "settings".to_owned()]));
    assert!(found.contains(&vec!["pages".to_owned(), "home".to_owned()]));
}
