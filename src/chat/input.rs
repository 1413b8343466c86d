//! Reading the candidate's lines on a thread of its own, so that the driver never blocks inside
//! rustyline and later streaming output can run while input waits. On a terminal: rustyline with
//! slash-command completion, and a paste is one answer. Otherwise: plain lines from stdin,
//! non-UTF-8 bytes replaced.

use super::commands;
use rustyline::RepeatCount;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::Validator;
use rustyline::{
    Cmd, ConditionalEventHandler, Event, EventContext, EventHandler, KeyEvent, Modifiers,
};
use std::io::BufRead;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Line { text: String, lossy: bool },
    Interrupted,
    Eof,
    Failed(String),
}

pub struct Input {
    prompts: Sender<String>,
    events: Receiver<Typed>,
}

impl Input {
    pub fn spawn(tty: bool) -> Input {
        let (prompts, prompt_rx) = channel::<String>();
        let (event_tx, events) = channel::<Typed>();
        std::thread::spawn(move || {
            if tty {
                terminal(prompt_rx, event_tx)
            } else {
                plain(prompt_rx, event_tx)
            }
        });
        Input { prompts, events }
    }

    pub fn read(&self, prompt: &str) -> Typed {
        if self.prompts.send(prompt.to_string()).is_err() {
            return Typed::Eof;
        }
        self.events.recv().unwrap_or(Typed::Eof)
    }
}

fn plain(prompts: Receiver<String>, events: Sender<Typed>) {
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    while prompts.recv().is_ok() {
        let event = match line(&mut lock) {
            Ok(None) => Typed::Eof,
            Ok(Some(buf)) => match String::from_utf8(buf) {
                Ok(text) => Typed::Line { text, lossy: false },
                Err(e) => Typed::Line {
                    text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    lossy: true,
                },
            },
            Err(e) => Typed::Failed(e.to_string()),
        };
        let stop = matches!(event, Typed::Eof | Typed::Failed(_));
        if events.send(event).is_err() || stop {
            return;
        }
    }
}

/// One line, ended by LF, CRLF or a lone CR (old Mac files, some terminals' pastes): a file of
/// CR-only line ends is many answers, not one, and its `/end` is seen. None at the end of input.
fn line(input: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    loop {
        let (found, used) = {
            let chunk = input.fill_buf()?;
            if chunk.is_empty() {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            match chunk.iter().position(|b| *b == b'\n' || *b == b'\r') {
                Some(i) => {
                    buf.extend_from_slice(&chunk[..i]);
                    (Some(chunk[i]), i + 1)
                }
                None => {
                    buf.extend_from_slice(chunk);
                    (None, chunk.len())
                }
            }
        };
        input.consume(used);
        match found {
            Some(b'\r') => {
                // CRLF is one line end.
                if input.fill_buf()?.first() == Some(&b'\n') {
                    input.consume(1);
                }
                return Ok(Some(buf));
            }
            Some(_) => return Ok(Some(buf)),
            None => {}
        }
    }
}

struct Helper;

impl Completer for Helper {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let typed = &line[..pos];
        if typed.contains(char::is_whitespace) {
            return Ok((pos, vec![]));
        }
        Ok((0, commands::complete(typed)))
    }
}
/// Shown after a paste that ended in a line break: the answer waits for the candidate's Enter.
struct EnterSends;

impl Hint for EnterSends {
    fn display(&self) -> &str {
        "(Enter sends)"
    }
    // Right arrow must not type the hint into the answer.
    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Hinter for Helper {
    type Hint = EnterSends;
    fn hint(&self, line: &str, pos: usize, _: &rustyline::Context<'_>) -> Option<EnterSends> {
        (pos == line.len() && line.ends_with('\n')).then_some(EnterSends)
    }
}
impl Highlighter for Helper {}
impl Validator for Helper {}
impl rustyline::Helper for Helper {}

/// Keys that come closer together than this came in one burst: a paste, or text typed ahead
/// while the interviewer spoke. A person's Enter comes far later than the key before it.
const BURST: Duration = Duration::from_millis(15);

/// Whether an Enter ends the answer, given the time since the key before it (None: the first
/// key of the line). An Enter inside a burst is a line break, so a paste in a terminal without
/// bracketed paste is one answer that waits for the candidate's own Enter, as it does with it.
fn ends_answer(since_last_key: Option<Duration>) -> bool {
    since_last_key.is_none_or(|gap| gap >= BURST)
}

/// When the last key came, shared by the handlers that watch every key.
#[derive(Clone, Default)]
struct LastKey(Arc<Mutex<Option<Instant>>>);

impl LastKey {
    /// The time since the key before this one.
    fn now(&self) -> Option<Duration> {
        let now = Instant::now();
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        last.replace(now).map(|t| now - t)
    }

    fn forget(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Every key but Enter: note when it came, then do what it normally does.
struct AnyKey(LastKey);

impl ConditionalEventHandler for AnyKey {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, _: &EventContext) -> Option<Cmd> {
        self.0.now();
        None
    }
}

struct EnterKey(LastKey);

impl ConditionalEventHandler for EnterKey {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, _: &EventContext) -> Option<Cmd> {
        (!ends_answer(self.0.now())).then_some(Cmd::Newline)
    }
}

fn terminal(prompts: Receiver<String>, events: Sender<Typed>) {
    let mut editor = match rustyline::Editor::<Helper, rustyline::history::DefaultHistory>::new() {
        Ok(e) => e,
        Err(e) => {
            let _ = events.send(Typed::Failed(format!("cannot set up the terminal: {e}")));
            return;
        }
    };
    editor.set_helper(Some(Helper));
    let last_key = LastKey::default();
    editor.bind_sequence(
        Event::Any,
        EventHandler::Conditional(Box::new(AnyKey(last_key.clone()))),
    );
    for enter in [KeyEvent::new('\r', Modifiers::NONE), KeyEvent::ctrl('J')] {
        let handler = EnterKey(last_key.clone());
        editor.bind_sequence(enter, EventHandler::Conditional(Box::new(handler)));
    }
    while let Ok(prompt) = prompts.recv() {
        last_key.forget();
        let event = match editor.readline(&prompt) {
            Ok(text) => {
                if !text.trim().is_empty() {
                    let _ = editor.add_history_entry(text.as_str());
                }
                Typed::Line { text, lossy: false }
            }
            Err(ReadlineError::Interrupted) => Typed::Interrupted,
            Err(ReadlineError::Eof) => Typed::Eof,
            Err(e) => Typed::Failed(e.to_string()),
        };
        let stop = matches!(event, Typed::Eof | Typed::Failed(_));
        if events.send(event).is_err() || stop {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<String> {
        // A tiny buffer: line ends fall across reads.
        let mut input = std::io::BufReader::with_capacity(3, bytes);
        std::iter::from_fn(|| line(&mut input).unwrap())
            .map(|l| String::from_utf8(l).unwrap())
            .collect()
    }

    #[test]
    fn an_enter_in_a_burst_of_keys_is_a_line_break_and_a_late_one_sends() {
        assert!(ends_answer(None), "Enter on its own sends");
        assert!(
            ends_answer(Some(Duration::from_millis(80))),
            "typed, then Enter"
        );
        assert!(!ends_answer(Some(Duration::from_micros(200))), "pasted");
        assert!(!ends_answer(Some(BURST - Duration::from_millis(1))));
    }

    #[test]
    fn every_kind_of_line_end_ends_a_line() {
        assert_eq!(
            lines(b"one\ntwo\r\nthree\rfour"),
            ["one", "two", "three", "four"]
        );
        assert_eq!(
            lines(b"goal?\r\rlatency?\r/end\r"),
            ["goal?", "", "latency?", "/end"]
        );
        assert_eq!(lines(b"a\r\n\r\nb\n"), ["a", "", "b"]);
        assert!(lines(b"").is_empty());
    }
}
