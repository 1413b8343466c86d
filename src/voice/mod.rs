//! Spoken practice. This build works from recordings: each `--audio-in` WAV is one answer, sent
//! to a speech-to-text endpoint, and the transcript goes into the same interview loop as a typed
//! answer. The interviewer's lines can be saved as speech with espeak-ng. A live microphone
//! (cpal, cargo feature `mic`) and push-to-talk are not built yet.

pub mod audio;
pub mod stt;
pub mod tts;
pub mod speech;
pub mod turn;

use crate::chat::Chat;
use crate::cli::Settings;
use crate::interview::Role;
use anyhow::{Context, Result, bail};
use std::io::IsTerminal;
use std::path::PathBuf;
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
}

/// Words a recogniser would otherwise mishear, sent as its prompt.
const VOCABULARY: &str = "PR-AUC, ROC-AUC, NDCG, recall at k, XGBoost, LightGBM, SHAP, A/B test, two-tower, \
feature store, chargebacks, p99 latency, precision, recall, F1, class imbalance, data drift, cross-validation.";

/// Longest piece of a recording sent in one upload.
const MAX_UPLOAD_SECONDS: f64 = 120.0;

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
    eprintln!("{msg}");
}

/// Show what was heard; Enter sends it, `e` edits it as text (a misheard "PR-AUC" must not cost
/// points), `s` skips it. None when skipped.
fn confirm(heard: &str) -> Result<Option<String>> {
    let mut rl = rustyline::DefaultEditor::new()?;
    println!("Heard: {heard}");
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
            _ => println!("Press Enter to send, e to edit, s to skip."),
        }
    }
}

pub fn run(settings: &Settings, opts: VoiceOptions) -> Result<()> {
    if opts.audio_in.is_empty() {
        bail!(
            "this build has no live microphone (cargo feature `mic`, not built yet); practise from recordings with \
             --audio-in a.wav,b.wav (one WAV per answer)"
        );
    }
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
    let stt = stt::Stt::new(stt_config)?;
    if let Some(dir) = &opts.audio_out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tty = std::io::stdout().is_terminal();
    let mut chat = Chat::start_with(settings, Box::new(std::io::stdout()), tty)?;
    eprintln!("{}", chat.header());
    chat.open()?;
    let mut speaker = tts::Speaker::new(
        opts.tts,
        opts.audio_out.clone(),
        opts.tts_url.clone(),
        opts.tts_voice.clone(),
    )?;
    let mut spoken = 0;
    let mut speak_new = |chat: &Chat| {
        for t in chat
            .iv
            .turns
            .iter()
            .skip(spoken)
            .filter(|t| t.role == Role::Interviewer)
        {
            speaker.speak(t.n, &t.text);
        }
        spoken = chat.iv.turns.len();
    };
    speak_new(&chat);
    for path in &opts.audio_in {
        if chat.ended() {
            break;
        }
        let clip = audio::read(path)?;
        if clip.speech_seconds() < 0.3 {
            notice(&format!(
                "({}: no speech found, so it was not sent)",
                path.display()
            ));
            continue;
        }
        let last_line = chat
            .iv
            .turns
            .iter()
            .rev()
            .find(|t| t.role == Role::Interviewer)
            .map(|t| t.text.as_str())
            .unwrap_or("");
        let tail: String = last_line
            .chars()
            .rev()
            .take(200)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let started = Instant::now();
        // Long answers go up in pieces: servers cap uploads (OpenAI at 25 MB, about 13 minutes).
        let mut pieces = Vec::new();
        for part in clip.chunks(MAX_UPLOAD_SECONDS) {
            let heard = stt.transcribe(part.wav()?, &format!("{VOCABULARY} {tail}")).with_context(|| {
                format!(
                    "transcribing {} (the recording stays there; everything before it is saved: fix the endpoint and continue with casecoach chat --resume)",
                    path.display()
                )
            })?;
            pieces.push(heard);
        }
        let text = pieces.join(" ").trim().to_string();
        let transcribe_ms = started.elapsed().as_millis() as u64;
        if text.is_empty() {
            notice(&format!(
                "({}: the transcript was empty, so nothing was sent)",
                path.display()
            ));
            continue;
        }
        let lower = format!(" {} ", text.to_lowercase());
        let fillers: usize = FILLERS
            .iter()
            .map(|f| lower.matches(&format!(" {f} ")).count())
            .sum();
        let words = crate::cue::word_count(&text);
        let wpm = if clip.speech_seconds() > 0.0 {
            words as f64 * 60.0 / clip.speech_seconds()
        } else {
            0.0
        };
        let note = crate::interview::VoiceNote {
            turn: chat.iv.turns.len() + 1,
            audio_seconds: (clip.seconds() * 100.0).round() / 100.0,
            speech_seconds: (clip.speech_seconds() * 100.0).round() / 100.0,
            longest_pause: (clip.longest_pause() * 100.0).round() / 100.0,
            words_per_minute: wpm.round(),
            fillers,
            transcribe_ms,
        };
        let Some(text) = (if opts.confirm {
            confirm(&text)?
        } else {
            Some(text)
        }) else {
            notice(&format!("({}: skipped)", path.display()));
            continue;
        };
        // Only an answer that is sent counts in the delivery notes.
        chat.voice_note(&path.display().to_string(), note)?;
        println!("You (from {}): {text}", path.display());
        chat.candidate(&text)?;
        speak_new(&chat);
    }
    if !chat.ended() {
        // The recordings are the whole answer set: close with the debrief.
        chat.command(crate::interview::director::Command::End)?;
        speak_new(&chat);
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
