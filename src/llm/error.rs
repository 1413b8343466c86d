//! What went wrong with a model request, and the message inside any server's error body.

use serde_json::Value;

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
}
