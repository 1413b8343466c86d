//! The model-backed interviewer's speed targets:
//! - casecoach's own work per turn with an instant backend (no HTTP): under 2 ms median;
//! - with a fake HTTP server that takes 300 ms to its first token, that token is shown within
//!   5 ms of its arrival;
//! - prompt size at turns 5, 20 and 40 of the fraud interview (printed; a test bounds the growth);
//! - a 1 MB reply streamed a word at a time, with thinking blocks, through the visible-text
//!   filter: linear in its length, under 1 s.
//!
//! Run: `cargo bench --bench llm`

use casecoach::chat::Chat;
use casecoach::framework::Stage;
use casecoach::interview::Action;
use casecoach::interviewer::Scripted;
use casecoach::interviewer::{LlmInterviewer, TurnRequest};
use casecoach::llm::{
    Backend, Completion, Flow, LlmConfig, LlmError, LlmSection, Message, OpenAiCompatible, Usage,
};
use casecoach::session::Log;
mod common;
#[path = "../tests/common/mod.rs"]
mod testing;

use common::interview_of;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A backend that answers at once: what is left is casecoach's own work.
struct Instant0;

impl Backend for Instant0 {
    fn stream(
        &mut self,
        _: &[Message],
        on_text: &mut dyn FnMut(&str) -> Flow,
    ) -> Result<Completion, LlmError> {
        for piece in ["Okay. ", "What would you ", "do about the label ", "delay?"] {
            on_text(piece);
        }
        Ok(Completion {
            text: "Okay. What would you do about the label delay?".into(),
            usage: Some(Usage {
                prompt_tokens: 500,
                completion_tokens: 12,
            }),
            ..Completion::default()
        })
    }
    fn complete(&mut self, _: &[Message], _: Option<Value>) -> Result<Completion, LlmError> {
        Ok(Completion {
            text: r#"{"claims":[{"checkpoint":"data.drift","quote":"fraud patterns drift"}]}"#
                .into(),
            ..Completion::default()
        })
    }
}

fn config(url: &str) -> LlmConfig {
    LlmConfig::resolve(Some(url), Some("m"), &LlmSection::default())
        .unwrap()
        .unwrap()
}

fn own_work(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let base = interview_of(60);
    let mut n = 0u64;
    c.bench_function("model turn with an instant backend (line + log; the judge asked on its thread)", |b| {
        b.iter_batched(
            || {
                n += 1;
                let log = Log::create(&dir.path().join((n / 50).to_string()), "bench").unwrap();
                let interviewer = LlmInterviewer::new(Instant0, Scripted::new(None).unwrap(), config("http://127.0.0.1:9/v1"), None).unwrap();
                Chat::from_parts(base.clone(), log, Box::new(interviewer), Box::new(std::io::sink()), false)
                    .with_judge(Box::new(Instant0), std::time::Duration::from_secs(20))
            },
            |mut chat| {
                chat.candidate("Fraud patterns drift as fraudsters adapt, so I'd look at false positives by merchant category.").unwrap();
                chat
            },
            BatchSize::SmallInput,
        )
    });
}

/// A fake server whose first token comes after 300 ms; it notes when it sent it.
fn slow_server(sent: Arc<Mutex<Option<Instant>>>) -> String {
    use axum::body::Body;
    use axum::http::Response;
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move || {
            let sent = sent.clone();
            async move {
                let body = futures::stream::unfold(0, move |i| {
                    let sent = sent.clone();
                    async move {
                        let chunk = match i {
                            0 => {
                                tokio::time::sleep(Duration::from_millis(300)).await;
                                *sent.lock().unwrap() = Some(Instant::now());
                                json!({"choices":[{"delta":{"content":"First"}}]})
                            }
                            1 => json!({"choices":[{"delta":{"content":" words."},"finish_reason":"stop"}]}),
                            _ => return None,
                        };
                        Some((Ok::<_, std::io::Error>(format!("data: {chunk}\n\n")), i + 1))
                    }
                });
                Response::builder().header("content-type", "text/event-stream").body(Body::from_stream(body)).unwrap()
            }
        }),
    );
    format!("http://{}/v1", testing::serve(app))
}

fn first_token(_: &mut Criterion) {
    let sent = Arc::new(Mutex::new(None));
    let url = slow_server(sent.clone());
    let iv = interview_of(10);
    let backend = OpenAiCompatible::new(config(&url)).unwrap();
    let mut voice =
        LlmInterviewer::new(backend, Scripted::new(None).unwrap(), config(&url), None).unwrap();
    let mut lags: Vec<Duration> = (0..20)
        .map(|_| {
            let mut shown_at = None;
            let actions = [Action::Probe {
                stage: Stage::Evaluation,
                index: 0,
                curveball: false,
                press: false,
                quote: None,
            }];
            let req = casecoach::interviewer::TurnRequest {
                interview: &iv,
                actions: &actions,
                candidate: None,
            };
            use casecoach::interviewer::Interviewer;
            voice
                .turn(&req, &mut |t: &str| {
                    if shown_at.is_none() && !t.is_empty() {
                        shown_at = Some(Instant::now());
                    }
                })
                .unwrap();
            shown_at.unwrap() - sent.lock().unwrap().take().unwrap()
        })
        .collect();
    lags.sort();
    println!(
        "first token: shown {:?} after the server sent it (median of 20; max {:?})",
        lags[10], lags[19]
    );
}

fn prompt_sizes(_: &mut Criterion) {
    for turns in [5, 20, 40] {
        // One interviewer an interview: it keeps each answer's notes by turn.
        let mut interviewer = LlmInterviewer::new(
            Instant0,
            Scripted::new(None).unwrap(),
            config("http://127.0.0.1:9/v1"),
            None,
        )
        .unwrap();
        let iv = interview_of(turns);
        // A follow-up on the candidate's last answer, quoted: the move and the line in the notes.
        let actions = [Action::Probe {
            stage: Stage::Evaluation,
            index: 0,
            curveball: false,
            press: false,
            quote: Some("look at false positives by merchant category".into()),
        }];
        let candidate = iv.turns.last().map(|t| t.text.clone());
        let req = TurnRequest {
            interview: &iv,
            actions: &actions,
            candidate: candidate.as_deref(),
        };
        let msgs = interviewer.request(&req).unwrap();
        let chars: usize = msgs.iter().map(|m| m.content.len()).sum();
        println!(
            "prompt at turn {turns}: {} messages, {chars} characters, about {} tokens",
            msgs.len(),
            chars / 4
        );
    }
}

/// One word a piece, as a server streams: the filter must not look at the whole reply again for
/// each piece (it did: 1 MB took minutes).
/// The visible-text filter on a long streamed reply, at two sizes ten times apart: linear work
/// takes ten times as long on the larger one (issue 12: 1 MB under a second).
fn long_reply(c: &mut Criterion) {
    let mut g = c.benchmark_group("visible text");
    g.sample_size(10);
    for pieces in [26_000, 260_000] {
        let words: Vec<String> = (0..pieces)
            .map(|i| match i % 5000 {
                0 => "<think>".to_string(),
                70 => "</think> ".to_string(),
                _ => format!("w{} ", i % 97),
            })
            .collect();
        let bytes: usize = words.iter().map(String::len).sum();
        g.bench_function(
            format!("a {} KB reply in {} pieces", bytes / 1024, words.len()),
            |b| {
                b.iter(|| {
                    let mut v = casecoach::interviewer::Visible::new(usize::MAX);
                    let shown: usize = words.iter().map(|w| v.push(w).len()).sum();
                    assert!(shown > bytes / 2);
                    shown
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, own_work, first_token, prompt_sizes, long_reply);
criterion_main!(benches);
