//! The spoken loop's speed targets:
//! - casecoach's own work from the release of the talk key to the speech-to-text request
//!   reaching the server: under 20 ms;
//! - from the first complete sentence of the model to the text-to-speech request reaching the
//!   server: under 20 ms;
//! - with fake services of fixed latency (speech-to-text 200 ms, model's first token 150 ms,
//!   text-to-speech 100 ms: 450 ms in all), release to first audio within 50 ms of that sum.
//!
//! All three services are fake HTTP servers on 127.0.0.1 in this process, reached through the
//! real clients; the microphone hears a prepared clip through the real capture path, and the
//! speaker is paced in real time. Run: `cargo bench --bench voice`

use casecoach::chat::Settings;
use casecoach::interview::JudgeMode;
use casecoach::interview::Mode;
use casecoach::interviewer::Sentences;
use casecoach::llm::{LlmConfig, LlmSection};
use casecoach::voice::capture::ClipMic;
use casecoach::voice::fake::{Script, Step};
use casecoach::voice::live::{Driver, Parts};
use casecoach::voice::speech::{Paced, Speech, tone};
use casecoach::voice::stt::{Stt, SttConfig};
use casecoach::voice::tts::Endpoint;
use casecoach::voice::turn::{Key, KeyKind, Ptt, Status, TurnMachine};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
#[path = "../tests/common/mod.rs"]
mod testing;

const STT_MS: u64 = 200;
const FIRST_TOKEN_MS: u64 = 150;
const TTS_MS: u64 = 100;

/// When each service received its requests.
#[derive(Default)]
struct Arrivals {
    stt: Vec<Instant>,
    tts: Vec<Instant>,
}

/// One server with all three services, each with a fixed latency.
fn services(arrivals: Arc<Mutex<Arrivals>>) -> String {
    use axum::body::{Body, Bytes};
    use axum::http::Response;
    use axum::routing::post;
    let (a1, a2) = (arrivals.clone(), arrivals.clone());
    let wav = tone(0.6).wav().unwrap();
    let app = axum::Router::new()
        .route(
            "/v1/audio/transcriptions",
            post(move |_body: Bytes| {
                // The handler runs once the whole upload is in; the request "arrived"
                // when its headers did, a moment earlier, so this errs on the slow side.
                a1.lock().unwrap().stt.push(Instant::now());
                async move {
                    tokio::time::sleep(Duration::from_millis(STT_MS)).await;
                    axum::Json(json!({"text": "What is the business goal, and how do we measure success?"}))
                }
            }),
        )
        .route(
            "/v1/audio/speech",
            post(move |_body: Bytes| {
                a2.lock().unwrap().tts.push(Instant::now());
                let wav = wav.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(TTS_MS)).await;
                    Response::builder().header("content-type", "audio/wav").body(Body::from(wav)).unwrap()
                }
            }),
        )
        .route(
            "/v1/chat/completions",
            post(|_body: Bytes| async move {
                let pieces = [
                    "Thanks, that helps.",
                    " What would you optimise first,",
                    " and why?",
                ];
                let body = futures::stream::unfold(0usize, move |i| async move {
                    let delay = if i == 0 { FIRST_TOKEN_MS } else { 5 };
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    let chunk = match i {
                        n if n < pieces.len() => json!({"choices":[{"delta":{"content": pieces[n]}}]}),
                        n if n == pieces.len() => json!({"choices":[{"delta":{},"finish_reason":"stop"}],
                            "usage":{"prompt_tokens":500,"completion_tokens":12}}),
                        _ => return None,
                    };
                    Some((Ok::<_, std::io::Error>(format!("data: {chunk}\n\n")), i + 1))
                });
                Response::builder().header("content-type", "text/event-stream").body(Body::from_stream(body)).unwrap()
            }),
        );
    format!("http://{}/v1", testing::serve(app))
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// One spoken answer through the whole loop; returns (release to STT arrival, release to first
/// audio) in milliseconds.
fn one_answer(url: &str, arrivals: &Arc<Mutex<Arrivals>>) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        sessions_dir: dir.path().join("sessions"),
        prompts_dir: None,
        scenario: "fraud".into(),
        minutes: None,
        mode: Mode::Interview,
        focus: None,
        llm: Some(
            LlmConfig::resolve(Some(url), Some("m"), &LlmSection::default())
                .unwrap()
                .unwrap(),
        ),
        // The model judge would add its own request before the reply; lexical keeps the sum
        // to the three services named in the target.
        judge: JudgeMode::Lexical,
        reading: casecoach::reader::ReaderSettings {
            choice: casecoach::reader::Choice::Lexical,
            offline: true,
        },
    };
    let steps = vec![
        Step::When(Status::Ready),
        Step::Press(Key::Space),
        Step::Wait(Duration::from_millis(1000)),
        Step::Release(Key::Space),
        Step::When(Status::Speaking),
        Step::When(Status::Ready),
        Step::Press(Key::Char('q')),
    ];
    let (term, screen) = Script::new(steps, Duration::from_secs(30));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut clip = tone(0.9);
    clip.samples.extend(std::iter::repeat_n(0.0, 16_000));
    let parts = Parts {
        term: Box::new(term),
        mic: Box::new(ClipMic::new(&clip)),
        stt: Box::new(Stt::new(SttConfig::new(url)).unwrap()),
        speech: Some((
            Speech::new(
                Box::new(Endpoint::new(url, "alloy").unwrap()),
                Box::new(Paced {
                    speed: 20.0,
                    played: Arc::new(Mutex::new(Vec::new())),
                }),
                tx,
            ),
            rx,
        )),
        keep: None,
    };
    arrivals.lock().unwrap().stt.clear();
    let outcome = Driver::new(
        &settings,
        None,
        TurnMachine::new(Ptt::Hold, None, false),
        parts,
    )
    .run()
    .unwrap();
    let screen = screen.lock().unwrap();
    assert!(!screen.timed_out, "the scripted answer stalled");
    let released = screen
        .keys
        .iter()
        .find(|k| k.1 == KeyKind::Release)
        .unwrap()
        .2;
    let stt_at = arrivals.lock().unwrap().stt[0];
    (
        (stt_at - released).as_secs_f64() * 1000.0,
        outcome.release_to_audio_ms[0] as f64,
    )
}

/// The first complete sentence to the speech request reaching the server.
fn sentence_to_tts(url: &str, arrivals: &Arc<Mutex<Arrivals>>, rounds: usize) -> f64 {
    let (tx, _rx) = std::sync::mpsc::channel();
    let speech = Speech::new(
        Box::new(Endpoint::new(url, "alloy").unwrap()),
        Box::new(Paced {
            speed: 1000.0,
            played: Arc::new(Mutex::new(Vec::new())),
        }),
        tx,
    );
    let reply = speech.begin();
    let mut sentences = Sentences::default();
    // Warm the connection as a session would have.
    speech.say(reply, "Hello.".into());
    std::thread::sleep(Duration::from_millis(TTS_MS + 100));
    let mut lags = Vec::new();
    for _ in 0..rounds {
        let before = arrivals.lock().unwrap().tts.len();
        sentences.push("Thanks, that helps");
        let t0 = Instant::now();
        for s in sentences.push(". What") {
            speech.say(reply, s);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while arrivals.lock().unwrap().tts.len() == before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
        let at = arrivals.lock().unwrap().tts[before];
        lags.push((at - t0).as_secs_f64() * 1000.0);
        sentences = Sentences::default();
        std::thread::sleep(Duration::from_millis(TTS_MS + 50));
    }
    percentile(&mut lags, 0.5)
}

fn main() {
    // `cargo test --all-targets` runs this without `--bench`: one short round there.
    let quick = !std::env::args().any(|a| a == "--bench");
    let arrivals = Arc::new(Mutex::new(Arrivals::default()));
    let url = services(arrivals.clone());

    let (rounds, runs) = if quick { (3, 1) } else { (20, 10) };
    let tts = sentence_to_tts(&url, &arrivals, rounds);
    println!(
        "first complete sentence -> TTS request at the server: {tts:.2} ms median of {rounds} (target 20 ms)"
    );

    let (mut to_stt, mut to_audio): (Vec<f64>, Vec<f64>) =
        (0..runs).map(|_| one_answer(&url, &arrivals)).unzip();
    let sum = (STT_MS + FIRST_TOKEN_MS + TTS_MS) as f64;
    let (stt_med, stt_max) = (percentile(&mut to_stt, 0.5), percentile(&mut to_stt, 1.0));
    let (audio_med, audio_max) = (
        percentile(&mut to_audio, 0.5),
        percentile(&mut to_audio, 1.0),
    );
    println!(
        "key release -> STT request at the server: {stt_med:.1} ms median of {runs} (max {stt_max:.1}) (target 20 ms)"
    );
    println!(
        "key release -> first audio: {audio_med:.0} ms median of {runs} (max {audio_max:.0}); services' latencies sum to {sum:.0} ms, \
         so casecoach adds {:.0} ms (target: within 50 ms)",
        audio_med - sum
    );
}
