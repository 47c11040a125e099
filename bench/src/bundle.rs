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

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Bundle {
    pub wasm: Size,
    pub js: Size,
    pub css: Size,
    pub total: Size,
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
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let slot = match path.extension().and_then(|e| e.to_str()) {
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
