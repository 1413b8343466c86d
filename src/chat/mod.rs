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

use crate::debrief::{self, Basis, render};
use crate::framework::Stage;
use crate::interview::clock::SpokenClock;
use crate::interview::director::Request;
use crate::interview::{Action, Interview, JudgeMode, Mode, Observation, Phase, Reason, Role};
use crate::interviewer::{self, Interviewer, Scripted, TurnRequest};
use crate::reader::{Lexical, Reader};
use crate::scenario::{self, Scenario};
use crate::screen::safe;
use crate::session::{self, Event, Log, Session};
use anyhow::{Context, Result, bail};
use judge::Judging;
pub use settings::Settings;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

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

/// The reader a chat reads with: a first chat in a terminal fetches the model (unless
/// offline); without it the lexical reader stands in, and the user is told.
fn start_reader(settings: &Settings, tty: bool) -> Result<Arc<dyn Reader>> {
    // Someone must be there to see the download: a terminal on both ends, not only a display.
    let there = tty && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    settings.reading.start(there)
}

/// What a fresh interview is set up with; it becomes the log's `started` event.
pub struct Start {
    pub scenario: Arc<Scenario>,
    pub mode: Mode,
    pub minutes: u32,
    pub focus: Option<Stage>,
    pub judge: JudgeMode,
}

impl Chat {
    /// Assemble a chat around an interview already under way; `start_with` and `resume_with`
    /// are the usual ways in.
    pub fn from_parts(
        iv: Interview,
        log: Log,
        interviewer: Box<dyn Interviewer>,
        out: Box<dyn Write>,
        tty: bool,
    ) -> Chat {
        Chat {
            session: Session::new(iv, log),
            clock: SpokenClock::default(),
            interviewer,
            tty,
            out,
            tokens: crate::llm::Usage::default(),
            judge: None,
            on_line: None,
            scratch: None,
            since: std::time::Instant::now(),
            due: None,
        }
    }

    /// A new session, logged as started; `open` then says the interviewer's first line.
    pub fn start_with(settings: &Settings, out: Box<dyn Write>, tty: bool) -> Result<Chat> {
        let scenario = Arc::new(scenario::load(&settings.scenario)?);
        let interviewer = interviewer_for(settings)?;
        let reader = start_reader(settings, tty)?;
        let log = Log::create(&settings.sessions_dir, &scenario.id)?;
        let start = Start {
            minutes: settings.minutes.unwrap_or(scenario.minutes),
            scenario,
            mode: settings.mode,
            focus: settings.focus,
            judge: settings.judge,
        };
        Ok(Chat::begin(start, log, interviewer, judge(settings)?, out, tty)?.with_reader(reader))
    }

    /// Log `started` for a fresh interview and assemble the chat around it.
    pub fn begin(
        start: Start,
        log: Log,
        interviewer: Box<dyn Interviewer>,
        judge: Option<Judging>,
        out: Box<dyn Write>,
        tty: bool,
    ) -> Result<Chat> {
        let sc = &start.scenario;
        let started = Event::Started {
            scenario: sc.id.clone(),
            locator: sc.locator(),
            hash: sc.hash.clone(),
            title: sc.title.clone(),
            minutes: start.minutes,
            mode: start.mode,
            interviewer: interviewer.name(),
            time: session::rfc3339(std::time::SystemTime::now()),
            focus: start.focus,
            judge: Some(start.judge),
        };
        let iv = Interview::started(start.scenario.clone(), &started)
            .expect("a started event sets up an interview");
        let mut chat = Chat::from_parts(iv, log, interviewer, out, tty);
        chat.session.record(started)?;
        chat.judge = judge;
        Ok(chat)
    }

    /// The same chat, its answers read by `reader`.
    pub fn with_reader(mut self, reader: Arc<dyn Reader>) -> Chat {
        self.session.set_reader(reader);
        self
    }

    /// The same chat, with the model judging coverage too, each verdict awaited at the debrief
    /// for at most `limit`.
    pub fn with_judge(
        mut self,
        judge: Box<dyn crate::llm::Backend + Send>,
        limit: std::time::Duration,
    ) -> Chat {
        self.judge = Some(Judging::start(judge, limit));
        self
    }

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

    /// Continue a saved session from its log, on the terminal.
    pub fn resume(settings: &Settings, query: Option<&str>) -> Result<Chat> {
        let tty = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
        Chat::resume_with(settings, query, Box::new(std::io::stdout()), tty, None)
    }

    /// Continue a saved session, its output going to `out` and its lines to `on_line`.
    pub fn resume_with(
        settings: &Settings,
        query: Option<&str>,
        out: Box<dyn Write>,
        tty: bool,
        on_line: Option<LineListener>,
    ) -> Result<Chat> {
        let path = session::find(&settings.sessions_dir, query)?;
        // Locked before it is read: what is read is then all there is.
        let (lock, stale) = session::Lock::take(&path)?;
        if let Some(pid) = stale {
            notice(&format!(
                "note: casecoach pid {pid} stopped without closing this session; it is yours now"
            ));
        }
        let loaded = session::read(&path)?;
        if let Some(n) = loaded.damage(&path) {
            notice(&n);
        }
        let Some((id, locator, hash, _, _)) = session::started_info(&loaded.events) else {
            bail!("{} does not start with a 'started' event", path.display());
        };
        let scenario = scenario::load(locator)
            .or_else(|_| scenario::load(id))
            .with_context(|| {
                format!(
                    "cannot load scenario '{locator}' to resume {}",
                    path.display()
                )
            })?;
        if scenario.hash != hash {
            notice(&format!(
                "note: scenario '{id}' has changed since this session started; resuming with the current version"
            ));
        }
        let reader = start_reader(settings, tty)?;
        // Turns of a schema-1 log were read by the lexical reader; only new ones get this one.
        let history: &dyn Reader = if loaded.schema < 2 {
            &Lexical
        } else {
            reader.as_ref()
        };
        let replayed = session::replay(&loaded, Arc::new(scenario), history)?;
        let sid = session::id_of(&path);
        if replayed.ended {
            bail!("session {sid} has already ended; `casecoach debrief {sid}` shows its debrief");
        }
        if let Some(line) = loaded.partial_line {
            notice(&format!(
                "note: line {line} of {} was cut short (the process stopped mid-write); resuming from the {} complete events before it",
                path.display(),
                loaded.events.len()
            ));
        }
        let mut log = Log::reopen(&path, &loaded, lock)?;
        // The state already holds these readings; the log catches up before anything else.
        for e in &replayed.unlogged {
            log.append(e)?;
        }
        log.append(&Event::Resumed {
            at: replayed.interview.now,
            time: session::rfc3339(std::time::SystemTime::now()),
        })?;
        let interviewer = interviewer_for(settings)?;
        let mut chat =
            Chat::from_parts(replayed.interview, log, interviewer, out, tty).with_reader(reader);
        chat.on_line = on_line;
        // The resumed session keeps its judge if a model is configured now; the log says which.
        chat.judge = judge(settings)?;
        // Token use is per session: start from what earlier runs of it used.
        for e in &loaded.events {
            if let Event::Usage {
                prompt_tokens,
                completion_tokens,
                ..
            } = e
            {
                chat.tokens.prompt_tokens += prompt_tokens;
                chat.tokens.completion_tokens += completion_tokens;
            }
        }
        let said = chat.iv().candidate_turns().count();
        notice(&format!(
            "Resuming {sid}: {} answers so far, now in {}.",
            said,
            interviewer::stage_line(chat.iv())
        ));
        if let Some(obs) = replayed.unanswered {
            // The candidate's last answer was saved but the interviewer never reacted to it.
            let last = chat.iv().turns.last().map(|t| t.text.clone());
            let actions = chat.session.react(&obs)?;
            chat.say(&actions, last.as_deref())?;
        } else if !replayed.unsaid.is_empty() {
            chat.say(&replayed.unsaid, None)?;
        } else if let Some(t) = chat
            .iv()
            .turns
            .iter()
            .rev()
            .find(|t| t.role == Role::Interviewer)
        {
            let text = t.text.clone();
            chat.print_line(&text);
        }
        if chat.task().is_some() {
            notice("(a coding round: /task shows the task and your solution file again)");
        }
        Ok(chat)
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
            judge.settle()
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

/// The interviewer: a model when one is configured, the scripted lines otherwise.
fn interviewer_for(settings: &Settings) -> Result<Box<dyn Interviewer>> {
    let scripted = Scripted::new(settings.prompts_dir.as_deref())?;
    Ok(match &settings.llm {
        None => Box::new(scripted),
        Some(config) => {
            crate::llm::interrupt::install();
            let backend = crate::llm::OpenAiCompatible::new(config.clone())?;
            let mut llm = crate::interviewer::LlmInterviewer::new(
                backend,
                scripted,
                config.clone(),
                settings.prompts_dir.as_deref(),
            )?;
            if config.read_ahead {
                let client = crate::llm::OpenAiCompatible::new(config.clone())?.in_background();
                llm = llm.with_read_ahead(crate::llm::ahead::ReadAhead::start(Box::new(client)));
            }
            Box::new(llm)
        }
    })
}

/// A second client for the model judge, when the model judges coverage, on its own thread.
fn judge(settings: &Settings) -> Result<Option<Judging>> {
    match (&settings.llm, settings.judge) {
        (Some(config), JudgeMode::Llm | JudgeMode::Both) => {
            let client = crate::llm::OpenAiCompatible::new(config.clone())?.in_background();
            Ok(Some(Judging::start(Box::new(client), config.turn_deadline)))
        }
        _ => Ok(None),
    }
}
