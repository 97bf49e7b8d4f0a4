//! Writing result files atomically.
//!
//! Every file of a run is first written into a staging folder beside the
//! output folder, then renamed into place one by one. A run that fails
//! before the renames leaves the output folder as it was; the staging
//! folder is removed either way.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A staging folder whose files are moved into `dest` on [`Staging::commit`].
pub struct Staging {
    dir: PathBuf,
    dest: PathBuf,
    files: Vec<String>,
}

impl Staging {
    /// Creates the staging folder for `dest` (which need not exist yet).
    pub fn new(dest: &Path) -> Result<Self> {
        fs::create_dir_all(dest).map_err(|e| Error::io(dest, e))?;
        let name = format!(".staging-{}", std::process::id());
        let dir = dest.join(name);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Self {
            dir,
            dest: dest.to_path_buf(),
            files: Vec::new(),
        })
    }

    /// The staging folder, for writers that create their own files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records a file that a writer created in [`Staging::dir`].
    pub fn add(&mut self, name: &str) {
        self.files.push(name.to_string());
    }

    /// Writes `bytes` as `name`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        self.add(name);
        Ok(())
    }

    /// Moves every staged file into place and removes the staging folder.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for name in &self.files {
            let to = self.dest.join(name);
            fs::rename(self.dir.join(name), &to).map_err(|e| Error::io(&to, e))?;
            out.push(to);
        }
        Ok(out)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
