//! The live spoken interview: the thin driver around `turn::Turn`. It owns the terminal, the
//! microphone and the speaking pipeline, and runs the interview (`Chat`) on a worker thread so
//! keys are read while the model streams. Every event goes through the pure machine; every
//! effect it returns is performed here.

use super::capture::Microphone;
use super::speech::{Heard, Sentences, Speech};
use super::turn::{Effect, Event, Key, KeyKind, Status, Turn};
use crate::chat::Settings;
use crate::chat::{Chat, LineNews};
use crate::interview::VoiceNote;
use anyhow::Result;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
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
    pub speech: Option<(Speech, Receiver<Heard>)>,
    /// Keep each sent answer's recording here (`--audio-out`), to listen back to.
    pub keep: Option<std::path::PathBuf>,
}

/// To the interview thread.
enum ToChat {
    Answer {
        text: String,
        /// The recording's numbers, and where it was kept (if it was).
        note: Option<(VoiceNote, String)>,
    },
    Spoken {
        turn: usize,
        heard: String,
    },
    Latency {
        transcript_ms: u64,
        first_token_ms: Option<u64>,
        first_audio_ms: Option<u64>,
    },
    Quit,
}

/// From the interview thread.
enum FromChat {
    Output(String),
    Piece(String),
    /// The interviewer's line is logged as this turn.
    LineEnd(usize),
    /// The scenario's terms, sent once at the start.
    Vocabulary(Vec<String>),
    /// The interview is done with the last answer.
    Reply {
        ended: bool,
    },
    Closed {
        session: String,
        ended: bool,
    },
    Failed(String),
}

/// Interview output, sent to the driver to print (it owns the terminal).
struct ToDriver(Sender<FromChat>);

impl std::io::Write for ToDriver {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self
            .0
            .send(FromChat::Output(String::from_utf8_lossy(buf).into_owned()));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The interview, on its own thread: created there (a `Chat` need not be Send), fed answers,
/// and reporting its output and each reply's end.
fn interview(
    settings: Settings,
    resume: Option<Option<String>>,
    tx: Sender<FromChat>,
    rx: Receiver<ToChat>,
) {
    let run = || -> Result<(String, bool)> {
        let lines = tx.clone();
        let on_line: Box<dyn FnMut(LineNews)> = Box::new(move |news| {
            let _ = lines.send(match news {
                LineNews::Piece(p) => FromChat::Piece(p.to_string()),
                LineNews::Logged(turn) => FromChat::LineEnd(turn),
            });
        });
        let out = Box::new(ToDriver(tx.clone()));
        let mut chat = match &resume {
            Some(q) => Chat::resume_with(&settings, q.as_deref(), out, true, Some(on_line))?,
            None => {
                let mut chat = Chat::start_with(&settings, out, true)?;
                chat.on_line = Some(on_line);
                chat
            }
        };
        let _ = tx.send(FromChat::Vocabulary(chat.iv().scenario.vocabulary.clone()));
        let _ = tx.send(FromChat::Output(format!("{}\n", chat.header())));
        if resume.is_none() {
            chat.open()?;
        }
        let _ = tx.send(FromChat::Reply {
            ended: chat.ended(),
        });
        let mut answered = 0;
        for msg in rx {
            match msg {
                ToChat::Answer { text, note } => {
                    if chat.ended() {
                        continue;
                    }
                    let turn = chat.iv().turns.len() + 1;
                    if let Some((mut note, file)) = note
                        && !text.starts_with('/')
                    {
                        note.turn = turn;
                        chat.voice_note(&file, note)?;
                        answered = turn;
                    }
                    let leave = matches!(
                        crate::chat::handle_line(&mut chat, &text)?,
                        crate::chat::Next::Leave
                    );
                    let _ = tx.send(FromChat::Reply {
                        ended: chat.ended() || leave,
                    });
                }
                ToChat::Spoken { turn, heard } => chat.spoken(turn, &heard)?,
                ToChat::Latency {
                    transcript_ms,
                    first_token_ms,
                    first_audio_ms,
                } => {
                    if answered > 0 {
                        chat.latency(answered, transcript_ms, first_token_ms, first_audio_ms)?;
                    }
                }
                ToChat::Quit => break,
            }
        }
        Ok((chat.log().id(), chat.ended()))
    };
    match run() {
        Ok((session, ended)) => {
            let _ = tx.send(FromChat::Closed { session, ended });
        }
        Err(e) => {
            let _ = tx.send(FromChat::Failed(format!("{e:#}")));
        }
    }
}

/// The numbers of a spoken answer, for the delivery notes.
pub fn note_for(clip: &super::audio::Clip, text: &str, transcribe_ms: u64) -> VoiceNote {
    let lower = format!(" {} ", text.to_lowercase());
    let fillers: usize = super::FILLERS
        .iter()
        .map(|f| lower.matches(&format!(" {f} ")).count())
        .sum();
    let words = crate::cue::word_count(text);
    let speech = clip.speech_seconds();
    let wpm = if speech > 0.0 {
        words as f64 * 60.0 / speech
    } else {
        0.0
    };
    let r2 = |x: f64| (x * 100.0).round() / 100.0;
    VoiceNote {
        turn: 0,
        audio_seconds: r2(clip.seconds()),
        speech_seconds: r2(speech),
        longest_pause: r2(clip.longest_pause()),
        words_per_minute: wpm.round(),
        fillers,
        transcribe_ms,
    }
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

pub struct Driver {
    turn: Turn,
    term: Box<dyn Terminal>,
    mic: Box<dyn Microphone>,
    speech: Option<(Speech, Receiver<Heard>)>,
    keep: Option<std::path::PathBuf>,
    start: Instant,
    to_chat: Sender<ToChat>,
    from_chat: Receiver<FromChat>,
    stt_tx: Sender<(super::audio::Clip, String)>,
    stt_rx: Receiver<(Result<String, String>, Instant)>,
    sentences: Sentences,
    /// The reply being spoken, and whether its words are still being spoken.
    reply: u64,
    muted: bool,
    /// What was heard of a reply cut short, waiting for its line's turn number (or vice versa).
    cut: Option<String>,
    line_turn: Option<usize>,
    /// The recording behind the answer in progress (kept for retry and its numbers).
    clip: Option<super::audio::Clip>,
    /// The text came from the microphone (typed answers have no delivery numbers).
    spoken_answer: bool,
    marks: Marks,
    /// The interviewer's last line, the end of which goes to the recogniser as context.
    last_line: String,
    line_open: bool,
    quit: bool,
    outcome: Outcome,
    closed: bool,
    recording_since: Option<Instant>,
    last_status: Option<Instant>,
    /// Answers kept as files so far.
    answers: usize,
    /// The microphone's latest loudness, for the meter.
    level: f32,
    /// The scenario's terms, for the recogniser's prompt.
    vocabulary: Vec<String>,
}

impl Driver {
    pub fn new(
        settings: &Settings,
        resume: Option<Option<String>>,
        turn: Turn,
        parts: Parts,
    ) -> Driver {
        let Parts {
            term,
            mic,
            mut stt,
            speech,
            keep,
        } = parts;
        let (to_chat, chat_rx) = channel();
        let (chat_tx, from_chat) = channel();
        let s = settings.clone();
        std::thread::spawn(move || interview(s, resume, chat_tx, chat_rx));
        let (stt_tx, stt_jobs) = channel::<(super::audio::Clip, String)>();
        let (stt_done, stt_rx) = channel();
        std::thread::spawn(move || {
            for (clip, prompt) in stt_jobs {
                let r =
                    super::transcribe(stt.as_mut(), &clip, &prompt).map_err(|e| format!("{e:#}"));
                if stt_done.send((r, Instant::now())).is_err() {
                    break;
                }
            }
        });
        Driver {
            turn,
            term,
            mic,
            speech,
            keep,
            start: Instant::now(),
            to_chat,
            from_chat,
            stt_tx,
            stt_rx,
            sentences: Sentences::default(),
            reply: 0,
            muted: false,
            cut: None,
            line_turn: None,
            clip: None,
            spoken_answer: false,
            marks: Marks::default(),
            last_line: String::new(),
            line_open: false,
            quit: false,
            outcome: Outcome::default(),
            closed: false,
            recording_since: None,
            last_status: None,
            answers: 0,
            level: 0.0,
            vocabulary: Vec::new(),
        }
    }

    fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Run until the candidate leaves or the interview ends.
    pub fn run(mut self) -> Result<Outcome> {
        if let Some((speech, _)) = &self.speech {
            self.reply = speech.begin();
        }
        self.show_status();
        while !self.quit {
            if let Some((key, kind)) = self.term.key(Duration::from_millis(10)) {
                self.handle(Event::Key(key, kind));
            }
            if self.turn.status == Status::Recording {
                while let Some(level) = self.mic.level() {
                    self.level = level;
                    self.handle(Event::Level(level));
                }
                self.handle(Event::Tick);
                self.tick_status();
            }
            self.drain()?;
        }
        self.finish()
    }

    fn drain(&mut self) -> Result<()> {
        loop {
            match self.from_chat.try_recv() {
                Ok(m) => self.on_chat(m)?,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.quit = true;
                    break;
                }
            }
        }
        while let Ok((result, at)) = self.stt_rx.try_recv() {
            self.marks.transcript = Some(at);
            if let (Ok(text), Some(clip)) = (&result, &self.clip) {
                let ms = at
                    .duration_since(self.marks.released.unwrap_or(at))
                    .as_millis() as u64;
                self.marks.note = Some(note_for(clip, text, ms));
            }
            self.handle(Event::Transcribed(result));
        }
        let news: Vec<Heard> = match &self.speech {
            Some((_, rx)) => rx.try_iter().collect(),
            None => Vec::new(),
        };
        for h in news {
            match h {
                Heard::Started { reply, at } if reply == self.reply => {
                    self.marks.first_audio.get_or_insert(at);
                    self.handle(Event::AudioStarted);
                    self.log_latency();
                }
                Heard::Drained { reply } if reply == self.reply => self.handle(Event::PlaybackDone),
                Heard::Failed(why) => self.print(&format!(
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
            FromChat::Vocabulary(v) => self.vocabulary = v,
            FromChat::Piece(p) => {
                if self.muted {
                    return Ok(());
                }
                if !self.line_open {
                    self.line_open = true;
                    self.last_line.clear();
                }
                self.last_line.push_str(&p);
                self.marks.first_token.get_or_insert_with(Instant::now);
                if let Some((speech, _)) = &self.speech {
                    for s in self.sentences.push(&p) {
                        speech.say(self.reply, s);
                    }
                }
            }
            FromChat::LineEnd(turn) => {
                self.line_open = false;
                self.line_turn = Some(turn);
                if !self.muted
                    && let Some((speech, _)) = &self.speech
                    && let Some(rest) = self.sentences.finish()
                {
                    speech.say(self.reply, rest);
                }
                self.settle_cut();
            }
            FromChat::Reply { ended } => {
                self.line_open = false;
                match (&self.speech, self.muted) {
                    (Some((speech, _)), false) => {
                        // Whatever the splitter still holds is the end of the line.
                        if let Some(rest) = self.sentences.finish() {
                            speech.say(self.reply, rest);
                        }
                        speech.flush(self.reply)
                    }
                    _ => self.handle(Event::PlaybackDone),
                }
                self.handle(Event::ReplyDone { ended });
                if self.speech.is_none() {
                    self.log_latency();
                }
            }
            FromChat::Closed { session, ended } => {
                self.outcome.session = session;
                self.outcome.ended = ended;
                self.closed = true;
                self.quit = true;
            }
            FromChat::Failed(e) => {
                self.closed = true;
                self.quit = true;
                anyhow::bail!("{e}");
            }
        }
        Ok(())
    }

    /// A reply cut short: once both what was heard and the line's turn are known, log it.
    fn settle_cut(&mut self) {
        if let Some(turn) = self.line_turn
            && let Some(heard) = self.cut.take()
        {
            let _ = self.to_chat.send(ToChat::Spoken { turn, heard });
        }
    }

    fn log_latency(&mut self) {
        let m = &self.marks;
        if m.logged || m.released.is_none() || m.transcript.is_none() || !self.spoken_answer {
            return;
        }
        let (t, f, a) = (m.ms(m.transcript), m.ms(m.first_token), m.ms(m.first_audio));
        if let Some(a) = a {
            self.outcome.release_to_audio_ms.push(a);
        }
        self.marks.logged = true;
        let _ = self.to_chat.send(ToChat::Latency {
            transcript_ms: t.unwrap_or(0),
            first_token_ms: f,
            first_audio_ms: a,
        });
    }

    fn handle(&mut self, event: Event) {
        let now = self.now();
        for effect in self.turn.on(event, now) {
            self.perform(effect);
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Status(s) => {
                self.recording_since = (s == Status::Recording).then(Instant::now);
                self.show_status();
            }
            Effect::StartRecording => {
                self.mic.start();
                self.clip = None;
            }
            Effect::Transcribe => {
                let released = Instant::now();
                let clip = self.mic.stop();
                self.marks = Marks {
                    released: Some(released),
                    ..Marks::default()
                };
                if clip.speech_seconds() < 0.3 {
                    self.clip = None;
                    self.handle(Event::Silent {
                        seconds: clip.seconds(),
                        peak: clip.peak(),
                    });
                    return;
                }
                self.clip = Some(clip);
                self.transcribe();
            }
            Effect::Retry => {
                self.marks.released = Some(Instant::now());
                self.transcribe();
            }
            Effect::Discard => {
                self.mic.cancel();
                self.clip = None;
            }
            Effect::ShowTranscript(text) => self.print(&format!("Heard: {text}\n")),
            Effect::LineEditor(initial) => {
                let edited = initial.is_some();
                let prompt = if edited { "edit> " } else { "you> " };
                let text = self.term.line(prompt, initial.as_deref().unwrap_or(""));
                // An edited transcript is still a spoken answer; a typed one is not.
                if !edited {
                    self.clip = None;
                }
                self.handle(Event::Typed(text));
            }
            Effect::Send(text) => self.send(text),
            Effect::StopSpeaking => {
                if let Some((speech, _)) = &self.speech {
                    let heard = speech.stop(self.reply);
                    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                    // Cut unless the whole line, already complete, was heard. A line still to
                    // come (no turn yet) is cut too: its words will not be spoken.
                    if self.line_open
                        || self.line_turn.is_none()
                        || words(&heard) != words(&self.last_line)
                    {
                        self.cut = Some(heard);
                        self.settle_cut();
                    }
                }
                crate::llm::interrupt::stop_current();
                self.muted = true;
                self.sentences = Sentences::default();
            }
            Effect::Notice(n) => self.print(&format!("{n}\n")),
            Effect::Quit => self.quit = true,
        }
    }

    fn transcribe(&mut self) {
        let Some(clip) = &self.clip else { return };
        let prompt = super::stt_prompt(&self.vocabulary, &self.last_line);
        // A copy: the recording stays here for a retry.
        let _ = self.stt_tx.send((clip.clone(), prompt));
    }

    fn send(&mut self, text: String) {
        // Spoken (perhaps edited) when a recording is behind it; typed otherwise.
        self.spoken_answer = self.clip.is_some();
        let note = match (self.clip.take(), self.marks.note.clone()) {
            (Some(clip), Some(note)) if !text.starts_with('/') => {
                let file = self.keep_recording(&clip);
                Some((note, file))
            }
            _ => None,
        };
        if let Some((speech, _)) = &self.speech {
            self.reply = speech.begin();
        }
        self.muted = false;
        self.cut = None;
        self.line_turn = None;
        self.sentences = Sentences::default();
        self.marks.first_token = None;
        self.marks.first_audio = None;
        self.marks.sent = Some(Instant::now());
        self.marks.logged = false;
        if !text.starts_with('/') {
            self.print(&format!("You: {text}\n"));
        }
        let _ = self.to_chat.send(ToChat::Answer { text, note });
        self.clip = None;
    }

    fn print(&mut self, text: &str) {
        self.term.print(text);
    }

    /// Save an answer's recording when asked to; returns what the log calls it.
    fn keep_recording(&mut self, clip: &super::audio::Clip) -> String {
        let Some(dir) = self.keep.clone() else {
            return "microphone".into();
        };
        self.answers += 1;
        let path = dir.join(format!("answer-{:02}.wav", self.answers));
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
        let s = self.turn.status;
        let label = match s {
            Status::Ready => "ready",
            Status::Recording => "recording",
            Status::Transcribing => "transcribing",
            Status::Confirming => "send it?",
            Status::Typing => "typing",
            Status::Thinking => "thinking",
            Status::Speaking => "speaking",
            Status::Failed => "transcription failed",
            Status::Done => "done",
        };
        let mut text = format!("[{label}]");
        if let Some(since) = self.recording_since {
            text += &format!(
                " {:.1}s {}",
                since.elapsed().as_secs_f64(),
                meter(self.level)
            );
        }
        let hint = self.turn.hint();
        if !hint.is_empty() {
            text += " ";
            text += hint;
        }
        self.term.status(s, &text);
        self.last_status = Some(Instant::now());
    }

    /// The recording clock, redrawn a few times a second.
    fn tick_status(&mut self) {
        if self
            .last_status
            .is_none_or(|t| t.elapsed() > Duration::from_millis(200))
        {
            self.show_status();
        }
    }

    fn finish(mut self) -> Result<Outcome> {
        if let Some((speech, _)) = &self.speech {
            speech.stop(self.reply);
        }
        crate::llm::interrupt::stop_current();
        let _ = self.to_chat.send(ToChat::Quit);
        // Wait for the interview to close its log (the debrief, if it ended, is already out).
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.closed && Instant::now() < deadline {
            match self.from_chat.recv_timeout(Duration::from_millis(50)) {
                Ok(m) => self.on_chat(m)?,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                Err(_) => {}
            }
        }
        Ok(self.outcome)
    }
}

/// A loudness meter: one block from silence (RMS 0.001) to loud speech (0.3), on a log scale,
/// so the candidate sees the microphone hears them.
pub fn meter(rms: f32) -> char {
    const BARS: [char; 9] = ['·', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let x = (rms.max(1e-4).log10() + 3.0) / 2.5 * 8.0;
    BARS[(x.round().clamp(0.0, 8.0)) as usize]
}
