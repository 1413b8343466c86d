//! The model-backed interviewer against a fake OpenAI-compatible server on 127.0.0.1 that plays
//! back responses shaped like llama.cpp's, Ollama's and vLLM's. No test talks to anything else.

mod common;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::post;
use casecoach::llm::{Backend, Flow, LlmConfig, LlmError, LlmSection, Message, OpenAiCompatible};
use casecoach::session::Session;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One canned reply.
#[derive(Clone)]
enum Reply {
    Sse(Vec<String>),
    Status {
        status: u16,
        body: String,
        retry_after: Option<u64>,
    },
    Hang(Duration),
    /// SSE events sent one at a time with a pause before each.
    Slow(Vec<String>, Duration),
}

#[derive(Default)]
struct Fake {
    replies: Mutex<VecDeque<Reply>>,
    /// When the queue is empty, this is played again and again.
    fallback: Mutex<Option<Reply>>,
    requests: Mutex<Vec<(HeaderMap, Value)>>,
    /// Prompts read ahead (`max_tokens: 1`), kept apart from the lines and the judge's requests.
    reads: Mutex<Vec<Value>>,
    /// What the judge (a request with `stream: false`) answers.
    judge_reply: Mutex<Option<String>>,
    /// How long the judge takes to answer.
    judge_delay: Mutex<Option<Duration>>,
    /// When each request arrived, and whether it was a stream (a line) or not (the judge).
    arrivals: Mutex<Vec<(bool, Instant)>>,
    /// When each judge request began and ended (a request whose client hung up ends then).
    judge_spans: Mutex<Vec<(Instant, Instant)>>,
    /// Events of slow streams handed to the connection so far: they stop when the client hangs up.
    slow_sent: std::sync::atomic::AtomicUsize,
}

/// A judge request being answered, recorded when its handler ends.
struct Judging(Arc<Fake>, Instant);

impl Drop for Judging {
    fn drop(&mut self) {
        self.0
            .judge_spans
            .lock()
            .unwrap()
            .push((self.1, Instant::now()));
    }
}

struct Server {
    url: String,
    state: Arc<Fake>,
}

async fn handle(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: String) -> Response<Body> {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    if body["max_tokens"] == 1 {
        fake.reads.lock().unwrap().push(body);
        // No usage, as some servers send none: the tests' token totals stay the lines' and the
        // judge's.
        let reply = json!({"choices":[{"index":0,"message":{"role":"assistant","content":"Okay"},"finish_reason":"length"}]});
        return Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(reply.to_string()))
            .unwrap();
    }
    fake.requests.lock().unwrap().push((headers, body.clone()));
    fake.arrivals
        .lock()
        .unwrap()
        .push((body["stream"] == true, Instant::now()));
    if body["stream"] == false {
        let _judging = Judging(fake.clone(), Instant::now());
        let delay = *fake.judge_delay.lock().unwrap();
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        let content = fake
            .judge_reply
            .lock()
            .unwrap()
            .clone()
            .unwrap_or_else(|| r#"{"claims": []}"#.into());
        let reply = json!({"choices":[{"index":0,"message":{"role":"assistant","content":content},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":10}});
        return Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(reply.to_string()))
            .unwrap();
    }
    let next = fake.replies.lock().unwrap().pop_front();
    let reply = next
        .or_else(|| fake.fallback.lock().unwrap().clone())
        .expect("the test queued too few replies");
    match reply {
        Reply::Sse(events) => {
            let text: String = events.concat();
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from(text))
                .unwrap()
        }
        Reply::Status {
            status,
            body,
            retry_after,
        } => {
            let mut r = Response::builder()
                .status(StatusCode::from_u16(status).unwrap())
                .header("content-type", "application/json");
            if let Some(s) = retry_after {
                r = r.header("retry-after", s.to_string());
            }
            r.body(Body::from(body)).unwrap()
        }
        Reply::Slow(events, pause) => {
            let sent = fake.clone();
            let body = futures::stream::unfold(events.into_iter(), move |mut it| {
                let sent = sent.clone();
                async move {
                    let next = it.next()?;
                    tokio::time::sleep(pause).await;
                    sent.slow_sent
                        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Some((Ok::<_, std::io::Error>(next), it))
                }
            });
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(body))
                .unwrap()
        }
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            Response::builder().body(Body::from("late")).unwrap()
        }
    }
}

fn serve() -> Server {
    let state = Arc::new(Fake::default());
    let app = axum::Router::new()
        .route("/v1/chat/completions", post(handle))
        .route(
            "/v1/models",
            axum::routing::get(|| async {
                axum::Json(
                    json!({"object": "list", "data": [{"id": "fake-model", "object": "model"}]}),
                )
            }),
        )
        .with_state(state.clone());
    Server {
        url: format!("http://{}/v1", common::serve(app)),
        state,
    }
}

impl Server {
    fn queue(&self, r: Reply) -> &Self {
        self.state.replies.lock().unwrap().push_back(r);
        self
    }
    fn always(&self, r: Reply) {
        *self.state.fallback.lock().unwrap() = Some(r);
    }
    fn requests(&self) -> Vec<(HeaderMap, Value)> {
        self.state.requests.lock().unwrap().clone()
    }
}

fn data(v: Value) -> String {
    format!("data: {v}\n\n")
}

/// A llama.cpp-style stream: a first chunk with `content: null`, thinking text, the words, a
/// finish reason with usage, and `[DONE]`.
fn stream_of(words: &[&str]) -> Reply {
    let mut ev = vec![
        data(json!({"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]})),
        data(
            json!({"choices":[{"index":0,"delta":{"reasoning_content":"I should ask about latency."}}]}),
        ),
    ];
    for w in words {
        ev.push(data(json!({"choices":[{"index":0,"delta":{"content":w}}]})));
    }
    ev.push(data(json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":321,"completion_tokens":12}})));
    ev.push("data: [DONE]\n\n".into());
    Reply::Sse(ev)
}

fn config(url: &str, key_env: &str, retries: u32) -> LlmConfig {
    let section = LlmSection {
        api_key_env: Some(key_env.into()),
        max_retries: Some(retries),
        read_timeout_secs: Some(1.0),
        connect_timeout_secs: Some(1.0),
        ..LlmSection::default()
    };
    LlmConfig::resolve(Some(url), Some("fake-model"), &section)
        .unwrap()
        .unwrap()
}

fn ask(backend: &mut OpenAiCompatible) -> Result<(String, casecoach::llm::Completion), LlmError> {
    let mut seen = String::new();
    let msgs = [Message {
        role: "user",
        content: "hello".into(),
    }];
    let done = backend.stream(&msgs, &mut |t| {
        seen.push_str(t);
        Flow::Continue
    })?;
    Ok((seen, done))
}

#[test]
fn a_stream_is_read_with_thinking_hidden_and_usage_kept() {
    let server = serve();
    server.queue(stream_of(&["What is ", "the latency ", "budget?"]));
    // SAFETY of env: a variable name no other test uses.
    unsafe { std::env::set_var("CASECOACH_TEST_KEY_A", "sk-test-123") };
    let mut b = OpenAiCompatible::new(config(&server.url, "CASECOACH_TEST_KEY_A", 0)).unwrap();
    let (seen, done) = ask(&mut b).unwrap();
    assert_eq!(seen, "What is the latency budget?");
    assert_eq!(
        done.usage.map(|u| (u.prompt_tokens, u.completion_tokens)),
        Some((321, 12))
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let (headers, body) = &reqs[0];
    assert_eq!(body["stream"], true, "stream must be set explicitly");
    assert_eq!(body["model"], "fake-model");
    assert_eq!(headers["authorization"], "Bearer sk-test-123");
}

/// A server that ignores max_tokens and streams without end: the line is taken as finished
/// once it is longer than max_tokens could make it, and only that much is read.
#[test]
fn a_server_that_never_stops_streaming_is_read_only_as_far_as_max_tokens_allows() {
    let server = serve();
    let mut ev = vec![data(
        json!({"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}),
    )];
    ev.extend(
        (0..50_000).map(|_| data(json!({"choices":[{"index":0,"delta":{"content":"word "}}]}))),
    );
    server.queue(Reply::Sse(ev));
    let config = config(&server.url, "NO_SUCH_KEY_VAR", 0);
    // As the client bounds it: three tokens a word of the budget, and some room.
    let max_tokens = config.word_budget * 3 + 64;
    let mut b = OpenAiCompatible::new(config).unwrap();
    let started = Instant::now();
    let (seen, _) = ask(&mut b).unwrap();
    let words = seen.split_whitespace().count();
    assert!(
        words <= 2 * max_tokens + 1 && words >= max_tokens,
        "{words} words read for max_tokens {max_tokens}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_stream_closed_at_enough_stops_the_server_generating() {
    // The server notices a hung-up client only when the connection is really closed: if the
    // client's runtime sat idle after the line, the server would generate on to max_tokens,
    // taking the CPU the next transcription and line need.
    let server = serve();
    let events: Vec<String> = (0..400)
        .map(|i| data(json!({"choices":[{"index":0,"delta":{"content":format!("w{i} ")}}]})))
        .collect();
    server.always(Reply::Slow(events, Duration::from_millis(5)));
    let mut backend = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY", 0)).unwrap();
    let msgs = [Message {
        role: "user",
        content: "hello".into(),
    }];
    let mut pieces = 0;
    let done = backend
        .stream(&msgs, &mut |_| {
            pieces += 1;
            match pieces {
                3 => Flow::Enough,
                _ => Flow::Continue,
            }
        })
        .unwrap();
    assert!(done.cut, "{done:?}");
    let at_return = server
        .state
        .slow_sent
        .load(std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(400));
    let later = server
        .state
        .slow_sent
        .load(std::sync::atomic::Ordering::SeqCst);
    // At 5 ms an event, a connection left open would take about 80 more in 400 ms.
    assert!(
        later < at_return + 15,
        "the server went on sending: {at_return} events when the line was enough, {later} after 400 ms"
    );
}

#[test]
fn a_missing_done_is_fine_when_the_model_finished() {
    let server = serve();
    let Reply::Sse(mut ev) = stream_of(&["Fine."]) else {
        unreachable!()
    };
    ev.pop();
    server.queue(Reply::Sse(ev));
    let mut b = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY_VAR", 0)).unwrap();
    assert_eq!(ask(&mut b).unwrap().0, "Fine.");
}

#[test]
fn error_bodies_of_each_server_are_classified() {
    let server = serve();
    server
        .queue(Reply::Status { status: 400, body: r#"{"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}"#.into(), retry_after: None })
        .queue(Reply::Status { status: 404, body: r#"{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404}"#.into(), retry_after: None })
        .queue(Reply::Status { status: 404, body: r#"{"error":"model \"llama9\" not found, try pulling it first"}"#.into(), retry_after: None });
    let mut b = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY_VAR", 3)).unwrap();
    let e1 = ask(&mut b).unwrap_err();
    assert_eq!(
        e1,
        LlmError::Http {
            status: 400,
            message: "the request exceeds the available context size".into(),
            retry_after: None
        }
    );
    let e2 = ask(&mut b).unwrap_err();
    assert!(
        matches!(&e2, LlmError::Http { status: 404, message, .. } if message == "The model `x` does not exist."),
        "{e2:?}"
    );
    assert!(e2.hint().contains("model name"));
    let e3 = ask(&mut b).unwrap_err();
    assert!(e3.to_string().contains("llama9"), "{e3}");
    // Client errors are not retried.
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn rate_limits_are_retried_after_the_time_the_server_asks() {
    let server = serve();
    server
        .queue(Reply::Status {
            status: 429,
            body: r#"{"error":{"message":"slow down","type":"rate_limit_error"}}"#.into(),
            retry_after: Some(1),
        })
        .queue(stream_of(&["Okay."]));
    let mut b = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY_VAR", 2)).unwrap();
    let t = Instant::now();
    assert_eq!(ask(&mut b).unwrap().0, "Okay.");
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_loading_server_is_retried_a_bounded_number_of_times() {
    let server = serve();
    server.always(Reply::Status {
        status: 503,
        body: r#"{"error":{"message":"Loading model","type":"unavailable_error","code":503}}"#
            .into(),
        retry_after: None,
    });
    let mut b = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY_VAR", 2)).unwrap();
    let e = ask(&mut b).unwrap_err();
    assert!(
        matches!(&e, LlmError::Http { status: 503, message, .. } if message == "Loading model"),
        "{e:?}"
    );
    assert!(e.hint().contains("loading"));
    assert_eq!(server.requests().len(), 3, "one try and two retries");
}

#[test]
fn errors_inside_a_stream_and_cut_streams_fail_the_turn() {
    let server = serve();
    server.queue(Reply::Sse(vec![
        data(json!({"choices":[{"delta":{"content":"Let me"}}]})),
        data(json!({"error":{"message":"out of memory","type":"server_error","code":500}})),
    ]));
    server.queue(Reply::Sse(vec![
        data(json!({"choices":[{"delta":{"content":"Half a sen"}}]})),
        "data: {\"choi".into(),
    ]));
    let mut b = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY_VAR", 0)).unwrap();
    assert_eq!(
        ask(&mut b).unwrap_err(),
        LlmError::Stream("out of memory".into())
    );
    let e = ask(&mut b).unwrap_err();
    assert!(matches!(e, LlmError::Stream(_)), "{e:?}");
}

#[test]
fn a_hung_or_missing_server_times_out_with_a_useful_message() {
    let server = serve();
    server.queue(Reply::Hang(Duration::from_secs(5)));
    let mut b = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY_VAR", 0)).unwrap();
    let t = Instant::now();
    let e = ask(&mut b).unwrap_err();
    assert!(
        t.elapsed() < Duration::from_secs(4),
        "the read timeout did not fire"
    );
    assert!(
        e.to_string().contains("timed out") || e.to_string().contains("broke"),
        "{e}"
    );

    // Nothing listens on this port.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let mut b = OpenAiCompatible::new(config(
        &format!("http://127.0.0.1:{port}/v1"),
        "NO_SUCH_KEY_VAR",
        0,
    ))
    .unwrap();
    let e = ask(&mut b).unwrap_err();
    assert!(matches!(e, LlmError::Unreachable { .. }), "{e:?}");
    assert!(e.to_string().contains("is the server running"), "{e}");
}

#[test]
fn chat_with_a_model_streams_its_words_logs_tokens_and_never_logs_the_key() {
    let server = serve();
    server.always(stream_of(&[
        "Good. ",
        "What would you ",
        "want to know first?",
    ]));
    let env = common::Env::new();
    let out = env
        .cmd()
        .args(["chat", "fraud", "--llm-url", &server.url, "--model", "fake-model"])
        .env("OPENAI_API_KEY", "sk-secret-abc")
        // async-openai would read this on its own; casecoach must not. A dead local port: if it
        // were used, every model turn would fail and fall back.
        .env("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
        .write_stdin("What is the business goal?\nI'd frame it as binary classification with a fraud probability output.\n/end\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("interviewer: model fake-model at http://127.0.0.1:"),
        "{stderr}"
    );
    // The problem is read as written; later lines are the model's.
    assert!(stdout.contains("Interviewer: Hi, I'm Maya."), "{stdout}");
    assert!(
        stdout.contains("Interviewer: Good. What would you want to know first?"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("I should ask about latency"),
        "thinking text was shown"
    );
    assert!(
        // Two interviewer lines (321 + 12 each) and two judge calls (100 + 10 each).
        stderr.contains("Model tokens this session: 842 prompt, 44 completion."),
        "{stderr}"
    );
    let log = std::fs::read_to_string(env.sessions().pop().unwrap()).unwrap();
    assert!(
        !log.contains("sk-secret-abc")
            && !stdout.contains("sk-secret-abc")
            && !stderr.contains("sk-secret-abc")
    );
    let evs = env.last_events();
    assert_eq!(evs.iter().filter(|e| e["type"] == "usage").count(), 4);
    // The director still decides: the fact was told by the model's turn, and the debrief exists.
    assert!(
        evs.iter()
            .any(|e| e["type"] == "action" && e["action"]["kind"] == "answer-fact")
    );
    assert!(evs.iter().any(|e| e["type"] == "debrief"));
    // Each request carried the hidden fact as the intent and a bounded history, never model answers.
    let reqs: Vec<(HeaderMap, Value)> = server
        .requests()
        .into_iter()
        .filter(|r| r.1["stream"] == true)
        .collect();
    let messages = reqs[0].1["messages"].as_array().unwrap();
    let system = messages[0]["content"].as_str().unwrap();
    // The system prompt is what stays the same all interview (a caching server reuses it); the
    // turn's notes, with the fact to convey, follow the candidate's newest words.
    assert!(!system.contains("cut fraud losses"), "{system}");
    let last = messages.last().unwrap()["content"].as_str().unwrap();
    assert!(last.starts_with("What is the business goal?\n\n"), "{last}");
    assert!(
        last.contains("The move to make: Give them the fact below")
            && last.contains("What to say next: The goal is to cut fraud losses"),
        "the fact to convey is in the notes: {last}"
    );
    let all = serde_json::to_string(messages).unwrap();
    assert!(
        !all.contains("net loss reduction, not fraud caught at any price"),
        "a model answer reached the model"
    );
}

#[test]
fn a_failing_model_falls_back_to_the_scripted_line_and_the_interview_goes_on() {
    let server = serve();
    server.always(Reply::Status {
        status: 500,
        body: "Internal Server Error".into(),
        retry_after: None,
    });
    let env = common::Env::new();
    let out = env
        .cmd()
        .args([
            "chat",
            "fraud",
            "--llm-url",
            &server.url,
            "--model",
            "fake-model",
        ])
        .write_stdin("What is the latency budget?\n/end\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout
            .contains("Interviewer: The authorisation path gives the fraud check 100 milliseconds"),
        "{stdout}"
    );
    assert!(
        stderr.contains("model unavailable: the model endpoint answered HTTP 500"),
        "{stderr}"
    );
    assert!(stdout.contains("DEBRIEF"));
    let evs = env.last_events();
    assert!(evs.iter().any(|e| e["type"] == "turn"
        && e["role"] == "candidate"
        && e["text"] == "What is the latency budget?"));
}

#[test]
fn a_word_budget_cuts_a_long_line_in_code() {
    let server = serve();
    let long: Vec<String> = (0..24)
        .flat_map(|i| {
            [
                "Sentence ".to_string(),
                format!("{} ", tag(i)),
                "has five words. ".into(),
            ]
        })
        .collect();
    let refs: Vec<&str> = long.iter().map(String::as_str).collect();
    server.always(stream_of(&refs));
    let env = common::Env::new();
    let conf = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[llm]\nword_budget = 20\nmax_retries = 0\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["chat", "fraud", "--llm-url", &server.url, "--model", "m"])
        .write_stdin("What is the business goal?\n/end\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout.lines().find(|l| l.contains(&tag(0))).unwrap();
    // Twenty words are four whole sentences: the model's part ends where the fourth does, and
    // the business goal it never told follows in the scenario's words.
    assert!(
        line.contains(&format!(
            "Sentence {} has five words. The goal is to cut fraud losses",
            tag(3)
        )),
        "{line}"
    );
    assert!(!line.contains(&tag(4)), "{line}");
    // The stream was closed at the budget, not read to its end: the tokens are counted
    // from what arrived (the server's own count, 12, comes only at the end).
    // The line's usage is the one with a first token (the judge's has none).
    let usage = env
        .last_events()
        .into_iter()
        .find(|e| e["type"] == "usage" && e["first_token_ms"].is_number())
        .unwrap();
    // Twelve pieces made the four sentences; the thirteenth passed the budget and closed it.
    assert_eq!(usage["completion_tokens"], 13, "{usage}");
}

/// A word with no digits in it, different for each `i`: a marker the guard reads as no number.
fn tag(i: usize) -> String {
    let letter = |k: usize| char::from(b'a' + (k % 26) as u8);
    format!("Mark{}{}", letter(i / 26), letter(i))
}

/// A fraud chat with the model judging one answer; the judge's request.
fn judged_chat(server: &Server, env: &common::Env, answer: &str, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .args(["chat", "fraud", "--llm-url", &server.url, "--model", "m"])
        .args(args)
        .write_stdin(format!("{answer}\n/end\n"))
        .output()
        .unwrap();
    common::ok(&out);
    server
        .requests()
        .into_iter()
        .find(|r| r.1["stream"] == false)
        .unwrap()
        .1
}

#[test]
fn the_model_judge_is_kept_to_the_candidates_own_words() {
    let server = serve();
    server.always(stream_of(&["Go on."]));
    *server.state.judge_reply.lock().unwrap() = Some(
        json!({"claims": [
            {"checkpoint": "data.drift", "quote": "fraudsters change tactics every few weeks"},
            {"checkpoint": "deployment.monitoring", "quote": "we monitor PSI on every feature"},
        ]})
        .to_string(),
    );
    let env = common::Env::new();
    let answer =
        "One worry: fraudsters change tactics every few weeks, so old patterns stop working.";
    let judged = judged_chat(&server, &env, answer, &[]);
    // The judge was asked for structured output, bounded by a schema of checkpoint ids.
    assert_eq!(judged["response_format"]["type"], "json_schema");
    let ids = &judged["response_format"]["json_schema"]["schema"]["properties"]["claims"]["items"]
        ["properties"]["checkpoint"]["enum"];
    assert!(ids.as_array().unwrap().iter().any(|i| i == "data.drift"));
    assert!(
        judged["messages"][1]["content"] == answer,
        "the answer goes as data, not in the instructions"
    );

    let session = env.sessions().pop().unwrap();
    let report = env.assess_json("fraud", &session);
    let drift = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "data.drift")
        .unwrap();
    assert_eq!(drift["covered"], true);
    let quotes: Vec<&str> = drift["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["quote"].as_str().unwrap())
        .collect();
    assert!(
        quotes.contains(&"fraudsters change tactics every few weeks"),
        "{quotes:?}"
    );
    let monitoring = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "deployment.monitoring")
        .unwrap();
    assert_eq!(
        monitoring["covered"], false,
        "a claim whose quote the candidate never said is dropped"
    );
    assert_eq!(report["overall"]["judge_claims_dropped"], 1);
    // "fraudsters" is also a lexical cue for data.drift in this scenario, so both judges agree.
    assert_eq!(drift["source"], "both");
}

#[test]
fn with_both_judges_the_model_can_take_back_a_credit_the_reader_gave() {
    let server = serve();
    server.always(stream_of(&["Go on."]));
    *server.state.judge_reply.lock().unwrap() =
        Some(json!({"claims": [], "rejected": ["model.baseline"]}).to_string());
    let env = common::Env::new();
    let answer = "Maybe a logistic regression baseline, though I doubt it would help here.";
    let judged = judged_chat(&server, &env, answer, &["--reader", "lexical"]);
    // The model was told which checkpoints the reader credited, and could name only those.
    let schema = &judged["response_format"]["json_schema"]["schema"];
    assert_eq!(
        schema["properties"]["rejected"]["items"]["enum"],
        json!(["model.baseline"])
    );
    assert!(judged["messages"][0]["content"].as_str().unwrap().contains(
        "model.baseline: the candidate starts from a simple baseline [the reader credited"
    ));
    let events = env.last_events();
    let reading = events.iter().find(|e| e["type"] == "reading").unwrap();
    assert_eq!(reading["hits"][0]["checkpoint"], "model.baseline");
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "retracted" && e["checkpoint"] == "model.baseline")
    );
    let session = env.sessions().pop().unwrap();
    let report = env.assess_json("fraud", &session);
    let baseline = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "model.baseline")
        .unwrap();
    assert_eq!(baseline["covered"], false, "{baseline}");
    assert_eq!(report["overall"]["judge_credits_retracted"], 1);
}

#[test]
fn doctor_checks_the_endpoint_and_says_how_to_fix_it() {
    let server = serve();
    server.always(stream_of(&["ready"]));
    *server.state.judge_reply.lock().unwrap() = Some(r#"{"ok": true}"#.into());
    let env = common::Env::new();
    let out = env
        .cmd()
        .args(["doctor", "--llm-url", &server.url, "--model", "fake-model"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    for line in [
        "ok   reachable",
        "ok   model",
        "ok   streaming",
        "ok   structured output",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }

    let missing = env
        .cmd()
        .args(["doctor", "--llm-url", &server.url, "--model", "llama9"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&missing.stdout).to_string();
    assert!(!missing.status.success());
    assert!(
        text.contains("FAIL model") && text.contains("'llama9' is not among: fake-model"),
        "{text}"
    );

    let no_v1 = server.url.trim_end_matches("/v1").to_string();
    let out = env
        .cmd()
        .args(["doctor", "--llm-url", &no_v1, "--model", "fake-model"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("FAIL reachable") && text.contains(&format!("try {no_v1}/v1")),
        "{text}"
    );

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let out = env
        .cmd()
        .args([
            "doctor",
            "--llm-url",
            &format!("http://127.0.0.1:{port}/v1"),
            "--model",
            "m",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("FAIL reachable") && text.contains("fix: start the server"),
        "{text}"
    );

    let none = env.cmd().arg("doctor").output().unwrap();
    assert!(none.status.success());
    assert!(
        String::from_utf8_lossy(&none.stdout)
            .contains("none configured: the scripted interviewer runs offline")
    );
}

#[test]
fn ctrl_c_while_the_model_speaks_stops_the_line_and_keeps_the_interview() {
    use std::io::{Read, Write};
    let server = serve();
    let words: Vec<String> = (0..40).map(|i| format!("{}. ", tag(i))).collect();
    let Reply::Sse(events) = stream_of(&words.iter().map(String::as_str).collect::<Vec<_>>())
    else {
        unreachable!()
    };
    server.always(Reply::Slow(events, Duration::from_millis(100)));
    let env = common::Env::new();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("casecoach"));
    env.isolate(&mut cmd);
    let mut child = cmd
        .args([
            "chat",
            "fraud",
            "--judge",
            "lexical",
            "--llm-url",
            &server.url,
            "--model",
            "m",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let s2 = seen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            s2.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    writeln!(stdin, "What is the business goal?").unwrap();
    let start = Instant::now();
    while !seen.lock().unwrap().contains(&tag(3)) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the stream never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    writeln!(stdin, "/end").unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let out = seen.lock().unwrap().clone();
    assert!(status.success(), "{out}");
    assert!(out.contains("[stopped]"), "{out}");
    assert!(!out.contains(&tag(39)), "the line went on after Ctrl-C");
    assert!(
        out.contains("DEBRIEF"),
        "the interview went on to its end: {out}"
    );
    let log = std::fs::read_to_string(env.sessions().pop().unwrap()).unwrap();
    assert!(
        log.contains("[stopped]"),
        "the partial line is kept in the log"
    );
}

#[test]
fn the_prompt_stays_bounded_as_the_interview_grows() {
    use casecoach::interview::{Interview, Mode};
    use casecoach::interviewer::LlmInterviewer;
    use casecoach::interviewer::Scripted;
    let answers: Vec<String> = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fraud-strong.txt"
    ))
    .unwrap()
    .lines()
    .map(str::to_string)
    .collect();
    let sc = Arc::new(casecoach::scenario::load("fraud").unwrap());
    let mut interviewer = LlmInterviewer::new(
        OpenAiCompatible::new(config("http://127.0.0.1:9/v1", "NO_SUCH_KEY_VAR", 0)).unwrap(),
        Scripted::new(None).unwrap(),
        config("http://127.0.0.1:9/v1", "NO_SUCH_KEY_VAR", 0),
        None,
    )
    .unwrap();
    // One interview of 80 turns, asked for a line after each answer, as chat does.
    let mut s = Session::memory(Interview::new(sc.clone(), Mode::Interview, 90));
    s.open().unwrap();
    let mut requests = Vec::new();
    let mut last_line = String::new();
    for i in 0..40 {
        s.interviewer(
            &format!("Okay. Tell me more about point {i}."),
            i as f64 * 60.0,
        )
        .unwrap();
        s.candidate(&answers[i % answers.len()], i as f64 * 60.0 + 30.0)
            .unwrap();
        // A follow-up of the stage, as the director asks one after an answer.
        let actions = [casecoach::interview::Action::Probe {
            stage: casecoach::framework::Stage::Clarify,
            index: i % 2,
            curveball: false,
            press: false,
            quote: None,
        }];
        let req = casecoach::interviewer::TurnRequest {
            interview: s.interview(),
            actions: &actions,
            candidate: Some(&answers[i % answers.len()]),
        };
        requests.push(interviewer.request(&req).unwrap());
        last_line = Scripted::new(None).unwrap().lines(&req).unwrap();
    }
    let size = |m: &[Message]| m.iter().map(|m| m.content.len()).sum::<usize>();
    // Most requests are the one before plus what is new (its line, the answer and the notes),
    // the earlier answers still with the notes they were sent with: a caching server reads
    // only what is new. Only when the window of history moves is the start sent afresh.
    let extended = requests
        .windows(2)
        .filter(|w| {
            w[1].len() > w[0].len()
                && w[0]
                    .iter()
                    .zip(&w[1])
                    .all(|(a, b)| (a.role, &a.content) == (b.role, &b.content))
        })
        .count();
    assert!(
        extended >= 32,
        "{extended} of 39 requests extend the one before"
    );
    let last = requests[39].last().unwrap();
    // The newest answer's notes: the move, then the scripted line to fit to the answer.
    let move_at = last.content.find("The move to make:");
    let line_at = last.content.find(&format!("What to say next: {last_line}"));
    assert!(
        move_at.is_some() && move_at < line_at && last.content.ends_with(&last_line),
        "{}",
        last.content
    );
    // Never the whole interview: the window is 6 to 17 turns.
    let (five, twenty, forty) = (size(&requests[2]), size(&requests[19]), size(&requests[39]));
    assert!(
        twenty.max(forty) as f64 <= five as f64 * 2.5,
        "answer 3: {five} chars, answer 20: {twenty}, answer 40: {forty}"
    );
    assert!(
        requests.iter().all(|r| r.len() <= 19),
        "{:?}",
        requests.iter().map(Vec::len).collect::<Vec<_>>()
    );
}

#[test]
fn a_model_can_play_the_simulated_candidate() {
    let server = serve();
    *server.state.judge_reply.lock().unwrap() = Some(
        "Before anything else: what is the business goal, and how will we measure success?".into(),
    );
    let env = common::Env::new();
    let out = env
        .cmd()
        .args([
            "simulate",
            "--scenario",
            "fraud",
            "--candidate",
            "llm:strong",
            "--llm-url",
            &server.url,
            "--model",
            "m",
            "--json",
        ])
        .output()
        .unwrap();
    common::ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let said: Vec<&str> = v["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["role"] == "candidate")
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert!(
        !said.is_empty() && said.iter().all(|t| t.starts_with("Before anything else")),
        "{said:?}"
    );
    // The model got the persona and the interviewer's words; nobody can say what it meant to cover.
    let req = server
        .requests()
        .into_iter()
        .find(|r| r.1["stream"] == false)
        .unwrap()
        .1;
    assert!(
        req["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("strong, experienced ML engineer")
    );
    assert!(
        req["messages"][1]["content"]
            .as_str()
            .unwrap()
            .starts_with("Hi, I'm Maya.")
    );
    assert!(
        v["quality"]["coverage_recall"].is_null() && v["quality"]["coverage_precision"].is_null()
    );
    let cov = v["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "clarify.business-objective")
        .unwrap();
    assert_eq!(cov["covered"], true);
}

#[test]
fn a_judge_reply_that_is_not_json_leaves_the_lexical_judge_in_charge() {
    let server = serve();
    server.always(stream_of(&["Go on."]));
    *server.state.judge_reply.lock().unwrap() =
        Some("Sure! The candidate covered lots of things, well done.".into());
    let env = common::Env::new();
    let out = env
        .cmd()
        .args(["chat", "fraud", "--llm-url", &server.url, "--model", "m"])
        .write_stdin("The classes are heavily imbalanced, and labels arrive late.\n/end\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("model judge unavailable for turn")
            && stderr.contains("the reader's reading of it stands"),
        "{stderr}"
    );
    // All three formats were tried before giving up.
    let judge_calls: Vec<Value> = server
        .requests()
        .into_iter()
        .filter(|r| r.1["stream"] == false)
        .map(|r| r.1)
        .collect();
    assert_eq!(judge_calls.len(), 3);
    assert_eq!(judge_calls[0]["response_format"]["type"], "json_schema");
    assert_eq!(judge_calls[1]["response_format"]["type"], "json_object");
    assert!(judge_calls[2]["response_format"].is_null());
    let report = env.assess_json("fraud", &env.sessions().pop().unwrap());
    let imb = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "data.class-imbalance")
        .unwrap();
    assert_eq!(
        (imb["covered"].as_bool(), imb["source"].as_str()),
        (Some(true), Some("lexical"))
    );
}

#[test]
fn token_use_is_totalled_across_a_resumed_session() {
    let server = serve();
    server.always(stream_of(&["Go on."]));
    let env = common::Env::new();
    let args = [
        "--judge",
        "lexical",
        "--llm-url",
        server.url.as_str(),
        "--model",
        "m",
    ];
    let first = env
        .cmd()
        .arg("chat")
        .arg("fraud")
        .args(args)
        .write_stdin("What is the business goal?\n")
        .output()
        .unwrap();
    assert!(first.status.success());
    let out = env
        .cmd()
        .args(["chat", "--resume"])
        .args(args)
        .write_stdin("What is the latency budget?\n/end\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    // Two model lines at 321 + 12 tokens each, one per run.
    assert!(
        stderr.contains("Model tokens this session: 642 prompt, 24 completion."),
        "{stderr}"
    );
}

/// A verdict still out when the interview ends is waited for one turn's deadline at most, then
/// given up on, and the candidate is told whose reading the debrief stands on.
#[test]
fn a_judge_still_out_at_the_end_is_given_up_after_a_turn_deadline_with_a_notice() {
    let server = serve();
    server.always(stream_of(&["Go on."]));
    *server.state.judge_delay.lock().unwrap() = Some(Duration::from_secs(40));
    *server.state.judge_reply.lock().unwrap() = Some(json!({"claims": []}).to_string());
    let env = common::Env::new();
    let conf = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("config.toml"), "[llm]\nturn_deadline_secs = 2\n").unwrap();
    let t = Instant::now();
    let (out, err) = env.chat(
        &["fraud", "--llm-url", &server.url, "--model", "m"],
        "The classes are heavily imbalanced, so I'd report PR-AUC.\n/end\n",
    );
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "took {:?}",
        t.elapsed()
    );
    assert!(out.contains("DEBRIEF"), "{out}");
    // The judge's own request ends at the same deadline as the wait for it, so either may
    // end first; either way the candidate is told the reader's reading stands.
    assert!(
        err.contains("the model judge did not answer for the last turn")
            || err.contains("model judge unavailable for turn 2"),
        "{err}"
    );
    assert!(err.contains("the reader's reading of it stands"), "{err}");
}

#[test]
fn a_slow_judge_holds_back_no_line_and_its_verdicts_still_reach_the_debrief() {
    let server = serve();
    server.always(stream_of(&["Go on."]));
    let slow = Duration::from_millis(2500);
    *server.state.judge_delay.lock().unwrap() = Some(slow);
    *server.state.judge_reply.lock().unwrap() = Some(
        json!({"claims": [{"checkpoint": "data.drift", "quote": "old patterns stop working"}]})
            .to_string(),
    );
    let env = common::Env::new();
    // Typed as a candidate types: the second answer comes while the first is being judged.
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("casecoach"));
    env.isolate(cmd.env_clear());
    let mut child = cmd
        .args(["chat", "fraud", "--llm-url", &server.url, "--model", "m"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let typed = [
            "The classes are heavily imbalanced, and old patterns stop working quickly.",
            "Who are the users of the fraud scores?",
            "/end",
        ];
        for line in typed {
            std::thread::sleep(Duration::from_millis(800));
            writeln!(stdin, "{line}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    common::ok(&out);
    let arrivals = server.state.arrivals.lock().unwrap().clone();
    let line = |k: usize| arrivals.iter().filter(|a| a.0).nth(k).unwrap().1;
    let judge = |k: usize| arrivals.iter().filter(|a| !a.0).nth(k).unwrap().1;
    // The first answer's line was asked for before its judge, and the second answer's line did
    // not wait for the first judge's reply.
    assert!(line(0) <= judge(0));
    assert!(
        line(1) < judge(0) + slow,
        "the second line waited {:?} on the judge",
        line(1) - judge(0)
    );
    // The first judge was still at work when the second answer came, and again at /end: each
    // time it was set aside (its request dropped) while the line was made, and asked again
    // after it.
    assert!(
        arrivals.iter().filter(|a| !a.0).count() >= 3,
        "{arrivals:?}"
    );
    // No judge request held the server into a line's time for longer than it takes to see
    // the line due and hang up (it would have held it up to 2.5 s).
    let spans = server.state.judge_spans.lock().unwrap().clone();
    for (_, at) in arrivals.iter().filter(|a| a.0) {
        for (began, ended) in &spans {
            if began < at && ended > at {
                assert!(
                    *ended - *at < Duration::from_millis(300),
                    "the judge held the server {:?} into a line's request",
                    *ended - *at
                );
            }
        }
    }
    // Both verdicts were recorded before the debrief, and the claim counts.
    let evs = env.last_events();
    let debrief = evs.iter().position(|e| e["type"] == "debrief").unwrap();
    let judged: Vec<usize> = evs
        .iter()
        .enumerate()
        .filter(|(_, e)| e["type"] == "judge")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(judged.len(), 2, "{evs:?}");
    assert!(judged.iter().all(|&i| i < debrief));
    assert!(evs.iter().any(|e| e["type"] == "coverage"
        && e["checkpoint"] == "data.drift"
        && e["source"] == "model"));
}

#[test]
fn with_judge_llm_only_the_models_verified_claims_count_even_on_replay() {
    let server = serve();
    server.always(stream_of(&["Go on."]));
    *server.state.judge_reply.lock().unwrap() = Some(
        json!({"claims": [{"checkpoint": "data.drift", "quote": "old patterns stop working"}]})
            .to_string(),
    );
    let env = common::Env::new();
    let out = env
        .cmd()
        .args([
            "chat",
            "fraud",
            "--judge",
            "llm",
            "--llm-url",
            &server.url,
            "--model",
            "m",
        ])
        .write_stdin(
            "The classes are heavily imbalanced, and old patterns stop working quickly.\n/end\n",
        )
        .output()
        .unwrap();
    common::ok(&out);
    let report = env.assess_json("fraud", &env.sessions().pop().unwrap());
    let find = |id: &str| {
        report["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            find("data.drift")["covered"].as_bool(),
            find("data.drift")["source"].as_str()
        ),
        (Some(true), Some("model"))
    );
    // The lexical matcher would have credited this; with --judge llm it does not, live or replayed.
    assert_eq!(find("data.class-imbalance")["covered"], false);
}

#[test]
fn assess_asks_the_model_judge_about_a_plain_transcript_and_checks_its_claims() {
    let server = serve();
    *server.state.judge_reply.lock().unwrap() = Some(
        json!({"claims": [
            {"checkpoint": "data.drift", "quote": "old patterns stop working within weeks"},
            {"checkpoint": "deployment.monitoring", "quote": "monitoring can wait until after launch"},
        ]})
        .to_string(),
    );
    let env = common::Env::new();
    let transcript = env.dir.path().join("t.txt");
    std::fs::write(
        &transcript,
        "Interviewer: What worries you about the data?\n\
         Candidate: Fraudsters adapt, so old patterns stop working within weeks. Honestly, monitoring can wait until after launch.\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args([
            "assess",
            "--scenario",
            "fraud",
            "--json",
            "--reader",
            "lexical",
        ])
        .args(["--judge", "llm", "--llm-url", &server.url, "--model", "m"])
        .arg(&transcript)
        .output()
        .unwrap();
    common::ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = |id: &str| {
        report["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    // The model's claim with the candidate's own words counts, as the model's.
    assert_eq!(find("data.drift")["covered"], true, "{report}");
    assert_eq!(find("data.drift")["source"], "model");
    // A claim quoting a dismissal is the candidate waving the topic away: no credit.
    assert_eq!(find("deployment.monitoring")["covered"], false);
    assert_eq!(report["overall"]["judge_claims_dropped"], 1);
    let judged: Vec<Value> = server
        .requests()
        .into_iter()
        .map(|r| r.1)
        .filter(|r| r["stream"] == false)
        .collect();
    assert_eq!(judged.len(), 1, "one candidate turn, one judge call");

    // A claim the reader reads the other way (a question cannot design monitoring) is
    // contradicted, and says so.
    *server.state.judge_reply.lock().unwrap() = Some(
        json!({"claims": [
            {"checkpoint": "deployment.monitoring", "quote": "should we monitor drift on every feature after launch"},
        ]})
        .to_string(),
    );
    let asked = env.dir.path().join("asked.txt");
    std::fs::write(
        &asked,
        "Candidate: Should we monitor drift on every feature after launch?\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args([
            "assess",
            "--scenario",
            "fraud",
            "--json",
            "--reader",
            "lexical",
        ])
        .args(["--judge", "llm", "--llm-url", &server.url, "--model", "m"])
        .arg(&asked)
        .output()
        .unwrap();
    common::ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let monitoring = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "deployment.monitoring")
        .unwrap();
    assert_eq!(monitoring["covered"], false, "{report}");
    assert_eq!(report["overall"]["judge_claims_contradicted"], 1);

    // Without a model, --judge llm is refused with what to give it.
    let out = env
        .cmd()
        .args(["assess", "--scenario", "fraud", "--judge", "llm"])
        .arg(&transcript)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("need a model endpoint"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_slow_endpoint_costs_a_turn_its_deadline_not_minutes() {
    let server = serve();
    // A drip-feeding server: well inside the read timeout between bytes, never done in time.
    server.always(Reply::Slow(
        (0..400)
            .map(|i| data(json!({"choices":[{"index":0,"delta":{"content":format!("w{i} ")}}]})))
            .collect(),
        Duration::from_millis(400),
    ));
    *server.state.judge_reply.lock().unwrap() = None;
    let env = common::Env::new();
    let conf = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[llm]\nturn_deadline_secs = 3\nread_timeout_secs = 60\n",
    )
    .unwrap();
    let t = Instant::now();
    let (out, err) = env.chat(
        &["fraud", "--llm-url", &server.url, "--model", "m"],
        "How rare is fraud here?\n/end\n",
    );
    // The opening line and the answer's line each get 3 s; nothing waits for 400 words.
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "took {:?}",
        t.elapsed()
    );
    assert!(
        err.contains("took longer than the 3 s a turn may take"),
        "{err}"
    );
    assert!(
        err.contains("turn_deadline_secs"),
        "the notice says what to change: {err}"
    );
    assert!(out.contains("DEBRIEF"), "{out}");
}

#[test]
fn a_server_asking_to_wait_an_hour_is_not_waited_for() {
    let server = serve();
    server.queue(Reply::Status {
        status: 429,
        body: r#"{"error":{"message":"come back later","type":"rate_limit_error"}}"#.into(),
        retry_after: Some(3600),
    });
    let mut b = OpenAiCompatible::new(config(&server.url, "NO_SUCH_KEY_VAR", 2)).unwrap();
    let t = Instant::now();
    let e = ask(&mut b).unwrap_err();
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "waited {:?}",
        t.elapsed()
    );
    assert!(e.to_string().contains("come back later"), "{e}");
    assert_eq!(server.requests().len(), 1, "not asked again");
}

/// `doctor` against a server made of `chat` (for /v1/chat/completions) and `models`, with a
/// 1 s read timeout; its stdout.
fn doctor_against<C, M>(chat: C, models: M) -> String
where
    C: Fn(Value) -> Response<Body> + Clone + Send + Sync + 'static,
    M: Fn() -> Option<Duration> + Clone + Send + Sync + 'static,
{
    doctor_on(doctor_app(chat, models))
}

fn doctor_app<C, M>(chat: C, models: M) -> axum::Router
where
    C: Fn(Value) -> Response<Body> + Clone + Send + Sync + 'static,
    M: Fn() -> Option<Duration> + Clone + Send + Sync + 'static,
{
    axum::Router::new()
        .route(
            "/v1/chat/completions",
            post(move |body: String| {
                let chat = chat.clone();
                async move { chat(serde_json::from_str(&body).unwrap_or(Value::Null)) }
            }),
        )
        .route(
            "/v1/models",
            axum::routing::get(move || {
                let models = models.clone();
                async move {
                    if let Some(d) = models() {
                        tokio::time::sleep(d).await;
                    }
                    axum::Json(json!({"object": "list", "data": [{"id": "m", "object": "model"}]}))
                }
            }),
        )
}

/// `casecoach doctor` against `app` served on 127.0.0.1, with a 1 s read timeout.
fn doctor_on(app: axum::Router) -> String {
    doctor_at(&format!("http://{}/v1", common::serve(app)))
}

/// `casecoach doctor` against the server at `url`, with a 1 s read timeout and no retries.
fn doctor_at(url: &str) -> String {
    let env = common::Env::new();
    let conf = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[llm]\nread_timeout_secs = 1\nmax_retries = 0\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["doctor", "--llm-url", url, "--model", "m"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_reply(status: u16, v: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(v.to_string()))
        .unwrap()
}

/// A healthy server's replies: a stream for streamed requests, `judge` for the others.
fn healthy(judge: &'static str, tokens: u64) -> impl Fn(Value) -> Response<Body> + Clone {
    move |body: Value| {
        if body["stream"] == true {
            let Reply::Sse(ev) = stream_of(&["<think>plan</think>", "ready"]) else {
                unreachable!()
            };
            return Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from(ev.concat()))
                .unwrap();
        }
        json_reply(
            200,
            json!({"choices":[{"index":0,"message":{"role":"assistant","content":judge},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":tokens}}),
        )
    }
}

#[test]
fn doctor_names_the_cause_it_measured_for_each_fault() {
    let line = |text: &str, name: &str| -> String {
        text.lines()
            .skip_while(|l| !l.contains(name))
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    // A slow server is not a missing one.
    let text = doctor_against(healthy(r#"{"ok":true}"#, 5), || {
        Some(Duration::from_secs(3))
    });
    let r = line(&text, "reachable");
    assert!(
        r.contains("FAIL reachable") && r.contains("connected, but no answer in 1 s"),
        "{text}"
    );
    assert!(
        r.contains("busy or still loading") && !r.contains("start the server"),
        "{text}"
    );

    // /models answers but chat hangs: not "cannot reach" after "ok reachable".
    let text = doctor_against(
        |_| {
            std::thread::sleep(Duration::from_secs(3));
            json_reply(200, json!({}))
        },
        || None,
    );
    assert!(text.contains("ok   reachable"), "{text}");
    let s = line(&text, "streaming");
    assert!(
        s.contains("answered /models but not a chat request"),
        "{text}"
    );
    assert!(
        s.contains("too slow for the read timeout") && !s.contains("is the server running"),
        "{text}"
    );

    // Thinking is hidden as chat hides it, and a judge reply with thinking parses.
    let text = doctor_against(
        healthy(r#"<think>{"ok": "maybe"}</think>{"ok": true}"#, 5),
        || None,
    );
    assert!(
        text.contains("ok   streaming") && !text.contains("<think>") && text.contains("\"ready\""),
        "{text}"
    );
    assert!(text.contains("ok   structured output"), "{text}");
    assert!(text.contains("ok   max_tokens"), "{text}");

    // A server error on the structured request is not a refusal of json_schema; a 400 is.
    for (status, says, not) in [
        (
            500,
            "the server failed on the request: see its log",
            "rejects json_schema",
        ),
        (400, "rejects json_schema", "\u{0}"),
    ] {
        let judge = move |body: Value| {
            if body["stream"] == true {
                return healthy("", 5)(body);
            }
            if body.get("response_format").is_some() {
                return json_reply(
                    status,
                    json!({"error": {"message": "boom", "type": "server_error"}}),
                );
            }
            healthy(r#"{"ok":true}"#, 5)(body)
        };
        let text = doctor_against(judge, || None);
        let s = line(&text, "structured output");
        assert!(
            s.contains("FAIL structured output") && s.contains(says) && !s.contains(not),
            "{status}: {text}"
        );
    }

    // A reply that is not the schema is named, with what the judge will do about it.
    let s = line(
        &doctor_against(healthy("Sure! The sky is blue.", 5), || None),
        "structured output",
    );
    assert!(
        s.contains("FAIL structured output")
            && s.contains("reply was not the schema: Sure! The sky is blue.")
            && s.contains("fall back to json_object"),
        "{s}"
    );

    // A server that lists its models and then drops every chat request unanswered.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let n = conn.read(&mut buf).unwrap_or(0);
            if buf[..n].starts_with(b"GET") {
                let body = r#"{"object":"list","data":[{"id":"m","object":"model"}]}"#;
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
            // A chat request: closed with no answer at all.
        }
    });
    let text = doctor_at(&format!("http://{addr}/v1"));
    assert!(text.contains("ok   reachable"), "{text}");
    let s = line(&text, "streaming");
    assert!(
        s.contains("FAIL streaming")
            && s.contains("answered /models but not a chat request")
            && s.contains("dropped the chat request: see its log"),
        "{text}"
    );

    // Every status the model list can fail with gets its cause and one fix.
    for (status, says) in [
        (401, "set a valid key in $"),
        (403, "set a valid key in $"),
        (429, "limiting requests"),
        (500, "see its log"),
        (502, "see its log"),
        (503, "still loading the model"),
        (418, "should list the models"),
    ] {
        let app = axum::Router::new().route(
            "/v1/models",
            axum::routing::get(move || async move {
                json_reply(status, json!({"error": {"message": "nope"}}))
            }),
        );
        let text = doctor_on(app);
        let r = line(&text, "reachable");
        assert!(
            r.contains("FAIL reachable") && r.contains("fix:") && r.contains(says),
            "{status}: {text}"
        );
    }

    // An error in place of the plain reply is not counted as a reply of no words.
    let refuses_plain = |body: Value| {
        if body["stream"] == false && body.get("response_format").is_none() {
            return json_reply(500, json!({"error": {"message": "boom"}}));
        }
        healthy(r#"{"ok":true}"#, 5)(body)
    };
    let m = line(&doctor_against(refuses_plain, || None), "max_tokens");
    assert!(
        m.contains("not measured (HTTP 500)") && !m.contains("got 0"),
        "{m}"
    );

    // A server that ignores max_tokens is warned about, not failed.
    let text = doctor_against(healthy(r#"{"ok":true}"#, 200), || None);
    let m = line(&text, "max_tokens");
    assert!(
        m.contains("warn max_tokens") && m.contains("got 200") && m.contains("ignores max_tokens"),
        "{text}"
    );
}
