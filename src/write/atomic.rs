//! Atomic output files: write to a temporary file in the same folder, then
//! rename over the target, so a killed run never leaves a half-written file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written; it appears under its final name only on [`commit`](Self::commit).
/// Dropping it without committing removes the temporary file.
pub struct AtomicFile {
    tmp: PathBuf,
    target: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: impl AsRef<Path>) -> crate::Result<Self> {
        let target = target.as_ref().to_path_buf();
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let f = File::create(&tmp).map_err(|e| crate::Error::io(&tmp, e))?;
        Ok(AtomicFile {
            tmp,
            target,
            out: Some(BufWriter::with_capacity(1 << 16, f)),
        })
    }

    /// Flush, sync and rename into place.
    pub fn commit(mut self) -> crate::Result<()> {
        let out = self.out.take().expect("committed once");
        let f = out
            .into_inner()
            .map_err(|e| crate::Error::io(&self.tmp, e.into_error()))?;
        f.sync_all().map_err(|e| crate::Error::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.target).map_err(|e| crate::Error::io(&self.target, e))
    }

    /// Commit several files: synced in parallel (each `fsync` waits on the
    /// disk), then renamed in order.
    pub fn commit_all(files: Vec<AtomicFile>) -> crate::Result<()> {
        use rayon::prelude::*;
        let synced: Vec<crate::Result<(PathBuf, PathBuf)>> = files
            .into_par_iter()
            .map(|mut a| {
                let out = a.out.take().expect("committed once");
                let f = out
                    .into_inner()
                    .map_err(|e| crate::Error::io(&a.tmp, e.into_error()))?;
                f.sync_all().map_err(|e| crate::Error::io(&a.tmp, e))?;
                Ok((a.tmp.clone(), a.target.clone()))
            })
            .collect();
        if let Some(e) = synced.iter().position(Result::is_err) {
            // Nothing is renamed when one file fails: the others' temporary
            // files go too.
            for (tmp, _) in synced.iter().flatten() {
                let _ = std::fs::remove_file(tmp);
            }
            return synced.into_iter().nth(e).expect("index").map(|_| ());
        }
        for (tmp, target) in synced.into_iter().flatten() {
            std::fs::rename(&tmp, &target).map_err(|e| crate::Error::io(&target, e))?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.target
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.as_mut().expect("not committed").write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.as_mut().expect("not committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Write a whole file atomically.
pub fn write_file(target: impl AsRef<Path>, bytes: &[u8]) -> crate::Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)
        .map_err(|e| crate::Error::io(f.path().to_path_buf(), e))?;
    f.commit()
}
