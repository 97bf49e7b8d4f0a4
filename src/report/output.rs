//! Writing result files atomically.
//!
//! Every file of a run is first written into a staging folder beside the
//! output folder, then renamed into place one by one. A run that fails
//! before the renames leaves the output folder as it was; the staging
//! folder is removed either way.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Every file a run may write.
const RESULT_FILES: &[&str] = &[
    "summary.csv",
    "partitions.csv",
    "fanout.csv",
    "latency.csv",
    "throughput.csv",
    "run.json",
    "report.html",
    "load.png",
    "load.svg",
    "load_sorted.png",
    "load_sorted.svg",
    "storage.png",
    "storage.svg",
    "latency.png",
    "latency.svg",
    "tradeoff.png",
    "tradeoff.svg",
    "movement.png",
    "movement.svg",
];

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
        // A run that was killed leaves its staging folder behind; the next
        // run into the same folder clears it away.
        let entries = fs::read_dir(dest).map_err(|e| Error::io(dest, e))?;
        for entry in entries.flatten() {
            let stale = entry.file_name().to_string_lossy().starts_with(".staging-");
            if stale && entry.path().is_dir() {
                let path = entry.path();
                fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        let dir = dest.join(format!(".staging-{}", std::process::id()));
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
    /// Result files of an earlier run that this run did not write (charts
    /// after `--no-charts`, say) are removed, so the folder never mixes
    /// two runs; other files are left alone.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        for stale in RESULT_FILES
            .iter()
            .filter(|f| !self.files.iter().any(|s| s == *f))
        {
            let path = self.dest.join(stale);
            if path.is_file() {
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
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
