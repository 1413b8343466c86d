//! The live spoken interview: the thin driver around `turn::TurnMachine`. It owns the terminal,
//! the microphone and the speaking pipeline; the interview (`Chat`) and the recogniser run on
//! `worker` threads so keys are read while the model streams. Every event goes through the pure
//! machine; every effect it returns is performed here.

use super::audio::Clip;
use super::capture::Microphone;
use super::hearing::{Heard, Prompt};
use super::speech::{Playback, Speech};
use super::status::StatusLine;
use super::turn::{Effect, Key, KeyKind, PttEvent, Status, TurnMachine};
use super::worker::{ChatWorker, FromChat, SttWorker, ToChat};
use crate::chat::Settings;
use crate::interview::VoiceNote;
use crate::interviewer::Sentences;
use anyhow::Result;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

/// The terminal as the driver sees it: keys in, text and a status line out.
pub trait Terminal {
    /// The next key, waiting at most `timeout`.
    fn key(&mut self, timeout: Duration) -> Option<(Key, KeyKind)>;
    /// A line of text; the terminal is a normal line editor meanwhile. None when abandoned.
    fn line(&mut self, prompt: &str, initial: &str) -> Option<String>;
    /// Interview content and notices.
    fn print(&mut self, text: &str);
    /// The one-line status: where the turn is and which keys do what.
    fn status(&mut self, status: Status, text: &str);
}

/// Speech to text, on its own thread so the keys stay live while it works.
pub trait Transcriber: Send {
    fn transcribe(&mut self, wav: Vec<u8>, prompt: &str) -> Result<String>;
}

impl Transcriber for super::stt::Stt {
    fn transcribe(&mut self, wav: Vec<u8>, prompt: &str) -> Result<String> {
        super::stt::Stt::transcribe(self, wav, prompt)
    }
}

/// Everything the driver talks to; tests pass fakes for each.
pub struct Parts {
    pub term: Box<dyn Terminal>,
    pub mic: Box<dyn Microphone>,
    pub stt: Box<dyn Transcriber>,
    /// None with `--tts none`: lines are printed only.
    pub speech: Option<(Speech, Receiver<Playback>)>,
    /// Keep each sent answer's recording here (`--audio-out`), to listen back to.
    pub keep: Option<PathBuf>,
}

/// Per answer: when the talk key was released, and what followed.
#[derive(Default)]
struct Marks {
    released: Option<Instant>,
    transcript: Option<Instant>,
    first_token: Option<Instant>,
    first_audio: Option<Instant>,
    /// When the answer was sent (after the candidate confirmed or edited it).
    sent: Option<Instant>,
    /// The recording's numbers, once its transcript is in.
    note: Option<VoiceNote>,
    logged: bool,
}

impl Marks {
    /// Milliseconds from the release to `t`, leaving out the candidate's own time at the confirm
    /// prompt (between the transcript and the send): what the tool made them wait.
    fn ms(&self, t: Option<Instant>) -> Option<u64> {
        let (t, released, heard) = (t?, self.released?, self.transcript?);
        let waited = if t <= heard {
            t.duration_since(released)
        } else {
            heard.duration_since(released) + t.duration_since(self.sent.unwrap_or(heard).max(heard))
        };
        Some(waited.as_millis() as u64)
    }
}

/// What a finished run reports (tests and benchmarks read it).
#[derive(Debug, Default)]
pub struct Outcome {
    pub session: String,
    pub ended: bool,
    /// Release of the talk key to the first sound of the reply, per spoken answer.
    pub release_to_audio_ms: Vec<u64>,
}

/// What the candidate touches: the terminal and the microphone.
struct Devices {
    term: Box<dyn Terminal>,
    mic: Box<dyn Microphone>,
}

/// The pure turn machine, and the steady clock its events are stamped with.
struct Machine {
    inner: TurnMachine,
    start: Instant,
}

impl Machine {
    fn on(&mut self, event: PttEvent) -> Vec<Effect> {
        let now = self.start.elapsed().as_secs_f64();
        self.inner.on(event, now)
    }

    fn status(&self) -> Status {
        self.inner.status
    }
}

/// The answer in progress, and the recordings of those already sent.
struct Answer {
    /// The recording behind it (kept for retry and its numbers).
    clip: Option<Clip>,
    /// Recordings are numbered, so the recogniser knows which pieces belong together.
    recording: u64,
    /// The text came from the microphone (typed answers have no delivery numbers).
    spoken: bool,
    marks: Marks,
    /// Where sent recordings are kept (`--audio-out`).
    keep: Option<PathBuf>,
    /// Answers kept as files so far.
    kept: usize,
    /// Held while the candidate waits on us, from the release of the key to the first sound of
    /// the reply: background model requests wait, and the recogniser and the line have the cores.
    due: Option<crate::llm::LineDue>,
}

/// The interviewer's line: as it streams in, and as it is spoken.
struct Line {
    /// None with `--tts none`: lines are printed only.
    speech: Option<(Speech, Receiver<Playback>)>,
    /// The reply being spoken; news of earlier ones is stale.
    reply: u64,
    /// The candidate cut in: the rest of this reply is not spoken.
    muted: bool,
    sentences: Sentences,
    /// The line so far, the end of which goes to the recogniser as context.
    text: String,
    /// Pieces of it are still arriving.
    open: bool,
    /// The turn the line is logged as, once it is.
    turn: Option<usize>,
    /// What was heard of a line cut short, waiting for its turn number (or vice versa).
    cut: Option<String>,
}

impl Line {
    /// A new reply: the speaker starts afresh, nothing is muted or cut yet.
    fn begin(&mut self) {
        if let Some((speech, _)) = &self.speech {
            self.reply = speech.begin();
        }
        self.muted = false;
        self.cut = None;
        self.turn = None;
        self.sentences = Sentences::default();
    }
}

/// The performer of the turn machine's effects, in the parts each effect touches.
pub struct Driver {
    devices: Devices,
    machine: Machine,
    answer: Answer,
    line: Line,
    status: StatusLine,
    chat: ChatWorker,
    stt: SttWorker,
    outcome: Outcome,
    quit: bool,
}

impl Driver {
    pub fn new(
        settings: &Settings,
        resume: Option<Option<String>>,
        machine: TurnMachine,
        parts: Parts,
    ) -> Driver {
        let Parts {
            term,
            mic,
            stt,
            speech,
            keep,
        } = parts;
        let chat = ChatWorker::spawn(settings, resume);
        let stt = SttWorker::spawn(stt);
        Driver {
            devices: Devices { term, mic },
            machine: Machine {
                inner: machine,
                start: Instant::now(),
            },
            answer: Answer {
                clip: None,
                recording: 0,
                spoken: false,
                marks: Marks::default(),
                keep,
                kept: 0,
                due: None,
            },
            line: Line {
                speech,
                reply: 0,
                muted: false,
                sentences: Sentences::default(),
                text: String::new(),
                open: false,
                turn: None,
                cut: None,
            },
            status: StatusLine::default(),
            chat,
            stt,
            outcome: Outcome::default(),
            quit: false,
        }
    }

    /// Run until the candidate leaves or the interview ends.
    pub fn run(mut self) -> Result<Outcome> {
        self.line.begin();
        self.show_status();
        while !self.quit {
            if let Some((key, kind)) = self.devices.term.key(Duration::from_millis(10)) {
                self.handle(PttEvent::Key(key, kind));
            }
            if self.machine.status() == Status::Recording {
                while let Some(level) = self.devices.mic.level() {
                    self.status.level = level;
                    self.handle(PttEvent::Level(level));
                }
                // Finished pieces go to the recogniser while the candidate goes on, and what
                // they said to the interview, to get ready for the line that follows.
                while let Some(piece) = self.devices.mic.piece() {
                    self.stt.piece(self.answer.recording, piece);
                }
                if let Some(text) = self.stt.so_far(self.answer.recording) {
                    self.chat.send(ToChat::SoFar(text));
                }
                self.handle(PttEvent::Tick);
                if self.status.stale() {
                    self.show_status();
                }
            }
            self.drain()?;
        }
        self.finish()
    }

    fn drain(&mut self) -> Result<()> {
        loop {
            match self.chat.try_recv() {
                Ok(m) => self.on_chat(m)?,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.quit = true;
                    break;
                }
            }
        }
        while let Some((result, at)) = self.stt.try_recv() {
            let answer = &mut self.answer;
            answer.marks.transcript = Some(at);
            if let (Ok(heard), Some(clip)) = (&result, &answer.clip) {
                let ms = at
                    .duration_since(answer.marks.released.unwrap_or(at))
                    .as_millis() as u64;
                answer.marks.note = Some(super::note_for(clip, &heard.text, ms));
            }
            if let Ok(Heard {
                notice: Some(n), ..
            }) = &result
            {
                self.print(&format!("{n}\n"));
            }
            self.handle(PttEvent::Transcribed(result.map(|h| h.text)));
        }
        let news: Vec<Playback> = match &self.line.speech {
            Some((_, rx)) => rx.try_iter().collect(),
            None => Vec::new(),
        };
        for h in news {
            match h {
                Playback::Started { reply, at } if reply == self.line.reply => {
                    self.answer.marks.first_audio.get_or_insert(at);
                    self.handle(PttEvent::AudioStarted);
                    self.log_latency();
                }
                Playback::Drained { reply } if reply == self.line.reply => {
                    self.handle(PttEvent::PlaybackDone)
                }
                Playback::Failed(why) => self.print(&format!(
                    "(text-to-speech failed: {why}; the interview goes on in text)\n"
                )),
                _ => {}
            }
        }
        Ok(())
    }

    fn on_chat(&mut self, m: FromChat) -> Result<()> {
        match m {
            FromChat::Output(text) => self.print(&text),
            FromChat::Vocabulary(v) => self.stt.vocabulary = v,
            FromChat::Piece(p) => {
                let line = &mut self.line;
                if line.muted {
                    return Ok(());
                }
                if !line.open {
                    line.open = true;
                    line.text.clear();
                }
                line.text.push_str(&p);
                self.answer
                    .marks
                    .first_token
                    .get_or_insert_with(Instant::now);
                // A piece ends where a sentence or the line does: speak all of it now, not
                // once the next sentence starts, which is a whole sentence later.
                if let Some((speech, _)) = &line.speech {
                    for s in line
                        .sentences
                        .push(&p)
                        .into_iter()
                        .chain(line.sentences.finish())
                    {
                        speech.say(line.reply, s);
                    }
                }
            }
            FromChat::LineEnd(turn) => {
                let line = &mut self.line;
                line.open = false;
                line.turn = Some(turn);
                if !line.muted
                    && let Some((speech, _)) = &line.speech
                    && let Some(rest) = line.sentences.finish()
                {
                    speech.say(line.reply, rest);
                }
                self.settle_cut();
            }
            FromChat::Reply { ended } => {
                let line = &mut self.line;
                line.open = false;
                match (&line.speech, line.muted) {
                    (Some((speech, _)), false) => {
                        // Whatever the splitter still holds is the end of the line.
                        if let Some(rest) = line.sentences.finish() {
                            speech.say(line.reply, rest);
                        }
                        speech.flush(line.reply)
                    }
                    _ => self.handle(PttEvent::PlaybackDone),
                }
                self.handle(PttEvent::ReplyDone { ended });
                if self.line.speech.is_none() {
                    self.log_latency();
                }
            }
            FromChat::Closed { session, ended } => {
                self.outcome.session = session;
                self.outcome.ended = ended;
                self.chat.closed = true;
                self.quit = true;
            }
            FromChat::Failed(e) => {
                self.chat.closed = true;
                self.quit = true;
                anyhow::bail!("{e}");
            }
        }
        Ok(())
    }

    /// A reply cut short: once both what was heard and the line's turn are known, log it.
    fn settle_cut(&mut self) {
        if let Some(turn) = self.line.turn
            && let Some(heard) = self.line.cut.take()
        {
            self.chat.send(ToChat::Spoken { turn, heard });
        }
    }

    fn log_latency(&mut self) {
        let m = &self.answer.marks;
        if m.logged || m.released.is_none() || m.transcript.is_none() || !self.answer.spoken {
            return;
        }
        let (t, f, a) = (m.ms(m.transcript), m.ms(m.first_token), m.ms(m.first_audio));
        if let Some(a) = a {
            self.outcome.release_to_audio_ms.push(a);
        }
        self.answer.marks.logged = true;
        self.chat.send(ToChat::Latency {
            transcript_ms: t.unwrap_or(0),
            first_token_ms: f,
            first_audio_ms: a,
        });
    }

    fn handle(&mut self, event: PttEvent) {
        for effect in self.machine.on(event) {
            self.perform(effect);
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Status(s) => {
                let waiting = matches!(s, Status::Transcribing | Status::Thinking);
                if waiting != self.answer.due.is_some() {
                    self.answer.due = waiting.then(crate::llm::LineDue::begin);
                }
                self.status.moved_to(s);
                self.show_status();
            }
            Effect::StartRecording => {
                self.devices.mic.start();
                self.answer.clip = None;
                self.answer.recording += 1;
            }
            Effect::Transcribe => {
                let released = Instant::now();
                let clip = self.devices.mic.stop();
                self.answer.marks = Marks {
                    released: Some(released),
                    ..Marks::default()
                };
                if clip.speech_seconds() < 0.3 {
                    self.answer.clip = None;
                    self.handle(PttEvent::Silent {
                        seconds: clip.seconds(),
                        peak: clip.peak(),
                    });
                    return;
                }
                self.answer.clip = Some(clip);
                self.transcribe();
            }
            Effect::Retry => {
                self.answer.marks.released = Some(Instant::now());
                // Afresh, as a whole: the pieces may be what failed.
                self.answer.recording += 1;
                self.transcribe();
            }
            Effect::Discard => {
                self.devices.mic.cancel();
                self.answer.clip = None;
            }
            Effect::ShowTranscript(text) => self.print(&format!("Heard: {text}\n")),
            Effect::LineEditor(initial) => {
                let edited = initial.is_some();
                let prompt = if edited { "edit> " } else { "you> " };
                let text = self
                    .devices
                    .term
                    .line(prompt, initial.as_deref().unwrap_or(""));
                // An edited transcript is still a spoken answer; a typed one is not.
                if !edited {
                    self.answer.clip = None;
                }
                self.handle(PttEvent::Typed(text));
            }
            Effect::Send(text) => self.send(text),
            Effect::StopSpeaking => {
                let line = &mut self.line;
                if let Some((speech, _)) = &line.speech {
                    let heard = speech.stop(line.reply);
                    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                    // Cut unless the whole line, already complete, was heard. A line still to
                    // come (no turn yet) is cut too: its words will not be spoken.
                    if line.open || line.turn.is_none() || words(&heard) != words(&line.text) {
                        line.cut = Some(heard);
                        self.settle_cut();
                    }
                }
                crate::llm::interrupt::stop_current();
                self.line.muted = true;
                self.line.sentences = Sentences::default();
            }
            Effect::Notice(n) => self.print(&format!("{n}\n")),
            Effect::Quit => self.quit = true,
        }
    }

    fn transcribe(&mut self) {
        let Some(clip) = &self.answer.clip else {
            return;
        };
        let prompt = Prompt::chosen(clip.seconds()).text(&self.stt.vocabulary, &self.line.text);
        // A copy: the recording stays here for a retry.
        self.stt
            .transcribe(self.answer.recording, clip.clone(), prompt);
    }

    fn send(&mut self, text: String) {
        // Spoken (perhaps edited) when a recording is behind it; typed otherwise.
        self.answer.spoken = self.answer.clip.is_some();
        let note = match (self.answer.clip.take(), self.answer.marks.note.clone()) {
            (Some(clip), Some(note)) if !text.starts_with('/') => {
                let file = self.keep_recording(&clip);
                Some((note, file))
            }
            _ => None,
        };
        self.line.begin();
        let marks = &mut self.answer.marks;
        marks.first_token = None;
        marks.first_audio = None;
        marks.sent = Some(Instant::now());
        marks.logged = false;
        if !text.starts_with('/') {
            self.print(&format!("You: {text}\n"));
        }
        self.chat.send(ToChat::Answer { text, note });
        self.answer.clip = None;
    }

    fn print(&mut self, text: &str) {
        self.devices.term.print(text);
    }

    /// Save an answer's recording when asked to; returns what the log calls it.
    fn keep_recording(&mut self, clip: &Clip) -> String {
        let Some(dir) = self.answer.keep.clone() else {
            return "microphone".into();
        };
        self.answer.kept += 1;
        let path = dir.join(format!("answer-{:02}.wav", self.answer.kept));
        let saved = std::fs::create_dir_all(&dir)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(std::fs::write(&path, clip.wav()?)?));
        match saved {
            Ok(()) => path.display().to_string(),
            Err(e) => {
                self.print(&format!(
                    "(could not keep the recording in {}: {e})\n",
                    path.display()
                ));
                "microphone".into()
            }
        }
    }

    fn show_status(&mut self) {
        self.status
            .draw(&self.machine.inner, self.devices.term.as_mut());
    }

    fn finish(mut self) -> Result<Outcome> {
        if let Some((speech, _)) = &self.line.speech {
            speech.stop(self.line.reply);
        }
        crate::llm::interrupt::stop_current();
        self.chat.send(ToChat::Quit);
        // Wait for the interview to close its log (the debrief, if it ended, is already out).
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.chat.closed && Instant::now() < deadline {
            match self.chat.recv_timeout(Duration::from_millis(50)) {
                Ok(m) => self.on_chat(m)?,
                Err(RecvTimeoutError::Disconnected) => break,
                Err(_) => {}
            }
        }
        Ok(self.outcome)
    }
}
