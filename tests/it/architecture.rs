//! The layers of `src/` point one way (ARCHITECTURE.md): a top-level module may use only
//! itself and the modules below it. Read from the source, so a new import that breaks the
//! order fails here instead of growing a tangle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom to top.
const LAYERS: &[&str] = &[
    "platform",
    "organizations",
    "mail",
    "accounts",
    "venues",
    "events",
    "team",
    "payments",
    "orders",
    "announcements",
    "checkin",
    "notifications",
    "insights",
    "assistant",
    "components",
    "pages",
    "app",
    "tools",
    "server",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder reads") {
        let path = entry.expect("folder entry reads").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules a file names through `crate::…`, including those inside
/// `use crate::{a::…, b::{…}}` groups.
fn modules_used(source: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut start_of_item = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => start_of_item = true,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if start_of_item && depth == 1 {
                    if c.is_alphanumeric() || c == '_' {
                        word.push(c);
                    } else if !word.is_empty() {
                        used.insert(std::mem::take(&mut word));
                        start_of_item = false;
                    }
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            used.insert(name);
        }
    }
    used
}

#[test]
fn every_module_uses_only_itself_and_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("file is under src");
        let top = relative.components().next().expect("path has a first part").as_os_str().to_string_lossy();
        let module = top.trim_end_matches(".rs");
        let Some(level) = LAYERS.iter().position(|l| *l == module) else {
            assert!(matches!(module, "lib" | "main"), "{module} is missing from LAYERS");
            continue;
        };
        let source = std::fs::read_to_string(file).expect("source reads");
        for used in modules_used(&source) {
            if let Some(used_level) = LAYERS.iter().position(|l| *l == used)
                && used_level > level
            {
                violations.push(format!("{} uses {used}", relative.display()));
            }
        }
    }
    assert!(violations.is_empty(), "imports that point up a layer:\n{}", violations.join("\n"));
}

#[test]
fn grouped_imports_are_read_module_by_module() {
    let used =
        modules_used("use crate::{\n    orders::service::{self, X},\n    platform::{reply, state::AppState},\n};");
    assert_eq!(used, BTreeSet::from(["orders".to_owned(), "platform".to_owned()]));
    assert_eq!(modules_used("let x = crate::events::db::event(pool);"), BTreeSet::from(["events".to_owned()]));
}
