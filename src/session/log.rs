//! The session log's file: append-only JSONL, one event a line, each written with a single
//! `write` the moment it happens, so killing the process never loses a completed turn. Reading
//! tolerates a last line cut in half (resume up to the last whole event and say so).

use super::store::{file_stamp, id_of};
use crate::interview::Event;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The log format's version. 2 added `reading` events, so that replay never reads a turn again;
/// logs of version 1 are still read (see `replay`).
pub const SCHEMA: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Line<E> {
    v: u32,
    #[serde(flatten)]
    event: E,
}

/// Where a session's events go: a file on disk, or memory (simulations, which read them back).
pub struct Log {
    pub path: PathBuf,
    sink: Sink,
    /// Held while the file is written: two processes never interleave one session.
    _lock: Option<Lock>,
}

/// The one writer of a session file: an advisory lock (`flock`) held as long as the log is open
/// and released by the kernel however the process ends, so a crash leaves no lock behind. The
/// holder's pid is written beside the file (`.NAME.lock`) for the message another process gets.
pub struct Lock {
    _file: std::fs::File,
    pid_file: PathBuf,
}

impl Lock {
    /// Lock `path` for writing. Also returns the pid a previous holder left behind when it did not
    /// end cleanly (its lock is gone with it).
    pub fn take(path: &Path) -> Result<(Lock, Option<u32>)> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .open(path)
            .with_context(|| format!("cannot open session file {}", path.display()))?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let pid_file = path.with_file_name(format!(".{name}.lock"));
        let holder = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok());
        if !exclusive(&file) {
            let who = holder.map(|p| format!(" (pid {p})")).unwrap_or_default();
            bail!(
                "session {} is open in another casecoach{who}; finish or stop that one first, or start a new session",
                id_of(path)
            );
        }
        std::fs::write(&pid_file, format!("{}\n", std::process::id()))
            .with_context(|| format!("cannot write the lock file {}", pid_file.display()))?;
        let lock = Lock {
            _file: file,
            pid_file,
        };
        Ok((lock, holder))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.pid_file);
    }
}

/// Take an exclusive advisory lock on `file` without waiting; false if another process has it.
#[cfg(unix)]
fn exclusive(file: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this File owns; no memory is shared with the call.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

#[cfg(not(unix))]
fn exclusive(_: &std::fs::File) -> bool {
    true
}

enum Sink {
    File(std::fs::File),
    Memory(Vec<Event>),
}

/// The scenario a session file is named after: the inverse of the naming in `Log::create`,
/// `<yyyymmdd>-<hhmmss>-<scenario>[-<n>].jsonl`.
pub fn scenario_of(file_name: &str) -> Option<&str> {
    let rest = file_name.strip_suffix(".jsonl")?;
    let (stamp, rest) = (rest.get(..15)?, rest.get(16..)?);
    let stamped = stamp.bytes().enumerate().all(|(i, b)| {
        if i == 8 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if !stamped || rest.is_empty() {
        return None;
    }
    Some(match rest.rsplit_once('-') {
        Some((id, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => id,
        _ => rest,
    })
}

impl Log {
    /// A new session file in `dir`, named by start time and scenario (`scenario_of` reads
    /// the scenario back).
    pub fn create(dir: &Path, scenario: &str) -> Result<Log> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the sessions folder {}", dir.display()))?;
        let stamp = file_stamp(std::time::SystemTime::now());
        for attempt in 0..100 {
            let suffix = if attempt == 0 {
                String::new()
            } else {
                format!("-{attempt}")
            };
            let path = dir.join(format!("{stamp}-{scenario}{suffix}.jsonl"));
            match std::fs::OpenOptions::new()
                .append(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    let (lock, _) = Lock::take(&path)?;
                    return Ok(Log {
                        path,
                        sink: Sink::File(file),
                        _lock: Some(lock),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot create session file {}", path.display()));
                }
            }
        }
        bail!("cannot find a free session file name in {}", dir.display())
    }

    /// Reopen a session for appending, first cutting off a partial last line. `lock` must have
    /// been taken before the file was read, or another writer's newest events could be cut off.
    pub fn reopen(path: &Path, loaded: &Loaded, lock: Lock) -> Result<Log> {
        let good_len = loaded.good_len;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open session file {}", path.display()))?;
        file.set_len(good_len)
            .with_context(|| format!("cannot repair session file {}", path.display()))?;
        drop(file);
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        if loaded.needs_newline {
            file.write_all(b"\n")?;
        }
        Ok(Log {
            path: path.to_path_buf(),
            sink: Sink::File(file),
            _lock: Some(lock),
        })
    }

    /// A log kept in memory, named `name` in messages.
    pub fn memory(name: &str) -> Log {
        Log {
            path: PathBuf::from(name),
            sink: Sink::Memory(Vec::new()),
            _lock: None,
        }
    }

    /// The session id users type: the file name without `.jsonl`.
    pub fn id(&self) -> String {
        id_of(&self.path)
    }

    /// A coding round's solution file, beside the session file; none for a log in memory.
    pub fn solution_path(&self) -> Option<PathBuf> {
        self.is_file().then(|| self.path.with_extension("py"))
    }

    pub fn is_file(&self) -> bool {
        matches!(self.sink, Sink::File(_))
    }

    /// The events of an in-memory log (empty for a file log: read the file instead).
    pub fn events(&self) -> &[Event] {
        match &self.sink {
            Sink::Memory(events) => events,
            Sink::File(_) => &[],
        }
    }

    pub fn append(&mut self, event: &Event) -> Result<()> {
        let file = match &mut self.sink {
            Sink::Memory(events) => {
                events.push(event.clone());
                return Ok(());
            }
            Sink::File(file) => file,
        };
        let mut line = serde_json::to_string(&Line { v: SCHEMA, event })?;
        line.push('\n');
        // One write per event: a kill leaves whole lines, or at worst one partial last line.
        file.write_all(line.as_bytes()).with_context(|| {
            format!(
                "{} was NOT saved: cannot write to session file {}",
                what(event),
                self.path.display()
            )
        })
    }
}

/// An event in the words of a message about it.
fn what(event: &Event) -> String {
    use crate::interview::Role;
    match event {
        Event::Turn {
            role: Role::Candidate,
            n,
            ..
        } => format!("your answer (turn {n})"),
        Event::Turn { n, .. } => format!("the interviewer's line (turn {n})"),
        Event::Note { .. } => "your note".into(),
        _ => "the session's newest event".into(),
    }
}

/// A session file read back.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub events: Vec<Event>,
    /// Byte length of the whole events; anything after was a partial line.
    pub good_len: u64,
    /// The last event is whole but lacks its newline; add one before appending.
    pub needs_newline: bool,
    /// Set when the last line was cut: its line number.
    pub partial_line: Option<usize>,
    /// The schema version the session was started with.
    pub schema: u32,
    /// Lines before the last that are not events (damage, or text appended by hand): skipped,
    /// and left in the file. Their line numbers.
    pub skipped: Vec<usize>,
}

impl Loaded {
    /// What to tell the user about the lines that could not be read, if any.
    pub fn damage(&self, path: &Path) -> Option<String> {
        let n = self.skipped.len();
        let shown: Vec<String> = self.skipped.iter().take(5).map(|l| l.to_string()).collect();
        let more = if n > 5 { ", ..." } else { "" };
        (n > 0).then(|| {
            format!(
                "note: {n} line(s) of {} are not session events and were skipped (line {}{more})",
                path.display(),
                shown.join(", ")
            )
        })
    }
}

/// A log with a line from a later version of casecoach: nothing in it is read, since this
/// version cannot know what the new events mean.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} was written by a newer casecoach (line {line} has log schema {schema}; this one reads up to {SCHEMA}): update casecoach to open it",
    path.display()
)]
pub struct Newer {
    pub path: PathBuf,
    pub line: usize,
    pub schema: u64,
}

impl Newer {
    fn at(path: &Path, index: usize, schema: u64) -> Newer {
        Newer {
            path: path.to_path_buf(),
            line: index + 1,
            schema,
        }
    }
}

pub fn read(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read session file {}", path.display()))?;
    parse(&bytes, path)
}

/// Session events from a log's bytes; `path` is only used in messages.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Loaded> {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    let mut loaded = Loaded {
        events: Vec::new(),
        good_len: 0,
        needs_newline: false,
        partial_line: None,
        schema: SCHEMA,
        skipped: Vec::new(),
    };
    for (i, raw) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        if raw.iter().all(u8::is_ascii_whitespace) {
            loaded.good_len += raw.len() as u64;
            continue;
        }
        let parsed = std::str::from_utf8(raw)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                serde_json::from_str::<Line<Event>>(s.trim_end()).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(line) => {
                if line.v > SCHEMA {
                    return Err(Newer::at(path, i, line.v.into()).into());
                }
                if loaded.events.is_empty() {
                    loaded.schema = line.v;
                }
                loaded.events.push(line.event);
                loaded.good_len += raw.len() as u64;
                loaded.needs_newline = !raw.ends_with(b"\n");
            }
            // Only the last line can be cut short by a kill (it has no newline): that one is cut
            // off on reopen. Damage elsewhere is skipped and kept, so nothing is lost by reading.
            Err(_) if last && !raw.ends_with(b"\n") => loaded.partial_line = Some(i + 1),
            Err(_) => {
                // A line from a newer casecoach says so, rather than looking like damage.
                let v = serde_json::from_slice::<serde_json::Value>(raw)
                    .ok()
                    .and_then(|v| v["v"].as_u64());
                if let Some(v) = v.filter(|&v| v > SCHEMA as u64) {
                    return Err(Newer::at(path, i, v).into());
                }
                loaded.skipped.push(i + 1);
                loaded.good_len += raw.len() as u64;
                loaded.needs_newline = false;
            }
        }
    }
    match loaded.events.first() {
        None => bail!(
            "{} holds no session events; is it a casecoach session log?",
            path.display()
        ),
        Some(Event::Started { .. }) => Ok(loaded),
        Some(_) => bail!(
            "{} does not start with a 'started' event; is it a casecoach session log?",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::{Phase, Role};

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_says_the_answer_was_not_saved() {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open("/dev/full")
            .unwrap();
        let mut log = Log {
            path: PathBuf::from("/sessions/s.jsonl"),
            sink: Sink::File(file),
            _lock: None,
        };
        let turn = Event::Turn {
            n: 7,
            role: Role::Candidate,
            text: "Precision at a fixed recall.".into(),
            at: 60.0,
            phase: Phase::NotStarted,
        };
        let e = format!("{:#}", log.append(&turn).unwrap_err());
        assert!(
            e.starts_with(
                "your answer (turn 7) was NOT saved: cannot write to session file /sessions/s.jsonl"
            ),
            "{e}"
        );
        assert!(e.contains("No space left on device"), "{e}");
    }

    #[test]
    fn a_session_file_name_gives_back_its_scenario() {
        let dir = tempfile::tempdir().unwrap();
        for id in ["fraud", "coding-pr-auc", "feed-ranking"] {
            let first = Log::create(dir.path(), id).unwrap();
            let second = Log::create(dir.path(), id).unwrap();
            for log in [&first, &second] {
                let name = log.path.file_name().unwrap().to_str().unwrap();
                assert_eq!(scenario_of(name), Some(id), "{name}");
            }
        }
        assert_eq!(scenario_of("notes.jsonl"), None);
        assert_eq!(scenario_of("20261206-0712xx-fraud.jsonl"), None);
        assert_eq!(scenario_of("20261206-071200-fraud.json"), None);
    }
}
