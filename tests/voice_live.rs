//! The live spoken loop, end to end in-process: a scripted keyboard, a microphone that hears a
//! prepared clip through the real capture path, a recogniser and synthesiser with fixed answers,
//! and a speaker paced in real time. The interview, its log and its debrief are the real ones.

mod common;

use Step::*;
use casecoach::chat::Settings;
use casecoach::interview::JudgeMode;
use casecoach::interview::Mode;
use casecoach::voice::audio::Clip;
use casecoach::voice::capture::ClipMic;
use casecoach::voice::fake::{Heard, Requests, Screen, Script, Step, Tone};
use casecoach::voice::live::{Driver, Outcome, Parts, Transcriber};
use casecoach::voice::speech::{Paced, Speech, tone};
use casecoach::voice::turn::{Key, Ptt, Status, TurnMachine};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Run {
    outcome: Outcome,
    screen: Screen,
    events: Vec<Value>,
    /// Each clip played: its length and the seconds of it heard.
    played: Vec<(f64, f64)>,
    stt_requests: usize,
    /// The prompt sent with each transcription request.
    stt_prompts: Vec<String>,
    /// Seconds of each answer recording kept in --audio-out.
    kept: Vec<f64>,
}

fn settings(
    dir: &std::path::Path,
    llm: Option<casecoach::llm::LlmConfig>,
    scenario: &str,
) -> Settings {
    Settings {
        sessions_dir: dir.join("sessions"),
        prompts_dir: None,
        scenario: scenario.into(),
        minutes: None,
        mode: Mode::Interview,
        focus: None,
        llm,
        judge: JudgeMode::Lexical,
        reading: casecoach::reader::ReaderSettings {
            choice: casecoach::reader::Choice::Lexical,
            offline: true,
        },
    }
}

/// One scripted spoken interview's set-up.
struct Rig {
    ptt: Ptt,
    auto_stop: Option<f64>,
    confirm: bool,
    steps: Vec<Step>,
    stt: Box<dyn Transcriber>,
    /// What the microphone hears from each press of the talk key.
    clip: Clip,
    /// How much faster than real time the speaker plays.
    speed: f64,
    llm: Option<casecoach::llm::LlmConfig>,
    /// Where sessions live (a fresh folder when None), and whether to resume the newest.
    home: Option<std::path::PathBuf>,
    resume: bool,
    scenario: &'static str,
}

impl Rig {
    /// `answers` are what the recogniser hears, in order.
    fn new(ptt: Ptt, steps: Vec<Step>, answers: &[&str]) -> (Rig, Requests) {
        let requests = Arc::new(Mutex::new(Vec::new()));
        // One second of "speech", then silence.
        let mut clip = tone(1.0);
        clip.samples.extend(std::iter::repeat_n(0.0, 16_000 * 3));
        (
            Rig {
                ptt,
                auto_stop: None,
                confirm: true,
                steps,
                stt: Box::new(Heard {
                    answers: answers.iter().map(|s| s.to_string()).collect(),
                    delay: Duration::from_millis(20),
                    requests: requests.clone(),
                }),
                clip,
                speed: 8.0,
                llm: None,
                home: None,
                resume: false,
                scenario: "fraud",
            },
            requests,
        )
    }

    fn run(self) -> Run {
        // One spoken interview at a time: Ctrl-C and the talk key stop "the stream in
        // progress", which is process-wide (one session per process in real use), so a
        // barge-in in one test would stop another test's model stream.
        static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let tmp = tempfile::tempdir().unwrap();
        let dir = self
            .home
            .clone()
            .unwrap_or_else(|| tmp.path().to_path_buf());
        let (term, screen) = Script::new(self.steps, Duration::from_secs(60));
        let played = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let synth = Tone {
            per_word: 0.08,
            delay: Duration::from_millis(5),
            asked: Arc::new(Mutex::new(Vec::new())),
        };
        let player = Paced {
            speed: self.speed,
            played: played.clone(),
        };
        let parts = Parts {
            term: Box::new(term),
            mic: Box::new(ClipMic::new(&self.clip)),
            stt: self.stt,
            speech: Some((Speech::new(Box::new(synth), Box::new(player), tx), rx)),
            keep: Some(dir.join("answers")),
        };
        let outcome = Driver::new(
            &settings(&dir, self.llm, self.scenario),
            self.resume.then_some(None),
            TurnMachine::new(self.ptt, self.auto_stop, self.confirm),
            parts,
        )
        .run()
        .unwrap();
        // The session log (a coding round keeps its solution file beside it).
        let session = std::fs::read_dir(dir.join("sessions"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .unwrap();
        let screen = std::mem::take(&mut *screen.lock().unwrap());
        assert!(
            !screen.timed_out,
            "the script stalled; screen:\n{}",
            screen.printed
        );
        let played = played.lock().unwrap().clone();
        let mut kept: Vec<_> = std::fs::read_dir(dir.join("answers"))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        kept.sort();
        let kept = kept
            .iter()
            .map(|p| {
                casecoach::voice::audio::read(p, casecoach::voice::audio::MAX_ANSWER_SECS)
                    .unwrap()
                    .seconds()
            })
            .collect();
        Run {
            outcome,
            screen,
            events: common::events(&session),
            played,
            stt_requests: 0,
            stt_prompts: Vec::new(),
            kept,
        }
    }
}

/// The common case: a fake recogniser, no model.
fn run(ptt: Ptt, auto_stop: Option<f64>, steps: Vec<Step>, answers: &[&str], speed: f64) -> Run {
    let (mut rig, requests) = Rig::new(ptt, steps, answers);
    rig.auto_stop = auto_stop;
    rig.speed = speed;
    let mut r = rig.run();
    r.stt_requests = requests.lock().unwrap().len();
    r.stt_prompts = requests
        .lock()
        .unwrap()
        .iter()
        .map(|x| x.0.clone())
        .collect();
    r
}

fn of_type<'a>(events: &'a [Value], t: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == t).collect()
}

const ANSWER: &str = "What is the business goal, and how do we measure success for fraud losses?";

#[test]
fn hold_to_talk_answer_is_confirmed_sent_spoken_and_logged_with_its_timings() {
    let r = run(
        Ptt::Hold,
        None,
        vec![
            When(Status::Ready),
            Press(Key::Space),
            Wait(Duration::from_millis(1200)),
            Release(Key::Space),
            When(Status::Confirming),
            // The candidate reads the transcript for a while: their time, not the tool's.
            Wait(Duration::from_millis(700)),
            Press(Key::Enter),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &[ANSWER],
        8.0,
    );
    assert_eq!(r.stt_requests, 1);
    // A short answer: the recogniser was primed with the scenario's terms, and not with the
    // question just asked (measured to make it drop words).
    let prompt = &r.stt_prompts[0];
    assert!(prompt.starts_with("chargeback, PR-AUC"), "{prompt}");
    assert!(!prompt.contains("know about the problem"), "{prompt}");
    assert!(r.screen.printed.contains(&format!("Heard: {ANSWER}")));
    let turns = of_type(&r.events, "turn");
    let answer = turns.iter().find(|t| t["role"] == "candidate").unwrap();
    assert_eq!(answer["text"], ANSWER);
    // The recognised answer was judged like a typed one.
    assert!(
        of_type(&r.events, "coverage")
            .iter()
            .any(|c| c["turn"] == answer["n"])
    );
    // Its recording's numbers, before the turn it became.
    let voice = of_type(&r.events, "voice");
    assert_eq!(voice.len(), 1);
    assert_eq!(voice[0]["turn"], answer["n"]);
    let secs = voice[0]["audio_seconds"].as_f64().unwrap();
    assert!(
        (1.1..2.0).contains(&secs),
        "recorded {secs} s for a 1.2 s hold"
    );
    // Timings from the key's release.
    let lat = of_type(&r.events, "latency");
    assert_eq!(lat.len(), 1, "{:?}", r.events);
    let (t, a) = (
        lat[0]["transcript_ms"].as_u64().unwrap(),
        lat[0]["first_audio_ms"].as_u64().unwrap(),
    );
    assert!(t >= 20 && a >= t, "transcript {t} ms, first sound {a} ms");
    assert!(
        a < t + 400,
        "the 700 ms at the confirm prompt was counted: {a} ms"
    );
    assert_eq!(r.outcome.release_to_audio_ms, vec![a]);
    // The recording was kept to listen back to, and the log names it.
    let kept = voice[0]["file"].as_str().unwrap();
    assert!(kept.ends_with("answers/answer-01.wav"), "{kept}");
    assert_eq!(r.kept.len(), 1);
    assert!((r.kept[0] - secs).abs() < 0.01, "{:?} vs {secs}", r.kept);
    // `debrief --timings` shows them.
    let events: Vec<casecoach::session::Event> = r
        .events
        .iter()
        .map(|e| serde_json::from_value(e.clone()).unwrap())
        .collect();
    let table = casecoach::session::timings(&events);
    assert!(
        table.contains("From the release of the talk key"),
        "{table}"
    );
    assert!(table.contains(&format!("{a}ms")), "{table}");
    // Both interviewer lines were spoken in full, sentence by sentence.
    assert!(r.played.len() >= 3, "{:?}", r.played);
    assert!(r.played.iter().all(|(len, got)| got >= len));
    assert!(of_type(&r.events, "spoken").is_empty());
    // The status line walked through the turn.
    for s in [
        Status::Recording,
        Status::Transcribing,
        Status::Thinking,
        Status::Speaking,
    ] {
        assert!(r.screen.statuses.contains(&s), "{s:?} never shown");
    }
}

#[test]
fn talking_over_the_interviewer_stops_it_and_the_log_keeps_only_what_was_heard() {
    let r = run(
        Ptt::Hold,
        None,
        vec![
            // Barge in a moment into the opening, which takes several seconds to say.
            When(Status::Speaking),
            Wait(Duration::from_millis(900)),
            Press(Key::Space),
            Wait(Duration::from_millis(800)),
            Release(Key::Space),
            When(Status::Confirming),
            Press(Key::Char('e')),
            Line(Some(
                "What is the business goal? And how is PR-AUC used here?".into(),
            )),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &["what is the business goal and how is pure talk used here"],
        1.0,
    );
    let spoken = of_type(&r.events, "spoken");
    assert_eq!(spoken.len(), 1, "{:?}", r.events);
    let opening = of_type(&r.events, "turn")
        .into_iter()
        .find(|t| t["n"] == spoken[0]["turn"])
        .unwrap();
    let (full, heard) = (
        opening["text"].as_str().unwrap(),
        spoken[0]["text"].as_str().unwrap(),
    );
    assert_eq!(opening["role"], "interviewer");
    assert!(heard.len() < full.len() / 2, "heard {heard:?} of {full:?}");
    // What was heard is the start of what was said.
    let first_words: Vec<&str> = heard.trim_end_matches(" —").split_whitespace().collect();
    let said: Vec<&str> = full.split_whitespace().collect();
    assert_eq!(&said[..first_words.len()], &first_words[..]);
    // Playback stopped part-way through one clip, and nothing after it played.
    let cut: Vec<_> = r.played.iter().filter(|(len, got)| got < len).collect();
    assert_eq!(cut.len(), 1, "{:?}", r.played);
    // The edit fixed the mishearing, and the edited text is what counts; it is still a
    // spoken answer with its recording's numbers.
    assert_eq!(
        r.screen.editors[0].1,
        "what is the business goal and how is pure talk used here"
    );
    let answer = of_type(&r.events, "turn")
        .into_iter()
        .find(|t| t["role"] == "candidate")
        .unwrap();
    assert!(answer["text"].as_str().unwrap().contains("PR-AUC"));
    assert_eq!(of_type(&r.events, "voice").len(), 1);
    // The transcript of the session says only what was heard.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("s.jsonl");
    std::fs::write(
        &log,
        r.events
            .iter()
            .map(|e| e.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let iv = casecoach::session::load(&log, None).unwrap();
    let n = spoken[0]["turn"].as_u64().unwrap() as usize;
    assert_eq!(iv.turns[n - 1].text, heard);
}

#[test]
fn toggle_stops_itself_after_trailing_silence_and_esc_cancels() {
    let r = run(
        Ptt::Toggle,
        Some(0.8),
        vec![
            When(Status::Ready),
            // Esc throws a recording away: nothing reaches the recogniser.
            Press(Key::Space),
            Wait(Duration::from_millis(400)),
            Press(Key::Esc),
            When(Status::Ready),
            // One press; one second of speech then silence ends it without a second press.
            Press(Key::Space),
            When(Status::Confirming),
            Press(Key::Enter),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &[ANSWER],
        8.0,
    );
    assert!(r.screen.printed.contains("recording cancelled"));
    assert_eq!(r.stt_requests, 1, "the cancelled recording was sent");
    let voice = of_type(&r.events, "voice");
    let secs = voice[0]["audio_seconds"].as_f64().unwrap();
    // 1 s of speech + 0.8 s of silence (+ the loop's granularity).
    assert!((1.7..2.4).contains(&secs), "auto-stop after {secs} s");
}

#[test]
fn a_failed_transcription_keeps_the_recording_for_retry_or_typing() {
    let r = run(
        Ptt::Toggle,
        None,
        vec![
            When(Status::Ready),
            Press(Key::Space),
            Wait(Duration::from_millis(700)),
            Press(Key::Space),
            When(Status::Failed),
            Press(Key::Char('r')),
            When(Status::Failed),
            Press(Key::Char('t')),
            Line(Some("I would start from the business goal.".into())),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &["ERR the speech-to-text endpoint is down", "ERR still down"],
        8.0,
    );
    assert_eq!(r.stt_requests, 2, "retry sends the kept recording again");
    assert!(
        r.screen
            .printed
            .contains("the speech-to-text endpoint is down")
    );
    assert!(r.screen.printed.contains("r to retry, t to type"));
    let answer = of_type(&r.events, "turn")
        .into_iter()
        .find(|t| t["role"] == "candidate")
        .unwrap();
    assert_eq!(answer["text"], "I would start from the business goal.");
    // A typed answer has no recording numbers.
    assert!(of_type(&r.events, "voice").is_empty());
    assert!(of_type(&r.events, "latency").is_empty());
}

#[test]
fn ending_by_voice_speaks_the_close_prints_the_debrief_and_quits() {
    let started = Instant::now();
    let r = run(
        Ptt::Hold,
        None,
        vec![
            When(Status::Ready),
            Press(Key::Char('t')),
            Line(Some("/end".into())),
            // No key after this: the loop leaves by itself once the close is spoken.
        ],
        &[],
        8.0,
    );
    assert!(r.outcome.ended);
    assert!(!r.outcome.session.is_empty());
    assert!(of_type(&r.events, "debrief").len() == 1);
    assert!(
        r.screen.printed.contains("Recommendation") || r.screen.printed.contains("recommendation"),
        "{}",
        r.screen.printed
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A model endpoint that streams `pieces` of one line, each after its pause, whatever it is
/// asked; the last piece finishes the line.
fn streaming_model(pieces: Vec<(Duration, String)>) -> String {
    use axum::body::{Body, Bytes};
    use axum::http::Response;
    let pieces = Arc::new(pieces);
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |_body: Bytes| {
            let pieces = pieces.clone();
            async move {
                let body = futures::stream::unfold(0usize, move |i| {
                    let pieces = pieces.clone();
                    async move {
                        let (pause, text) = pieces.get(i)?.clone();
                        tokio::time::sleep(pause).await;
                        let mut chunk = serde_json::json!({"choices":[{"delta":{"content":text}}]});
                        if i + 1 == pieces.len() {
                            chunk["choices"][0]["finish_reason"] = "stop".into();
                        }
                        Some((Ok::<_, std::io::Error>(format!("data: {chunk}\n\n")), i + 1))
                    }
                });
                Response::builder()
                    .header("content-type", "text/event-stream")
                    .body(Body::from_stream(body))
                    .unwrap()
            }
        }),
    );
    format!("http://{}/v1", common::serve(app))
}

/// A model that streams its line slowly: a short first sentence, then a word every 60 ms, a
/// sentence every six words.
fn slow_model() -> String {
    let mut pieces = vec![(Duration::ZERO, "Good question.".to_string())];
    pieces.extend((1..=60).map(|i| {
        let end = if i % 6 == 0 { "." } else { "" };
        (Duration::from_millis(60), format!(" more{end}"))
    }));
    pieces.push((Duration::ZERO, ".".into()));
    streaming_model(pieces)
}

/// A model that writes one sentence and the first word of the next at once, and the rest of
/// the next a long pause later.
fn pausing_model(pause: Duration) -> String {
    streaming_model(vec![
        (Duration::ZERO, "Tell me".into()),
        (Duration::ZERO, " about the labels.".into()),
        (Duration::ZERO, " How".into()),
        (pause, " fresh are they?".into()),
    ])
}

/// The model endpoint at `url`, with the default settings.
fn model_at(url: &str) -> casecoach::llm::LlmConfig {
    casecoach::llm::LlmConfig::resolve(Some(url), Some("m"), &casecoach::llm::LlmSection::default())
        .unwrap()
        .unwrap()
}

#[test]
fn the_first_sentence_is_spoken_before_the_next_one_is_written() {
    // A sentence is whole once the model has written its full stop: the voice must not wait
    // for the next sentence to start before it speaks it.
    let pause = Duration::from_millis(1500);
    let url = pausing_model(pause);
    let (mut rig, _) = Rig::new(
        Ptt::Hold,
        vec![
            When(Status::Ready),
            Press(Key::Space),
            Wait(Duration::from_millis(300)),
            Release(Key::Space),
            When(Status::Confirming),
            Press(Key::Enter),
            Printed("How fresh are they?".into()),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &[ANSWER],
    );
    rig.llm = Some(model_at(&url));
    let r = rig.run();
    let latency = of_type(&r.events, "latency");
    let l = latency.first().expect("the answer's waits are logged");
    let (token, audio) = (
        l["first_token_ms"].as_u64().unwrap(),
        l["first_audio_ms"].as_u64().unwrap(),
    );
    assert!(
        audio < token + 700,
        "first sentence shown at {token} ms, first sound at {audio} ms: it waited for the next"
    );
}

#[test]
fn talking_over_a_streaming_model_stops_the_stream_too() {
    let url = slow_model();
    let (mut rig, _) = Rig::new(
        Ptt::Hold,
        vec![
            // Talk at once, before the (scripted) opening has even arrived, and answer.
            Press(Key::Space),
            Wait(Duration::from_millis(700)),
            Release(Key::Space),
            When(Status::Confirming),
            Press(Key::Enter),
            // The model's reply: talk over it while it is still streaming, once its first
            // sentence is out (however long a loaded machine takes to get there).
            When(Status::Speaking),
            Printed("Good question.".into()),
            Wait(Duration::from_millis(600)),
            Press(Key::Space),
            Wait(Duration::from_millis(700)),
            Release(Key::Space),
            When(Status::Confirming),
            Press(Key::Esc),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &[ANSWER, ANSWER],
    );
    rig.speed = 1.0;
    rig.llm = Some(model_at(&url));
    let started = Instant::now();
    let r = rig.run();
    // The full line takes 3.6 s to stream; the barge-in cut it short.
    let line = of_type(&r.events, "turn")
        .into_iter()
        .find(|t| t["role"] == "interviewer" && t["n"].as_u64() > Some(1))
        .unwrap();
    let text = line["text"].as_str().unwrap();
    assert!(text.ends_with("[stopped]"), "{text}");
    assert!(text.matches("more").count() < 48, "{text}");
    let spoken = of_type(&r.events, "spoken");
    assert_eq!(spoken.len(), 2, "{:?}", r.events);
    let cut = spoken.iter().find(|s| s["turn"] == line["n"]).unwrap();
    let heard = cut["text"].as_str().unwrap();
    assert!(heard.starts_with("Good question."), "{heard}");
    assert!(!heard.contains("[stopped]"), "{heard}");
    // The opening was talked over before a word of it was spoken.
    let opening = spoken.iter().find(|s| s["turn"] == 1).unwrap();
    assert_eq!(opening["text"], "");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_spoken_answer_through_the_real_whisper_server() {
    let Some(url) = common::real_stt_url() else {
        return;
    };
    let (rig, _) = real_whisper_rig(
        &url,
        "What is the business goal here, and how do we get fraud labels?",
        &Requests::default(),
    );
    let r = rig.run();
    let heard = answer_of(&r.events).to_lowercase();
    assert!(heard.contains("business goal"), "{heard}");
    let lat = of_type(&r.events, "latency");
    eprintln!("real whisper, live loop: {}", lat[0]);
}

/// An answer of `text` spoken by espeak-ng, started with the toggle key and ended by auto-stop,
/// heard by the real recogniser at `url` (each request noted in `requests`): the rig, and how
/// long the speech is.
fn real_whisper_rig(url: &str, text: &str, requests: &Requests) -> (Rig, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("a.wav");
    common::espeak(&wav, text);
    let mut clip =
        casecoach::voice::audio::read(&wav, casecoach::voice::audio::MAX_ANSWER_SECS).unwrap();
    let spoken = Duration::from_secs_f64(clip.seconds());
    clip.samples.extend(std::iter::repeat_n(0.0, 16_000 * 2));
    let (mut rig, _) = Rig::new(
        Ptt::Toggle,
        vec![
            When(Status::Ready),
            Press(Key::Space),
            // Auto-stop ends it once the speech is over.
            When(Status::Confirming),
            Press(Key::Enter),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &[],
    );
    rig.clip = clip;
    rig.auto_stop = Some(0.8);
    rig.stt = Box::new(Noted(
        casecoach::voice::stt::Stt::new(casecoach::voice::stt::SttConfig::new(url)).unwrap(),
        requests.clone(),
    ));
    (rig, spoken)
}

/// The candidate's (first) answer as the log keeps it.
fn answer_of(events: &[Value]) -> String {
    of_type(events, "turn")
        .into_iter()
        .find(|t| t["role"] == "candidate")
        .and_then(|t| t["text"].as_str())
        .expect("the log has an answer")
        .to_string()
}

/// Passes requests on to a real recogniser, noting when each was made.
struct Noted<T: Transcriber>(T, Requests);

impl<T: Transcriber> Transcriber for Noted<T> {
    fn transcribe(&mut self, wav: Vec<u8>, prompt: &str) -> anyhow::Result<String> {
        self.1
            .lock()
            .unwrap()
            .push((prompt.to_string(), Instant::now()));
        self.0.transcribe(wav, prompt)
    }
}

/// When the talk key was last pressed or released, from the screen's keys.
fn stopped_at(screen: &Screen) -> Instant {
    screen
        .keys
        .iter()
        .rev()
        .find(|k| k.0 == Key::Space)
        .map(|k| k.2)
        .unwrap()
}

/// What the recogniser hears of the two stretches of `long_answer_rig`'s answer.
const FIRST: &str =
    "The business goal is to cut fraud losses while keeping good customers happy at checkout.";
const REST: &str = "And we measure it with recall at a fixed review budget.";

/// A long answer given with the hold key: 6.5 s of "speech", a pause, 3.5 s more. The first
/// stretch is cut at the pause once the recording is past 10 s, and only the rest is left when
/// the key is released. `before_quitting` runs after the answer is sent.
fn long_answer_rig(before_quitting: Vec<Step>) -> (Rig, Requests) {
    let mut clip = tone(6.5);
    clip.samples.extend(std::iter::repeat_n(0.0, 9_600));
    clip.samples.extend(tone(3.5).samples);
    clip.samples.extend(std::iter::repeat_n(0.0, 4_800));
    let mut steps = vec![
        When(Status::Ready),
        Press(Key::Space),
        Wait(Duration::from_millis(11_300)),
        Release(Key::Space),
        When(Status::Confirming),
        Press(Key::Enter),
    ];
    steps.extend(before_quitting);
    steps.extend([When(Status::Ready), Press(Key::Char('q'))]);
    let (mut rig, requests) = Rig::new(Ptt::Hold, steps, &[FIRST, REST]);
    rig.clip = clip;
    (rig, requests)
}

#[test]
fn a_long_answer_is_heard_in_pieces_while_it_is_spoken() {
    let (rig, requests) = long_answer_rig(vec![]);
    let r = rig.run();
    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let released = stopped_at(&r.screen);
    assert!(
        requests[0].1 < released && requests[1].1 > released,
        "the first piece was sent {:?} before the release",
        released.saturating_duration_since(requests[0].1)
    );
    // A long answer's pieces go unprompted, as `Prompt::chosen` sends long answers.
    assert!(requests.iter().all(|(p, _)| p.is_empty()), "{requests:?}");
    let answer = of_type(&r.events, "turn")
        .into_iter()
        .find(|t| t["role"] == "candidate")
        .unwrap()
        .clone();
    assert_eq!(answer["text"], format!("{FIRST} {REST}"));
    // The whole recording is what is kept and measured.
    let voice = of_type(&r.events, "voice");
    let secs = voice[0]["audio_seconds"].as_f64().unwrap();
    assert!((11.0..12.5).contains(&secs), "{secs}");
}

/// Each request a fake endpoint was sent: its body, and when it arrived.
type Seen = Arc<Mutex<Vec<(Value, Instant)>>>;

/// A model endpoint that keeps each request's body and arrival, streams one line to a stream
/// request and answers a word to any other.
fn recording_model() -> (String, Seen) {
    use axum::body::{Body, Bytes};
    use axum::http::Response;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |body: Bytes| {
            let kept = kept.clone();
            async move {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                kept.lock().unwrap().push((v.clone(), Instant::now()));
                if v["stream"] == true {
                    let line = serde_json::json!({"choices":[{"delta":{"content":"How fresh are the labels?"},"finish_reason":"stop"}]});
                    Response::builder()
                        .header("content-type", "text/event-stream")
                        .body(Body::from(format!("data: {line}\n\ndata: [DONE]\n\n")))
                        .unwrap()
                } else {
                    let reply = serde_json::json!({"choices":[{"index":0,"message":{"role":"assistant","content":"Okay"},"finish_reason":"length"}],"usage":{"prompt_tokens":417,"completion_tokens":1}});
                    Response::builder()
                        .header("content-type", "application/json")
                        .body(Body::from(reply.to_string()))
                        .unwrap()
                }
            }
        }),
    );
    (format!("http://{}/v1", common::serve(app)), seen)
}

#[test]
fn a_long_answers_line_is_read_by_the_server_while_the_answer_is_spoken() {
    // The long answer above, to a model on this machine: once a line is out, the server is sent
    // the next line's prompt as far as it is known, and again once the answer's first piece is
    // heard, so that at the release only the rest of the answer and the turn's notes are new
    // to its cache. A short answer, never cut into pieces, gets the first read only.
    let (url, seen) = recording_model();
    let (mut rig, _) = long_answer_rig(vec![Printed("How fresh are the labels?".into())]);
    rig.llm = Some(model_at(&url));
    let r = rig.run();
    let released = stopped_at(&r.screen);
    let seen = seen.lock().unwrap().clone();
    let said = |v: &Value| -> Vec<(String, String)> {
        v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["role"].as_str().unwrap().to_string(),
                    m["content"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let ahead: Vec<Vec<(String, String)>> = (seen.iter())
        .filter(|(v, at)| v["max_tokens"] == 1 && *at < released)
        .map(|(v, _)| said(v))
        .collect();
    assert_eq!(
        ahead.len(),
        2,
        "one read once the opening line was out, one for the piece: {seen:?}"
    );
    let user = |text: &str| ("user".to_string(), text.to_string());
    assert_eq!(ahead[0].last().unwrap(), &user(""));
    assert_eq!(ahead[1].last().unwrap(), &user(FIRST));
    // The line's request, made after the answer, starts with what was read ahead.
    let line = seen
        .iter()
        .filter(|(v, at)| v["stream"] == true && *at > released)
        .map(|(v, _)| said(v))
        .next()
        .expect("the line was asked for");
    for read in &ahead {
        let n = read.len();
        assert!(line.len() >= n, "{line:?}");
        assert_eq!(&line[..n - 1], &read[..n - 1]);
        assert_eq!(line[n - 1].0, "user");
        assert!(
            line[n - 1].1.starts_with(&read[n - 1].1),
            "{:?}",
            line[n - 1].1
        );
    }
    assert!(
        line[line.len() - 1]
            .1
            .starts_with(&format!("{FIRST} {REST}")),
        "{line:?}"
    );
    // A hosted API bills the reads like any prompt: both reads' tokens are in the session's
    // count, with the line they went before.
    let usage: Vec<(u64, u64)> = of_type(&r.events, "usage")
        .iter()
        .map(|u| {
            (
                u["prompt_tokens"].as_u64().unwrap(),
                u["completion_tokens"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(usage.contains(&(2 * 417, 2)), "{usage:?}");
}

#[test]
fn a_long_answer_through_the_real_whisper_server_is_stitched_from_its_pieces() {
    let Some(url) = common::real_stt_url() else {
        return;
    };
    let requests = Requests::default();
    let (rig, spoken) = real_whisper_rig(
        &url,
        "The business goal is to reduce fraud losses without blocking good customers. \
         Chargebacks arrive weeks after the transaction, so labels are delayed. \
         I would start with a gradient boosted tree on transaction and account features. \
         For the metric I would report precision and recall at the review budget.",
        &requests,
    );
    assert!(spoken > Duration::from_secs(14), "{spoken:?}");
    let r = rig.run();
    let requests = requests.lock().unwrap().clone();
    // The key started the recording; auto-stop ended it after the speech.
    let speech_ended = stopped_at(&r.screen) + spoken;
    let early = requests.iter().filter(|q| q.1 < speech_ended).count();
    assert!(early >= 1, "no piece was sent while speaking: {requests:?}");
    let heard = answer_of(&r.events).to_lowercase();
    for words in ["business goal", "labels", "recall"] {
        assert!(heard.contains(words), "'{words}' missing from: {heard}");
    }
    eprintln!(
        "real whisper, {} pieces while speaking: {}",
        early,
        of_type(&r.events, "latency")[0]
    );
}

#[test]
fn a_resumed_session_says_the_last_line_again_without_logging_it_twice() {
    let home = tempfile::tempdir().unwrap();
    let (mut rig, _) = Rig::new(
        Ptt::Hold,
        vec![
            When(Status::Ready),
            Press(Key::Char('t')),
            Line(Some("What is the business goal?".into())),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &[],
    );
    rig.home = Some(home.path().to_path_buf());
    let first = rig.run();
    let turns = of_type(&first.events, "turn").len();
    let (mut rig, _) = Rig::new(
        Ptt::Hold,
        vec![When(Status::Ready), Press(Key::Char('q'))],
        &[],
    );
    rig.home = Some(home.path().to_path_buf());
    rig.resume = true;
    let again = rig.run();
    assert_eq!(of_type(&again.events, "resumed").len(), 1);
    assert_eq!(
        of_type(&again.events, "turn").len(),
        turns,
        "no new turn on resume"
    );
    // The last line was spoken again, in full.
    let last = of_type(&again.events, "turn").last().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!again.played.is_empty(), "nothing was spoken on resume");
    assert!(again.played.iter().all(|(len, got)| got >= len));
    assert!(again.screen.printed.contains(&last));
}

/// A coding round spoken aloud: the candidate types `/submit FILE` (t, then the line) and the
/// code is graded and reviewed as in a typed chat.
#[test]
fn a_spoken_coding_round_takes_a_typed_submission() {
    let reference = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/coding/pr-auc/reference.py");
    let (mut rig, _) = Rig::new(
        Ptt::Hold,
        vec![
            When(Status::Ready),
            Press(Key::Char('t')),
            Line(Some(format!("/submit {}", reference.display()))),
            When(Status::Ready),
            Press(Key::Char('q')),
        ],
        &[],
    );
    rig.scenario = "coding-pr-auc";
    rig.speed = 8.0;
    let r = rig.run();
    let code = of_type(&r.events, "code");
    assert_eq!(code.len(), 1, "{}", r.screen.printed);
    assert_eq!(code[0]["suite"], "hidden");
    assert_eq!(code[0]["passed"], code[0]["total"]);
    assert!(
        r.screen.printed.contains("hidden cases pass"),
        "{}",
        r.screen.printed
    );
}
