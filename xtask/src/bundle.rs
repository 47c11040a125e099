//! The size of what a browser downloads on a cold load of the SPA, and its
//! pre-compressed copies.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

use flate2::{write::GzEncoder, Compression};

use crate::process::Result;

#[derive(Default, Clone, Copy)]
pub struct Size {
    pub raw: u64,
    pub gzip: u64,
}

#[derive(Default)]
pub struct BundleSizes {
    /// The main module, which every page needs.
    pub wasm: Size,
    pub js: Size,
    pub css: Size,
    /// The chunks, downloaded when first needed.
    pub chunks: Size,
    pub chunk_count: usize,
}

impl BundleSizes {
    /// What a first load downloads: everything but the chunks.
    pub fn total(&self) -> Size {
        Size {
            raw: self.wasm.raw + self.js.raw + self.css.raw,
            gzip: self.wasm.gzip + self.js.gzip + self.css.gzip,
        }
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} gzip)", kb(self.raw), kb(self.gzip))
    }
}

impl fmt::Display for BundleSizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "main wasm {}, js {}, css {}; total {}; {} chunks {}",
            self.wasm,
            self.js,
            self.css,
            self.total(),
            self.chunk_count,
            self.chunks
        )
    }
}

fn gzip_len(bytes: &[u8]) -> Result<u64> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len() as u64)
}

/// Writes `name.br` (brotli, quality 11) and `name.gz` (gzip -9) next to
/// every wasm, JS and CSS file of `dist`. The server sends these to
/// browsers that accept them instead of compressing on every request (with
/// on-the-fly settings: a larger download that costs the server CPU on the
/// critical path of a cold load); static hosts can do the same (nginx's
/// `gzip_static`, `brotli_static`). trunk names these files by content
/// hash, so a copy can never be stale; `index.html` is left alone because
/// it is edited after deployment (the API base URL).
pub fn precompress(dist: &Path) -> Result<()> {
    for path in files_under(dist)? {
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css")
        ) {
            continue;
        }
        let bytes = fs::read(&path)?;
        let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
        gzip.write_all(&bytes)?;
        fs::write(with_suffix(&path, "gz"), gzip.finish()?)?;
        let mut brotli = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 64 * 1024, 11, 22);
            writer.write_all(&bytes)?;
        }
        fs::write(with_suffix(&path, "br"), brotli)?;
    }
    Ok(())
}

/// Every file under `dir`, its subdirectories included (the split wasm's
/// `wasm-<hash>/` directory, wasm-bindgen's `snippets/`).
pub fn files_under(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in fs::read_dir(&next)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `file.wasm` → `file.wasm.<suffix>`.
fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    name.into()
}

/// Sums the wasm, JS and CSS files of `dist`, the chunks apart.
pub fn measure(dist: &Path) -> Result<BundleSizes> {
    let mut sizes = BundleSizes::default();
    let mut found = false;
    for path in files_under(dist)? {
        let main_module = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().ends_with("_bg.wasm"));
        let slot = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") if main_module => &mut sizes.wasm,
            Some("wasm") => {
                sizes.chunk_count += 1;
                &mut sizes.chunks
            }
            Some("js") => &mut sizes.js,
            Some("css") => &mut sizes.css,
            _ => continue,
        };
        let bytes = fs::read(&path)?;
        slot.raw += bytes.len() as u64;
        slot.gzip += gzip_len(&bytes)?;
        found = true;
    }
    if found {
        Ok(sizes)
    } else {
        Err(format!("no wasm, JS or CSS in {}", dist.display()).into())
    }
}
