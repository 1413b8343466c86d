//! End-to-end tests in a real terminal: the binary runs on a pseudo-terminal made by util-linux
//! `script`, so rustyline reads keys as it does for a person, and the test types into it.

mod common;

use common::Env;
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::{Arc, Mutex};

use std::time::{Duration, Instant};

/// A chat on a terminal, with what it has printed so far.
struct Terminal {
    child: Child,
    keys: ChildStdin,
    screen: Arc<Mutex<String>>,
}

impl Terminal {
    fn chat(env: &Env, scenario: &str) -> Terminal {
        let bin = assert_cmd::cargo::cargo_bin("casecoach");
        let mut cmd = std::process::Command::new("script");
        // Keys and screens are what is tested here: the lexical reader, and never a fetch of
        // the embedding model (a terminal chat offers one).
        env.isolate(&mut cmd)
            .env("TERM", "xterm")
            .env("CASECOACH_OFFLINE", "1")
            .env("CASECOACH_READER", "lexical")
            .args([
                "-qfec",
                &format!("{} chat {scenario}", bin.display()),
                "/dev/null",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("util-linux `script` runs");
        let keys = child.stdin.take().unwrap();
        let mut out = child.stdout.take().unwrap();
        let screen = Arc::new(Mutex::new(String::new()));
        let shown = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = out.read(&mut buf) {
                shown
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Terminal {
            child,
            keys,
            screen,
        }
    }

    /// Wait until `done` holds; after 30 s, fail saying `what` did not happen.
    fn until(&mut self, what: &str, mut done: impl FnMut(&mut Terminal) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "{what}; the screen:\n{}",
                self.screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until the screen shows `text`.
    fn shows(&mut self, text: &str) {
        let what = format!("{text:?} never came");
        self.until(&what, |t| t.screen.lock().unwrap().contains(text));
    }

    /// Wait until the `n`th answer prompt is up. Redraws repeat the prompt's text, so count the
    /// bracketed-paste switch rustyline sends once as each prompt starts reading.
    fn prompt(&mut self, n: usize) {
        let what = format!("prompt {n} never came");
        self.until(&what, |t| {
            t.screen.lock().unwrap().matches("\x1b[?2004h").count() >= n
        });
    }

    /// Wait until the chat has exited.
    fn exited(&mut self, what: &str) {
        self.until(what, |t| t.child.try_wait().unwrap().is_some());
    }

    /// Bytes in one write: what a paste, or text typed ahead, looks like to the program.
    fn burst(&mut self, bytes: &str) {
        self.keys.write_all(bytes.as_bytes()).unwrap();
        self.keys.flush().unwrap();
    }

    /// A line typed by a person: the Enter comes well after the text.
    fn typed(&mut self, line: &str) {
        self.burst(line);
        std::thread::sleep(Duration::from_millis(150));
        self.burst("\r");
    }

    fn end(mut self) {
        self.typed("/end");
        self.exited("the chat did not end after /end");
    }
}

fn answers(env: &Env) -> Vec<String> {
    env.last_events()
        .iter()
        .filter(|e| e["type"] == "turn" && e["role"] == "candidate")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_paste_without_bracketed_paste_is_one_answer_sent_by_the_candidates_enter() {
    let env = Env::new();
    let mut term = Terminal::chat(&env, "fraud");
    term.prompt(1);
    term.typed("What is the business goal here?");
    term.prompt(2);
    // `script` does not pass bracketed-paste markers on: the lines come as plain keys, each
    // ended by a carriage return, as from a terminal without bracketed paste.
    term.burst("How rare is fraud?\rHow fast must we decide?\rCan we see chargebacks?\r");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        answers(&env).len(),
        1,
        "the Enters inside the paste sent nothing"
    );
    assert!(term.screen.lock().unwrap().contains("(Enter sends)"));
    term.burst("\r");
    term.prompt(3);
    term.end();
    let answers = answers(&env);
    assert_eq!(answers[0], "What is the business goal here?");
    let pasted = &answers[1];
    for line in [
        "How rare is fraud?",
        "How fast must we decide?",
        "Can we see chargebacks?",
    ] {
        assert!(pasted.contains(line), "{line:?} missing from {pasted:?}");
    }
    assert_eq!(answers.len(), 2, "{answers:?}");
}

/// A terminal with bracketed paste marks the paste; it is one answer either way.
#[test]
fn a_bracketed_paste_is_one_answer_too() {
    let env = Env::new();
    let mut term = Terminal::chat(&env, "fraud");
    term.prompt(1);
    term.typed("\x1b[200~How rare is fraud?\rHow fast must we decide?\x1b[201~");
    term.prompt(2);
    term.end();
    let answers = answers(&env);
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(
        answers[0].contains("How rare is fraud?")
            && answers[0].contains("How fast must we decide?"),
        "{answers:?}"
    );
}

#[test]
fn keys_that_come_with_the_enter_are_kept_for_the_next_answer() {
    let env = Env::new();
    let mut term = Terminal::chat(&env, "fraud");
    term.prompt(1);
    term.burst("What is the business goal here?");
    std::thread::sleep(Duration::from_millis(150));
    // A quick typist: the Enter and the start of the next line reach the program in one read.
    term.burst("\r/en");
    term.prompt(2);
    term.typed("d");
    term.exited("`/en` typed with the Enter was lost");
    assert_eq!(answers(&env), ["What is the business goal here?"]);
}

/// A model server that takes every request and never answers it.
fn stalled_model() -> String {
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(|| async {
            tokio::time::sleep(Duration::from_secs(120)).await;
            ""
        }),
    );
    format!("http://{}/v1", common::serve(app))
}

/// While the model keeps the candidate waiting, a status counts the seconds in place; Ctrl-C
/// skips the wait, the scripted line is said instead, and the interview goes on.
#[test]
fn a_stalled_model_shows_a_live_wait_that_ctrl_c_skips() {
    let env = Env::new();
    let url = stalled_model();
    let mut term = Terminal::chat(
        &env,
        &format!("fraud --llm-url {url} --model m --judge lexical"),
    );
    term.prompt(1);
    term.typed("What is the business goal here?");
    term.shows("(waiting for the model: 2 s of 20; Ctrl-C to skip)");
    // Updated in place: the next second overwrites the last.
    term.shows("\x1b8\x1b[K(waiting for the model: 3 s of 20; Ctrl-C to skip)");
    term.burst("\x03");
    term.prompt(2);
    term.end();
    let said: Vec<String> = env
        .last_events()
        .iter()
        .filter(|e| e["type"] == "turn" && e["role"] == "interviewer")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    assert!(said.len() >= 2, "{said:?}");
    assert!(
        !said[1].is_empty(),
        "a line was said after the skip: {said:?}"
    );
    assert_eq!(answers(&env), ["What is the business goal here?"]);
}
