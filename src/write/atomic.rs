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
        Syncing::commit_all(
            files
                .into_iter()
                .map(AtomicFile::sync_in_background)
                .collect(),
        )
    }

    /// Flush and `fsync` on a thread of its own, so that the caller can go
    /// on computing the next output while the disk catches up; the file is
    /// renamed into place by [`Syncing::commit_all`].
    pub fn sync_in_background(mut self) -> Syncing {
        let out = self.out.take().expect("committed once");
        let handle = std::thread::spawn(move || -> io::Result<()> {
            out.into_inner().map_err(|e| e.into_error())?.sync_all()
        });
        Syncing {
            tmp: std::mem::take(&mut self.tmp),
            target: std::mem::take(&mut self.target),
            handle: Some(handle),
        }
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

/// An [`AtomicFile`] being synced in the background. Dropping it without
/// committing waits for the sync and removes the temporary file.
pub struct Syncing {
    tmp: PathBuf,
    target: PathBuf,
    handle: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Syncing {
    fn wait(&mut self) -> io::Result<()> {
        match self.handle.take() {
            Some(h) => h
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("sync thread panicked"))),
            None => Ok(()),
        }
    }

    /// Wait until every file is synced, then rename them into place in
    /// order. Nothing is renamed when one file fails: every temporary file
    /// is removed and the first error returned.
    pub fn commit_all(mut files: Vec<Syncing>) -> crate::Result<()> {
        let mut first_err = None;
        for f in &mut files {
            if let Err(e) = f.wait() {
                first_err.get_or_insert(crate::Error::io(&f.tmp, e));
            }
        }
        if let Some(e) = first_err {
            // `Drop` removes the temporary files.
            return Err(e);
        }
        for mut f in files {
            let tmp = std::mem::take(&mut f.tmp);
            std::fs::rename(&tmp, &f.target).map_err(|e| crate::Error::io(&f.target, e))?;
        }
        Ok(())
    }
}

impl Drop for Syncing {
    fn drop(&mut self) {
        let _ = self.wait();
        if !self.tmp.as_os_str().is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_sync_commits_in_place_or_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let mut a = AtomicFile::create(d.path().join("a.txt")).unwrap();
        a.write_all(b"one").unwrap();
        let mut b = AtomicFile::create(d.path().join("b.txt")).unwrap();
        b.write_all(b"two").unwrap();
        Syncing::commit_all(vec![a.sync_in_background(), b.sync_in_background()]).unwrap();
        assert_eq!(std::fs::read(d.path().join("a.txt")).unwrap(), b"one");
        assert_eq!(std::fs::read(d.path().join("b.txt")).unwrap(), b"two");

        let mut c = AtomicFile::create(d.path().join("c.txt")).unwrap();
        c.write_all(b"three").unwrap();
        drop(c.sync_in_background());
        let mut names: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "b.txt"]);
    }
}
