//! Where a report goes, checked before the scan starts and written after it,
//! without ever harming a file (issue 13, items 1 to 4).
//!
//! - No `--output`, or `-`: standard output.
//! - A character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe):
//!   written in place, as a stream; replacing it would turn `/dev/null` into
//!   a regular file.
//! - A regular file, or a name not taken yet: written to a temporary file
//!   beside it and renamed over it, so a failure or a signal never leaves a
//!   partial report. A replaced file keeps its permissions (and, for root,
//!   its owner); a new one gets the umask's. A symbolic link is followed:
//!   its target is replaced, the link stays.
//! - Anything else (a folder, a socket, a block device) is refused.
//!
//! The report may not land on what the run reads: an input file or the
//! manifest (compared by device and inode, so another name or a hard link is
//! caught), or a file inside a scanned folder, at any depth (the next scan
//! would read the report as a document).
//!
//! Temporary files are registered here: [`abandon`], called when a
//! termination signal arrives, removes them under the lock that a finished
//! report is renamed under, so a report is either whole in place or absent,
//! and no temporary file is left behind.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context, Result};

/// An output that cannot be written without harm.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output is one of the files the run reads.
    #[error(
        "{}: the output is also an input ({}); writing the report there would destroy it: \
         choose another --output",
        output.display(),
        input.display()
    )]
    IsInput {
        /// The output, as given.
        output: PathBuf,
        /// The input it is.
        input: PathBuf,
    },
    /// The output lies inside a scanned folder.
    #[error(
        "{}: the output is inside the scanned folder {}, where the next scan would read the \
         report as a document: write it elsewhere",
        output.display(),
        folder.display()
    )]
    InsideFolder {
        /// The output, as given.
        output: PathBuf,
        /// The scanned folder.
        folder: PathBuf,
    },
    /// The output is neither a regular file nor a stream.
    #[error(
        "{}: cannot write a report to a {kind}: give a file name, a character device, \
         a FIFO or `-` for standard output",
        output.display()
    )]
    NotAFile {
        /// The output, as given.
        output: PathBuf,
        /// What it is.
        kind: &'static str,
    },
}

/// Where a report goes.
pub enum Target {
    /// Standard output.
    Stdout,
    /// A character device or a FIFO, written in place.
    Stream(PathBuf),
    /// A regular file, replaced atomically.
    File(Replacement),
}

/// A regular file being replaced: the temporary file beside it that will be
/// renamed over it.
pub struct Replacement {
    /// The output as given, for messages.
    shown: PathBuf,
    /// The file renamed over: the output, or the target of its links.
    path: PathBuf,
    /// Whether a file is there already.
    replacing: bool,
    temporary: Pending,
}

impl Target {
    /// Check `output` (None or `-`: standard output) against `inputs` (the
    /// paths the run reads: files, folders, `-` for standard input, the
    /// manifest) and prepare to write it. For a file this creates its
    /// temporary file, which also proves that the folder can be written.
    pub fn prepare(output: Option<&Path>, inputs: &[&Path]) -> Result<Target> {
        let inputs = Inputs::of(inputs);
        let Some(output) = output.filter(|p| *p != Path::new("-")) else {
            // `lifted scan a.txt >> a.txt`.
            if let Some(input) = standard("out").and_then(|m| inputs.same_file(&m)) {
                return Err(OutputError::IsInput {
                    output: PathBuf::from("standard output"),
                    input: input.to_path_buf(),
                }
                .into());
            }
            return Ok(Target::Stdout);
        };
        let failed = |source: io::Error| lifted::Error::Write {
            path: output.to_path_buf(),
            source,
        };
        let existing = match fs::metadata(output) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(failed(e).into()),
        };
        if let Some(meta) = &existing {
            if let Some(target) = Target::existing(output, meta, &inputs)? {
                return Ok(target);
            }
        }
        // A regular file or a new name: find the file that the links lead to,
        // and its folder, where the temporary file goes.
        let path = follow_links(output).map_err(failed)?;
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let canonical = folder.canonicalize().map_err(failed)?;
        if let Some(folder) = inputs.folder_holding(&canonical) {
            return Err(OutputError::InsideFolder {
                output: output.to_path_buf(),
                folder: folder.to_path_buf(),
            }
            .into());
        }
        let temporary = Pending::create(&canonical, existing.as_ref()).map_err(failed)?;
        Ok(Target::File(Replacement {
            shown: output.to_path_buf(),
            path,
            replacing: existing.is_some(),
            temporary,
        }))
    }

    /// For an `output` that exists (`meta`): an error if it may not be
    /// written, the stream to write if it is one, None for a regular file.
    fn existing(output: &Path, meta: &fs::Metadata, inputs: &Inputs) -> Result<Option<Target>> {
        if let Some(input) = inputs.same_file(meta) {
            return Err(OutputError::IsInput {
                output: output.to_path_buf(),
                input: input.to_path_buf(),
            }
            .into());
        }
        if let Some(kind) = refused_kind(meta) {
            return Err(OutputError::NotAFile {
                output: output.to_path_buf(),
                kind,
            }
            .into());
        }
        if !meta.is_file() {
            return Ok(Some(Target::Stream(output.to_path_buf())));
        }
        // `--output /dev/stdout >> log`: the file standard output appends to
        // is written through standard output, not replaced.
        if standard("out").is_some_and(|out| identity(&out) == identity(meta)) {
            return Ok(Some(Target::Stdout));
        }
        Ok(None)
    }

    /// Write the report with `write`; a closed pipe (`| head`) ends quietly.
    pub fn write(self, write: impl Fn(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        match self {
            Target::Stdout => {
                WRITTEN.store(STREAMING, Ordering::SeqCst);
                let stdout = io::stdout();
                let mut out = io::BufWriter::new(stdout.lock());
                quiet_on_broken_pipe(write(&mut out).and_then(|()| out.flush()))
                    .context("writing to standard output")
            }
            Target::Stream(path) => {
                let failed = |source: io::Error| lifted::Error::Write {
                    path: path.clone(),
                    source,
                };
                // Opening a FIFO waits for its reader.
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(failed)?;
                WRITTEN.store(STREAMING, Ordering::SeqCst);
                let mut out = io::BufWriter::new(file);
                quiet_on_broken_pipe(write(&mut out).and_then(|()| out.flush())).map_err(failed)?;
                Ok(())
            }
            Target::File(replacement) => {
                replacement.write(write)?;
                publish(vec![replacement])
            }
        }
    }
}

impl Replacement {
    /// Prepare `path` as a regular file (refusing anything else), for
    /// outputs that must be files (`lifted gen`).
    pub fn prepare(path: &Path) -> Result<Replacement> {
        match Target::prepare(Some(path), &[])? {
            Target::File(replacement) => Ok(replacement),
            _ => Err(OutputError::NotAFile {
                output: path.to_path_buf(),
                kind: "stream (a device, a FIFO or standard output)",
            }
            .into()),
        }
    }

    /// The output as given.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// The temporary file.
    pub fn file(&self) -> &File {
        self.temporary.file()
    }

    /// The error for a failed write.
    pub fn failed(&self, source: io::Error) -> lifted::Error {
        lifted::Error::Write {
            path: self.shown.clone(),
            source,
        }
    }

    /// Write the report into the temporary file.
    fn write(&self, write: impl Fn(&mut dyn Write) -> io::Result<()>) -> Result<()> {
        // On ext4, renamed over an existing file, a new file's dirty pages
        // are all flushed by the rename itself (auto_da_alloc: 15 ms for the
        // 32 MB report of the 100 MB benchmark corpus, on one thread at the
        // very end). Starting that writeback as the report is written spreads
        // it over the serialization instead. Elsewhere the pages are left to
        // the kernel: writing them back early could only make a run wait for
        // a slow disk.
        let eager = self.replacing && on_ext4(self.file());
        let mut file = WriteBack::new(self.file(), eager);
        let mut out = io::BufWriter::new(&mut file);
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| self.failed(e))?;
        Ok(())
    }
}

/// Rename finished temporary files into place, all under one hold of the
/// registry lock, so that a signal sees them all renamed or none.
///
/// The files are not fsynced before the rename. A report is derived data
/// that a rerun reproduces byte for byte, and the fsync cost 10 to 150 ms of
/// a 1.4 s scan of the 100 MB benchmark corpus (most of `writing`), as it
/// would on every CI run. The price: after a power cut or kernel crash (not
/// a failure or a signal) the report may be missing or empty until the scan
/// is run again.
pub fn publish(replacements: Vec<Replacement>) -> Result<()> {
    let mut registry = registry();
    for mut replacement in replacements {
        let temporary = replacement.temporary.take();
        registry.retain(|p| p != temporary.path());
        temporary
            .persist(&replacement.path)
            .map_err(|e| replacement.failed(e.error))?;
    }
    WRITTEN.store(PUBLISHED, Ordering::SeqCst);
    Ok(())
}

/// What the run has written so far, for the message of a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Nothing.
    Nothing,
    /// Part of a stream (standard output, a device or a FIFO).
    Stream,
    /// Whole reports, renamed into place.
    Files,
}

const NOTHING: u8 = 0;
const STREAMING: u8 = 1;
const PUBLISHED: u8 = 2;
static WRITTEN: AtomicU8 = AtomicU8::new(NOTHING);

/// The temporary files not yet renamed into place.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Remove every temporary file and keep the lock, so that none is created or
/// renamed afterwards: for a process about to exit on a signal.
pub fn abandon() -> (MutexGuard<'static, Vec<PathBuf>>, Written) {
    let registry = registry();
    for path in registry.iter() {
        let _ = fs::remove_file(path);
    }
    let written = match WRITTEN.load(Ordering::SeqCst) {
        NOTHING => Written::Nothing,
        STREAMING => Written::Stream,
        _ => Written::Files,
    };
    (registry, written)
}

/// A registered temporary file, deleted (and unregistered) when dropped.
struct Pending(Option<tempfile::NamedTempFile>);

impl Pending {
    /// A temporary file in `folder`, with the permissions of the file it
    /// replaces (`existing`), else those a new file gets (0666 less the umask).
    fn create(folder: &Path, existing: Option<&fs::Metadata>) -> io::Result<Pending> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".lifted-").suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The mode given to open(2), which the kernel masks with the umask.
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        // Created and registered under the lock: a signal finds it registered.
        let mut registry = registry();
        let temporary = builder.tempfile_in(folder)?;
        registry.push(temporary.path().to_path_buf());
        let pending = Pending(Some(temporary));
        drop(registry);
        if let Some(existing) = existing {
            keep_owner_and_mode(pending.file(), existing)?;
        }
        Ok(pending)
    }

    fn file(&self) -> &File {
        self.0.as_ref().expect("a pending file").as_file()
    }

    fn take(&mut self) -> tempfile::NamedTempFile {
        self.0.take().expect("a pending file")
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(temporary) = self.0.take() {
            let mut registry = registry();
            registry.retain(|p| p != temporary.path());
            drop(temporary);
        }
    }
}

/// Give the temporary file the replaced file's permissions and, where the
/// system lets us (as root), its owner and group.
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, existing: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let ours = file.metadata()?;
    if (ours.uid(), ours.gid()) != (existing.uid(), existing.gid()) {
        // Only root may give a file away; anyone else writes their own file.
        let _ = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
    }
    file.set_permissions(fs::Permissions::from_mode(existing.mode() & 0o777))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, existing: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(existing.permissions())
}

/// Why `meta` cannot take a report, if it cannot.
fn refused_kind(meta: &fs::Metadata) -> Option<&'static str> {
    if meta.is_dir() {
        return Some("folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_socket() {
            return Some("socket");
        }
        if kind.is_block_device() {
            return Some("block device");
        }
        if !(kind.is_file() || kind.is_char_device() || kind.is_fifo()) {
            return Some("special file");
        }
    }
    None
}

/// The file that `path`'s symbolic links lead to (the last one may not
/// exist yet). Relative link targets are taken from the link's folder.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    // As Linux's MAXSYMLINKS.
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(parent) => parent.join(target),
                    None => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// A file's identity: its device and inode.
type Identity = (u64, u64);

#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &fs::Metadata) -> Option<Identity> {
    None
}

/// Standard input's (`"in"`) or output's metadata, when it is a regular
/// file (`lifted scan - < corpus.txt`, `lifted scan a.txt > map.json`).
#[cfg(unix)]
fn standard(which: &str) -> Option<fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = match which {
        "in" => io::stdin().as_fd().try_clone_to_owned(),
        _ => io::stdout().as_fd().try_clone_to_owned(),
    };
    File::from(fd.ok()?).metadata().ok().filter(|m| m.is_file())
}

#[cfg(not(unix))]
fn standard(_which: &str) -> Option<fs::Metadata> {
    None
}

/// The identities of what a run reads.
struct Inputs<'a> {
    files: Vec<(Identity, &'a Path)>,
    folders: Vec<(Identity, &'a Path)>,
}

impl<'a> Inputs<'a> {
    fn of(paths: &[&'a Path]) -> Inputs<'a> {
        let mut inputs = Inputs {
            files: Vec::new(),
            folders: Vec::new(),
        };
        for &path in paths {
            // A path that cannot be read is the reader's error to report.
            let meta = if path == Path::new("-") {
                standard("in")
            } else {
                fs::metadata(path).ok()
            };
            let Some(meta) = meta else { continue };
            let Some(id) = identity(&meta) else { continue };
            if meta.is_dir() {
                inputs.folders.push((id, path));
            } else {
                inputs.files.push((id, path));
            }
        }
        inputs
    }

    /// The input that `meta` is, if any.
    fn same_file(&self, meta: &fs::Metadata) -> Option<&'a Path> {
        let id = identity(meta)?;
        self.files.iter().find(|(i, _)| *i == id).map(|(_, p)| *p)
    }

    /// The scanned folder that holds the (canonical) folder `folder`, at any
    /// depth, if any.
    fn folder_holding(&self, folder: &Path) -> Option<&'a Path> {
        if self.folders.is_empty() {
            return None;
        }
        folder.ancestors().find_map(|ancestor| {
            let id = identity(&fs::metadata(ancestor).ok()?)?;
            self.folders.iter().find(|(i, _)| *i == id).map(|(_, p)| *p)
        })
    }
}

/// A closed pipe is the reader's choice (`lifted scan ... | head`), not an error.
fn quiet_on_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Whether `file` is on an ext2/3/4 file system (Linux only).
#[cfg(target_os = "linux")]
fn on_ext4(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    const EXT4_SUPER_MAGIC: libc::c_long = 0xEF53;
    let mut stats = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: fstatfs writes a whole `statfs` into the buffer when it
    // returns 0, and the buffer is read only then.
    unsafe {
        libc::fstatfs(file.as_raw_fd(), stats.as_mut_ptr()) == 0
            && stats.assume_init().f_type as libc::c_long == EXT4_SUPER_MAGIC
    }
}

#[cfg(not(target_os = "linux"))]
fn on_ext4(_file: &File) -> bool {
    false
}

/// A file writer that, when `eager`, asks the kernel to start writing back
/// each [`WriteBack::STEP`] bytes once they are written (Linux only, a no-op
/// elsewhere; a hint, whose failure changes nothing).
struct WriteBack<'f> {
    file: &'f File,
    eager: bool,
    written: u64,
    started: u64,
}

impl<'f> WriteBack<'f> {
    const STEP: u64 = 4 << 20;

    fn new(file: &'f File, eager: bool) -> Self {
        WriteBack {
            file,
            eager,
            written: 0,
            started: 0,
        }
    }

    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        let length = self.written - self.started;
        // SAFETY: a plain system call on an open descriptor; it reads no
        // memory of ours.
        unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                self.started as libc::off64_t,
                length as libc::off64_t,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.started = self.written;
    }

    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {}
}

impl Write for WriteBack<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut file = self.file;
        let n = file.write(bytes)?;
        self.written += n as u64;
        if self.eager && self.written - self.started >= Self::STEP {
            self.start_writeback();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut file = self.file;
        file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writing back as it goes, the file gets every byte, in order, across
    /// several steps and odd-sized writes.
    #[test]
    fn write_back_writes_every_byte() {
        for eager in [false, true] {
            let file = tempfile::tempfile().unwrap();
            let bytes: Vec<u8> = (0..(3 * WriteBack::STEP as usize + 12_345))
                .map(|i| (i * 31 % 251) as u8)
                .collect();
            let mut writer = WriteBack::new(&file, eager);
            for piece in bytes.chunks(1_000_003) {
                writer.write_all(piece).unwrap();
            }
            writer.flush().unwrap();
            assert_eq!(writer.written, bytes.len() as u64);
            assert_eq!(writer.started > 0, eager && cfg!(target_os = "linux"));
            let mut read = Vec::new();
            use std::io::{Read, Seek};
            let mut file = file;
            file.seek(io::SeekFrom::Start(0)).unwrap();
            file.read_to_end(&mut read).unwrap();
            assert!(read == bytes, "eager {eager}: the file differs");
        }
    }

    /// Links are followed to the file they name, relative to their folder,
    /// even when that file does not exist yet; a loop is an error.
    #[cfg(unix)]
    #[test]
    fn follow_links_finds_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        std::os::unix::fs::symlink("sub/link2", dir.path().join("link1")).unwrap();
        std::os::unix::fs::symlink("../new.json", sub.join("link2")).unwrap();
        assert_eq!(
            follow_links(&dir.path().join("link1")).unwrap(),
            dir.path().join("sub/../new.json")
        );
        std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
        assert!(follow_links(&dir.path().join("loop")).is_err());
    }
}
