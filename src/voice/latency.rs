//! `casecoach eval latency`: how long a candidate waits in a spoken interview, measured through
//! the live loop itself. Corpus answers of about 5, 15, 30 and 60 seconds, spoken by espeak-ng,
//! are played into a clip microphone in real time while a scripted keyboard presses the talk
//! key; the recogniser, the model and espeak-ng are the real ones the user configured. Each
//! answer's wait is read back from the session log's `latency` events: release of the talk key
//! to the transcript, to the model's first token, and to the first sound of the reply.

use super::audio::{self, Clip};
use super::capture::ClipMic;
use super::eval::{Answer, LENGTHS};
use super::fake::{Script, Step};
use super::hearing;
use super::live::{Driver, Parts};
use super::speech::{Paced, Speech};
use super::tts::{Espeak, Synth};
use super::turn::{Key, Ptt, Status, TurnMachine};
use crate::chat::Settings;
use crate::session::Event;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::time::Duration;

/// Seconds the candidate holds the key after the last word, as people do.
const KEY_AFTER_SPEECH: f64 = 0.35;
/// How much faster than real time the interviewer's lines are played: nothing is measured
/// after their first sound, so listening to them whole would only make the bench slow.
const LISTEN_SPEED: f64 = 8.0;

/// One spoken answer's waits, in milliseconds from the release of the talk key.
#[derive(Debug, Clone, Serialize)]
pub struct Wait {
    /// Which of `LENGTHS` the answer was made to.
    pub length: usize,
    pub audio_seconds: f64,
    pub transcript_ms: u64,
    pub first_token_ms: Option<u64>,
    pub first_audio_ms: Option<u64>,
    pub words: usize,
    pub word_errors: usize,
    pub terms: usize,
    pub terms_heard: usize,
}

/// The figures of one answer length.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub words_target: usize,
    pub answers: usize,
    pub mean_audio_seconds: f64,
    pub transcript_ms: (u64, u64),
    pub first_token_ms: Option<(u64, u64)>,
    pub first_audio_ms: Option<(u64, u64)>,
    pub wer: f64,
    pub terms: usize,
    pub terms_heard: usize,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub waits: Vec<Wait>,
    /// Per length: (median, max) of each wait.
    pub rows: Vec<Row>,
    /// The machine's load average (1 minute) before and after.
    pub load: (f64, f64),
    /// Interviews it took (a new one starts when one ends before the answers do).
    pub sessions: usize,
}

/// Play `answers` through the live loop, as many interviews as it takes.
pub fn run(
    settings: &Settings,
    stt: Box<dyn super::live::Transcriber>,
    answers: &[&Answer],
    progress: &mut dyn FnMut(&str),
) -> Result<Report> {
    let load_before = load();
    let mut clips = Vec::new();
    for a in answers {
        let wav = Espeak::new(a.voice, Some(a.speed)).wav(&a.text)?;
        clips.push(audio::decode_bytes(&wav).with_context(|| format!("the speech of {}", a.id))?);
    }
    progress(&format!(
        "{} answers spoken by espeak-ng, {:.0} s in all",
        clips.len(),
        clips.iter().map(Clip::seconds).sum::<f64>()
    ));
    let stt = std::sync::Arc::new(std::sync::Mutex::new(stt));
    let mut waits = Vec::new();
    let mut sessions = 0;
    while waits.len() < answers.len() {
        let done = waits.len();
        progress(&format!(
            "interview {}: {} answers, {:.0} s of speech (each answer's waits come when it ends)",
            sessions + 1,
            clips.len() - done,
            clips[done..].iter().map(Clip::seconds).sum::<f64>()
        ));
        let heard = interview(settings, &stt, &clips[done..])?;
        sessions += 1;
        if heard.is_empty() {
            bail!(
                "the interview took no answer (after {done} of {}): see the messages above",
                answers.len()
            );
        }
        for (i, h) in heard.into_iter().enumerate() {
            let (a, clip) = (answers[done + i], &clips[done + i]);
            let reference = hearing::words(&a.text);
            let words = hearing::words(&h.text);
            let w = Wait {
                length: LENGTHS.iter().position(|&l| l == a.length).unwrap_or(0),
                audio_seconds: clip.seconds(),
                transcript_ms: h.transcript_ms,
                first_token_ms: h.first_token_ms,
                first_audio_ms: h.first_audio_ms,
                words: reference.len(),
                word_errors: hearing::word_errors(&reference, &words),
                terms: a.terms.len(),
                terms_heard: a
                    .terms
                    .iter()
                    .filter(|t| hearing::has_term(&words, t))
                    .count(),
            };
            progress(&format!(
                "{}/{} {:.0} s: transcript {} ms, first token {}, first sound {}",
                waits.len() + 1,
                answers.len(),
                w.audio_seconds,
                w.transcript_ms,
                ms(w.first_token_ms),
                ms(w.first_audio_ms)
            ));
            waits.push(w);
        }
    }
    Ok(Report {
        rows: rows(&waits),
        waits,
        load: (load_before, load()),
        sessions,
    })
}

fn ms(v: Option<u64>) -> String {
    v.map(|v| format!("{v} ms")).unwrap_or_else(|| "-".into())
}

/// The recogniser, shared by the interviews of one run.
type Shared = std::sync::Arc<std::sync::Mutex<Box<dyn super::live::Transcriber>>>;

struct Lent(Shared);

impl super::live::Transcriber for Lent {
    fn transcribe(&mut self, wav: Vec<u8>, prompt: &str) -> Result<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .transcribe(wav, prompt)
    }
}

/// One interview over `clips`, answer by answer, until they or the interview run out: what was
/// heard of each answer and its waits.
fn interview(settings: &Settings, stt: &Shared, clips: &[Clip]) -> Result<Vec<Answered>> {
    let home = tempfile::tempdir()?;
    let mut settings = settings.clone();
    settings.sessions_dir = home.path().join("sessions");
    let mut steps = Vec::new();
    let mut limit = 60.0;
    for c in clips {
        steps.extend([
            Step::When(Status::Ready),
            Step::Press(Key::Space),
            Step::Wait(Duration::from_secs_f64(c.seconds() + KEY_AFTER_SPEECH)),
            Step::Press(Key::Space),
        ]);
        limit += c.seconds() + 90.0;
    }
    steps.push(Step::When(Status::Ready));
    let (term, _screen) = Script::new(steps, Duration::from_secs_f64(limit));
    let (tx, rx) = std::sync::mpsc::channel();
    let speaker = Paced {
        speed: LISTEN_SPEED,
        played: Default::default(),
    };
    let parts = Parts {
        term: Box::new(term),
        mic: Box::new(ClipMic::answers(clips)),
        stt: Box::new(Lent(stt.clone())),
        speech: Some((
            Speech::new(Box::new(Espeak::default()), Box::new(speaker), tx),
            rx,
        )),
        keep: None,
    };
    let machine = TurnMachine::new(Ptt::Toggle, None, false);
    let outcome = Driver::new(&settings, None, machine, parts).run()?;
    let log = settings
        .sessions_dir
        .join(format!("{}.jsonl", outcome.session));
    let events = crate::session::read(&log)
        .with_context(|| format!("cannot read the bench's session log {}", log.display()))?
        .events;
    let said = |turn: usize| {
        events.iter().find_map(|e| match e {
            Event::Turn { n, text, .. } if *n == turn => Some(text.clone()),
            _ => None,
        })
    };
    Ok(events
        .iter()
        .filter_map(|e| match e {
            Event::Latency {
                turn,
                transcript_ms,
                first_token_ms,
                first_audio_ms,
            } => Some(Answered {
                text: said(*turn).unwrap_or_default(),
                transcript_ms: *transcript_ms,
                first_token_ms: *first_token_ms,
                first_audio_ms: *first_audio_ms,
            }),
            _ => None,
        })
        .collect())
}

/// One answer as the interview logged it: what was heard, and the waits.
struct Answered {
    text: String,
    transcript_ms: u64,
    first_token_ms: Option<u64>,
    first_audio_ms: Option<u64>,
}

/// The machine's 1-minute load average.
fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn median_max(mut v: Vec<u64>) -> Option<(u64, u64)> {
    v.sort_unstable();
    Some((v.get(v.len() / 2).copied()?, *v.last()?))
}

fn rows(waits: &[Wait]) -> Vec<Row> {
    (0..LENGTHS.len())
        .filter_map(|length| {
            let of: Vec<&Wait> = waits.iter().filter(|w| w.length == length).collect();
            let all = |f: &dyn Fn(&Wait) -> Option<u64>| -> Option<(u64, u64)> {
                median_max(of.iter().filter_map(|w| f(w)).collect())
            };
            let sum = |f: &dyn Fn(&Wait) -> usize| of.iter().map(|w| f(w)).sum::<usize>();
            Some(Row {
                words_target: LENGTHS[length],
                answers: of.len(),
                mean_audio_seconds: of.iter().map(|w| w.audio_seconds).sum::<f64>()
                    / of.len().max(1) as f64,
                transcript_ms: all(&|w| Some(w.transcript_ms))?,
                first_token_ms: all(&|w| w.first_token_ms),
                first_audio_ms: all(&|w| w.first_audio_ms),
                wer: sum(&|w| w.word_errors) as f64 / sum(&|w| w.words).max(1) as f64,
                terms: sum(&|w| w.terms),
                terms_heard: sum(&|w| w.terms_heard),
            })
        })
        .collect()
}

pub fn render(r: &Report) -> String {
    let pair = |p: Option<(u64, u64)>| {
        p.map(|(m, x)| format!("{m} / {x}"))
            .unwrap_or_else(|| "-".into())
    };
    let mut out = format!(
        "{} spoken answers in {} interview(s); load average {:.2} before, {:.2} after\n\
         Milliseconds from the release of the talk key, median / max:\n\n\
         | answer | n | audio | -> transcript | -> first token | -> first sound | WER | terms heard |\n\
         |---|---|---|---|---|---|---|---|\n",
        r.waits.len(),
        r.sessions,
        r.load.0,
        r.load.1
    );
    for row in &r.rows {
        out.push_str(&format!(
            "| ~{} words | {} | {:.1} s | {} | {} | {} | {:.1}% | {}/{} |\n",
            row.words_target,
            row.answers,
            row.mean_audio_seconds,
            pair(Some(row.transcript_ms)),
            pair(row.first_token_ms),
            pair(row.first_audio_ms),
            100.0 * row.wer,
            row.terms_heard,
            row.terms,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(length: usize, transcript_ms: u64, first_audio_ms: Option<u64>) -> Wait {
        Wait {
            length,
            audio_seconds: 5.0,
            transcript_ms,
            first_token_ms: None,
            first_audio_ms,
            words: 10,
            word_errors: 1,
            terms: 2,
            terms_heard: 1,
        }
    }

    #[test]
    fn each_length_gets_its_median_and_its_worst_wait() {
        let waits = [
            wait(0, 300, Some(900)),
            wait(0, 100, Some(700)),
            wait(0, 200, None),
            wait(3, 50, Some(400)),
        ];
        let rows = rows(&waits);
        assert_eq!(rows.len(), 2, "lengths with no answer have no row");
        assert_eq!(rows[0].transcript_ms, (200, 300));
        // A turn with no sound (the line failed to speak) is left out, not counted as zero.
        assert_eq!(rows[0].first_audio_ms, Some((900, 900)));
        assert_eq!(rows[0].first_token_ms, None);
        assert!((rows[0].wer - 0.1).abs() < 1e-9);
        assert_eq!((rows[1].words_target, rows[1].answers), (160, 1));
        let table = render(&Report {
            rows,
            waits: waits.to_vec(),
            load: (0.5, 1.0),
            sessions: 1,
        });
        assert!(
            table.contains("| ~14 words | 3 | 5.0 s | 200 / 300 | - | 900 / 900 | 10.0% | 3/6 |"),
            "{table}"
        );
    }
}
