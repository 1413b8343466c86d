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

mod config;
mod error;

pub use config::{LlmConfig, LlmSection};
pub use error::{LlmError, error_message};
pub use turn::{LineDue, Turn, line_due, wait_shown_elsewhere};
use turn::{Waiting, bounded, deadline};

use anyhow::Result;
use serde_json::{Value, json};

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
    /// The tokens it used, when the server says.
    fn read_ahead(&mut self, _messages: &[Message]) -> Result<Option<Usage>, LlmError> {
        Ok(None)
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

    fn read_ahead(&mut self, messages: &[Message]) -> Result<Option<Usage>, LlmError> {
        self.whole(messages, 1, None).map(|done| done.usage)
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
}
