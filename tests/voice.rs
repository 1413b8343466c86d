//! Voice practice from recordings: a fake speech-to-text server on 127.0.0.1 for each path, and
//! (when `.ci/run` has started one) the real Whisper server with espeak-ng speech.

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Fake {
    /// Status and body to answer with.
    reply: Mutex<(u16, String)>,
    bodies: Mutex<Vec<Vec<u8>>>,
    /// From this request on (1-based), answer 500.
    fail_from: Mutex<Option<usize>>,
}

fn serve(route: &'static str) -> (String, Arc<Fake>) {
    let state = Arc::new(Fake::default());
    let app = axum::Router::new()
        .route(
            route,
            axum::routing::post(
                |State(f): State<Arc<Fake>>, _h: HeaderMap, body: Bytes| async move {
                    let n = {
                        let mut b = f.bodies.lock().unwrap();
                        b.push(body.to_vec());
                        b.len()
                    };
                    if f.fail_from.lock().unwrap().is_some_and(|k| n >= k) {
                        return (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            r#"{"error":{"message":"model crashed"}}"#.to_string(),
                        );
                    }
                    let (status, text) = f.reply.lock().unwrap().clone();
                    (StatusCode::from_u16(status).unwrap(), text)
                },
            ),
        )
        .with_state(state.clone());
    (format!("http://{}", common::serve(app)), state)
}

/// A WAV of `secs` seconds: a tone, or silence.
fn wav(dir: &Path, name: &str, secs: f32, tone: bool) -> PathBuf {
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 22_050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..(22_050.0 * secs) as usize {
        let v = if tone {
            ((i as f32 * 0.07).sin() * 9000.0) as i16
        } else {
            0
        };
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
    path
}

/// `voice` answering from `files`, transcribed at `stt_url` (its `/v1`), with no speech out.
fn from_recordings(env: &common::Env, stt_url: &str, files: &[&Path]) -> std::process::Output {
    let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    env.cmd()
        .args([
            "voice",
            "--tts",
            "none",
            "--stt-url",
            &format!("{stt_url}/v1"),
        ])
        .arg("--audio-in")
        .arg(files.join(","))
        .output()
        .unwrap()
}

/// `[voice] max_answer_minutes` is the limit a recording is held to; one too long is refused
/// with the limit as configured, and the next one is answered.
#[test]
fn a_recording_longer_than_the_configured_limit_is_refused_and_the_next_answered() {
    let (url, fake) = serve("/v1/audio/transcriptions");
    *fake.reply.lock().unwrap() = (200, r#"{"text":"How rare is fraud here?"}"#.into());
    let env = common::Env::new();
    let conf = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[voice]\nmax_answer_minutes = 0.1\n",
    )
    .unwrap();
    let long = wav(env.dir.path(), "long.wav", 30.0, true);
    let short = wav(env.dir.path(), "short.wav", 1.5, true);
    let out = from_recordings(&env, &url, &[&long, &short]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("long.wav is 0.5 minutes long; an answer can be at most 0.1 minutes"),
        "{stderr}"
    );
    assert_eq!(
        fake.bodies.lock().unwrap().len(),
        1,
        "only the short one is sent"
    );
}

#[test]
fn an_unreadable_or_absurd_recording_is_skipped_and_the_rest_are_answered() {
    let (url, fake) = serve("/v1/audio/transcriptions");
    *fake.reply.lock().unwrap() = (200, r#"{"text":"How rare is fraud here?"}"#.into());
    let env = common::Env::new();
    let junk = env.dir.path().join("junk.wav");
    std::fs::write(&junk, b"RIFF but not really a wave").unwrap();
    // A header that claims one sample a second: 32 KB would be 16,000 s of audio.
    let slow = env.dir.path().join("one-hertz.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 1,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&slow, spec).unwrap();
    for i in 0..16_000 {
        w.write_sample((i % 300) as i16 * 30).unwrap();
    }
    w.finalize().unwrap();
    let good = wav(env.dir.path(), "good.wav", 1.5, true);
    let out = from_recordings(&env, &url, &[&junk, &slow, &good]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("junk.wav is not a readable WAV file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("one-hertz.wav has a WAV header that cannot be right (1 Hz"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped, going on with the next recording"),
        "{stderr}"
    );
    assert!(
        stdout.contains("You (from") && stdout.contains("How rare is fraud"),
        "{stdout}"
    );
    assert_eq!(
        fake.bodies.lock().unwrap().len(),
        1,
        "only the good file was uploaded"
    );
}

#[test]
fn recordings_become_answers_through_the_transcription_endpoint() {
    let (url, fake) = serve("/v1/audio/transcriptions");
    *fake.reply.lock().unwrap() = (
        200,
        r#"{"text":" What is the business goal, and what is the latency budget? "}"#.into(),
    );
    let env = common::Env::new();
    let a = wav(env.dir.path(), "a.wav", 1.5, true);
    let silent = wav(env.dir.path(), "silent.wav", 1.0, false);
    let out = from_recordings(&env, &url, &[&a, &silent]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("You (from") && stdout.contains("What is the business goal"),
        "{stdout}"
    );
    assert!(
        stdout.contains("100 milliseconds"),
        "the transcript went through the interview: {stdout}"
    );
    assert!(
        stderr.contains("silent.wav: no speech found, so it was not sent"),
        "{stderr}"
    );
    assert!(
        stdout.contains("DEBRIEF"),
        "recordings end with the debrief"
    );
    // One upload: 16 kHz mono WAV, language pinned, the jargon as the prompt.
    let bodies = fake.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1);
    let body = String::from_utf8_lossy(&bodies[0]).to_string();
    assert!(
        body.contains("name=\"language\"\r\n\r\nen"),
        "{}",
        &body[..300.min(body.len())]
    );
    assert!(body.contains("PR-AUC") && body.contains("XGBoost"));
    let riff = bodies[0].windows(4).position(|w| w == b"RIFF").unwrap();
    let sample_rate = u32::from_le_bytes(bodies[0][riff + 24..riff + 28].try_into().unwrap());
    assert_eq!(sample_rate, 16_000);
    let evs = env.last_events();
    let voice = evs.iter().find(|e| e["type"] == "voice").unwrap();
    assert!(
        (voice["audio_seconds"].as_f64().unwrap() - 1.5).abs() < 0.05,
        "{voice}"
    );
    assert!(voice["transcribe_ms"].is_u64());
    let report = env.assess_json("fraud", &env.sessions().pop().unwrap());
    let goal = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "clarify.business-objective")
        .unwrap();
    assert_eq!(goal["covered"], true);
    // A spoken session's debrief has delivery notes, in JSON and in the HTML report.
    assert_eq!(report["delivery"]["answers"], 1);
    assert!(report["delivery"]["words_per_minute"].as_f64().unwrap() > 0.0);
    let session = env.sessions().pop().unwrap();
    let html = env
        .cmd()
        .arg("debrief")
        .arg(&session)
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&html.stdout).contains("<h2>Delivery</h2><p>1 spoken answers"));
    let timings = env
        .cmd()
        .arg("debrief")
        .arg(&session)
        .arg("--timings")
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&timings.stdout).to_string();
    let row = t
        .lines()
        .find(|l| l.trim_start().starts_with("2 "))
        .unwrap_or_default();
    assert!(row.contains("1.5s") && row.contains("ms"), "{t}");
    // A typed session has none.
    let typed = common::Env::new();
    typed.chat(&["fraud"], "What is the business goal?\n/end\n");
    assert!(
        typed
            .assess_json("fraud", &typed.sessions()[0])
            .get("delivery")
            .is_none()
    );
}

#[test]
fn whisper_cpp_paths_and_plain_text_replies_work() {
    let (url, fake) = serve("/inference");
    *fake.reply.lock().unwrap() = (200, "How many transactions per second do we see?".into());
    let env = common::Env::new();
    let a = wav(env.dir.path(), "a.wav", 1.0, true);
    let out = env
        .cmd()
        .args([
            "voice",
            "--tts",
            "none",
            "--stt-url",
            &url,
            "--stt-path",
            "/inference",
            "--audio-in",
        ])
        .arg(&a)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    common::ok(&out);
    assert!(stdout.contains("2,000 per second"), "{stdout}");
}

#[test]
fn failures_say_what_to_do_and_lose_nothing() {
    let env = common::Env::new();
    // No recordings: without the microphone feature, or without a terminal to push-to-talk
    // on, it says how to practise instead.
    let out = env
        .cmd()
        .args(["voice", "--stt-url", "http://127.0.0.1:9/v1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let why = if cfg!(feature = "mic") {
        "push-to-talk needs a terminal"
    } else {
        "no live microphone: rebuild with `cargo build --release --features mic`"
    };
    assert!(err.contains(why) && err.contains("--audio-in"), "{err}");
    let a = wav(env.dir.path(), "a.wav", 1.0, true);
    let out = env
        .cmd()
        .args(["voice", "--audio-in"])
        .arg(&a)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no speech-to-text endpoint"));
    let junk = env.dir.path().join("junk.wav");
    std::fs::write(&junk, b"RIFF....not really").unwrap();
    let (url, fake) = serve("/v1/audio/transcriptions");
    *fake.reply.lock().unwrap() = (200, r#"{"text":"What is the business goal?"}"#.into());
    let out = from_recordings(&env, &url, &[&junk]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.wav is not a readable WAV file"));

    // The endpoint fails on the second answer: the first is saved, the message names the file.
    let b = wav(env.dir.path(), "b.wav", 1.0, true);
    let env2 = common::Env::new();
    let (url, fake) = serve("/v1/audio/transcriptions");
    *fake.reply.lock().unwrap() = (200, r#"{"text":"What is the business goal?"}"#.into());
    *fake.fail_from.lock().unwrap() = Some(2);
    let out = from_recordings(&env2, &url, &[&a, &b]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(
        stderr.contains("transcribing")
            && stderr.contains("b.wav")
            && stderr.contains("model crashed"),
        "{stderr}"
    );
    assert!(stderr.contains("casecoach chat --resume"), "{stderr}");
    let evs = env2.last_events();
    assert!(
        evs.iter()
            .any(|e| e["role"] == "candidate" && e["text"] == "What is the business goal?")
    );
}

#[test]
fn spoken_answers_through_the_real_whisper_server() {
    let Some(url) = common::real_stt_url() else {
        return;
    };
    let env = common::Env::new();
    let a = env.dir.path().join("a.wav");
    common::espeak(
        &a,
        "What is the business goal here, and how do we get fraud labels?",
    );
    let out_dir = env.dir.path().join("out");
    let out = env
        .cmd()
        .args(["voice", "fraud", "--stt-url", &url, "--audio-out"])
        .arg(&out_dir)
        .arg("--audio-in")
        .arg(&a)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    common::ok(&out);
    let heard = stdout
        .lines()
        .find(|l| l.starts_with("You (from"))
        .unwrap()
        .to_lowercase();
    assert!(heard.contains("business goal"), "{heard}");
    // The interviewer's lines were spoken to files.
    let spoken = std::fs::read_dir(&out_dir).unwrap().count();
    assert!(spoken >= 2, "{spoken}");
}

#[test]
fn the_latency_bench_plays_answers_through_the_live_loop_and_keeps_no_session() {
    let Some(url) = common::real_stt_url() else {
        return;
    };
    let env = common::Env::new();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let out = env
        .cmd()
        .args(["eval", "latency", "--stt-url", &url, "--reader", "lexical"])
        .args(["--turns", "1", "--lengths", "5,15", "--json", "--cases"])
        .arg(&corpus)
        .output()
        .unwrap();
    common::ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let waits = report["waits"].as_array().unwrap();
    assert_eq!(waits.len(), 2, "{report}");
    for w in waits {
        let (t, a) = (
            w["transcript_ms"].as_u64().unwrap(),
            w["first_audio_ms"].as_u64().unwrap(),
        );
        // Each answer was heard and answered aloud, in that order.
        assert!(t > 0 && a >= t, "{w}");
        let wer = w["word_errors"].as_f64().unwrap() / w["words"].as_f64().unwrap();
        assert!(wer < 0.5, "{w}");
    }
    assert_eq!(report["rows"].as_array().unwrap().len(), 2);
    // Bench runs are not practice: the sessions folder has none of them.
    assert!(env.sessions().is_empty(), "{:?}", env.sessions());
    // A length it cannot play is refused with the ones it can.
    let out = env
        .cmd()
        .args(["eval", "latency", "--stt-url", &url, "--lengths", "7"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("5, 15, 30 and 60 seconds"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn interviewer_lines_go_to_a_speech_endpoint_and_its_failure_does_not_stop_the_interview() {
    // One fake server for both directions.
    let calls: Arc<Mutex<Vec<Value>>> = Arc::default();
    let fail = Arc::new(Mutex::new(false));
    let (c2, f2) = (calls.clone(), fail.clone());
    let app = axum::Router::new()
        // Read the upload before answering: a server that answers early and closes races the
        // client still sending the file.
        .route(
            "/v1/audio/transcriptions",
            axum::routing::post(|_body: Bytes| async {
                r#"{"text":"What is the business goal?"}"#
            }),
        )
        .route(
            "/v1/audio/speech",
            axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
                let (calls, fail) = (c2.clone(), f2.clone());
                async move {
                    calls.lock().unwrap().push(v);
                    if *fail.lock().unwrap() {
                        (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            b"{\"error\":\"voice model missing\"}".to_vec(),
                        )
                    } else {
                        (StatusCode::OK, b"RIFF\x24\x00\x00\x00WAVEfake".to_vec())
                    }
                }
            }),
        );
    let url = format!("http://{}/v1", common::serve(app));
    let env = common::Env::new();
    let a = wav(env.dir.path(), "a.wav", 1.0, true);
    let out_dir = env.dir.path().join("spoken");
    let out = env
        .cmd()
        .args([
            "voice",
            "--stt-url",
            &url,
            "--tts-url",
            &url,
            "--tts-voice",
            "nova",
            "--audio-out",
        ])
        .arg(&out_dir)
        .arg("--audio-in")
        .arg(&a)
        .output()
        .unwrap();
    common::ok(&out);
    let files: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.len() >= 3 && files.iter().any(|f| f == "001-interviewer.wav"),
        "{files:?}"
    );
    let first = calls.lock().unwrap()[0].clone();
    assert_eq!(
        (first["voice"].as_str(), first["response_format"].as_str()),
        (Some("nova"), Some("wav"))
    );
    assert!(
        first["input"]
            .as_str()
            .unwrap()
            .starts_with("Hi, I'm Maya.")
    );

    *fail.lock().unwrap() = true;
    let env2 = common::Env::new();
    let out = env2
        .cmd()
        .args(["voice", "--stt-url", &url, "--tts-url", &url, "--audio-out"])
        .arg(env2.dir.path().join("spoken"))
        .arg("--audio-in")
        .arg(&a)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .matches("text-to-speech failed: HTTP 500: voice model missing")
            .count(),
        1,
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("DEBRIEF"));
}

#[test]
fn doctor_checks_the_speech_endpoints() {
    let (url, fake) = serve("/v1/audio/transcriptions");
    *fake.reply.lock().unwrap() = (200, r#"{"text":""}"#.into());
    let env = common::Env::new();
    let out = env
        .cmd()
        .arg("doctor")
        .env("CASECOACH_STT_BASE_URL", format!("{url}/v1"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && text.contains("ok   speech to text"),
        "{text}"
    );
    assert_eq!(
        fake.bodies.lock().unwrap().len(),
        1,
        "doctor really transcribed something"
    );
    let out = env
        .cmd()
        .arg("doctor")
        .env("CASECOACH_STT_BASE_URL", "http://127.0.0.1:1/v1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        !out.status.success()
            && text.contains("FAIL speech to text")
            && text.contains("scripts/local-stt.sh start"),
        "{text}"
    );
}

/// The real cpal capture path, with ALSA's `file` plugin as the microphone: the device reads a
/// raw file (it is not paced, so the check is short) and `--mic-check` must hear the speech in it.
#[cfg(feature = "mic")]
#[test]
fn the_microphone_path_hears_what_the_device_delivers() {
    let env = common::Env::new();
    let home = env.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    // 16 kHz mono s16: 0.5 s quiet, 1.5 s of a loud tone, then quiet.
    let mut raw = Vec::new();
    for i in 0..(16_000 * 4) {
        let loud = (8_000..32_000).contains(&i);
        let v = if loud {
            ((i as f32 * 0.12).sin() * 16_000.0) as i16
        } else {
            0
        };
        raw.extend_from_slice(&v.to_le_bytes());
    }
    let raw_path = home.join("speech.raw");
    std::fs::write(&raw_path, raw).unwrap();
    std::fs::write(
        home.join(".asoundrc"),
        format!(
            r#"pcm.!default {{ type asym capture.pcm "fakemic" playback.pcm "fakespeaker" }}
pcm.fakespeaker {{ type plug slave {{ pcm "speakerfile" format S16_LE rate 16000 channels 1 }} }}
pcm.speakerfile {{ type file slave.pcm "null" file "{}" format "raw" }}
pcm.fakemic {{ type plug slave {{ pcm "fakefile" format S16_LE rate 16000 channels 1 }} }}
pcm.fakefile {{ type file slave.pcm "null" file "/dev/null" infile "{}" format "raw" }}
"#,
            home.join("speaker.raw").display(),
            raw_path.display()
        ),
    )
    .unwrap();
    let listed = env
        .cmd()
        .env("HOME", &home)
        .args(["voice", "--list-devices"])
        .output()
        .unwrap();
    let listed = common::ok(&listed);
    assert!(listed.contains(" * default"), "{listed}");
    // doctor sees both devices, and fails for a device the config names that is not there.
    let out = env
        .cmd()
        .env("HOME", &home)
        .args(["doctor"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        report
            .lines()
            .any(|l| l.contains("ok   microphone") && l.contains("Hz")),
        "{report}"
    );
    let config = home.join("config/casecoach");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[voice]\ninput_device = \"no such mic\"\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .args(["doctor"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!out.status.success());
    assert!(
        report.contains("no microphone named \"no such mic\""),
        "{report}"
    );
    std::fs::remove_file(config.join("config.toml")).unwrap();
    let out_dir = env.dir.path().join("out");
    let out = env
        .cmd()
        .env("HOME", &home)
        .args(["voice", "--mic-check", "--audio-out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let report = common::ok(&out);
    let speech: f64 = report
        .split("speech ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|v| v.trim_end_matches('s').parse().ok())
        .unwrap_or_else(|| panic!("no speech figure in {report}"));
    // The file device is not paced: it delivers audio about a hundred times faster than real
    // time, so the ring fills and the callback drops what does not fit (it never blocks the
    // audio thread). Most of the tone must still come through, and nothing invented.
    assert!(
        (0.6..1.8).contains(&speech),
        "heard {speech} s of a 1.5 s tone: {report}"
    );
    let clip = casecoach::voice::audio::read(
        &out_dir.join("mic-check.wav"),
        casecoach::voice::audio::MAX_ANSWER_SECS,
    )
    .unwrap();
    assert!((clip.speech_seconds() - speech).abs() < 0.1);
    // A named device that does not exist says how to find the names.
    let out = env
        .cmd()
        .env("HOME", &home)
        .args(["voice", "--mic-check", "--input-device", "no such thing"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--list-devices"));
    // The speaker path: what it plays lands in the file the device writes.
    let out = env
        .cmd()
        .env("HOME", &home)
        .args(["voice", "--speaker-check", "--tts", "none"])
        .output()
        .unwrap();
    let report = common::ok(&out);
    assert!(report.contains("played 1.0 s of 1.0 s"), "{report}");
    let written = std::fs::read(home.join("speaker.raw")).unwrap();
    let loud = written
        .chunks_exact(2)
        .filter(|b| i16::from_le_bytes([b[0], b[1]]).unsigned_abs() > 1000)
        .count();
    // A tone of amplitude 0.2 for one second at 16 kHz: most samples are well above the floor.
    assert!(loud > 8_000, "{loud} loud samples of {}", written.len() / 2);
}

#[test]
fn voice_settings_come_from_the_config_file_and_bad_ones_say_where() {
    let env = common::Env::new();
    let dir = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    // A flag wins over the file: the file's bad value is never used.
    std::fs::write(&config, "[voice]\nauto_stop = 50\n").unwrap();
    let a = wav(env.dir.path(), "a.wav", 1.0, true);
    let run = |extra: &[&str]| {
        env.cmd()
            .args([
                "voice",
                "--stt-url",
                "http://127.0.0.1:9/v1",
                "--tts",
                "none",
                "--audio-in",
            ])
            .arg(&a)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("auto-stop 50 (--auto-stop or [voice] auto_stop)"),
        "{err}"
    );
    let out = run(&["--auto-stop", "1.2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("auto-stop 50"), "{err}");
    // A misspelt choice is reported at its line and column.
    std::fs::write(&config, "[voice]\n\nptt = \"sideways\"\n").unwrap();
    let out = run(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("config.toml:3:7") && err.contains("sideways"),
        "{err}"
    );
}

/// A model endpoint that streams one line, whatever it is asked.
fn model_saying(line: &'static str) -> String {
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |_b: Bytes| async move {
            let chunk =
                serde_json::json!({"choices":[{"delta":{"content":line},"finish_reason":"stop"}]});
            (
                [("content-type", "text/event-stream")],
                format!("data: {chunk}\n\ndata: [DONE]\n\n"),
            )
        }),
    );
    format!("http://{}/v1", common::serve(app))
}

#[test]
fn voice_takes_the_model_and_the_judge_from_its_flags_as_chat_does() {
    let (stt, fake) = serve("/v1/audio/transcriptions");
    *fake.reply.lock().unwrap() = (200, r#"{"text":"What is the business goal here?"}"#.into());
    let llm = model_saying("Noted. Who will use the scores day to day?");
    let env = common::Env::new();
    let a = wav(env.dir.path(), "a.wav", 1.5, true);
    let out = env
        .cmd()
        .args([
            "voice",
            "fraud",
            "--tts",
            "none",
            "--stt-url",
            &format!("{stt}/v1"),
        ])
        .args([
            "--llm-url",
            &llm,
            "--model",
            "m",
            "--judge",
            "lexical",
            "--audio-in",
        ])
        .arg(&a)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Noted. Who will use the scores day to day?"),
        "{stdout}"
    );
    let evs = env.last_events();
    let started = evs.iter().find(|e| e["type"] == "started").unwrap();
    assert!(
        started["interviewer"]
            .as_str()
            .unwrap()
            .starts_with("model m at http://127.0.0.1:")
    );
    assert_eq!(started["judge"], "lexical");
    // The model judge needs a model, in voice as in chat.
    let refused = env
        .cmd()
        .args([
            "voice",
            "fraud",
            "--tts",
            "none",
            "--judge",
            "llm",
            "--audio-in",
        ])
        .arg(&a)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("--judge llm and --judge both need a model endpoint"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
