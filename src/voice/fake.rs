//! Stand-ins for the terminal, the recogniser and the synthesiser, so the live loop runs in
//! tests and benchmarks with no keyboard, no model of speech and no sound card. (The microphone's
//! and the speaker's stand-ins, `ClipMic` and `Paced`, live beside the real ones.)

use super::live::{Terminal, Transcriber};
use super::tts::Synth;
use super::turn::{Key, KeyKind, Status};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One thing the scripted candidate does.
#[derive(Debug, Clone)]
pub enum Step {
    /// Wait until the status line shows this.
    When(Status),
    Press(Key),
    Release(Key),
    Wait(Duration),
    /// Answer the next line editor with this (None: give up).
    Line(Option<String>),
    /// Wait until the screen shows this text: a step that must follow what was said, not how
    /// long it usually takes to be said (a loaded machine is slower).
    Printed(String),
}

/// What the scripted terminal saw, for assertions.
#[derive(Debug, Default)]
pub struct Screen {
    pub printed: String,
    pub statuses: Vec<Status>,
    /// Each line editor's prompt and initial text.
    pub editors: Vec<(String, String)>,
    /// The script ran past its deadline (the loop was then told to quit).
    pub timed_out: bool,
    /// Each key given to the loop, and when.
    pub keys: Vec<(Key, KeyKind, Instant)>,
}

/// A terminal driven by a script of steps.
pub struct Script {
    steps: VecDeque<Step>,
    screen: Arc<Mutex<Screen>>,
    status: Status,
    until: Option<Instant>,
    deadline: Instant,
}

impl Script {
    pub fn new(steps: Vec<Step>, limit: Duration) -> (Script, Arc<Mutex<Screen>>) {
        let screen = Arc::new(Mutex::new(Screen::default()));
        (
            Script {
                steps: steps.into(),
                screen: screen.clone(),
                status: Status::Speaking,
                until: None,
                deadline: Instant::now() + limit,
            },
            screen,
        )
    }
}

impl Script {
    fn give(&mut self, k: Key, kind: KeyKind) -> (Key, KeyKind) {
        self.screen
            .lock()
            .unwrap()
            .keys
            .push((k, kind, Instant::now()));
        (k, kind)
    }
}

impl Terminal for Script {
    fn key(&mut self, timeout: Duration) -> Option<(Key, KeyKind)> {
        if Instant::now() > self.deadline {
            self.screen.lock().unwrap().timed_out = true;
            return Some((Key::CtrlC, KeyKind::Press));
        }
        loop {
            match self.steps.front().cloned() {
                // The script is over: leave as a candidate would.
                None => return Some((Key::CtrlD, KeyKind::Press)),
                Some(Step::When(s)) => {
                    if self.status != s {
                        std::thread::sleep(timeout);
                        return None;
                    }
                    self.steps.pop_front();
                }
                Some(Step::Printed(text)) => {
                    if !self.screen.lock().unwrap().printed.contains(&text) {
                        std::thread::sleep(timeout);
                        return None;
                    }
                    self.steps.pop_front();
                }
                Some(Step::Wait(d)) => {
                    let until = *self.until.get_or_insert_with(|| Instant::now() + d);
                    let now = Instant::now();
                    if now < until {
                        std::thread::sleep(timeout.min(until - now));
                        return None;
                    }
                    self.until = None;
                    self.steps.pop_front();
                }
                Some(Step::Press(k)) => {
                    self.steps.pop_front();
                    return Some(self.give(k, KeyKind::Press));
                }
                Some(Step::Release(k)) => {
                    self.steps.pop_front();
                    return Some(self.give(k, KeyKind::Release));
                }
                Some(Step::Line(_)) => {
                    // A line answer out of turn: skip it rather than hang.
                    self.steps.pop_front();
                }
            }
        }
    }

    fn line(&mut self, prompt: &str, initial: &str) -> Option<String> {
        self.screen
            .lock()
            .unwrap()
            .editors
            .push((prompt.to_string(), initial.to_string()));
        match self.steps.front().cloned() {
            Some(Step::Line(text)) => {
                self.steps.pop_front();
                text
            }
            _ => None,
        }
    }

    fn print(&mut self, text: &str) {
        self.screen.lock().unwrap().printed.push_str(text);
    }

    fn status(&mut self, status: Status, _: &str) {
        self.status = status;
        self.screen.lock().unwrap().statuses.push(status);
    }
}

/// Each request a fake service received: its text, and when.
pub type Requests = Arc<Mutex<Vec<(String, Instant)>>>;

/// A recogniser that hears the given answers in order, after a fixed delay; an answer that
/// starts with "ERR " fails with the rest as the reason.
pub struct Heard {
    pub answers: VecDeque<String>,
    pub delay: Duration,
    /// The prompts it was sent, and when each request arrived.
    pub requests: Requests,
}

impl Transcriber for Heard {
    fn transcribe(&mut self, _: Vec<u8>, prompt: &str) -> anyhow::Result<String> {
        self.requests
            .lock()
            .unwrap()
            .push((prompt.to_string(), Instant::now()));
        std::thread::sleep(self.delay);
        let a = self.answers.pop_front().unwrap_or_default();
        match a.strip_prefix("ERR ") {
            Some(why) => anyhow::bail!("{why}"),
            None => Ok(a),
        }
    }
}

/// A synthesiser that "speaks" `per_word` seconds of tone per word, after a fixed delay.
pub struct Tone {
    pub per_word: f64,
    pub delay: Duration,
    /// Every sentence it was asked for, and when.
    pub asked: Requests,
}

impl Synth for Tone {
    fn wav(&mut self, text: &str) -> anyhow::Result<Vec<u8>> {
        self.asked
            .lock()
            .unwrap()
            .push((text.to_string(), Instant::now()));
        std::thread::sleep(self.delay);
        super::speech::tone(self.per_word * text.split_whitespace().count() as f64).wav()
    }
}
