//! Reading the candidate's lines on a thread of its own, so that the driver never blocks inside
//! rustyline and later streaming output can run while input waits. On a terminal: rustyline with
//! slash-command completion. Otherwise: plain lines from stdin, non-UTF-8 bytes replaced.

use super::commands;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use std::io::BufRead;
use std::sync::mpsc::{Receiver, Sender, channel};

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
impl Hinter for Helper {
    type Hint = String;
}
impl Highlighter for Helper {}
impl Validator for Helper {}
impl rustyline::Helper for Helper {}

fn terminal(prompts: Receiver<String>, events: Sender<Typed>) {
    let mut editor = match rustyline::Editor::<Helper, rustyline::history::DefaultHistory>::new() {
        Ok(e) => e,
        Err(e) => {
            let _ = events.send(Typed::Failed(format!("cannot set up the terminal: {e}")));
            return;
        }
    };
    editor.set_helper(Some(Helper));
    while let Ok(prompt) = prompts.recv() {
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
