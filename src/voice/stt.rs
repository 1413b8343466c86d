//! Speech to text through any OpenAI-compatible `/v1/audio/transcriptions` (whisper.cpp's server
//! at `/inference` by a path override). The language is pinned and the scenario's vocabulary plus
//! the interviewer's last words go as the prompt, which biases recognition towards "PR-AUC"
//! rather than "pure talk".

use crate::llm::error_message;
use anyhow::{Context, Result, bail};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct SttConfig {
    /// Including `/v1`, e.g. `http://127.0.0.1:8092/v1`.
    pub base_url: String,
    pub model: String,
    /// Appended to base_url; whisper.cpp's server uses `/inference` on its root.
    pub path: String,
    pub language: String,
    pub timeout: Duration,
}

impl SttConfig {
    pub fn new(base_url: &str) -> SttConfig {
        SttConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            model: "whisper-1".into(),
            path: "/audio/transcriptions".into(),
            language: "en".into(),
            timeout: Duration::from_secs(120),
        }
    }

    fn url(&self) -> String {
        format!("{}{}", self.base_url, self.path)
    }
}

pub struct Stt {
    config: SttConfig,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Stt {
    pub fn new(config: SttConfig) -> Result<Stt> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(config.timeout)
            .build()?;
        Ok(Stt {
            config,
            runtime,
            http,
        })
    }

    /// The text of a 16 kHz mono WAV.
    pub fn transcribe(&self, wav: Vec<u8>, prompt: &str) -> Result<String> {
        let c = &self.config;
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(wav)
                    .file_name("answer.wav")
                    .mime_str("audio/wav")?,
            )
            .text("model", c.model.clone())
            .text("language", c.language.clone())
            .text("response_format", "json")
            .text("prompt", prompt.to_string());
        let url = c.url();
        let http = &self.http;
        let (status, body) = self
            .runtime
            .block_on(async move {
                let resp = http.post(&url).multipart(form).send().await?;
                let status = resp.status().as_u16();
                Ok::<_, reqwest::Error>((status, resp.text().await?))
            })
            .with_context(|| {
                format!(
                    "cannot reach the speech-to-text endpoint {} (is the server running?)",
                    c.url()
                )
            })?;
        if !(200..300).contains(&status) {
            bail!(
                "the speech-to-text endpoint answered HTTP {status}: {}",
                error_message(&body)
            );
        }
        // `{"text": ...}` (OpenAI, whisper.cpp: no usage), or plain text.
        let text = match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(v) => v["text"].as_str().map(str::to_string).unwrap_or_default(),
            Err(_) => body,
        };
        Ok(text.trim().to_string())
    }
}
