//! Talking to any OpenAI-compatible endpoint (OpenAI, llama.cpp server, Ollama, vLLM).
//!
//! async-openai carries the requests with its "bring your own types" calls, so the lenient JSON
//! of every server parses. casecoach owns the transport under it (a tower service): timeouts,
//! retries that honour Retry-After, and the classification of error bodies, which differ by
//! server. The base URL and key always come from casecoach's config, never from the environment
//! variables async-openai would otherwise read.

pub mod ahead;
pub mod doctor;
pub mod interrupt;
pub mod judge;
mod transport;
mod turn;

pub use turn::{LineDue, Turn, line_due, line_said};
use turn::{Waiting, bounded, deadline};

use anyhow::Result;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// Where the model is and how to talk to it.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmConfig {
    /// Including `/v1`, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    pub model: String,
    /// The environment variable that holds the key (the key itself is never stored or logged).
    pub api_key_env: String,
    pub connect_timeout: Duration,
    /// Longest silence between two bytes of a response; no total timeout, which would cut long
    /// streams.
    pub read_timeout: Duration,
    pub max_retries: u32,
    /// Most words in one interviewer line, enforced on the stream.
    pub word_budget: usize,
    pub temperature: f64,
    /// All the model work of one candidate turn (the judge, then the line, retries included)
    /// ends by then; past it the turn goes on with the reader's reading and the scripted line.
    pub turn_deadline: Duration,
    /// Have the server read the next line's prompt while a long spoken answer is still going
    /// on (`Backend::read_ahead`). On by default for a server on this machine, where reading a
    /// prompt is most of the wait and costs nothing; off for a remote one, which bills it.
    pub read_ahead: bool,
}

/// The `[llm]` table of the config file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LlmSection {
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub api_key_env: Option<String>,
    pub connect_timeout_secs: Option<f64>,
    pub read_timeout_secs: Option<f64>,
    pub max_retries: Option<u32>,
    pub word_budget: Option<usize>,
    pub temperature: Option<f64>,
    pub turn_deadline_secs: Option<f64>,
    pub read_ahead: Option<bool>,
}

impl LlmConfig {
    /// Resolve from flag, environment and file, in that order. No base URL anywhere: no model.
    pub fn resolve(
        flag_url: Option<&str>,
        flag_model: Option<&str>,
        file: &LlmSection,
    ) -> Result<Option<LlmConfig>> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let Some(base_url) = flag_url
            .map(str::to_string)
            .or_else(|| env("CASECOACH_LLM_BASE_URL"))
            .or(file.base_url.clone())
        else {
            return Ok(None);
        };
        let base_url = base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            anyhow::bail!("the model base URL '{base_url}' must start with http:// or https://");
        }
        let model = flag_model
            .map(str::to_string)
            .or_else(|| env("CASECOACH_LLM_MODEL"))
            .or(file.model.clone());
        let Some(model) = model else {
            anyhow::bail!(
                "a model endpoint is set ({base_url}) but no model: pass --model, set CASECOACH_LLM_MODEL, or [llm] model in the config"
            );
        };
        let secs = |x: Option<f64>, d: f64| Duration::from_secs_f64(x.unwrap_or(d).max(0.05));
        let api_key_env = file
            .api_key_env
            .clone()
            .unwrap_or_else(|| "OPENAI_API_KEY".into());
        // A server may echo the key back in an error; it is then taken out of what is shown.
        if let Ok(key) = std::env::var(&api_key_env) {
            crate::secret::keep(&key);
        }
        Ok(Some(LlmConfig {
            model,
            api_key_env,
            connect_timeout: secs(file.connect_timeout_secs, 5.0),
            read_timeout: secs(file.read_timeout_secs, 60.0),
            max_retries: file.max_retries.unwrap_or(2),
            word_budget: file.word_budget.unwrap_or(60).max(5),
            temperature: file.temperature.unwrap_or(0.7),
            turn_deadline: secs(file.turn_deadline_secs, 20.0),
            read_ahead: file
                .read_ahead
                .unwrap_or_else(|| on_this_machine(&base_url)),
            base_url,
        }))
    }

    /// The base URL as it may be shown and logged: without user-info.
    pub fn shown_url(&self) -> String {
        crate::secret::redact(&self.base_url).into_owned()
    }

    /// The key, read from the environment when it is needed; empty for servers without one.
    fn api_key(&self) -> String {
        std::env::var(&self.api_key_env).unwrap_or_default()
    }
}

/// Whether a base URL names a server on this machine.
fn on_this_machine(base_url: &str) -> bool {
    reqwest::Url::parse(base_url).is_ok_and(|u| {
        matches!(
            u.host_str(),
            Some("127.0.0.1" | "localhost" | "[::1]" | "0.0.0.0")
        )
    })
}

/// A reply without its `<think>` blocks (and without all of an unclosed one), as chat shows it.
pub fn without_thinking(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("<think>") {
        out.push_str(&rest[..i]);
        match rest[i..].find("</think>") {
            Some(j) => rest = &rest[i + j + "</think>".len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// What went wrong, in words a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error(
        "cannot reach the model endpoint {url}: {detail} (is the server running? does base_url include /v1?)"
    )]
    Unreachable { url: String, detail: String },
    #[error("the model endpoint answered HTTP {status}: {message}")]
    Http {
        status: u16,
        message: String,
        retry_after: Option<u64>,
    },
    #[error("the model stream broke: {0}")]
    Stream(String),
    #[error("the model endpoint sent something unreadable: {0}")]
    Protocol(String),
    #[error("the model took longer than the {0:.0} s a turn may take")]
    Deadline(f64),
    #[error("skipped with Ctrl-C")]
    Skipped,
    /// A background request set aside while a line is due (`turn::LineDue`).
    #[error("set aside while the candidate's line was due")]
    Yielded,
}

impl LlmError {
    /// Worth trying again: the server may recover (rate limits, loading, overload, network).
    pub fn transient(&self) -> bool {
        match self {
            LlmError::Unreachable { .. } => true,
            LlmError::Http { status, .. } => {
                matches!(status, 408 | 409 | 429 | 500 | 502 | 503 | 504)
            }
            LlmError::Stream(_)
            | LlmError::Protocol(_)
            | LlmError::Deadline(_)
            | LlmError::Skipped
            | LlmError::Yielded => false,
        }
    }

    /// One line with the likely fix, for the notice when a turn falls back.
    pub fn hint(&self) -> &'static str {
        match self {
            LlmError::Unreachable { detail, .. } if detail.starts_with("timed out") => {
                "the server is there but slow to answer: it may be busy or loading; raise read_timeout_secs, or use a smaller model"
            }
            LlmError::Unreachable { .. } => {
                "check that the server is running and base_url is right"
            }
            LlmError::Http {
                status: 401 | 403, ..
            } => "check the API key in the variable api_key_env names",
            LlmError::Http { status: 404, .. } => {
                "check the model name and that base_url ends with /v1"
            }
            LlmError::Http { status: 429, .. } => {
                "the endpoint is rate-limiting; try again shortly"
            }
            LlmError::Http { status: 503, .. } => "the server may still be loading the model",
            LlmError::Http {
                status: 500..=599, ..
            } => "the server failed on the request: see its log",
            LlmError::Deadline(_) => {
                "a faster model, or a larger turn_deadline_secs in the [llm] config, would answer in time"
            }
            LlmError::Skipped => "the reader's reading and the scripted line stand for this turn",
            _ => "see the message above",
        }
    }
}

/// The message inside an error body, whatever the server's shape: OpenAI's
/// `{"error": {"message", "type", "code"}}` (llama.cpp sends an integer `code`), vLLM's flat
/// `{"object": "error", "message"}`, Ollama's `{"error": "text"}`, or plain text.
pub fn error_message(body: &str) -> String {
    let body = crate::secret::redact(body);
    let trimmed = body.trim();
    let Ok(v) = serde_json::from_str::<Value>(trimmed) else {
        let text: String = trimmed.chars().take(300).collect();
        return if text.is_empty() {
            "(no message)".into()
        } else {
            text
        };
    };
    let nested = &v["error"];
    let msg = nested["message"]
        .as_str()
        .or_else(|| nested.as_str())
        .or_else(|| v["message"].as_str())
        .or_else(|| v["detail"].as_str());
    match msg {
        Some(m) => m.to_string(),
        None => trimmed.chars().take(300).collect(),
    }
}

/// Token counts of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// What one streamed chunk carries, read leniently: missing fields, `"content": null`, unknown
/// finish reasons and extra fields are all fine. Reasoning text is recognised and dropped.
#[derive(Debug, Default, PartialEq)]
pub struct Chunk {
    pub text: String,
    pub finished: bool,
    pub usage: Option<Usage>,
    pub error: Option<String>,
}

pub fn read_chunk(v: &Value) -> Chunk {
    let mut c = Chunk::default();
    if !v["error"].is_null() {
        c.error = Some(error_message(&v.to_string()));
        return c;
    }
    if let Some(choice) = v["choices"].get(0) {
        // `reasoning_content` (llama.cpp) and `reasoning` (Ollama) are thinking, never shown.
        if let Some(t) = choice["delta"]["content"]
            .as_str()
            .or_else(|| choice["message"]["content"].as_str())
        {
            c.text.push_str(t);
        }
        c.finished = choice["finish_reason"].is_string();
    }
    if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
        c.usage = Some(Usage {
            prompt_tokens: u["prompt_tokens"].as_u64().unwrap_or(0),
            completion_tokens: u["completion_tokens"].as_u64().unwrap_or(0),
        });
    }
    c
}

/// A chat message for the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// What to do with the rest of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The caller has the line it wants (its word budget is reached, or the guard stopped it):
    /// the stream is closed, so the server stops generating and nothing more is read.
    Enough,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    pub text: String,
    pub usage: Option<Usage>,
    /// From sending the request to the first visible text, and to the end.
    pub first_token_ms: Option<u64>,
    pub total_ms: u64,
    /// The user stopped the stream (Ctrl-C); `text` is what came before.
    pub stopped: bool,
    /// The caller closed the stream (`Flow::Enough`); `usage` is then counted here, not by the
    /// server: the pieces received, one token each, and the prompt at four bytes a token.
    pub cut: bool,
}

/// The seam the interviewer talks through; tests put a scripted backend here.
pub trait Backend {
    /// Stream a chat completion, handing each piece of visible text to `on_text`.
    fn stream(
        &mut self,
        messages: &[Message],
        on_text: &mut dyn FnMut(&str) -> Flow,
    ) -> Result<Completion, LlmError>;
    /// One whole completion, optionally with a `response_format` (structured output).
    fn complete(
        &mut self,
        messages: &[Message],
        response_format: Option<Value>,
    ) -> Result<Completion, LlmError>;
    /// Have the server read `messages` now and write next to nothing, so that a request that
    /// starts with them later finds them in its prompt cache. A server without a cache only
    /// spends the time; one that does nothing here loses nothing.
    fn read_ahead(&mut self, _messages: &[Message]) -> Result<(), LlmError> {
        Ok(())
    }
}

/// The request body: `stream: true` set explicitly (async-openai's raw calls do not set it).
pub fn request_body(config: &LlmConfig, messages: &[Message]) -> Value {
    let msgs: Vec<Value> = messages
        .iter()
        .map(|m| json!({"role": m.role, "content": m.content}))
        .collect();
    json!({
        "model": config.model,
        "messages": msgs,
        "stream": true,
        "stream_options": {"include_usage": true},
        "temperature": config.temperature,
        "max_tokens": max_tokens(config),
    })
}

/// The most tokens one interviewer line may take: its word budget, with room for punctuation.
fn max_tokens(config: &LlmConfig) -> usize {
    config.word_budget * 3 + 64
}

/// The real client: async-openai over casecoach's own transport, on a small runtime of its own.
pub struct OpenAiCompatible {
    config: LlmConfig,
    /// Requests made off the candidate's turn (the judge on its own thread): no Ctrl-C, no
    /// "waiting" notice.
    background: bool,
    runtime: tokio::runtime::Runtime,
    client: async_openai::Client<async_openai::config::OpenAIConfig>,
}

impl OpenAiCompatible {
    pub fn new(config: LlmConfig) -> Result<OpenAiCompatible> {
        // One worker of its own, not a current-thread runtime: the stream's reader and the
        // connection are tasks, and a line cut at its budget (or a judge request set aside)
        // drops them between calls. Idle between calls, they would hold the connection open
        // and the server would generate on to max_tokens, taking the CPU the next turn needs.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("casecoach-llm")
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .build()?;
        // Both set explicitly: OpenAIConfig::new() would read OPENAI_BASE_URL / OPENAI_API_KEY.
        let oa = async_openai::config::OpenAIConfig::new()
            .with_api_base(config.base_url.clone())
            .with_api_key(config.api_key());
        let service = transport::Guarded::new(http, config.max_retries, config.base_url.clone());
        let client = async_openai::Client::with_config(oa).with_http_service(service);
        Ok(OpenAiCompatible {
            config,
            background: false,
            runtime,
            client,
        })
    }
}

impl OpenAiCompatible {
    /// The same client, for requests nobody at the terminal waits on.
    pub fn in_background(mut self) -> OpenAiCompatible {
        self.background = true;
        self
    }

    fn guard(&self) -> (interrupt::Streaming, Waiting) {
        match self.background {
            true => (
                interrupt::Streaming::background(),
                Waiting::new(true, self.config.turn_deadline),
            ),
            false => (
                interrupt::Streaming::begin(),
                Waiting::new(false, self.config.turn_deadline),
            ),
        }
    }
}

impl OpenAiCompatible {
    /// One request answered whole (not streamed), at temperature 0 with at most `max_tokens`.
    fn whole(
        &mut self,
        messages: &[Message],
        max_tokens: usize,
        response_format: Option<Value>,
    ) -> Result<Completion, LlmError> {
        let mut body = request_body(&self.config, messages);
        body["stream"] = json!(false);
        if let Some(o) = body.as_object_mut() {
            o.remove("stream_options");
        }
        body["temperature"] = json!(0.0);
        body["max_tokens"] = json!(max_tokens);
        if let Some(f) = response_format {
            body["response_format"] = f;
        }
        let client = &self.client;
        let (until, limit) = (deadline(&self.config), self.config.turn_deadline);
        let (guard, mut waiting) = self.guard();
        self.runtime.block_on(async move {
            let request = async {
                client
                    .chat()
                    .create_byot::<Value, Value>(body)
                    .await
                    .map_err(transport::from_openai)
            };
            let v = bounded(request, until, limit, &guard, &mut waiting).await?;
            let chunk = read_chunk(&v);
            if let Some(e) = chunk.error {
                return Err(LlmError::Protocol(e));
            }
            Ok(Completion {
                text: chunk.text,
                usage: chunk.usage,
                ..Completion::default()
            })
        })
    }
}

impl Backend for OpenAiCompatible {
    fn complete(
        &mut self,
        messages: &[Message],
        response_format: Option<Value>,
    ) -> Result<Completion, LlmError> {
        // Room for the bounded judge reply in full: a cut-off JSON array parses as nothing.
        self.whole(messages, 700, response_format)
    }

    fn read_ahead(&mut self, messages: &[Message]) -> Result<(), LlmError> {
        self.whole(messages, 1, None).map(|_| ())
    }

    fn stream(
        &mut self,
        messages: &[Message],
        on_text: &mut dyn FnMut(&str) -> Flow,
    ) -> Result<Completion, LlmError> {
        use futures::StreamExt;
        let body = request_body(&self.config, messages);
        let prompt_bytes: u64 = messages.iter().map(|m| m.content.len() as u64).sum();
        // A server that ignores max_tokens could stream without end: past what max_tokens
        // allows (a chunk a token, a few bytes a token) the line is taken as finished.
        let (most_chunks, most_bytes) =
            (max_tokens(&self.config) * 2, max_tokens(&self.config) * 16);
        let (until, limit) = (deadline(&self.config), self.config.turn_deadline);
        let client = &self.client;
        let started = std::time::Instant::now();
        let ms = move || started.elapsed().as_millis() as u64;
        let (guard, mut waiting) = self.guard();
        self.runtime.block_on(async move {
            let mut done = Completion::default();
            let request = async {
                client
                    .chat()
                    .create_stream_byot::<Value, Value>(body)
                    .await
                    .map_err(transport::from_openai)
            };
            let mut stream = match bounded(request, until, limit, &guard, &mut waiting).await {
                Err(LlmError::Skipped) => {
                    done.stopped = true;
                    return Ok(done);
                }
                other => other?,
            };
            let mut finished = false;
            let mut chunks = 0;
            let mut pieces = 0u64;
            loop {
                // Wake up now and then to see whether Ctrl-C asked to stop.
                let item = tokio::select! {
                    item = stream.next() => item,
                    _ = tokio::time::sleep(std::time::Duration::from_millis(50)) => {
                        if guard.stop_requested() {
                            // Dropping the stream closes the connection: the server stops generating.
                            done.stopped = true;
                            return Ok(done);
                        }
                        if tokio::time::Instant::now() >= until {
                            return Err(LlmError::Deadline(limit.as_secs_f64()));
                        }
                        if done.first_token_ms.is_none() {
                            waiting.tick();
                        }
                        continue;
                    }
                };
                let Some(item) = item else { break };
                let v = item.map_err(transport::from_openai)?;
                let chunk = read_chunk(&v);
                if let Some(e) = chunk.error {
                    return Err(LlmError::Stream(e));
                }
                chunks += 1;
                if chunks > most_chunks || done.text.len() > most_bytes {
                    finished = true;
                    break;
                }
                finished |= chunk.finished;
                if chunk.usage.is_some() {
                    done.usage = chunk.usage;
                }
                if !chunk.text.is_empty() {
                    waiting.clear();
                    pieces += 1;
                    done.first_token_ms.get_or_insert_with(ms);
                    done.total_ms = ms();
                    done.text.push_str(&chunk.text);
                    if on_text(&chunk.text) == Flow::Enough {
                        // Dropping the stream closes the connection: the server stops generating.
                        done.cut = true;
                        done.usage = Some(Usage {
                            prompt_tokens: prompt_bytes.div_ceil(4),
                            completion_tokens: pieces,
                        });
                        return Ok(done);
                    }
                }
            }
            done.total_ms = ms();
            if !finished {
                return Err(LlmError::Stream(
                    "the stream ended before the model finished its line".into(),
                ));
            }
            Ok(done)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_every_server_shape() {
        assert_eq!(
            error_message(
                r#"{"error":{"code":400,"message":"context too long","type":"invalid_request_error"}}"#
            ),
            "context too long"
        );
        assert_eq!(
            error_message(
                r#"{"object":"error","message":"model x does not exist","type":"NotFoundError","code":404}"#
            ),
            "model x does not exist"
        );
        assert_eq!(
            error_message(r#"{"error":"model 'llama9' not found"}"#),
            "model 'llama9' not found"
        );
        assert_eq!(error_message("Bad Gateway"), "Bad Gateway");
        assert_eq!(error_message(""), "(no message)");
    }

    #[test]
    fn chunks_are_read_leniently_and_reasoning_is_dropped() {
        let first: Value = serde_json::from_str(
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}"#,
        )
        .unwrap();
        assert_eq!(read_chunk(&first), Chunk::default());
        let think: Value =
            serde_json::from_str(r#"{"choices":[{"delta":{"reasoning_content":"secret plan"}}]}"#)
                .unwrap();
        assert_eq!(read_chunk(&think).text, "");
        let ollama: Value =
            serde_json::from_str(r#"{"choices":[{"delta":{"reasoning":"hmm","content":"Hi"}}]}"#)
                .unwrap();
        assert_eq!(read_chunk(&ollama).text, "Hi");
        let end: Value = serde_json::from_str(r#"{"choices":[{"delta":{},"finish_reason":"eos_token"}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"#).unwrap();
        let c = read_chunk(&end);
        assert!(c.finished);
        assert_eq!(
            c.usage,
            Some(Usage {
                prompt_tokens: 12,
                completion_tokens: 3
            })
        );
        let err: Value =
            serde_json::from_str(r#"{"error":{"message":"out of memory","code":500}}"#).unwrap();
        assert_eq!(read_chunk(&err).error.as_deref(), Some("out of memory"));
    }

    #[test]
    fn the_request_asks_to_stream() {
        let c = LlmConfig::resolve(
            Some("http://127.0.0.1:9/v1/"),
            Some("m"),
            &LlmSection::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:9/v1");
        let body = request_body(
            &c,
            &[Message {
                role: "user",
                content: "hi".into(),
            }],
        );
        assert_eq!(body["stream"], true);
        assert_eq!(body["model"], "m");
        assert_eq!(body["messages"][0]["content"], "hi");
    }

    #[test]
    fn no_url_means_no_model_and_a_url_needs_a_model() {
        assert_eq!(
            LlmConfig::resolve(None, None, &LlmSection::default()).unwrap(),
            None
        );
        let e = LlmConfig::resolve(Some("http://127.0.0.1:1/v1"), None, &LlmSection::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no model"), "{e}");
        assert!(
            LlmConfig::resolve(Some("127.0.0.1:1/v1"), Some("m"), &LlmSection::default()).is_err()
        );
    }

    #[test]
    fn prompts_are_read_ahead_on_a_server_on_this_machine_unless_told_otherwise() {
        let ahead = |url: &str, file: Option<bool>| {
            let section = LlmSection {
                read_ahead: file,
                ..LlmSection::default()
            };
            LlmConfig::resolve(Some(url), Some("m"), &section)
                .unwrap()
                .unwrap()
                .read_ahead
        };
        assert!(ahead("http://127.0.0.1:8089/v1", None));
        assert!(ahead("http://localhost:8080/v1", None));
        assert!(ahead("http://[::1]:8080/v1", None));
        // A remote server bills the tokens it reads.
        assert!(!ahead("https://api.example.com/v1", None));
        assert!(!ahead("http://127.0.0.2.example.com/v1", None));
        assert!(ahead("https://api.example.com/v1", Some(true)));
        assert!(!ahead("http://127.0.0.1:8089/v1", Some(false)));
    }
}
