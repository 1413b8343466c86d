//! The spoken turn as a pure state machine: keys, microphone levels, transcripts and playback
//! news go in with the time; effects come out as data. No IO, no threads, no clock of its own,
//! so every push-to-talk sequence is a unit test. The live driver performs the effects.

/// How the talk key works, after `auto` is resolved against the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ptt {
    /// Press to record, release to send: needs key-release reports (kitty keyboard protocol).
    Hold,
    /// Space or Enter starts, the same key stops.
    Toggle,
}

/// The push-to-talk a user asks for (`--ptt`, `[voice] ptt`): a `Ptt`, or `auto` to leave it to
/// the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PttChoice {
    Auto,
    Hold,
    Toggle,
}

impl PttChoice {
    /// None for `auto`: the terminal decides once it is open.
    pub fn ptt(self) -> Option<Ptt> {
        match self {
            PttChoice::Auto => None,
            PttChoice::Hold => Some(Ptt::Hold),
            PttChoice::Toggle => Some(Ptt::Toggle),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Space,
    Enter,
    Esc,
    Char(char),
    CtrlC,
    CtrlD,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Press,
    Repeat,
    Release,
}

/// What the machine is told, with the time: keys, microphone levels, the recogniser's and the
/// interview's news. None of it is a session log event; the interview logs what it is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum PttEvent {
    Key(Key, KeyKind),
    /// Time passed; the time comes with every event.
    Tick,
    /// Loudness (RMS of full scale) of the latest microphone frame.
    Level(f32),
    /// The recording held no speech (seconds long, peak level 0-1): it is not sent.
    Silent {
        seconds: f64,
        peak: f32,
    },
    /// The speech-to-text reply, or why there is none.
    Transcribed(Result<String, String>),
    /// What the candidate typed or edited; None when they gave up.
    Typed(Option<String>),
    /// The interviewer's reply is complete (text and log); `ended` when it closed the interview.
    ReplyDone {
        ended: bool,
    },
    /// The first sound of the reply reached the speaker.
    AudioStarted,
    /// Everything queued for speaking has been played (or there was nothing to play).
    PlaybackDone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the candidate.
    Ready,
    Recording,
    Transcribing,
    /// The transcript is on screen, waiting for send / re-record / edit.
    Confirming,
    /// A line editor has the terminal.
    Typing,
    Thinking,
    Speaking,
    /// The transcription failed; the recording is kept.
    Failed,
    Done,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Status(Status),
    /// Start keeping microphone audio, from a little before now (pre-roll).
    StartRecording,
    /// Stop, and transcribe what was recorded.
    Transcribe,
    /// Transcribe the kept recording again.
    Retry,
    /// Stop and throw the recording away.
    Discard,
    /// Show what was heard, with the choices.
    ShowTranscript(String),
    /// Let the candidate type (or edit, when Some) an answer as text.
    LineEditor(Option<String>),
    /// Send an answer into the interview.
    Send(String),
    /// Barge-in: stop playback at once and cut the reply short.
    StopSpeaking,
    Notice(String),
    /// Leave; everything said is already saved.
    Quit,
}

/// Recordings shorter than this are taken as a slip of the finger.
const MIN_RECORDING: f64 = 0.3;
/// Louder than this (RMS of full scale) counts as speech for auto-stop, in a quiet room.
pub const SPEECH_RMS: f32 = 0.02;
/// In a noisy room, speech must be this many times louder than the quietest frame heard so far
/// in the recording (the gaps between words sit near the room's noise).
const OVER_NOISE: f32 = 3.0;

/// The push-to-talk machine: whose turn it is to talk and what each key does now. (A turn of the
/// transcript, one thing someone said, is `interview::Turn`.)
#[derive(Debug, Clone)]
pub struct TurnMachine {
    pub ptt: Ptt,
    /// Trailing silence that ends a toggle-mode recording; None turns it off.
    pub auto_stop: Option<f64>,
    /// Show transcripts before sending them.
    pub confirm: bool,
    /// The longest one recording may run: then it is sent as it stands, so a key left down (or
    /// a toggle never stopped) cannot record without end.
    pub most: f64,
    pub status: Status,
    /// When the current recording began.
    started: f64,
    /// This recording's loudness, frame by frame: speech is judged against its quietest frame
    /// (the room's noise, roughly), which is only known once there has been a pause.
    levels: Vec<(f64, f32)>,
    /// The key that started a toggle recording (the same key stops it).
    toggle_key: Key,
    /// The transcript waiting for a decision.
    heard: String,
    reply_done: bool,
    playing: bool,
    ended: bool,
}

impl TurnMachine {
    pub fn new(ptt: Ptt, auto_stop: Option<f64>, confirm: bool) -> TurnMachine {
        TurnMachine {
            ptt,
            auto_stop,
            confirm,
            most: super::audio::MAX_ANSWER_SECS,
            // The opening line is spoken first.
            status: Status::Speaking,
            started: 0.0,
            levels: Vec::new(),
            toggle_key: Key::Space,
            heard: String::new(),
            reply_done: false,
            playing: true,
            ended: false,
        }
    }

    /// With `seconds` as the longest recording instead of the default.
    pub fn with_most(mut self, seconds: f64) -> TurnMachine {
        self.most = seconds;
        self
    }

    /// What the status line says about the keys in the current state.
    pub fn hint(&self) -> &'static str {
        match (self.status, self.ptt) {
            (Status::Ready, Ptt::Hold) => "hold Space to talk · t type · q quit",
            (Status::Ready, Ptt::Toggle) => "Space to talk · t type · q quit",
            (Status::Recording, Ptt::Hold) => "release to send · Esc cancel",
            (Status::Recording, Ptt::Toggle) => "Space to send · Esc cancel",
            (Status::Confirming, Ptt::Hold) => {
                "Enter send · hold Space to re-record · e edit · Esc drop"
            }
            (Status::Confirming, Ptt::Toggle) => "Enter send · r re-record · e edit · Esc drop",
            (Status::Failed, _) => "r retry · t type instead · Esc drop",
            (Status::Thinking, Ptt::Hold) => "hold Space to interrupt",
            (Status::Thinking, Ptt::Toggle) => "Space to interrupt",
            (Status::Speaking, Ptt::Hold) => "hold Space to interrupt · t type",
            (Status::Speaking, Ptt::Toggle) => "Space to interrupt · t type",
            _ => "",
        }
    }

    fn go(&mut self, status: Status, out: &mut Vec<Effect>) {
        self.status = status;
        out.push(Effect::Status(status));
    }

    fn record(&mut self, key: Key, now: f64, out: &mut Vec<Effect>) {
        self.started = now;
        self.levels.clear();
        self.toggle_key = key;
        out.push(Effect::StartRecording);
        self.go(Status::Recording, out);
    }

    fn finish(&mut self, now: f64, out: &mut Vec<Effect>) {
        if now - self.started < MIN_RECORDING {
            out.push(Effect::Discard);
            out.push(Effect::Notice(match self.ptt {
                Ptt::Hold => "(too short: hold the key while you speak)".into(),
                Ptt::Toggle => "(too short: press Space, speak, then press Space again)".into(),
            }));
            self.go(Status::Ready, out);
        } else {
            out.push(Effect::Transcribe);
            self.go(Status::Transcribing, out);
        }
    }

    fn send(&mut self, text: String, out: &mut Vec<Effect>) {
        if self.ended {
            // The interview closed while this answer was being recorded: nothing takes it.
            out.push(Effect::Notice(
                "(the interview has ended; that answer was not sent)".into(),
            ));
            self.go(Status::Done, out);
            out.push(Effect::Quit);
            return;
        }
        // Both news are awaited: the reply's end, and the speaker falling quiet (the driver
        // reports that at once when nothing speaks).
        self.reply_done = false;
        self.playing = true;
        out.push(Effect::Send(text));
        self.go(Status::Thinking, out);
    }

    /// After a reply, the turn is the candidate's once the words are in and the speaker is quiet.
    fn settle(&mut self, out: &mut Vec<Effect>) {
        if !self.reply_done || self.playing {
            return;
        }
        if self.ended {
            self.go(Status::Done, out);
            out.push(Effect::Quit);
        } else {
            self.go(Status::Ready, out);
        }
    }

    /// When speech was last heard in this recording, judged against the room's noise.
    fn last_speech(&self) -> Option<f64> {
        let floor = self.levels.iter().map(|l| l.1).fold(f32::MAX, f32::min);
        let threshold = SPEECH_RMS.max(OVER_NOISE * floor);
        self.levels
            .iter()
            .rev()
            .find(|l| l.1 >= threshold)
            .map(|l| l.0)
    }

    fn is_talk(&self, key: Key) -> bool {
        match self.ptt {
            Ptt::Hold => key == Key::Space,
            Ptt::Toggle => matches!(key, Key::Space | Key::Enter),
        }
    }

    /// One event at time `now` (seconds on any steady clock).
    pub fn on(&mut self, event: PttEvent, now: f64) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.status == Status::Done {
            return out;
        }
        match event {
            PttEvent::Key(Key::CtrlC | Key::CtrlD, KeyKind::Press) => {
                if self.status == Status::Recording {
                    out.push(Effect::Discard);
                }
                if matches!(self.status, Status::Thinking | Status::Speaking) {
                    out.push(Effect::StopSpeaking);
                }
                self.go(Status::Done, &mut out);
                out.push(Effect::Quit);
            }
            PttEvent::Key(_, KeyKind::Repeat) => {}
            PttEvent::Key(key, kind) => self.key(key, kind, now, &mut out),
            PttEvent::Level(rms) => {
                if self.status == Status::Recording {
                    self.levels.push((now, rms));
                }
            }
            PttEvent::Tick
                if self.status == Status::Recording && now - self.started >= self.most =>
            {
                out.push(Effect::Notice(format!(
                    "(that answer reached the {}-minute limit and was sent as it stands; [voice] max_answer_minutes sets it)",
                    (self.most / 6.0).round() / 10.0
                )));
                self.finish(now, &mut out);
            }
            PttEvent::Tick => {
                if self.status == Status::Recording
                    && self.ptt == Ptt::Toggle
                    && let (Some(limit), Some(last)) = (self.auto_stop, self.last_speech())
                    && now - last + 1e-9 >= limit
                {
                    self.finish(now, &mut out);
                }
            }
            PttEvent::Silent { seconds, peak } => {
                if self.status == Status::Transcribing {
                    out.push(Effect::Notice(format!(
                        "(no speech in that {seconds:.1} s recording (peak level {:.0}%), so it was not sent: \
                         speak up, or test the microphone with casecoach voice --mic-check)",
                        peak * 100.0
                    )));
                    self.go(Status::Ready, &mut out);
                }
            }
            PttEvent::Transcribed(result) => {
                if self.status != Status::Transcribing {
                    return out;
                }
                match result {
                    Ok(text) if text.trim().is_empty() => {
                        out.push(Effect::Notice(
                            "(nothing was heard, so nothing was sent: try again, or press t to type)".into(),
                        ));
                        self.go(Status::Ready, &mut out);
                    }
                    Ok(text) if self.confirm => {
                        self.heard = text.clone();
                        out.push(Effect::ShowTranscript(text));
                        self.go(Status::Confirming, &mut out);
                    }
                    Ok(text) => self.send(text, &mut out),
                    Err(why) => {
                        out.push(Effect::Notice(format!(
                            "({why}; the recording is kept: r to retry, t to type the answer)"
                        )));
                        self.go(Status::Failed, &mut out);
                    }
                }
            }
            PttEvent::Typed(text) => {
                if self.status != Status::Typing {
                    return out;
                }
                match text.map(|t| t.trim().to_string()) {
                    Some(t) if !t.is_empty() => self.send(t, &mut out),
                    _ => self.go(Status::Ready, &mut out),
                }
            }
            PttEvent::AudioStarted => {
                self.playing = true;
                if self.status == Status::Thinking {
                    self.go(Status::Speaking, &mut out);
                }
            }
            PttEvent::ReplyDone { ended } => {
                self.reply_done = true;
                self.ended = ended;
                if matches!(self.status, Status::Thinking | Status::Speaking)
                    || (ended && self.status == Status::Ready)
                {
                    self.settle(&mut out);
                }
            }
            PttEvent::PlaybackDone => {
                self.playing = false;
                if matches!(self.status, Status::Thinking | Status::Speaking) {
                    self.settle(&mut out);
                }
            }
        }
        out
    }

    fn key(&mut self, key: Key, kind: KeyKind, now: f64, out: &mut Vec<Effect>) {
        let press = kind == KeyKind::Press;
        match self.status {
            Status::Ready => match key {
                k if press && self.is_talk(k) => self.record(k, now, out),
                Key::Char('t') if press => {
                    out.push(Effect::LineEditor(None));
                    self.go(Status::Typing, out);
                }
                Key::Char('q') if press => {
                    self.go(Status::Done, out);
                    out.push(Effect::Quit);
                }
                _ => {}
            },
            Status::Recording => match (key, kind) {
                (Key::Esc, KeyKind::Press) => {
                    out.push(Effect::Discard);
                    out.push(Effect::Notice("(recording cancelled)".into()));
                    self.go(Status::Ready, out);
                }
                (Key::Space, KeyKind::Release) if self.ptt == Ptt::Hold => self.finish(now, out),
                (k, KeyKind::Press) if self.ptt == Ptt::Toggle && k == self.toggle_key => {
                    self.finish(now, out)
                }
                _ => {}
            },
            Status::Confirming if press => match key {
                Key::Enter => {
                    let text = std::mem::take(&mut self.heard);
                    self.send(text, out);
                }
                // Back to the talk key. In toggle mode the talk key itself does not re-record
                // here: it is what a candidate presses to stop just as auto-stop fires.
                Key::Char('r') => {
                    self.heard.clear();
                    self.go(Status::Ready, out);
                }
                Key::Space if self.ptt == Ptt::Hold => self.record(key, now, out),
                Key::Char('e') => {
                    out.push(Effect::LineEditor(Some(std::mem::take(&mut self.heard))));
                    self.go(Status::Typing, out);
                }
                Key::Esc | Key::Char('s') => {
                    self.heard.clear();
                    out.push(Effect::Notice("(dropped; nothing was sent)".into()));
                    self.go(Status::Ready, out);
                }
                _ => {}
            },
            Status::Failed if press => match key {
                Key::Char('r') => {
                    out.push(Effect::Retry);
                    self.go(Status::Transcribing, out);
                }
                Key::Char('t') => {
                    out.push(Effect::LineEditor(None));
                    self.go(Status::Typing, out);
                }
                Key::Esc => {
                    out.push(Effect::Discard);
                    self.go(Status::Ready, out);
                }
                k if self.is_talk(k) => self.record(k, now, out),
                _ => {}
            },
            // Typing over the speech, once the line is all in: silence it and type.
            Status::Speaking
                if press && key == Key::Char('t') && self.reply_done && !self.ended =>
            {
                out.push(Effect::StopSpeaking);
                self.playing = false;
                out.push(Effect::LineEditor(None));
                self.go(Status::Typing, out);
            }
            // Barge-in: the talk key silences the interviewer and starts the answer.
            Status::Thinking | Status::Speaking if press && self.is_talk(key) => {
                out.push(Effect::StopSpeaking);
                self.playing = false;
                if self.reply_done && self.ended {
                    self.go(Status::Done, out);
                    out.push(Effect::Quit);
                    return;
                }
                self.record(key, now, out);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
