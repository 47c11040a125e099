//! The floors: what the same server and browser cost for the same bytes
//! without Roster's own work. The server serves any file of its static
//! directory, so the bench serves a copy of `dist/` with these files added:
//! the members table as static HTML, and each API answer as a static JSON
//! file of the same size.

use std::path::{Path, PathBuf};

use crate::result::Result;

pub struct StaticDir {
    pub path: PathBuf,
}

impl StaticDir {
    /// A fresh copy of `dist` at `path`.
    pub fn copy_of(dist: &Path, path: &Path) -> Result<StaticDir> {
        if path.exists() {
            std::fs::remove_dir_all(path)?;
        }
        roster_browser_tests::copy_dir(dist, path)?;
        Ok(StaticDir {
            path: path.to_path_buf(),
        })
    }

    /// Writes `bytes` as `name`; returns the URL path it is served at.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<String> {
        std::fs::write(self.path.join(name), bytes)?;
        Ok(format!("/{name}"))
    }

    /// The stylesheets the SPA's index.html links (trunk's hashed names).
    fn stylesheets(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.path)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".css") {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// The members table exactly as the SPA rendered it (`table_html`), as a
    /// static page with the SPA's stylesheet: the browser's own cost of
    /// showing it.
    pub fn write_members_page(&self, table_html: &str) -> Result<String> {
        let links: String = self
            .stylesheets()?
            .iter()
            .map(|name| format!(r#"<link rel="stylesheet" href="/{name}">"#))
            .collect();
        let page = format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Members (static floor)</title>
{links}
</head>
<body><main class="main">{table_html}</main></body>
</html>
"#
        );
        self.write("floor-members.html", page.as_bytes())
    }
}
