//! The terminal interview: the thin driver around the pure engine. It logs each event before
//! acting on it, asks the line source for words, and prints. Interview content goes to stdout;
//! notices go to stderr, so a piped run's stdout is the transcript and the debrief.

mod code;
pub mod commands;
pub mod input;
mod judge;
mod repl;

pub use repl::run;
pub(crate) use repl::{Next, handle_line};
mod settings;
mod start;

pub use start::Start;

use crate::debrief::{self, Basis, render};
use crate::interview::clock::SpokenClock;
use crate::interview::director::Request;
use crate::interview::{Action, Interview, Mode, Observation, Phase, Reason};
use crate::interviewer::{self, Interviewer, TurnRequest};
use crate::screen::safe;
use crate::session::{Event, Log, Session};
use anyhow::Result;
use judge::Judging;
pub use settings::Settings;
use std::io::Write;

pub struct Chat {
    /// The interview and its log: every change goes through `session.record`.
    session: Session,
    clock: SpokenClock,
    interviewer: Box<dyn Interviewer>,
    tty: bool,
    /// Where interview content goes: stdout, or anything else (benchmarks use a sink).
    out: Box<dyn Write>,
    /// Model tokens used in this run of the session.
    tokens: crate::llm::Usage,
    /// The model judge, when one judges coverage: on its own thread, off the turn's path.
    judge: Option<Judging>,
    /// Told each piece of an interviewer line as it is shown, then the line's turn once it is
    /// logged: voice mode speaks from it.
    pub on_line: Option<LineListener>,
    /// Where a coding round's solution lives when the log has no folder (a log in memory).
    scratch: Option<tempfile::TempDir>,
    /// When the interviewer last finished a line or the code last ran: the time since is time
    /// spent writing code, which the interview clock counts.
    since: std::time::Instant,
    /// Held from an answer (or a request) until its line is out: background requests wait.
    due: Option<crate::llm::LineDue>,
}

/// Hears an interviewer line as it happens.
pub type LineListener = Box<dyn FnMut(LineNews)>;

/// An interviewer line as it happens.
pub enum LineNews<'a> {
    /// Shown text; a piece ends where a sentence or the line ends, never inside a sentence.
    Piece(&'a str),
    Logged(usize),
}

fn notice(msg: &str) {
    errln!("{msg}");
}

impl Chat {
    /// The interview so far.
    pub fn iv(&self) -> &Interview {
        self.session.interview()
    }

    /// The interviewer's greeting, the problem, and the first stage's opening.
    pub fn open(&mut self) -> Result<Vec<Action>> {
        let opening = self.session.open()?;
        self.say(&opening, None)?;
        self.show_task()?;
        Ok(opening)
    }

    /// The header: what is running, and with which interviewer, broken between its parts to
    /// fit the terminal.
    pub fn header(&self) -> String {
        let iv = self.iv();
        let sc = &iv.scenario;
        let parts = [
            "casecoach".to_string(),
            format!("{} ({})", sc.title, sc.id),
            format!("{:.0} min", iv.budget.total / 60.0),
            format!("{} mode", iv.mode.id()),
            format!("interviewer: {}", self.interviewer.name()),
            format!("reader: {}", self.session.reader()),
            "/help for commands".to_string(),
        ];
        let width = crate::screen::notice_width().unwrap_or(usize::MAX);
        format!(
            "{}\nsession log: {}",
            crate::screen::fit(&parts, " | ", width),
            self.session.log().path.display()
        )
    }

    fn print_line(&mut self, text: &str) {
        let name = safe(&self.session.interview().scenario.persona.name);
        let shown = safe(text);
        let out = &mut self.out;
        if self.tty {
            let _ = writeln!(out, "\n\x1b[1m{name}:\x1b[0m {shown}\n");
        } else {
            let _ = writeln!(out, "Interviewer: {shown}");
        }
        let _ = out.flush();
        // Said again on resume: heard afresh, but not a new turn, so no `Logged`.
        if let Some(f) = self.on_line.as_mut() {
            f(LineNews::Piece(text));
        }
    }

    /// Say recorded actions: one interviewer turn for all of them; the debrief if one ends it.
    fn say(&mut self, actions: &[Action], candidate: Option<&str>) -> Result<()> {
        if actions.is_empty() {
            return Ok(());
        }
        let iv = self.session.interview();
        let name = iv.scenario.persona.name.clone();
        let prefix = if self.tty {
            format!("\n\x1b[1m{}:\x1b[0m ", safe(&name))
        } else {
            "Interviewer: ".to_string()
        };
        let _ = write!(self.out, "{prefix}");
        // Before the request: a "waiting for the model" status goes after the name, not before.
        let _ = self.out.flush();
        let out = &mut self.out;
        let on_line = &mut self.on_line;
        let mut show = |t: &str| {
            let _ = write!(out, "{}", safe(t));
            let _ = out.flush();
            if let Some(f) = on_line.as_mut() {
                f(LineNews::Piece(t));
            }
        };
        let request = TurnRequest {
            interview: iv,
            actions,
            candidate,
        };
        let said = self.interviewer.turn(&request, &mut show);
        self.due = None;
        let said = said?;
        let _ = writeln!(self.out, "{}", if self.tty { "\n" } else { "" });
        let _ = self.out.flush();
        if let Some(n) = &said.notice {
            notice(n);
        }
        let text = said.text;
        let at = self.clock.interviewer(self.iv().now, &text);
        let turn = self.session.interviewer(&text, at)?;
        if let Some(f) = self.on_line.as_mut() {
            f(LineNews::Logged(turn));
        }
        if let Some(u) = said.usage {
            self.count_tokens(u, at, said.first_token_ms, said.total_ms)?;
        }
        if let Some(u) = said.read_ahead {
            self.count_tokens(u, at, None, None)?;
        }
        if let Some((fault, sentence)) = said.guarded {
            self.session.record(Event::Guarded {
                turn,
                fault,
                sentence,
            })?;
        }
        if let Some(Action::Debrief { reason }) =
            actions.iter().find(|a| matches!(a, Action::Debrief { .. }))
        {
            self.finish(*reason)?;
        } else {
            if self.iv().mode == Mode::Coach
                && let Some(line) = interviewer::progress_line(self.iv())
            {
                let _ = writeln!(self.out, "  [{}]", safe(&line));
            }
            // While the candidate listens and thinks, the server reads the next request as far
            // as it is known (everything before their answer): a short answer, never cut into
            // pieces while spoken, would otherwise leave all of it to read once they stop.
            self.heard_so_far("");
        }
        self.since = std::time::Instant::now();
        Ok(())
    }

    /// The stage's whole checklist, for `/stage` in coach mode.
    pub(super) fn print_checklist(&mut self) {
        let iv = self.session.interview();
        let list = interviewer::checklist(iv);
        if list.is_empty() {
            return;
        }
        let out = &mut self.out;
        for (done, id, title) in list {
            let line = format!("  [{}] {id}: {title}", if done { "x" } else { " " });
            let _ = writeln!(out, "{}", safe(&line));
        }
    }

    fn finish(&mut self, reason: Reason) -> Result<()> {
        self.record_verdicts(true)?;
        let report = debrief::report(self.iv(), Basis::Session);
        let at = self.iv().now;
        self.session.record(Event::Ended { reason, at })?;
        self.session.record(Event::Debrief {
            report: serde_json::to_value(&report)?,
        })?;
        let _ = writeln!(self.out, "\n{}", safe(&render::text(&report)));
        let _ = self.out.flush();
        let log = self.session.log();
        if !log.is_file() {
            return Ok(());
        }
        if self.tokens != crate::llm::Usage::default() {
            notice(&format!(
                "Model tokens this session: {} prompt, {} completion.",
                self.tokens.prompt_tokens, self.tokens.completion_tokens
            ));
        }
        let id = log.id();
        notice(&format!(
            "Session saved: {}\nOther formats: casecoach debrief {id} --format md|json",
            log.path.display()
        ));
        Ok(())
    }

    /// Add one request's tokens to the run's total and log them.
    fn count_tokens(
        &mut self,
        u: crate::llm::Usage,
        at: f64,
        first_token_ms: Option<u64>,
        total_ms: Option<u64>,
    ) -> Result<()> {
        self.tokens.prompt_tokens += u.prompt_tokens;
        self.tokens.completion_tokens += u.completion_tokens;
        self.session.record(Event::Usage {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
            at,
            first_token_ms,
            total_ms,
        })
    }

    /// A candidate's answer: saved first, then read and answered, then judged.
    /// Returns what the interviewer did in reply.
    pub fn candidate(&mut self, text: &str) -> Result<Vec<Action>> {
        // The line this answer leads to has one deadline, and the judge gives way to it.
        let _turn = crate::llm::Turn::begin();
        self.due = Some(crate::llm::LineDue::begin());
        let actions = self.reply_to(text);
        self.due = None;
        actions
    }

    /// `candidate`, with the line due.
    fn reply_to(&mut self, text: &str) -> Result<Vec<Action>> {
        self.record_verdicts(false)?;
        let (at, capped) = self.clock.candidate(self.iv().now, text);
        if capped {
            notice(&format!(
                "(a long answer: counted as {:.0} minutes of speaking time; all of it is kept)",
                self.clock.max_turn / 60.0
            ));
        }
        let obs = self.session.candidate(text, at)?;
        for n in self.session.take_notices() {
            notice(&n);
        }
        let actions = self.session.react(&obs)?;
        // The judge is asked once the line is said, so that a server with one slot gives the
        // line its first token first; before it when the line closes the interview, since the
        // debrief waits for the verdict.
        let closing = actions.iter().any(|a| matches!(a, Action::Debrief { .. }));
        if closing {
            self.ask_judge(&obs, text);
        }
        self.say(&actions, Some(text))?;
        if !closing {
            self.ask_judge(&obs, text);
        }
        Ok(actions)
    }

    fn ask_judge(&mut self, obs: &Observation, text: &str) {
        if let Some(judge) = self.judge.as_mut() {
            judge.ask(
                obs.turn,
                self.session.interview(),
                text,
                obs.checkpoints_read(),
            );
        }
    }

    /// The judge's verdicts that have come back, recorded; with `settle`, all of them, waiting
    /// (at most a turn's deadline) for those still out.
    fn record_verdicts(&mut self, settle: bool) -> Result<()> {
        let Some(judge) = self.judge.as_mut() else {
            return Ok(());
        };
        let answers = if settle {
            let got = judge.settle();
            match judge.pending() {
                0 => {}
                1 => notice(
                    "(the model judge did not answer for the last turn within a turn's deadline; the reader's reading of it stands)",
                ),
                n => notice(&format!(
                    "(the model judge did not answer for {n} turns within a turn's deadline; the reader's reading of them stands)"
                )),
            }
            got
        } else {
            judge.arrived()
        };
        for a in answers {
            match a.verdict {
                Ok(v) => {
                    if let Some(u) = self.session.take_verdict(a.turn, v, None)? {
                        let at = self.iv().now;
                        self.count_tokens(u, at, None, None)?;
                    }
                }
                Err(e) => notice(&format!(
                    "(model judge unavailable for turn {}: {e}; the reader's reading of it stands)",
                    a.turn
                )),
            }
        }
        Ok(())
    }

    /// The words of an answer still being spoken, as far as they have been heard.
    pub fn heard_so_far(&mut self, text: &str) {
        self.interviewer
            .heard_so_far(self.session.interview(), text);
    }

    pub fn request(&mut self, request: Request) -> Result<Vec<Action>> {
        self.due = Some(crate::llm::LineDue::begin());
        let actions = self.session.request(request).and_then(|a| {
            self.say(&a, None)?;
            Ok(a)
        });
        self.due = None;
        actions
    }

    pub fn log(&self) -> &Log {
        self.session.log()
    }

    /// An interviewer line the candidate talked over: the log and the transcript keep what was
    /// heard.
    pub fn spoken(&mut self, turn: usize, heard: &str) -> Result<()> {
        self.session.record(Event::Spoken {
            turn,
            text: heard.to_string(),
        })
    }

    /// How long a spoken answer waited for its transcript, first token and first sound.
    pub fn latency(
        &mut self,
        turn: usize,
        transcript_ms: u64,
        first_token_ms: Option<u64>,
        first_audio_ms: Option<u64>,
    ) -> Result<()> {
        self.session.record(Event::Latency {
            turn,
            transcript_ms,
            first_token_ms,
            first_audio_ms,
        })
    }

    /// A spoken answer's numbers: logged, and kept for the debrief's delivery notes.
    pub fn voice_note(&mut self, file: &str, note: crate::interview::VoiceNote) -> Result<()> {
        self.session.record(Event::Voice {
            file: file.to_string(),
            note,
        })
    }

    /// Print a command's answer with the interview content.
    fn show(&mut self, text: &str) {
        let _ = writeln!(self.out, "{}", safe(text));
        let _ = self.out.flush();
    }

    pub fn ended(&self) -> bool {
        self.iv().phase == Phase::Ended
    }

    fn note(&mut self, text: &str) -> Result<()> {
        let at = self.iv().now;
        self.session.record(Event::Note {
            text: text.to_string(),
            at,
        })
    }

    fn time_report(&self) -> String {
        let iv = self.iv();
        let mut s = format!(
            "Spoken time: {:.1} of {:.0} min.",
            iv.now / 60.0,
            iv.budget.total / 60.0
        );
        if let Some(stage) = iv.stage() {
            let spent = iv.stats[stage].seconds(iv.now);
            s += &format!(
                " {}: {:.1} of {:.0} min.",
                iv.scenario.stage_name(stage),
                spent / 60.0,
                iv.budget.stage(stage) / 60.0
            );
        }
        s += &format!(" Wrap-up at {:.0} min.", iv.budget.wrap_up_at() / 60.0);
        s
    }

    fn notes_report(&self) -> String {
        let iv = self.iv();
        let mut lines = vec!["What the interviewer has told you:".to_string()];
        let facts: Vec<&str> = iv
            .scenario
            .facts
            .iter()
            .zip(&iv.revealed)
            .filter(|(_, r)| **r)
            .map(|(f, _)| f.answer.as_str())
            .collect();
        if facts.is_empty() {
            lines.push("  nothing yet: ask about the problem.".into());
        }
        lines.extend(facts.iter().map(|f| format!("  - {f}")));
        if !iv.notes.is_empty() {
            lines.push("Your notes:".into());
            lines.extend(iv.notes.iter().map(|n| format!("  - {n}")));
        }
        lines.join("\n")
    }
}
