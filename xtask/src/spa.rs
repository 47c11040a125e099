//! Builds the SPA's wasm split into chunks (issue 18; docs/architecture.md
//! "Code splitting") and puts it into trunk's output.
//!
//! Trunk cannot split wasm, so `index.html` tells it to skip the Rust build
//! (`data-trunk-skip`) and Trunk.toml runs `cargo xtask spa-wasm` as its
//! post-build hook: trunk still makes `index.html`, the stylesheets, the
//! copied assets and serves them (`trunk serve`); this module
//!
//! 1. builds the `roster` binary for wasm32 with the `split` feature and the
//!    relocations the splitter reads (`--emit-relocs`, passed to that link
//!    only, so dependencies are not rebuilt for it);
//! 2. splits it (`wasm-split-cli`): a main module, one `.wasm` per chunk and
//!    a loader (`__wasm_split*.js`) that fetches chunks next to itself;
//! 3. runs `wasm-bindgen` on the main module (`--keep-lld-exports`: the
//!    chunks link against its exports);
//! 4. optimises every module with binaryen's `-Oz` (release);
//! 5. copies everything into a directory named after its content,
//!    `wasm-<16 hex digits>/`: a new build never overwrites a file an open
//!    tab may still fetch (old chunks stay loadable after a deploy next to
//!    them), and the server caches such directories for a year;
//! 6. replaces the `<script type="module" data-roster-wasm></script>` marker
//!    of the staged `index.html` with the preloads, the start script and the
//!    list of files each chunk needs (read from the loader), which the app
//!    downloads one by one when the browser is idle.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::bundle::files_under as files;
use crate::process::{run, target_dir, Result};
use crate::tools::{self, cargo};

/// Where index.html's start script goes.
const MARKER: &str = r#"<script type="module" data-roster-wasm></script>"#;

/// The name wasm-bindgen gives its outputs (`roster.js`, `roster_bg.wasm`);
/// the splitter's loader imports `initSync` from `./roster.js`.
const NAME: &str = "roster";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `spa-release`, optimised with wasm-opt.
    Release,
    /// `dev`, for `trunk serve` and `trunk build` without `--release`.
    Dev,
}

impl Profile {
    fn cargo_profile(self) -> &'static str {
        match self {
            Profile::Release => "spa-release",
            Profile::Dev => "dev",
        }
    }

    fn target_subdir(self) -> &'static str {
        match self {
            Profile::Release => "spa-release",
            Profile::Dev => "debug",
        }
    }
}

/// `cargo xtask spa-wasm`, trunk's post-build hook: builds the split wasm
/// for trunk's profile into trunk's staging directory and links it from the
/// staged `index.html`.
pub fn trunk_hook() -> Result<()> {
    // Trunk.toml's hooks run for every page trunk builds from this
    // directory; the bench's reference app (bench/bare) builds its own.
    let page = std::env::var_os("TRUNK_HTML_FILE").map(PathBuf::from);
    let ours = crate::process::workspace_root().join("index.html");
    if page.is_some_and(|page| page.canonicalize().ok() != ours.canonicalize().ok()) {
        return Ok(());
    }
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("spa-wasm runs as trunk's post_build hook (TRUNK_STAGING_DIR is not set)")?;
    let profile = match std::env::var("TRUNK_PROFILE").as_deref() {
        Ok("release") => Profile::Release,
        _ => Profile::Dev,
    };
    let dir = build(profile, &staging)?;
    let loader = fs::read_to_string(staging.join(&dir).join(LOADER))?;
    link_from_index(&staging.join("index.html"), &dir, &chunk_files(&loader)?)
}

/// The splitter's loader, next to the modules.
const LOADER: &str = "__wasm_split.js";

/// The files (without `.wasm`) each chunk's load fetches, by chunk name,
/// read from the splitter's loader (wasm-split-cli 0.2.4): every shared
/// file is a `const __chunk_N = makeLoad(… "./chunk_N.wasm" …, [])` and
/// every chunk an `export const __wasm_split_load_<name> = wrapAsyncCb(
/// makeLoad(… "./split_<name>.wasm" …, [__chunk_N, …]))`.
pub fn chunk_files(loader: &str) -> Result<BTreeMap<String, Vec<String>>> {
    const CHUNK: &str = "export const __wasm_split_load_";
    let mut chunks = BTreeMap::new();
    for (at, _) in loader.match_indices(CHUNK) {
        let rest = &loader[at + CHUNK.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let end = rest
            .find("]))")
            .ok_or_else(|| format!("{LOADER}: the load of {name} does not end as expected"))?;
        let deps = &rest[..end];
        let deps = &deps[deps
            .rfind('[')
            .ok_or_else(|| format!("{LOADER}: no dependency list for {name}"))?
            + 1..];
        let mut files = vec![format!("split_{name}")];
        for dep in deps.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let number = dep
                .strip_prefix("__chunk_")
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("{LOADER}: unexpected dependency {dep:?} of {name}"))?;
            files.push(format!("chunk_{number}"));
        }
        if name.is_empty() || chunks.insert(name.clone(), files).is_some() {
            return Err(format!("{LOADER}: a chunk named {name:?} twice or not at all").into());
        }
    }
    if chunks.is_empty() {
        return Err(format!("{LOADER} loads no chunk: has the splitter's output changed?").into());
    }
    Ok(chunks)
}

/// Builds, splits, binds and (release) optimises the wasm into
/// `<into>/wasm-<hash>/`; returns that directory's name.
pub fn build(profile: Profile, into: &Path) -> Result<String> {
    let work = target_dir().join("spa").join(profile.target_subdir());
    let split = work.join("split");
    let package = work.join("pkg");
    for dir in [&split, &package] {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
        fs::create_dir_all(dir)?;
    }

    run(cargo().args([
        "rustc",
        "--package",
        "roster",
        "--bin",
        NAME,
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile.cargo_profile(),
        "--features",
        "split",
        "--",
        "-Clink-args=--emit-relocs",
    ]))?;
    let linked = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile.target_subdir())
        .join(format!("{NAME}.wasm"));

    run(tools::command("wasm-split-cli")
        .args(["--target", "web", "--out-name", NAME])
        .arg(&linked)
        .arg(&split))?;

    let mut bindgen = tools::command("wasm-bindgen");
    bindgen
        .args([
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-demangle",
            "--no-typescript",
        ])
        .arg("--out-dir")
        .arg(&package)
        .arg(split.join(format!("{NAME}.wasm")));
    if profile == Profile::Dev {
        bindgen.arg("--debug");
    }
    run(&mut bindgen)?;

    // The splitter's loader and chunks sit next to the main module.
    for entry in fs::read_dir(&split)? {
        let path = entry?.path();
        let name = file_name(&path);
        if name == format!("{NAME}.wasm") {
            continue;
        }
        fs::copy(&path, package.join(&name))?;
    }

    if profile == Profile::Release {
        let modules: Vec<PathBuf> = files(&package)?
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .collect();
        optimise(&modules)?;
    }

    let name = format!("wasm-{}", content_hash(&package)?);
    let out = into.join(&name);
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    copy_tree(&package, &out)?;
    Ok(name)
}

/// `wasm-opt -Oz` on every module, in one process (`xtask/wasm_opt.mjs`:
/// the npm build of binaryen takes seconds to start, and there are dozens
/// of small chunks).
fn optimise(modules: &[PathBuf]) -> Result<()> {
    run(tools::command("node")
        .arg(crate::process::workspace_root().join("xtask/wasm_opt.mjs"))
        .arg(tools::binaryen_module())
        .args(modules))
}

/// Replaces the marker in `index` with the preloads of the main module and
/// its JS, the script that starts the app and `chunks` (the files of each
/// chunk in `dir`, for the app's idle-time downloads: src/components/lazy.rs).
pub fn link_from_index(
    index: &Path,
    dir: &str,
    chunks: &BTreeMap<String, Vec<String>>,
) -> Result<()> {
    let html =
        fs::read_to_string(index).map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    if !html.contains(MARKER) {
        return Err(format!("{} has no {MARKER}", index.display()).into());
    }
    let base = format!("./{dir}");
    let boot = format!(
        r#"<link rel="modulepreload" href="{base}/{NAME}.js" crossorigin="anonymous">
    <link rel="preload" href="{base}/{NAME}_bg.wasm" as="fetch" type="application/wasm" crossorigin="anonymous">
    <script type="module">
      import init from "{base}/{NAME}.js";
      const wasm = await init({{ module_or_path: "{base}/{NAME}_bg.wasm" }});
      // As trunk's own start script: tells the page (the bench's probes) the app runs.
      dispatchEvent(new CustomEvent("TrunkApplicationStarted", {{ detail: {{ wasm }} }}));
    </script>
    <script type="application/json" id="roster-chunks">{}</script>"#,
        chunks_json(dir, chunks)
    );
    fs::write(index, html.replacen(MARKER, &boot, 1))?;
    Ok(())
}

/// `{"dir":"wasm-…","chunks":{"name":["split_name","chunk_9",…],…}}`:
/// every name is `[a-z0-9_]` (the splitter's), nothing to escape.
fn chunks_json(dir: &str, chunks: &BTreeMap<String, Vec<String>>) -> String {
    let quoted = |s: &str| format!("\"{s}\"");
    let chunks: Vec<String> = chunks
        .iter()
        .map(|(name, files)| {
            let files: Vec<String> = files.iter().map(|f| quoted(f)).collect();
            format!("{}:[{}]", quoted(name), files.join(","))
        })
        .collect();
    format!(
        "{{\"dir\":{},\"chunks\":{{{}}}}}",
        quoted(dir),
        chunks.join(",")
    )
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for file in files(from)? {
        let target = to.join(file.strip_prefix(from)?);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(&file, &target)?;
    }
    Ok(())
}

/// FNV-1a (64 bits) over every file's relative path and content: a name
/// that changes whenever any file does.
fn content_hash(dir: &Path) -> Result<String> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in files(dir)? {
        feed(file.strip_prefix(dir)?.to_string_lossy().as_bytes());
        feed(&[0]);
        feed(&fs::read(&file)?);
        feed(&[0]);
    }
    Ok(format!("{hash:016x}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_becomes_preloads_and_a_start_script() {
        let dir = std::env::temp_dir().join(format!("roster-spa-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let index = dir.join("index.html");
        fs::write(&index, format!("<head>{MARKER}</head>")).unwrap();
        let chunks = BTreeMap::from([(
            "settings".to_owned(),
            vec!["split_settings".to_owned(), "chunk_9".to_owned()],
        )]);
        link_from_index(&index, "wasm-0123456789abcdef", &chunks).unwrap();
        let html = fs::read_to_string(&index).unwrap();
        assert!(!html.contains(MARKER));
        assert!(html.contains(r#"import init from "./wasm-0123456789abcdef/roster.js""#));
        assert!(html.contains(r#"href="./wasm-0123456789abcdef/roster_bg.wasm" as="fetch""#));
        assert!(html.contains(
            r#"<script type="application/json" id="roster-chunks">{"dir":"wasm-0123456789abcdef","chunks":{"settings":["split_settings","chunk_9"]}}</script>"#
        ));
        // A second run has nothing to replace: it says so.
        assert!(link_from_index(&index, "wasm-0123456789abcdef", &chunks).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The loader's shape, as wasm-split-cli 0.2.4 writes it.
    const LOADER_JS: &str = r#"
/* assignments, audit_logs */
const __chunk_9 = makeLoad(() => {
    const src = fetch(new URL("./chunk_9.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
export const __wasm_split_load_settings = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_settings.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, [__chunk_11, __chunk_9]));
export const __wasm_split_load_not_found = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_not_found.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []));
"#;

    #[test]
    fn each_chunks_files_are_read_from_the_loader() {
        let chunks = chunk_files(LOADER_JS).unwrap();
        assert_eq!(
            chunks,
            BTreeMap::from([
                ("not_found".to_owned(), vec!["split_not_found".to_owned()]),
                (
                    "settings".to_owned(),
                    vec![
                        "split_settings".to_owned(),
                        "chunk_11".to_owned(),
                        "chunk_9".to_owned()
                    ]
                ),
            ])
        );
        // A loader of another shape is an error, not an empty list.
        assert!(chunk_files("export default 1;").is_err());
        assert!(chunk_files(&LOADER_JS.replace("__chunk_11", "other")).is_err());
    }

    #[test]
    fn the_directory_name_follows_every_file() {
        let dir = std::env::temp_dir().join(format!("roster-hash-{}", std::process::id()));
        fs::create_dir_all(dir.join("snippets")).unwrap();
        fs::write(dir.join("roster.js"), "a").unwrap();
        fs::write(dir.join("snippets/x.js"), "b").unwrap();
        let first = content_hash(&dir).unwrap();
        assert_eq!(first.len(), 16);
        assert_eq!(first, content_hash(&dir).unwrap());
        fs::write(dir.join("snippets/x.js"), "c").unwrap();
        assert_ne!(first, content_hash(&dir).unwrap());
        fs::remove_dir_all(&dir).unwrap();
    }
}
