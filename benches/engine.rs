//! The speed targets of the engine-and-chat issue:
//! - one turn of engine work (log append, coverage, director, line rendering) on a 60-turn
//!   session: under 1 ms median;
//! - `assess` of a 60-turn transcript: under 20 ms;
//! - start to the first interviewer line: under 50 ms (in process, and for the real binary).
//!
//!
//! And of the authoring issue:
//! - a whole simulated 60-minute interview offline: under 100 ms;
//! - dry-run of all built-in scenarios: under 1 s;
//! - the HTML report: under 50 ms.
//!
//! And of the hardening issue:
//! - a second writer of a live session refused, and a 2-hour WAV refused from its header: both
//!   at once (well under a millisecond), whatever the file's size.
//!
//! And of the interview-types issue:
//! - a coding task's hidden suite graded in the sandbox (python3 started, every case run).
//!
//! Run: `cargo bench --bench engine` (one group: `cargo bench --bench engine -- simulated`)

use casecoach::chat::Chat;
use casecoach::chat::Settings;
use casecoach::debrief::{self, render};
use casecoach::interview::Mode;
use casecoach::interviewer::Scripted;
use casecoach::scenario;
use casecoach::session::Log;
use casecoach::sim;
use casecoach::transcript;
mod common;

use common::{answers, interview_of};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn one_turn(c: &mut Criterion) {
    let _answers = answers();
    let dir = tempfile::tempdir().unwrap();
    let base = interview_of(60);
    let turn = "For error analysis I'd look at false positives by merchant category and country, and check whether new cards are over-flagged.";
    let mut n = 0u64;
    c.bench_function(
        "one turn on a 60-turn session (log + coverage + director + line)",
        |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let log = Log::create(&dir.path().join((n / 50).to_string()), "bench").unwrap();
                    let interviewer = Box::new(Scripted::new(None).unwrap());
                    Chat::from_parts(
                        base.clone(),
                        log,
                        interviewer,
                        Box::new(std::io::sink()),
                        false,
                    )
                },
                |mut chat| {
                    chat.candidate(turn).unwrap();
                    chat
                },
                BatchSize::SmallInput,
            )
        },
    );
}

fn assess(c: &mut Criterion) {
    let answers = answers();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    let mut text = String::new();
    for i in 0..30 {
        text += "Interviewer: Tell me more about that part of the design.\n";
        text += &format!("Candidate: {}\n", answers[i % answers.len()]);
    }
    std::fs::write(&path, text).unwrap();
    let sc = Arc::new(scenario::load("fraud").unwrap());
    c.bench_function(
        "assess a 60-turn plain transcript (read, score, render)",
        |b| {
            b.iter(|| {
                let (iv, basis) = transcript::load(
                    &path,
                    sc.clone(),
                    transcript::Judges::reader(Arc::new(casecoach::reader::Lexical)),
                )
                .unwrap();
                let report = debrief::report(&iv, basis);
                render::render(&report, render::Format::Json)
            })
        },
    );
}

fn first_line(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        sessions_dir: dir.path().to_path_buf(),
        prompts_dir: None,
        scenario: "fraud".into(),
        minutes: None,
        mode: Mode::Interview,
        focus: None,
        llm: None,
        judge: casecoach::interview::JudgeMode::Lexical,
        reading: casecoach::reader::ReaderSettings {
            choice: casecoach::reader::Choice::Lexical,
            offline: true,
        },
    };
    let mut n = 0u64;
    c.bench_function("start to first interviewer line, in process", |b| {
        b.iter(|| {
            n += 1;
            let settings = Settings {
                sessions_dir: settings.sessions_dir.join((n / 50).to_string()),
                ..settings.clone()
            };
            let mut chat = Chat::start_with(&settings, Box::new(std::io::sink()), false).unwrap();
            chat.open().unwrap();
            chat
        })
    });
}

/// The whole binary: spawn, load, log, and print the first line. Not a criterion measurement
/// (process start-up dominates); reported as the median of 30 runs.
fn binary_first_line(_: &mut Criterion) {
    let bin = env!("CARGO_BIN_EXE_casecoach");
    let dir = tempfile::tempdir().unwrap();
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            let mut child = Command::new(bin)
                .args(["chat", "fraud"])
                .env("CASECOACH_DATA_DIR", dir.path())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let t = start.elapsed();
            assert!(line.starts_with("Interviewer:"), "{line}");
            child.kill().ok();
            child.wait().ok();
            t
        })
        .collect();
    times.sort();
    println!(
        "binary: start to first interviewer line: median {:?}, max {:?} (30 runs)",
        times[15], times[29]
    );
}

fn simulated(c: &mut Criterion) {
    let sc = Arc::new(scenario::load("fraud").unwrap());
    c.bench_function("simulated 60-minute interview, strong candidate", |b| {
        b.iter(|| {
            sim::run(
                sc.clone(),
                sim::Persona::Strong,
                Mode::Interview,
                Some(60),
                None,
                None,
                std::sync::Arc::new(casecoach::reader::Lexical),
            )
            .unwrap()
        })
    });
    c.bench_function("simulated 60-minute interview, weak candidate", |b| {
        b.iter(|| {
            sim::run(
                sc.clone(),
                sim::Persona::Weak,
                Mode::Interview,
                Some(60),
                None,
                None,
                std::sync::Arc::new(casecoach::reader::Lexical),
            )
            .unwrap()
        })
    });
    let all: Vec<_> = scenario::BUILTIN
        .iter()
        .map(|(id, _)| Arc::new(scenario::load(id).unwrap()))
        .collect();
    let mut group = c.benchmark_group("slow");
    group.sample_size(20);
    group.bench_function("dry-run of all built-in scenarios", |b| {
        b.iter(|| {
            all.iter()
                .map(|s| sim::dry_run(s.clone()).unwrap())
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

fn html_report(c: &mut Criterion) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fraud-strong-session.jsonl");
    c.bench_function(
        "HTML report of a session (read, replay, score, render)",
        |b| {
            b.iter(|| {
                let iv = casecoach::session::load(&path, None).unwrap();
                render::render(
                    &debrief::report(&iv, debrief::Basis::Session),
                    render::Format::Html,
                )
            })
        },
    );
}

/// The refusals a user meets when something is wrong cost nothing to wait for.
fn refusals(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let held = Log::create(dir.path(), "fraud").unwrap();
    c.bench_function("a second writer of a live session refused", |b| {
        b.iter(|| assert!(casecoach::session::Lock::take(&held.path).is_err()))
    });
    // A real 2-hour header over a short body: what a cut or made-up file looks like.
    let wav = dir.path().join("two-hours.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for _ in 0..16_000 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    let mut bytes = std::fs::read(&wav).unwrap();
    let at = bytes.windows(4).position(|x| x == b"data").unwrap() + 4;
    bytes[at..at + 4].copy_from_slice(&(2u32 * 3600 * 16_000 * 2).to_le_bytes());
    std::fs::write(&wav, bytes).unwrap();
    c.bench_function("a 2-hour WAV refused", |b| {
        b.iter(|| {
            let e = casecoach::voice::audio::read(&wav, casecoach::voice::audio::MAX_ANSWER_SECS);
            assert!(e.is_err());
        })
    });
}

fn coding(c: &mut Criterion) {
    let tasks = casecoach::coding::Task::builtin().unwrap();
    let limits = casecoach::runner::Limits::default();
    let mut g = c.benchmark_group("coding");
    g.sample_size(20);
    for task in &tasks {
        g.bench_function(format!("hidden suite of {}, graded", task.id), |b| {
            b.iter(|| {
                let grade = casecoach::coding::grade(
                    task,
                    &task.reference,
                    casecoach::coding::Suite::Hidden,
                    &limits,
                )
                .unwrap();
                assert!(grade.all_passed());
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    refusals,
    coding,
    one_turn,
    assess,
    first_line,
    simulated,
    html_report,
    binary_first_line
);
criterion_main!(benches);
