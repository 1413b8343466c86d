//! The interviewer's lines as speech files: espeak-ng offline, or any OpenAI-compatible
//! `/v1/audio/speech`. A failure is said once and the interview goes on in text.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TtsKind {
    /// espeak-ng, offline (the default without --tts-url)
    Espeak,
    /// An OpenAI-compatible /v1/audio/speech at --tts-url (the default with it)
    Endpoint,
    /// No speech: the lines are only printed
    None,
}

pub struct Speaker {
    kind: TtsKind,
    dir: Option<PathBuf>,
    url: Option<String>,
    voice: String,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    warned: bool,
}

impl Speaker {
    pub fn new(
        kind: TtsKind,
        dir: Option<PathBuf>,
        url: Option<String>,
        voice: String,
    ) -> Result<Speaker> {
        if kind == TtsKind::Endpoint && url.is_none() {
            bail!("--tts endpoint needs --tts-url (or CASECOACH_TTS_BASE_URL), including /v1");
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Speaker {
            kind,
            dir,
            url,
            voice,
            runtime,
            http,
            warned: false,
        })
    }

    /// Speak one line into `dir/NNN-interviewer.wav`.
    pub fn speak(&mut self, n: usize, text: &str) {
        let Some(dir) = self.dir.clone() else { return };
        let path = dir.join(format!("{n:03}-interviewer.wav"));
        let outcome = match self.kind {
            TtsKind::None => return,
            TtsKind::Espeak => espeak(&path, text),
            TtsKind::Endpoint => self.endpoint(&path, text),
        };
        if let Err(e) = outcome
            && !self.warned
        {
            self.warned = true;
            eprintln!("(text-to-speech failed: {e}; the interview goes on in text)");
        }
    }

    fn endpoint(&self, path: &Path, text: &str) -> Result<()> {
        let url = format!(
            "{}/audio/speech",
            self.url
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/')
        );
        let body = serde_json::json!({"model": "tts-1", "input": text, "voice": self.voice, "response_format": "wav"});
        let http = &self.http;
        let (status, bytes) = self.runtime.block_on(async move {
            let resp = http.post(&url).json(&body).send().await?;
            let status = resp.status().as_u16();
            Ok::<_, reqwest::Error>((status, resp.bytes().await?))
        })?;
        if !(200..300).contains(&status) {
            bail!(
                "HTTP {status}: {}",
                crate::llm::error_message(&String::from_utf8_lossy(&bytes))
            );
        }
        std::fs::write(path, bytes)?;
        Ok(())
    }
}

fn espeak(path: &Path, text: &str) -> Result<()> {
    let status = std::process::Command::new("espeak-ng")
        .args(["-v", "en", "-w"])
        .arg(path)
        .arg(text)
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => bail!("espeak-ng exited with {s}"),
        Err(_) => {
            bail!("espeak-ng is not installed (apt-get install espeak-ng, or pass --tts none)")
        }
    }
}
