//! Spoken practice. Live: push-to-talk on the microphone (cargo feature `mic`), the answer
//! transcribed and confirmed, the interviewer's reply spoken while it streams (`live`). From
//! recordings: each `--audio-in` WAV is one answer, and the interviewer's lines can be saved as
//! WAV files. Either way the transcript goes into the same interview loop as a typed answer.

pub mod audio;
pub mod capture;
pub mod device;
pub mod eval;
pub mod fake;
pub mod hearing;
pub mod latency;
pub mod live;
pub mod segment;
pub mod speech;
mod status;
pub mod stt;
pub mod terminal;
pub mod tts;
pub mod turn;
mod worker;

use crate::chat::Chat;
use crate::chat::Settings;
use crate::interview::{Role, VoiceNote};
use anyhow::{Context, Result, bail};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct VoiceOptions {
    /// Show each transcript and let the candidate send, edit or skip it (on a terminal).
    pub confirm: bool,
    pub audio_in: Vec<PathBuf>,
    pub audio_out: Option<PathBuf>,
    pub tts: tts::TtsKind,
    pub tts_url: Option<String>,
    pub tts_voice: String,
    pub stt: Option<stt::SttConfig>,
    /// None: hold where the terminal reports key release, toggle elsewhere.
    pub ptt: Option<turn::Ptt>,
    pub auto_stop: Option<f64>,
    pub list_devices: bool,
    pub mic_check: bool,
    pub speaker_check: bool,
    pub input_device: Option<String>,
    pub output_device: Option<String>,
    /// Continue a session (the latest when the inner value is None).
    pub resume: Option<Option<String>>,
    /// The longest answer read from one recording.
    pub max_answer_secs: f64,
}

/// Filler words, counted for the delivery notes.
const FILLERS: &[&str] = &[
    "um",
    "uh",
    "erm",
    "like",
    "basically",
    "actually",
    "so yeah",
];

fn notice(msg: &str) {
    errln!("{msg}");
}

/// Show what was heard; Enter sends it, `e` edits it as text (a misheard "PR-AUC" must not cost
/// points), `s` skips it. None when skipped.
fn confirm(heard: &str) -> Result<Option<String>> {
    let mut rl = rustyline::DefaultEditor::new()?;
    outln!("Heard: {heard}");
    loop {
        let choice = match rl.readline("[Enter] send  [e] edit  [s] skip > ") {
            Ok(c) => c.trim().to_lowercase(),
            Err(_) => return Ok(Some(heard.to_string())),
        };
        match choice.as_str() {
            "" => return Ok(Some(heard.to_string())),
            "s" => return Ok(None),
            "e" => {
                let edited = rl
                    .readline_with_initial("edit> ", (heard, ""))
                    .unwrap_or_else(|_| heard.to_string());
                let edited = edited.trim().to_string();
                return Ok(if edited.is_empty() {
                    None
                } else {
                    Some(edited)
                });
            }
            _ => outln!("Press Enter to send, e to edit, s to skip."),
        }
    }
}

/// The numbers of a spoken answer, for the delivery notes.
pub fn note_for(clip: &audio::Clip, text: &str, transcribe_ms: u64) -> VoiceNote {
    let lower = format!(" {} ", text.to_lowercase());
    let fillers: usize = FILLERS
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

pub fn run(settings: &Settings, opts: VoiceOptions) -> Result<()> {
    if opts.list_devices {
        out!("{}", device::list()?);
        return Ok(());
    }
    if opts.mic_check {
        return mic_check(&opts);
    }
    if opts.speaker_check {
        return speaker_check(&opts);
    }
    if opts.audio_in.is_empty() {
        return live(settings, opts);
    }
    from_recordings(settings, opts)
}

/// The interview with each `--audio-in` recording as the next answer, in order.
fn from_recordings(settings: &Settings, opts: VoiceOptions) -> Result<()> {
    // Refuse a missing file before any interview starts, not halfway through one.
    for p in &opts.audio_in {
        if !p.is_file() {
            bail!("{}: no such recording", p.display());
        }
    }
    let Some(stt_config) = opts.stt else {
        bail!(
            "no speech-to-text endpoint: pass --stt-url URL (including /v1), set CASECOACH_STT_BASE_URL, \
             or start one with scripts/local-stt.sh start"
        );
    };
    let mut stt = stt::Stt::new(stt_config)?;
    if let Some(dir) = &opts.audio_out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tty = std::io::stdout().is_terminal();
    let mut chat = Chat::start_with(settings, Box::new(std::io::stdout()), tty)?;
    errln!("{}", chat.header());
    chat.open()?;
    let mut voice = Voice {
        speaker: tts::Speaker::new(
            opts.tts,
            opts.audio_out.clone(),
            opts.tts_url.clone(),
            opts.tts_voice.clone(),
        )?,
        spoken: 0,
    };
    voice.speak_new(&chat);
    for path in &opts.audio_in {
        if chat.ended() {
            break;
        }
        // A file that cannot be read is one lost answer, not a lost run.
        let clip = match audio::read(path, opts.max_answer_secs) {
            Ok(clip) => clip,
            Err(e) => {
                notice(&format!(
                    "({e:#}; skipped, going on with the next recording)"
                ));
                continue;
            }
        };
        if send_recording(&mut chat, &mut stt, path, &clip, opts.confirm)? {
            voice.speak_new(&chat);
        }
    }
    if !chat.ended() {
        // The recordings are the whole answer set: close with the debrief.
        chat.request(crate::interview::director::Request::End)?;
        voice.speak_new(&chat);
    }
    Ok(())
}

/// The interviewer's voice when answering from recordings: each line is spoken once, after the
/// turn that produced it.
struct Voice {
    speaker: tts::Speaker,
    /// Turns already looked at.
    spoken: usize,
}

impl Voice {
    fn speak_new(&mut self, chat: &Chat) {
        for t in chat
            .iv()
            .turns
            .iter()
            .skip(self.spoken)
            .filter(|t| t.role == Role::Interviewer)
        {
            self.speaker.speak(t.n, &t.text);
        }
        self.spoken = chat.iv().turns.len();
    }
}

/// One recording, transcribed and (when asked) confirmed, as the candidate's answer. False when
/// nothing was sent: no speech, an empty transcript, or skipped.
fn send_recording(
    chat: &mut Chat,
    stt: &mut stt::Stt,
    path: &Path,
    clip: &audio::Clip,
    confirm_first: bool,
) -> Result<bool> {
    if clip.speech_seconds() < 0.3 {
        notice(&format!(
            "({}: no speech found, so it was not sent)",
            path.display()
        ));
        return Ok(false);
    }
    let prompt = hearing::Prompt::chosen(clip.seconds())
        .text(&chat.iv().scenario.vocabulary, last_line(chat));
    let started = Instant::now();
    let heard = hearing::transcribe(stt, clip, &prompt).with_context(|| {
        format!(
            "transcribing {} (the recording stays there; everything before it is saved: fix the endpoint and continue with casecoach chat --resume)",
            path.display()
        )
    })?;
    let transcribe_ms = started.elapsed().as_millis() as u64;
    if let Some(n) = &heard.notice {
        notice(n);
    }
    let text = heard.text;
    if text.is_empty() {
        notice(&format!(
            "({}: the transcript was empty, so nothing was sent)",
            path.display()
        ));
        return Ok(false);
    }
    let mut note = note_for(clip, &text, transcribe_ms);
    note.turn = chat.iv().next_turn();
    let Some(text) = (if confirm_first {
        confirm(&text)?
    } else {
        Some(text)
    }) else {
        notice(&format!("({}: skipped)", path.display()));
        return Ok(false);
    };
    // Only an answer that is sent counts in the delivery notes.
    chat.voice_note(&path.display().to_string(), note)?;
    outln!("You (from {}): {text}", path.display());
    chat.candidate(&text)?;
    Ok(true)
}

/// The interviewer's latest line, which the answer most likely echoes.
fn last_line(chat: &Chat) -> &str {
    chat.iv()
        .turns
        .iter()
        .rev()
        .find(|t| t.role == Role::Interviewer)
        .map(|t| t.text.as_str())
        .unwrap_or("")
}

#[cfg(not(feature = "mic"))]
fn mic_check(_: &VoiceOptions) -> Result<()> {
    bail!("{}", device::NO_MIC_BUILD)
}

#[cfg(feature = "mic")]
fn mic_check(opts: &VoiceOptions) -> Result<()> {
    let (report, clip) = device::mic_check(opts.input_device.as_deref(), 2.0)?;
    outln!("{report}");
    if let Some(dir) = &opts.audio_out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("mic-check.wav");
        std::fs::write(&path, clip.wav()?)?;
        outln!("saved {}", path.display());
    }
    Ok(())
}

#[cfg(not(feature = "mic"))]
fn speaker_check(_: &VoiceOptions) -> Result<()> {
    bail!("{}", device::NO_MIC_BUILD)
}

/// Play a line through the speaker exactly as the interview would, and say how it went.
#[cfg(feature = "mic")]
fn speaker_check(opts: &VoiceOptions) -> Result<()> {
    use speech::Player;
    let clip = match tts::synth(opts.tts, opts.tts_url.as_deref(), &opts.tts_voice)? {
        Some(mut synth) => audio::decode_bytes(
            &synth.wav("This is casecoach. If you can hear me, the speaker works.")?,
        )?,
        None => speech::tone(1.0),
    };
    let mut player = device::CpalPlayer::open(opts.output_device.as_deref())?;
    outln!("speaker: {}", player.description);
    let played = player.play(&clip, &|| false);
    outln!(
        "played {played:.1} s of {:.1} s{}",
        clip.seconds(),
        if opts.tts == tts::TtsKind::None {
            " (a tone: --tts none)"
        } else {
            ""
        }
    );
    Ok(())
}

#[cfg(not(feature = "mic"))]
fn live(_: &Settings, _: VoiceOptions) -> Result<()> {
    bail!("{}", device::NO_MIC_BUILD)
}

/// The live spoken interview on this terminal, microphone and speaker.
#[cfg(feature = "mic")]
fn live(settings: &Settings, opts: VoiceOptions) -> Result<()> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        bail!(
            "push-to-talk needs a terminal; without one, practise from recordings with --audio-in a.wav,b.wav"
        );
    }
    let Some(stt_config) = opts.stt.clone() else {
        bail!(
            "no speech-to-text endpoint: pass --stt-url URL (including /v1), set CASECOACH_STT_BASE_URL, \
             or start one with scripts/local-stt.sh start"
        );
    };
    let stt = stt::Stt::new(stt_config)?;
    let mic = device::CpalMic::open(opts.input_device.as_deref())?;
    errln!("microphone: {}", mic.description);
    let (news_tx, news_rx) = std::sync::mpsc::channel();
    let speech = match tts::synth(opts.tts, opts.tts_url.as_deref(), &opts.tts_voice)? {
        None => None,
        Some(synth) => match device::CpalPlayer::open(opts.output_device.as_deref()) {
            Ok(player) => {
                errln!("speaker: {}", player.description);
                Some((
                    speech::Speech::new(synth, Box::new(player), news_tx),
                    news_rx,
                ))
            }
            Err(e) => {
                errln!("({e:#}; the interviewer's lines are shown, not spoken)");
                None
            }
        },
    };
    let (term, ptt) = terminal::Tty::open(opts.ptt)?;
    let parts = live::Parts {
        term: Box::new(term),
        mic: Box::new(mic),
        stt: Box::new(stt),
        speech,
        keep: opts.audio_out.clone(),
    };
    let machine =
        turn::TurnMachine::new(ptt, opts.auto_stop, opts.confirm).with_most(opts.max_answer_secs);
    let outcome = live::Driver::new(settings, opts.resume.clone(), machine, parts).run();
    // The terminal is back to normal here (the driver owned it); now say where things are.
    let outcome = outcome?;
    if !outcome.ended && !outcome.session.is_empty() {
        errln!(
            "Saved. Continue with: casecoach voice --resume {} (or chat --resume)",
            outcome.session
        );
    }
    Ok(())
}

/// `casecoach doctor` for the speech endpoints: a real transcription and a real synthesis.
pub fn doctor(stt_url: Option<&str>, tts_url: Option<&str>) -> Vec<crate::llm::doctor::Check> {
    use crate::llm::doctor::Check;
    let mut out = Vec::new();
    match stt_url {
        None => out.push(Check {
            name: "speech to text",
            ok: true,
            detail: "none configured (voice needs one: --stt-url or [stt])".into(),
            fix: None,
        }),
        Some(url) => {
            // One second of tone: enough to prove the route, the upload and the reply format.
            let clip = audio::Clip {
                samples: (0..audio::RATE as usize)
                    .map(|i| (i as f32 * 0.05).sin() * 0.3)
                    .collect(),
            };
            let result = stt::Stt::new(stt::SttConfig::new(url))
                .and_then(|s| s.transcribe(clip.wav()?, "test"));
            out.push(match result {
                Ok(text) => Check { name: "speech to text", ok: true, detail: format!("{url}: answered ({} characters)", text.len()), fix: None },
                Err(e) => Check {
                    name: "speech to text",
                    ok: false,
                    detail: format!("{e:#}"),
                    fix: Some("start it (scripts/local-stt.sh start), check that the URL ends with /v1, or set --stt-path /inference for whisper.cpp".into()),
                },
            });
        }
    }
    if let Some(url) = tts_url {
        let dir = std::env::temp_dir().join(format!("casecoach-doctor-{}", std::process::id()));
        let ok = std::fs::create_dir_all(&dir).is_ok();
        let result = tts::Speaker::new(
            tts::TtsKind::Endpoint,
            Some(dir.clone()),
            Some(url.to_string()),
            "alloy".into(),
        );
        let spoken = result.map(|mut s| {
            s.speak(1, "Ready.");
            dir.join("001-interviewer.wav").is_file()
        });
        let _ = std::fs::remove_dir_all(&dir);
        out.push(match spoken {
            Ok(true) if ok => Check {
                name: "text to speech",
                ok: true,
                detail: format!("{url}: answered with audio"),
                fix: None,
            },
            _ => Check {
                name: "text to speech",
                ok: false,
                detail: format!("{url}: no audio came back"),
                fix: Some(
                    "check the URL (including /v1), or use espeak-ng (--tts espeak) offline".into(),
                ),
            },
        });
    }
    out
}
