//! The runner: a candidate's code run where it can harm nothing. A coding round runs code the
//! candidate wrote, which may loop forever, allocate without bound, print megabytes, crash, or
//! reach for the network; none of that may touch the interview, the machine or the terminal.
//!
//! Each run gets a fresh temporary folder (removed afterwards) as its working and home folder,
//! an empty environment but for PATH, no standard input, its own process group (killed whole
//! when it ends or times out), limits on CPU time, address space, file size and core dumps, a
//! wall-clock deadline, and a new network namespace where the kernel grants one (then even
//! loopback is down); where it does not, the run says so. What it prints is kept up to a bound
//! and the rest is read and dropped, so a chatty program neither blocks nor fills memory.

use anyhow::{Context, Result};
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run may use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Wall-clock time before the whole process group is killed.
    pub wall: Duration,
    /// CPU seconds (RLIMIT_CPU).
    pub cpu_secs: u64,
    /// Address space in bytes (RLIMIT_AS): an allocation past it fails inside the program.
    pub memory_bytes: u64,
    /// The largest file the program may write (RLIMIT_FSIZE).
    pub file_bytes: u64,
    /// Bytes of standard output, and again of standard error, that are kept.
    pub output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // The CPU limit is a backstop past the wall clock (a busy loop is stopped by the
            // clock, and says so); it catches a run that burns several cores at once.
            wall: Duration::from_secs(10),
            cpu_secs: 12,
            memory_bytes: 1 << 30,
            file_bytes: 16 << 20,
            output_bytes: 64 << 10,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It exited by itself with this code.
    Exited(i32),
    /// Still running at the wall-clock deadline; killed.
    TimedOut,
    /// Used up its CPU seconds.
    CpuLimit,
    /// Asked for more memory than it may have (Python's MemoryError, or killed by the limit).
    MemoryLimit,
    /// Killed by this signal (a crash: SIGSEGV, SIGABRT...).
    Signal(i32),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Exited(0) => write!(f, "finished"),
            Outcome::Exited(code) => write!(f, "exited with code {code}"),
            Outcome::TimedOut => write!(f, "stopped at the time limit"),
            Outcome::CpuLimit => write!(f, "stopped at the CPU-time limit"),
            Outcome::MemoryLimit => write!(f, "stopped at the memory limit"),
            Outcome::Signal(sig) => write!(f, "crashed (signal {sig})"),
        }
    }
}

/// Whether the run could reach a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// In a network namespace of its own, with no interface up.
    Isolated,
    /// The kernel refused a new network namespace; the reason.
    NotIsolated(String),
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Run {
    pub outcome: Outcome,
    pub stdout: String,
    pub stderr: String,
    /// Output past `Limits::output_bytes` was dropped (on either stream).
    pub cut: bool,
    pub elapsed: Duration,
    pub network: Network,
}

impl Run {
    pub fn succeeded(&self) -> bool {
        self.outcome == Outcome::Exited(0)
    }
}

/// Run `program` with `args` in a fresh folder holding `files` (name, contents), within
/// `limits`. Fails only when the folder cannot be made or the program cannot be started at all.
pub fn run(program: &str, args: &[&str], files: &[(&str, &str)], limits: &Limits) -> Result<Run> {
    let dir = tempfile::Builder::new()
        .prefix("casecoach-run-")
        .tempdir()
        .context("cannot make a folder to run the code in")?;
    for (name, text) in files {
        let path = dir.path().join(name);
        anyhow::ensure!(
            path.parent() == Some(dir.path()),
            "'{name}' is not a plain file name"
        );
        std::fs::write(&path, text).with_context(|| format!("cannot write {name}"))?;
    }
    match spawn(program, args, dir.path(), limits, true) {
        Ok(run) => Ok(run),
        // The kernel may refuse a network namespace (no privilege, none left, a container that
        // forbids it): run without one, and say so.
        Err(Refused::Namespace(why)) => match spawn(program, args, dir.path(), limits, false) {
            Ok(mut run) => {
                run.network = Network::NotIsolated(why);
                Ok(run)
            }
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug)]
enum Refused {
    Namespace(String),
    Start(anyhow::Error),
}

impl From<Refused> for anyhow::Error {
    fn from(r: Refused) -> anyhow::Error {
        match r {
            Refused::Namespace(why) => anyhow::anyhow!("no network namespace: {why}"),
            Refused::Start(e) => e,
        }
    }
}

/// The errno the child reports when the namespace, and only the namespace, was refused; any
/// other failure before exec comes back as its own errno.
const NAMESPACE_REFUSED: i32 = 0x4e53;

fn spawn(
    program: &str,
    args: &[&str],
    dir: &Path,
    limits: &Limits,
    isolate: bool,
) -> Result<Run, Refused> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", dir)
        .env("LANG", "C.UTF-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let l = *limits;
    // SAFETY: between fork and exec only async-signal-safe calls are made (setsid, setrlimit,
    // unshare), with no allocation.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let set = |what, value: u64| {
                // For CPU time, a hard limit a second past the soft one lets SIGXCPU (which
                // says why) arrive before SIGKILL.
                let hard = if what == libc::RLIMIT_CPU {
                    value + 1
                } else {
                    value
                };
                let lim = libc::rlimit {
                    rlim_cur: value as libc::rlim_t,
                    rlim_max: hard as libc::rlim_t,
                };
                match libc::setrlimit(what, &lim) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            };
            set(libc::RLIMIT_CPU, l.cpu_secs)?;
            set(libc::RLIMIT_AS, l.memory_bytes)?;
            set(libc::RLIMIT_FSIZE, l.file_bytes)?;
            set(libc::RLIMIT_CORE, 0)?;
            if isolate && libc::unshare(libc::CLONE_NEWNET) != 0 {
                return Err(std::io::Error::from_raw_os_error(NAMESPACE_REFUSED));
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.raw_os_error() == Some(NAMESPACE_REFUSED) => {
            return Err(Refused::Namespace(
                "the kernel refused a new network namespace (this needs root or user namespaces)"
                    .into(),
            ));
        }
        Err(e) => {
            return Err(Refused::Start(
                anyhow::Error::new(e).context(format!("cannot start {program}")),
            ));
        }
    };
    let group = child.id() as i32;
    let out = keep(child.stdout.take(), limits.output_bytes);
    let err = keep(child.stderr.take(), limits.output_bytes);
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= limits.wall => {
                timed_out = true;
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    // Whatever the program started goes with it, so no stray process holds the pipes open.
    // SAFETY: a plain kill(2) of the process group this run made.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
    let status = match status {
        Some(s) => Some(s),
        None => child.wait().ok(),
    };
    let elapsed = started.elapsed();
    let (stdout, out_cut) = out.join().unwrap_or_default();
    let (stderr, err_cut) = err.join().unwrap_or_default();
    let outcome = match status {
        _ if timed_out => Outcome::TimedOut,
        Some(s) => match (s.code(), s.signal()) {
            (_, Some(libc::SIGXCPU)) => Outcome::CpuLimit,
            (_, Some(sig)) => Outcome::Signal(sig),
            (Some(code), _) if code != 0 && stderr.contains("MemoryError") => Outcome::MemoryLimit,
            (Some(code), _) => Outcome::Exited(code),
            (None, None) => Outcome::Signal(0),
        },
        None => Outcome::Signal(0),
    };
    Ok(Run {
        outcome,
        stdout,
        stderr,
        cut: out_cut || err_cut,
        elapsed,
        network: Network::Isolated,
    })
}

/// Read a stream to its end on a thread of its own, keeping the first `most` bytes.
fn keep<R: Read + Send + 'static>(
    stream: Option<R>,
    most: usize,
) -> std::thread::JoinHandle<(String, bool)> {
    std::thread::spawn(move || {
        let Some(mut stream) = stream else {
            return (String::new(), false);
        };
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        let mut cut = false;
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = most.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    cut |= n > room;
                }
            }
        }
        (String::from_utf8_lossy(&kept).into_owned(), cut)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python(code: &str, limits: &Limits) -> Run {
        run("python3", &["main.py"], &[("main.py", code)], limits).unwrap()
    }

    fn quick() -> Limits {
        Limits {
            wall: Duration::from_secs(3),
            cpu_secs: 2,
            ..Limits::default()
        }
    }

    #[test]
    fn a_program_runs_in_its_own_folder_and_is_heard() {
        let r = python(
            "import os, sys\nopen('out.txt', 'w').write('x')\nprint(sorted(os.listdir('.')), os.environ.get('OPENAI_API_KEY'))\nsys.exit(3)\n",
            &quick(),
        );
        assert_eq!(r.outcome, Outcome::Exited(3), "{r:?}");
        assert_eq!(r.stdout.trim(), "['main.py', 'out.txt'] None", "{r:?}");
        assert!(!r.cut);
    }

    #[test]
    fn a_loop_that_never_ends_is_stopped() {
        let limits = Limits {
            wall: Duration::from_millis(1500),
            cpu_secs: 30,
            ..Limits::default()
        };
        let r = python("while True:\n    pass\n", &limits);
        assert_eq!(r.outcome, Outcome::TimedOut, "{r:?}");
        assert!(r.elapsed < Duration::from_secs(5), "{:?}", r.elapsed);
        // CPU time runs out before the wall clock when that is the tighter limit.
        let limits = Limits {
            wall: Duration::from_secs(20),
            cpu_secs: 1,
            ..Limits::default()
        };
        let r = python("while True:\n    pass\n", &limits);
        assert!(
            matches!(
                r.outcome,
                Outcome::CpuLimit | Outcome::Signal(libc::SIGKILL)
            ),
            "{r:?}"
        );
        assert!(r.elapsed < Duration::from_secs(10), "{:?}", r.elapsed);
    }

    #[test]
    fn ten_gigabytes_are_refused_inside_the_program() {
        let r = python(
            "x = bytearray(10 * 1024 ** 3)\nprint('allocated')\n",
            &quick(),
        );
        assert_eq!(r.outcome, Outcome::MemoryLimit, "{r:?}");
        assert!(!r.stdout.contains("allocated"));
    }

    #[test]
    fn a_hundred_megabytes_of_output_are_cut_and_do_not_block() {
        let r = python(
            "import sys\nline = 'x' * 1023 + '\\n'\nfor _ in range(100 * 1024):\n    sys.stdout.write(line)\nprint('done', file=sys.stderr)\n",
            &Limits {
                wall: Duration::from_secs(20),
                ..quick()
            },
        );
        assert_eq!(r.outcome, Outcome::Exited(0), "{r:?}");
        assert!(r.cut);
        assert_eq!(r.stdout.len(), Limits::default().output_bytes);
        assert_eq!(r.stderr.trim(), "done");
    }

    #[test]
    fn a_crash_is_reported_as_its_signal() {
        let r = python(
            "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
            &quick(),
        );
        assert_eq!(r.outcome, Outcome::Signal(libc::SIGSEGV), "{r:?}");
    }

    #[test]
    fn an_isolated_run_cannot_reach_even_loopback() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let code = format!(
            "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n    print('reached')\nexcept OSError:\n    print('unreachable')\n"
        );
        let r = python(&code, &quick());
        assert_eq!(r.outcome, Outcome::Exited(0), "{r:?}");
        // SAFETY: geteuid cannot fail. Root (CI) is always granted a namespace.
        if unsafe { libc::geteuid() } == 0 {
            assert_eq!(r.network, Network::Isolated);
        }
        match r.network {
            Network::Isolated => assert_eq!(r.stdout.trim(), "unreachable", "{r:?}"),
            // Where the kernel refuses a namespace the run says so, and the code can connect.
            Network::NotIsolated(_) => assert_eq!(r.stdout.trim(), "reached", "{r:?}"),
        }
    }

    #[test]
    fn a_missing_program_is_an_error_and_a_bad_file_name_is_refused() {
        let e = run("no-such-interpreter-here", &[], &[], &quick()).unwrap_err();
        assert!(
            format!("{e:#}").contains("cannot start no-such-interpreter-here"),
            "{e:#}"
        );
        let e = run("python3", &[], &[("../escape.py", "")], &quick()).unwrap_err();
        assert!(format!("{e:#}").contains("not a plain file name"), "{e:#}");
    }
}
