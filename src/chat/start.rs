//! How a chat begins: a fresh session logged as started, or a saved one resumed from its log,
//! with the reader, interviewer and judge the settings ask for.

use super::judge::Judging;
use super::{Chat, LineListener, Settings, notice};
use crate::framework::Stage;
use crate::interview::clock::SpokenClock;
use crate::interview::{Interview, JudgeMode, Mode, Role};
use crate::interviewer::{self, Interviewer, Scripted};
use crate::reader::{Lexical, Reader};
use crate::scenario::{self, Scenario};
use crate::session::{self, Event, Log, Session};
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

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
