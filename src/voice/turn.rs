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

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
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
/// Louder than this (RMS of full scale) counts as voice for auto-stop, in a quiet room.
pub const VOICE_RMS: f32 = 0.02;
/// In a noisy room, voice must be this many times louder than the quietest frame heard so far
/// in the recording (the gaps between words sit near the room's noise).
const OVER_NOISE: f32 = 3.0;

#[derive(Debug, Clone)]
pub struct Turn {
    pub ptt: Ptt,
    /// Trailing silence that ends a toggle-mode recording; None turns it off.
    pub auto_stop: Option<f64>,
    /// Show transcripts before sending them.
    pub confirm: bool,
    pub status: Status,
    /// When the current recording began.
    started: f64,
    /// This recording's loudness, frame by frame: voice is judged against its quietest frame
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

impl Turn {
    pub fn new(ptt: Ptt, auto_stop: Option<f64>, confirm: bool) -> Turn {
        Turn {
            ptt,
            auto_stop,
            confirm,
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

    /// When voice was last heard in this recording, judged against the room's noise.
    fn last_voice(&self) -> Option<f64> {
        let floor = self.levels.iter().map(|l| l.1).fold(f32::MAX, f32::min);
        let threshold = VOICE_RMS.max(OVER_NOISE * floor);
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
    pub fn on(&mut self, event: Event, now: f64) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.status == Status::Done {
            return out;
        }
        match event {
            Event::Key(Key::CtrlC | Key::CtrlD, KeyKind::Press) => {
                if self.status == Status::Recording {
                    out.push(Effect::Discard);
                }
                if matches!(self.status, Status::Thinking | Status::Speaking) {
                    out.push(Effect::StopSpeaking);
                }
                self.go(Status::Done, &mut out);
                out.push(Effect::Quit);
            }
            Event::Key(_, KeyKind::Repeat) => {}
            Event::Key(key, kind) => self.key(key, kind, now, &mut out),
            Event::Level(rms) => {
                if self.status == Status::Recording {
                    self.levels.push((now, rms));
                }
            }
            Event::Tick => {
                if self.status == Status::Recording
                    && self.ptt == Ptt::Toggle
                    && let (Some(limit), Some(last)) = (self.auto_stop, self.last_voice())
                    && now - last + 1e-9 >= limit
                {
                    self.finish(now, &mut out);
                }
            }
            Event::Silent { seconds, peak } => {
                if self.status == Status::Transcribing {
                    out.push(Effect::Notice(format!(
                        "(no speech in that {seconds:.1} s recording (peak level {:.0}%), so it was not sent: \
                         speak up, or test the microphone with casecoach voice --mic-check)",
                        peak * 100.0
                    )));
                    self.go(Status::Ready, &mut out);
                }
            }
            Event::Transcribed(result) => {
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
            Event::Typed(text) => {
                if self.status != Status::Typing {
                    return out;
                }
                match text.map(|t| t.trim().to_string()) {
                    Some(t) if !t.is_empty() => self.send(t, &mut out),
                    _ => self.go(Status::Ready, &mut out),
                }
            }
            Event::AudioStarted => {
                self.playing = true;
                if self.status == Status::Thinking {
                    self.go(Status::Speaking, &mut out);
                }
            }
            Event::ReplyDone { ended } => {
                self.reply_done = true;
                self.ended = ended;
                if matches!(self.status, Status::Thinking | Status::Speaking)
                    || (ended && self.status == Status::Ready)
                {
                    self.settle(&mut out);
                }
            }
            Event::PlaybackDone => {
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
mod tests {
    use super::KeyKind::*;
    use super::{Effect, Event, Key as K, Ptt, Status, Turn};
    use Effect as E;
    use Event::*;

    /// Runs events at the given times and returns every effect, in order.
    fn run(turn: &mut Turn, events: &[(f64, Event)]) -> Vec<Effect> {
        events
            .iter()
            .flat_map(|(t, e)| turn.on(e.clone(), *t))
            .collect()
    }

    fn ready(ptt: Ptt) -> Turn {
        let mut t = Turn::new(ptt, Some(0.8), true);
        t.on(ReplyDone { ended: false }, 0.0);
        t.on(PlaybackDone, 0.0);
        assert_eq!(t.status, Status::Ready);
        t
    }

    fn sends(effects: &[Effect]) -> Vec<String> {
        effects
            .iter()
            .filter_map(|e| match e {
                E::Send(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn hold_records_from_press_to_release_then_confirms_and_sends() {
        let mut t = ready(Ptt::Hold);
        let fx = run(
            &mut t,
            &[
                (1.0, Key(K::Space, Press)),
                (1.1, Key(K::Space, Repeat)),
                (1.2, Key(K::Space, Repeat)),
                (3.0, Tick),
                (4.5, Key(K::Space, Release)),
            ],
        );
        assert_eq!(
            fx,
            vec![
                E::StartRecording,
                E::Status(Status::Recording),
                E::Transcribe,
                E::Status(Status::Transcribing)
            ]
        );
        let fx = run(
            &mut t,
            &[
                (5.0, Transcribed(Ok("use PR-AUC".into()))),
                (6.0, Key(K::Enter, Press)),
            ],
        );
        assert_eq!(fx[0], E::ShowTranscript("use PR-AUC".into()));
        assert_eq!(sends(&fx), vec!["use PR-AUC"]);
        assert_eq!(t.status, Status::Thinking);
    }

    #[test]
    fn hold_ignores_enter_and_a_trailing_silence() {
        let mut t = ready(Ptt::Hold);
        let fx = run(
            &mut t,
            &[
                (1.0, Key(K::Space, Press)),
                (1.5, Level(0.2)),
                (1.6, Key(K::Enter, Press)),
                (5.0, Tick),
            ],
        );
        assert!(!fx.contains(&E::Transcribe));
        assert_eq!(t.status, Status::Recording);
    }

    #[test]
    fn toggle_starts_and_stops_on_the_same_key() {
        let mut t = ready(Ptt::Toggle);
        let fx = run(
            &mut t,
            &[
                (1.0, Key(K::Enter, Press)),
                (1.0, Key(K::Enter, Release)),
                (2.0, Key(K::Space, Press)),
                (3.0, Key(K::Enter, Press)),
            ],
        );
        assert_eq!(fx.iter().filter(|e| **e == E::Transcribe).count(), 1);
        assert_eq!(t.status, Status::Transcribing);
    }

    #[test]
    fn toggle_auto_stops_after_trailing_silence_only_once_voice_was_heard() {
        let mut t = ready(Ptt::Toggle);
        // Silence before any voice never ends a recording: the candidate may be thinking.
        let fx = run(
            &mut t,
            &[
                (0.0, Key(K::Space, Press)),
                (0.5, Level(0.001)),
                (3.0, Tick),
            ],
        );
        assert!(!fx.contains(&E::Transcribe));
        let fx = run(
            &mut t,
            &[
                (3.2, Level(0.1)),
                (3.5, Level(0.1)),
                (3.6, Level(0.001)),
                (4.2, Tick),
            ],
        );
        assert!(
            !fx.contains(&E::Transcribe),
            "0.7 s of silence is not enough"
        );
        let fx = run(&mut t, &[(4.3, Tick)]);
        assert_eq!(fx[0], E::Transcribe);
    }

    #[test]
    fn in_a_noisy_room_auto_stop_still_hears_the_end_of_speech() {
        let mut t = ready(Ptt::Toggle);
        t.on(Key(K::Space, Press), 0.0);
        // Fan noise at 0.05 throughout; speech at 0.3 until 2.0 s.
        let mut at = 0.0;
        let mut stopped_at = None;
        while at < 6.0 && stopped_at.is_none() {
            let level = if (0.5..2.0).contains(&at) { 0.3 } else { 0.05 };
            t.on(Level(level), at);
            if t.on(Tick, at).contains(&E::Transcribe) {
                stopped_at = Some(at);
            }
            at += 0.03;
        }
        let stopped_at = stopped_at.expect("the noise was taken for speech");
        assert!(
            (2.75..2.95).contains(&stopped_at),
            "stopped at {stopped_at}"
        );
    }

    #[test]
    fn auto_stop_can_be_turned_off() {
        let mut t = Turn::new(Ptt::Toggle, None, true);
        t.on(ReplyDone { ended: false }, 0.0);
        t.on(PlaybackDone, 0.0);
        let fx = run(
            &mut t,
            &[(0.0, Key(K::Space, Press)), (0.5, Level(0.3)), (9.0, Tick)],
        );
        assert!(!fx.contains(&E::Transcribe));
    }

    #[test]
    fn esc_cancels_a_recording_and_a_tap_is_too_short() {
        let mut t = ready(Ptt::Hold);
        let fx = run(
            &mut t,
            &[(1.0, Key(K::Space, Press)), (2.0, Key(K::Esc, Press))],
        );
        assert!(fx.contains(&E::Discard));
        assert_eq!(t.status, Status::Ready);
        // A release arriving after the cancel does nothing.
        assert!(t.on(Key(K::Space, Release), 2.1).is_empty());
        let fx = run(
            &mut t,
            &[(3.0, Key(K::Space, Press)), (3.1, Key(K::Space, Release))],
        );
        assert!(fx.contains(&E::Discard) && !fx.contains(&E::Transcribe));
        assert_eq!(t.status, Status::Ready);
    }

    #[test]
    fn confirm_offers_re_record_edit_and_drop() {
        let mut t = ready(Ptt::Hold);
        let heard = |t: &mut Turn, at: f64| {
            run(
                t,
                &[
                    (at, Key(K::Space, Press)),
                    (at + 1.0, Key(K::Space, Release)),
                    (at + 1.5, Transcribed(Ok("pure talk".into()))),
                ],
            )
        };
        heard(&mut t, 0.0);
        // r re-records: back to the talk key.
        let fx = t.on(Key(K::Char('r'), Press), 2.0);
        assert_eq!(fx, vec![E::Status(Status::Ready)]);
        t.on(Key(K::Space, Press), 2.1);
        t.on(Key(K::Space, Release), 3.0);
        t.on(Transcribed(Ok("pure talk".into())), 3.5);
        // e edits; the edited text is what is sent.
        let fx = t.on(Key(K::Char('e'), Press), 4.0);
        assert_eq!(fx[0], E::LineEditor(Some("pure talk".into())));
        let fx = t.on(Typed(Some(" PR-AUC ".into())), 5.0);
        assert_eq!(sends(&fx), vec!["PR-AUC"]);
        t.on(ReplyDone { ended: false }, 6.0);
        t.on(PlaybackDone, 6.0);
        heard(&mut t, 7.0);
        let fx = t.on(Key(K::Esc, Press), 9.0);
        assert!(sends(&fx).is_empty());
        assert_eq!(t.status, Status::Ready);
    }

    #[test]
    fn empty_transcript_is_not_sent_and_a_failure_keeps_the_recording() {
        let mut t = ready(Ptt::Toggle);
        run(
            &mut t,
            &[(0.0, Key(K::Space, Press)), (1.0, Key(K::Space, Press))],
        );
        let fx = t.on(Transcribed(Ok("  ".into())), 1.5);
        assert!(sends(&fx).is_empty());
        assert_eq!(t.status, Status::Ready);
        run(
            &mut t,
            &[(1.6, Key(K::Space, Press)), (2.6, Key(K::Space, Press))],
        );
        let fx = t.on(
            Silent {
                seconds: 1.0,
                peak: 0.004,
            },
            2.6,
        );
        assert!(
            matches!(&fx[0], E::Notice(n) if n.contains("no speech in that 1.0 s recording (peak level 0%)"))
        );
        assert_eq!(t.status, Status::Ready);
        run(
            &mut t,
            &[(2.0, Key(K::Space, Press)), (3.0, Key(K::Space, Press))],
        );
        t.on(Transcribed(Err("the endpoint is down".into())), 3.5);
        assert_eq!(t.status, Status::Failed);
        let fx = t.on(Key(K::Char('r'), Press), 4.0);
        assert_eq!(fx[0], E::Retry);
        t.on(Transcribed(Err("still down".into())), 4.5);
        let fx = t.on(Key(K::Char('t'), Press), 5.0);
        assert_eq!(fx[0], E::LineEditor(None));
        let fx = t.on(Typed(Some("typed instead".into())), 6.0);
        assert_eq!(sends(&fx), vec!["typed instead"]);
    }

    #[test]
    fn the_turn_returns_only_when_the_reply_is_in_and_the_speaker_is_quiet() {
        let mut t = ready(Ptt::Hold);
        t.on(Key(K::Char('t'), Press), 0.0);
        t.on(Typed(Some("answer".into())), 1.0);
        assert_eq!(t.on(AudioStarted, 1.2), vec![E::Status(Status::Speaking)]);
        assert!(t.on(ReplyDone { ended: false }, 1.5).is_empty());
        assert_eq!(t.status, Status::Speaking);
        assert_eq!(t.on(PlaybackDone, 4.0), vec![E::Status(Status::Ready)]);
    }

    #[test]
    fn talk_key_while_speaking_barges_in_and_records() {
        let mut t = ready(Ptt::Hold);
        t.on(Key(K::Char('t'), Press), 0.0);
        t.on(Typed(Some("answer".into())), 1.0);
        t.on(AudioStarted, 1.2);
        let fx = t.on(Key(K::Space, Press), 2.0);
        assert_eq!(
            fx,
            vec![
                E::StopSpeaking,
                E::StartRecording,
                E::Status(Status::Recording)
            ]
        );
        // The reply's text finishing later does not pull the candidate out of recording.
        assert!(t.on(ReplyDone { ended: false }, 2.5).is_empty());
        assert!(t.on(PlaybackDone, 2.6).is_empty());
        let fx = t.on(Key(K::Space, Release), 4.0);
        assert!(fx.contains(&E::Transcribe));
    }

    #[test]
    fn t_types_over_the_speech_only_once_the_line_is_all_in() {
        let mut t = ready(Ptt::Toggle);
        t.on(Key(K::Char('t'), Press), 0.0);
        t.on(Typed(Some("answer".into())), 1.0);
        t.on(AudioStarted, 1.2);
        // Still streaming: t does nothing yet.
        assert!(t.on(Key(K::Char('t'), Press), 1.3).is_empty());
        t.on(ReplyDone { ended: false }, 1.5);
        let fx = t.on(Key(K::Char('t'), Press), 2.0);
        assert_eq!(
            fx,
            vec![
                E::StopSpeaking,
                E::LineEditor(None),
                E::Status(Status::Typing)
            ]
        );
        assert_eq!(
            sends(&t.on(Typed(Some("typed".into())), 3.0)),
            vec!["typed"]
        );
    }

    #[test]
    fn the_closing_reply_quits_after_it_is_spoken_and_ctrl_c_always_quits() {
        let mut t = ready(Ptt::Toggle);
        t.on(Key(K::Char('t'), Press), 0.0);
        t.on(Typed(Some("/end".into())), 1.0);
        t.on(AudioStarted, 1.1);
        assert!(t.on(ReplyDone { ended: true }, 1.2).is_empty());
        assert_eq!(
            t.on(PlaybackDone, 9.0),
            vec![E::Status(Status::Done), E::Quit]
        );
        let mut t = ready(Ptt::Hold);
        t.on(Key(K::Space, Press), 0.0);
        let fx = t.on(Key(K::CtrlC, Press), 1.0);
        assert_eq!(fx, vec![E::Discard, E::Status(Status::Done), E::Quit]);
        assert!(t.on(Key(K::Space, Release), 2.0).is_empty());
    }
}

#[cfg(test)]
mod toggle_race {
    use super::*;

    #[test]
    fn a_late_stop_press_after_auto_stop_does_not_start_a_new_recording() {
        let mut t = Turn::new(Ptt::Toggle, Some(0.8), true);
        t.on(Event::ReplyDone { ended: false }, 0.0);
        t.on(Event::PlaybackDone, 0.0);
        t.on(Event::Key(Key::Space, KeyKind::Press), 0.0);
        t.on(Event::Level(0.2), 0.5);
        t.on(Event::Level(0.001), 0.53);
        t.on(Event::Tick, 1.3);
        assert_eq!(t.status, Status::Transcribing);
        t.on(Event::Transcribed(Ok("heard".into())), 1.4);
        // The candidate meant to stop; the recording had already stopped itself.
        assert!(t.on(Event::Key(Key::Space, KeyKind::Press), 1.5).is_empty());
        assert_eq!(t.status, Status::Confirming);
    }
}
