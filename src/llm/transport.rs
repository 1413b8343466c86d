//! The HTTP layer under async-openai: one reqwest client with connect and read timeouts, a
//! bounded number of retries that honour Retry-After, and error responses turned into
//! `LlmError` before async-openai's strict error types would choke on them.

use super::{LlmError, error_message};
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Longest wait before a retry; a Retry-After beyond it fails the request at once.
const MAX_WAIT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct Guarded {
    http: reqwest::Client,
    max_retries: u32,
    base_url: String,
}

impl Guarded {
    pub fn new(http: reqwest::Client, max_retries: u32, base_url: String) -> Guarded {
        Guarded {
            http,
            max_retries,
            base_url,
        }
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250 * 2u64.pow(attempt.min(6)))
}

/// Wrap casecoach's error so it survives the trip through async-openai.
fn boxed(e: LlmError) -> OpenAIError {
    OpenAIError::Boxed(Box::new(e))
}

/// Back from async-openai to casecoach's error.
pub fn from_openai(e: OpenAIError) -> LlmError {
    match e {
        OpenAIError::Boxed(b) => match b.downcast::<LlmError>() {
            Ok(ours) => *ours,
            Err(other) => LlmError::Protocol(other.to_string()),
        },
        OpenAIError::StreamError(s) => LlmError::Stream(s.to_string()),
        OpenAIError::Reqwest(r) => LlmError::Stream(r.to_string()),
        OpenAIError::JSONDeserialize(err, content) => LlmError::Protocol(format!(
            "{err}: {}",
            content.chars().take(200).collect::<String>()
        )),
        OpenAIError::ApiError(api) => LlmError::Http {
            status: api.status_code.as_u16(),
            message: api.api_error.message,
            retry_after: None,
        },
        other => LlmError::Protocol(other.to_string()),
    }
}

impl tower::Service<HttpRequestFactory> for Guarded {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, factory: HttpRequestFactory) -> Self::Future {
        let me = self.clone();
        Box::pin(async move {
            let mut attempt = 0;
            loop {
                let request = factory.build().await?;
                let outcome = match me.http.execute(request).await {
                    Ok(resp) if resp.status().is_success() => return Ok(resp),
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        let after = retry_after(resp.headers());
                        let body = resp.text().await.unwrap_or_default();
                        LlmError::Http {
                            status,
                            message: error_message(&body),
                            retry_after: after,
                        }
                    }
                    Err(e) => LlmError::Unreachable {
                        url: crate::secret::redact(&me.base_url).into_owned(),
                        detail: root_cause(&e),
                    },
                };
                let wait = match &outcome {
                    LlmError::Http {
                        retry_after: Some(s),
                        ..
                    } => Duration::from_secs(*s),
                    _ => backoff(attempt),
                };
                // A server that asks for a longer wait than a turn can spare is not asked again.
                if attempt >= me.max_retries || !outcome.transient() || wait > MAX_WAIT {
                    return Err(boxed(outcome));
                }
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        })
    }
}

/// The innermost cause of a reqwest error, which is where "connection refused" lives.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(s) = source.source() {
        source = s;
    }
    if e.is_timeout() {
        format!("timed out ({source})")
    } else {
        source.to_string()
    }
}
