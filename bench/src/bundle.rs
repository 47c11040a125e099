//! What the SPA costs to download: the wasm, JS and CSS files of `dist/`,
//! raw, gzip (level 9) and brotli (quality 11), as a server or CDN that
//! pre-compresses them would send them.

use std::io::Write;
use std::path::Path;

use flate2::{write::GzEncoder, Compression};

use crate::result::Result;

#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Size {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Size {
    fn add_assign(&mut self, other: Size) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }
}

/// What a first load downloads (`wasm`, `js`, `css`, their `total`), and
/// the wasm chunks downloaded when first needed (`chunks`, by file name).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Bundle {
    /// The main module.
    pub wasm: Size,
    pub js: Size,
    pub css: Size,
    pub total: Size,
    pub chunks: Vec<(String, Size)>,
}

impl Bundle {
    pub fn chunks_total(&self) -> Size {
        let mut total = Size::default();
        for (_, size) in &self.chunks {
            total += *size;
        }
        total
    }
}

/// Every file under `dir` (the split wasm is in `wasm-<hash>/`).
fn files_under(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next)? {
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

fn size_of(bytes: &[u8]) -> Result<Size> {
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    gzip.write_all(bytes)?;
    let gzip = gzip.finish()?.len() as u64;
    let mut brotli = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut brotli, 64 * 1024, 11, 22);
        writer.write_all(bytes)?;
    }
    Ok(Size {
        raw: bytes.len() as u64,
        gzip,
        brotli: brotli.len() as u64,
    })
}

pub fn measure(dist: &Path) -> Result<Bundle> {
    let mut bundle = Bundle::default();
    for path in files_under(dist)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let slot = match path.extension().and_then(|e| e.to_str()) {
            // A chunk: not part of the first load.
            Some("wasm") if !name.ends_with("_bg.wasm") => {
                bundle.chunks.push((name, size_of(&std::fs::read(&path)?)?));
                continue;
            }
            Some("wasm") => &mut bundle.wasm,
            Some("js") => &mut bundle.js,
            Some("css") => &mut bundle.css,
            _ => continue,
        };
        let size = size_of(&std::fs::read(&path)?)?;
        *slot += size;
        bundle.total += size;
    }
    if bundle.total.raw == 0 {
        return Err(format!("no wasm, JS or CSS in {}", dist.display()).into());
    }
    Ok(bundle)
}
