//! Test helper: run the real `lifted` binary in a fresh temporary folder, after
//! ripgrep's `TestCommand`. Every failed assertion prints the command line, the
//! exit status, standard output and standard error.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The seeded linear congruential generator of generated test corpora.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next state (callers take the high bits).
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
}

/// Write `(id, text)` records as a JSONL corpus at `path`.
pub fn write_jsonl(path: &Path, records: impl IntoIterator<Item = (String, String)>) {
    let mut file = std::io::BufWriter::new(fs::File::create(path).expect("create the corpus"));
    for (id, text) in records {
        writeln!(file, "{}", serde_json::json!({"id": id, "text": text}))
            .expect("write the corpus");
    }
    file.flush().expect("write the corpus");
}

/// How long a run may take before it is killed and the test fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// A fresh temporary folder, deleted at the end of the test.
pub struct Dir {
    tmp: tempfile::TempDir,
    /// Set by [`Dir::where_permissions_bite`] when the tests run as root.
    unprivileged: Option<Unprivileged>,
}

/// How a root test process runs `lifted` as the unprivileged `nobody`.
struct Unprivileged {
    /// `setpriv ... --` or `runuser -u nobody --`.
    wrapper: Vec<OsString>,
    uid: u32,
    gid: u32,
    /// A copy (or hard link) of the binary in a folder `nobody` can reach:
    /// the repository may sit under a folder only root can enter.
    bin: tempfile::TempDir,
}

impl Dir {
    /// A new empty folder; `name` only helps to recognize it when kept.
    pub fn new(name: &str) -> Dir {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("lifted-test-{name}-"))
            .tempdir()
            .expect("create a temporary folder");
        Dir {
            tmp,
            unprivileged: None,
        }
    }

    /// A new empty folder whose `lifted` commands run where file permissions
    /// apply, for the tests of unreadable files and read-only folders. As an
    /// ordinary user that is this process. As root (CI runs as root), where
    /// `chmod 000` stops nothing, the commands run as `nobody` through
    /// `setpriv` or `runuser` (util-linux), and before each run the folder is
    /// handed to `nobody` (modes unchanged), as a user's own files are.
    /// Without either tool: a failure under `CI=true`; elsewhere `None`, with
    /// a message, and the caller skips.
    pub fn where_permissions_bite(name: &str) -> Option<Dir> {
        let mut dir = Dir::new(name);
        if permissions_bite() {
            return Some(dir);
        }
        let (uid, gid) = nobody_ids();
        let wrapper: Vec<OsString> =
            if let Some(setpriv) = find_tool("setpriv", &["/usr/bin", "/bin"]) {
                vec![
                    setpriv.into(),
                    format!("--reuid={uid}").into(),
                    format!("--regid={gid}").into(),
                    "--clear-groups".into(),
                    "--".into(),
                ]
            } else if let Some(runuser) = find_tool("runuser", &["/usr/sbin", "/sbin"]) {
                vec![runuser.into(), "-u".into(), "nobody".into(), "--".into()]
            } else {
                let why = "running as root, where file permissions stop nothing, and neither \
                       setpriv nor runuser (util-linux) is installed to run lifted as nobody";
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("{name}: {why}; install util-linux");
                }
                eprintln!("{name}: {why}: permission test skipped (it fails under CI=true)");
                return None;
            };
        let bin = tempfile::Builder::new()
            .prefix("lifted-test-bin-")
            .tempdir()
            .expect("create a folder for the binary");
        let copy = bin.path().join("lifted");
        let original = Path::new(env!("CARGO_BIN_EXE_lifted"));
        if fs::hard_link(original, &copy).is_err() {
            fs::copy(original, &copy).expect("copy the lifted binary");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(bin.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
            fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        dir.unprivileged = Some(Unprivileged {
            wrapper,
            uid,
            gid,
            bin,
        });
        Some(dir)
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// `name` inside the folder.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path().join(name)
    }

    /// Write a file (creating its parent folders) and return its path.
    pub fn create(&self, name: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders");
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// Create a folder (and its parents) and return its path.
    pub fn create_dir(&self, name: impl AsRef<Path>) -> PathBuf {
        let path = self.join(name);
        fs::create_dir_all(&path).expect("create folder");
        path
    }

    /// A `lifted` command running in this folder (as `nobody` in a folder
    /// from [`Dir::where_permissions_bite`] when the tests run as root).
    pub fn command(&self) -> TestCommand {
        let (mut cmd, owner) = match &self.unprivileged {
            None => (Command::new(env!("CARGO_BIN_EXE_lifted")), None),
            Some(u) => {
                let mut cmd = Command::new(&u.wrapper[0]);
                cmd.args(&u.wrapper[1..]).arg(u.bin.path().join("lifted"));
                (cmd, Some((self.path().to_path_buf(), u.uid, u.gid)))
            }
        };
        cmd.current_dir(self.path());
        TestCommand {
            cmd,
            stdin: None,
            timeout: DEFAULT_TIMEOUT,
            owner,
        }
    }

    /// Shorthand: `lifted <args>` run in this folder.
    pub fn lifted<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command().args(args).run()
    }
}

/// Whether file permissions stop us: false when the tests run as root (or with
/// CAP_DAC_OVERRIDE), where a `chmod 000` file can still be read. Checked by
/// trying, not by asking for the user id.
pub fn permissions_bite() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = tempfile::NamedTempFile::new().expect("probe file");
        fs::set_permissions(probe.path(), fs::Permissions::from_mode(0o000)).expect("chmod");
        let readable = fs::File::open(probe.path()).is_ok();
        let _ = fs::set_permissions(probe.path(), fs::Permissions::from_mode(0o600));
        !readable
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// A command under construction.
pub struct TestCommand {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    /// A folder to give to this user and group before running (see
    /// [`Dir::where_permissions_bite`]).
    owner: Option<(PathBuf, u32, u32)>,
}

impl TestCommand {
    /// Add one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    /// Add arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Feed these bytes on standard input (otherwise it is empty).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kill the run and fail the test after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Run to completion (or until the timeout, which fails the test) and
    /// check that it did not panic.
    pub fn run(mut self) -> Run {
        if let Some((folder, uid, gid)) = &self.owner {
            chown_tree(folder, *uid, *gid);
        }
        let command = format!("{:?}", self.cmd);
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
        let input = self.stdin.take().unwrap_or_default();
        let mut stdin = child.stdin.take().expect("stdin");
        let feeder = thread::spawn(move || {
            // The binary may exit without reading: ignore a broken pipe.
            let _ = stdin.write_all(&input);
        });
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let out_reader = thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = out.read_to_end(&mut bytes);
            bytes
        });
        let err_reader = thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = err.read_to_end(&mut bytes);
            bytes
        });
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for lifted") {
                break Some(status);
            }
            if started.elapsed() > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            thread::sleep(Duration::from_millis(20));
        };
        let _ = feeder.join();
        let run = Run {
            command,
            status,
            elapsed: started.elapsed(),
            stdout: out_reader.join().unwrap_or_default(),
            stderr: err_reader.join().unwrap_or_default(),
        };
        if run.status.is_none() {
            panic!("timed out after {:?} (killed):\n{run}", self.timeout);
        }
        run.assert_no_panic();
        run
    }
}

/// A finished run.
pub struct Run {
    /// The command line, for messages.
    pub command: String,
    /// Exit status (`None` if killed on timeout).
    pub status: Option<ExitStatus>,
    /// Wall time.
    pub elapsed: Duration,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "command: {}", self.command)?;
        writeln!(f, "status:  {:?} after {:?}", self.status, self.elapsed)?;
        let stdout = String::from_utf8_lossy(&self.stdout);
        let shown: String = stdout.chars().take(4000).collect();
        let cut = if shown.len() < stdout.len() {
            "\n[... cut]"
        } else {
            ""
        };
        writeln!(f, "stdout:\n{shown}{cut}")?;
        write!(f, "stderr:\n{}", String::from_utf8_lossy(&self.stderr))
    }
}

impl Run {
    /// Exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Standard output as text.
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Exit code 101 or "panicked" in standard error fail the test.
    pub fn assert_no_panic(&self) -> &Self {
        assert!(
            self.code() != Some(101) && !self.stderr_str().contains("panicked"),
            "lifted panicked:\n{self}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            let signal = self.status.and_then(|s| s.signal());
            assert!(
                signal.is_none(),
                "lifted died of signal {signal:?}:\n{self}"
            );
        }
        self
    }

    /// The exit code must be `code`.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            Some(code),
            "expected exit code {code}:\n{self}"
        );
        self
    }

    /// Exit 0.
    pub fn assert_success(&self) -> &Self {
        self.assert_code(0)
    }

    /// The warning lines (`lifted: warning: ...`) of standard error.
    pub fn warnings(&self) -> Vec<String> {
        self.stderr_str()
            .lines()
            .filter(|l| l.starts_with("lifted: warning: "))
            .map(str::to_string)
            .collect()
    }

    /// A warning line containing every one of `parts`, or fail.
    pub fn warning_with(&self, parts: &[&str]) -> String {
        self.warnings()
            .into_iter()
            .find(|w| parts.iter().all(|p| w.contains(p)))
            .unwrap_or_else(|| panic!("no warning containing all of {parts:?}:\n{self}"))
    }

    /// The run failed with exit code 2 and one error line (besides warnings)
    /// that contains every one of `parts`; returns that line.
    pub fn assert_error(&self, parts: &[&str]) -> String {
        self.assert_code(2);
        let errors: Vec<&str> = Vec::from_iter(
            std::str::from_utf8(&self.stderr)
                .unwrap_or_else(|_| panic!("standard error is not UTF-8:\n{self}"))
                .lines()
                .filter(|l| !l.starts_with("lifted: warning: ")),
        );
        assert_eq!(
            errors.len(),
            1,
            "expected exactly one error line besides warnings:\n{self}"
        );
        let line = errors[0];
        assert!(
            line.starts_with("lifted: "),
            "the error line does not start with `lifted: `:\n{self}"
        );
        for part in parts {
            assert!(
                line.contains(part),
                "the error line lacks {part:?}:\n{self}"
            );
        }
        line.to_string()
    }

    /// Standard output parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("standard output is not JSON ({e}):\n{self}"))
    }
}

/// `path` does not exist and its folder holds no `.lifted-*.tmp` leftover.
pub fn assert_no_output(path: &Path) {
    assert!(
        !path.exists(),
        "{} exists after a failed run",
        path.display()
    );
    let folder = path.parent().unwrap_or(Path::new("."));
    if let Ok(entries) = fs::read_dir(folder) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                !(name.starts_with(".lifted-") && name.ends_with(".tmp")),
                "temporary file {name} left in {}",
                folder.display()
            );
        }
    }
}

/// The user and group ids of `nobody` (65534 where /etc/passwd does not say).
fn nobody_ids() -> (u32, u32) {
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            match fields[..] {
                ["nobody", _, uid, gid, ..] => Some((uid.parse().ok()?, gid.parse().ok()?)),
                _ => None,
            }
        })
        .unwrap_or((65534, 65534))
}

/// `name` on the PATH or in one of `folders`.
fn find_tool(name: &str, folders: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(folders.iter().map(PathBuf::from))
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
}

/// Give `path` and everything under it to `uid`:`gid` (links themselves,
/// not their targets); modes are kept.
fn chown_tree(path: &Path, uid: u32, gid: u32) {
    #[cfg(unix)]
    {
        std::os::unix::fs::lchown(path, Some(uid), Some(gid))
            .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
        let metadata = fs::symlink_metadata(path).expect("stat");
        if metadata.is_dir() {
            for entry in fs::read_dir(path).expect("read folder") {
                chown_tree(&entry.expect("folder entry").path(), uid, gid);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, uid, gid);
}

/// Chromium, at /usr/bin/chromium or on PATH (`chromium`, `chromium-browser`).
pub fn find_chromium() -> Option<PathBuf> {
    let fixed = Path::new("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|c| c.is_file())
}

/// Load `page` in headless Chromium (this machine's flags: no sandbox, no
/// background networking, a new empty profile) and return the DOM it dumps
/// and how long that took. Fails the test when Chromium does not finish
/// within `timeout`, fails, or dumps nothing.
pub fn chromium_dump_dom(chromium: &Path, page: &Path, timeout: Duration) -> (String, Duration) {
    let scratch = tempfile::Builder::new()
        .prefix("lifted-chromium-")
        .tempdir()
        .expect("create a Chromium profile folder");
    let profile = scratch.path().join("profile");
    let stdout_path = scratch.path().join("dom.html");
    let stderr_path = scratch.path().join("chromium.stderr");
    let stdout = fs::File::create(&stdout_path).expect("create the DOM file");
    let stderr = fs::File::create(&stderr_path).expect("create the stderr file");
    let started = Instant::now();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let status = loop {
        match child.try_wait().expect("wait for Chromium") {
            Some(status) => break status,
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "Chromium did not load {} within {timeout:?}; killed.\nstderr:\n{}",
                    page.display(),
                    fs::read_to_string(&stderr_path).unwrap_or_default()
                );
            }
            None => thread::sleep(Duration::from_millis(50)),
        }
    };
    let took = started.elapsed();
    let dom = fs::read(&stdout_path).expect("read the dumped DOM");
    assert!(
        status.success() && !dom.is_empty(),
        "Chromium failed ({status:?}) or dumped nothing.\nstderr:\n{}",
        fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    (
        String::from_utf8(dom).expect("the dumped DOM is UTF-8"),
        took,
    )
}

/// Write `a.txt` and `b.txt` in `dir`: two documents sharing `passage`
/// (followed by a period) between different first and last lines.
pub fn two_documents_sharing(dir: &Dir, passage: &str) {
    dir.create(
        "a.txt",
        format!("Opening remarks about weather.\n{passage}.\nClosing line here.\n"),
    );
    dir.create(
        "b.txt",
        format!("Entirely different preface.\n{passage}.\nA separate ending.\n"),
    );
}

/// The JSON document in the file at `path` (a report or a summary).
pub fn read_json(path: &Path) -> serde_json::Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// `../shared/pan13-train`, the PAN 2013 training corpus, when `part` (a
/// file or folder of it) is there; else `None`, with a message, outside CI.
/// In CI (CI=true) it must be there: a missing corpus fails the test instead
/// of skipping it.
pub fn pan13_train(part: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pan13-train");
    if path.join(part).exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing; CI must provide the PAN 2013 training corpus there",
        path.display()
    );
    eprintln!("skipped: no PAN 2013 training corpus at {}", path.display());
    None
}
