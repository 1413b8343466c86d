//! What the end-to-end tests share: the real binary, run with a private home and data folder.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn cmd(&self) -> Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("casecoach"));
        self.isolate(c.env_clear());
        Command::from_std(c)
    }

    pub fn isolate<'a>(&self, c: &'a mut std::process::Command) -> &'a mut std::process::Command {
        isolate_in(c, self.dir.path())
    }

    pub fn sessions(&self) -> Vec<PathBuf> {
        let dir = self.dir.path().join("data/sessions");
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|r| {
                r.map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    pub fn chat(&self, args: &[&str], input: impl Into<Vec<u8>>) -> (String, String) {
        let out = self
            .cmd()
            .arg("chat")
            .args(args)
            .write_stdin(input.into())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "chat failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    pub fn assess_json(&self, scenario: &str, file: &Path) -> Value {
        let out = self
            .cmd()
            .args(["assess", "--scenario", scenario, "--json"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "assess failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// Run with `home` as the only home: no user config, scenarios or sessions leak in.
pub fn isolate_in<'a>(
    c: &'a mut std::process::Command,
    home: &Path,
) -> &'a mut std::process::Command {
    c.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("CASECOACH_DATA_DIR", home.join("data"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
}

/// A session log's events, one JSON value a line.
pub fn events(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

impl Env {
    /// The events of the newest session.
    pub fn last_events(&self) -> Vec<Value> {
        events(&self.sessions().pop().expect("no session was written"))
    }
}

/// Set by `.ci/run` (and by CI services): tests that need something real must then run.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A real server `.ci/run` started, named by `var`. Without it a test says it is skipped and
/// which script starts one; under CI it fails instead, so a green CI run means it ran.
pub fn real_server(var: &str, script: &str) -> Option<String> {
    let url = std::env::var(var).ok().filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            !in_ci(),
            "CI is set but {var} is not: the real server did not start ({script} start)"
        );
        // Straight to stderr: the test harness hides eprintln! output of passing tests.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {var} is not set; start a server with {script} start"
        );
    }
    url
}

/// The real Whisper server, if any.
pub fn real_stt_url() -> Option<String> {
    real_server("CASECOACH_REAL_STT_URL", "scripts/local-stt.sh")
}

/// Speech made by espeak-ng, written with `-w` (its `--stdout` WAV header has placeholder sizes).
pub fn espeak(path: &Path, text: &str) {
    let made = std::process::Command::new("espeak-ng")
        .arg("-w")
        .arg(path)
        .arg(text)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        made,
        "espeak-ng is needed to make test speech (.ci/run installs it)"
    );
}

/// Serve `app` on 127.0.0.1 from a thread of its own; the address it listens on.
pub fn serve(app: axum::Router) -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// The run succeeded (its stderr shown when not); its stdout.
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
