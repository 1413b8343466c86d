//! The interviewer's lines as speech files: espeak-ng offline, or any OpenAI-compatible
//! `/v1/audio/speech`. A failure is said once and the interview goes on in text.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtsKind {
    /// espeak-ng, offline (the default without --tts-url)
    Espeak,
    /// An OpenAI-compatible /v1/audio/speech at --tts-url (the default with it)
    Endpoint,
    /// No speech: the lines are only printed
    None,
}

/// Speech for one piece of text, as WAV bytes. Send: synthesis runs on its own thread while the
/// previous sentence plays.
pub trait Synth: Send {
    fn wav(&mut self, text: &str) -> Result<Vec<u8>>;
}

/// The synthesiser a kind names; None for `--tts none`.
pub fn synth(kind: TtsKind, url: Option<&str>, voice: &str) -> Result<Option<Box<dyn Synth>>> {
    Ok(match kind {
        TtsKind::None => None,
        TtsKind::Espeak => Some(Box::new(Espeak::default())),
        TtsKind::Endpoint => {
            let Some(url) = url else {
                bail!("--tts endpoint needs --tts-url (or CASECOACH_TTS_BASE_URL), including /v1");
            };
            Some(Box::new(Endpoint::new(url, voice)?))
        }
    })
}

/// espeak-ng, offline. It writes a file (its `--stdout` WAV header has placeholder sizes).
pub struct Espeak {
    count: usize,
    /// An espeak-ng voice name (`espeak-ng --voices=en`).
    pub voice: String,
    /// Words per minute; espeak-ng's own default (175) when None.
    pub speed: Option<u32>,
}

impl Default for Espeak {
    fn default() -> Espeak {
        Espeak::new("en", None)
    }
}

impl Espeak {
    pub fn new(voice: &str, speed: Option<u32>) -> Espeak {
        Espeak {
            count: 0,
            voice: voice.to_string(),
            speed,
        }
    }
}

impl Synth for Espeak {
    fn wav(&mut self, text: &str) -> Result<Vec<u8>> {
        self.count += 1;
        let path = std::env::temp_dir().join(format!(
            "casecoach-espeak-{}-{:?}-{}.wav",
            std::process::id(),
            std::thread::current().id(),
            self.count
        ));
        let result =
            espeak(&path, text, &self.voice, self.speed).and_then(|()| Ok(std::fs::read(&path)?));
        let _ = std::fs::remove_file(&path);
        result
    }
}

/// Any OpenAI-compatible `/v1/audio/speech`.
pub struct Endpoint {
    url: String,
    voice: String,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Endpoint {
    pub fn new(base_url: &str, voice: &str) -> Result<Endpoint> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Endpoint {
            url: format!("{}/audio/speech", base_url.trim_end_matches('/')),
            voice: voice.to_string(),
            runtime,
            http,
        })
    }
}

impl Synth for Endpoint {
    fn wav(&mut self, text: &str) -> Result<Vec<u8>> {
        let body = serde_json::json!({"model": "tts-1", "input": text, "voice": self.voice, "response_format": "wav"});
        let (http, url) = (&self.http, &self.url);
        let (status, bytes) = self.runtime.block_on(async move {
            let resp = http.post(url).json(&body).send().await?;
            let status = resp.status().as_u16();
            Ok::<_, reqwest::Error>((status, resp.bytes().await?))
        })?;
        if !(200..300).contains(&status) {
            bail!(
                "HTTP {status}: {}",
                crate::llm::error_message(&String::from_utf8_lossy(&bytes))
            );
        }
        Ok(bytes.to_vec())
    }
}

/// The interviewer's lines as files in `--audio-out`.
pub struct Speaker {
    synth: Option<Box<dyn Synth>>,
    dir: Option<PathBuf>,
    warned: bool,
}

impl Speaker {
    pub fn new(
        kind: TtsKind,
        dir: Option<PathBuf>,
        url: Option<String>,
        voice: String,
    ) -> Result<Speaker> {
        Ok(Speaker {
            synth: synth(kind, url.as_deref(), &voice)?,
            dir,
            warned: false,
        })
    }

    /// Speak one line into `dir/NNN-interviewer.wav`.
    pub fn speak(&mut self, n: usize, text: &str) {
        let (Some(dir), Some(synth)) = (&self.dir, self.synth.as_mut()) else {
            return;
        };
        let path = dir.join(format!("{n:03}-interviewer.wav"));
        let outcome = synth
            .wav(text)
            .and_then(|bytes| Ok(std::fs::write(&path, bytes)?));
        if let Err(e) = outcome
            && !self.warned
        {
            self.warned = true;
            errln!("(text-to-speech failed: {e}; the interview goes on in text)");
        }
    }
}

fn espeak(path: &Path, text: &str, voice: &str, speed: Option<u32>) -> Result<()> {
    let mut command = std::process::Command::new("espeak-ng");
    command.args(["-v", voice]);
    if let Some(wpm) = speed {
        command.arg("-s").arg(wpm.to_string());
    }
    // The line goes in on standard input, never as an argument: a model line that starts with
    // "-" ("- What would you ...") would be read as an option, and nothing was said.
    command.arg("-w").arg(path).arg("--stdin");
    let status = command
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write;
                stdin.write_all(text.as_bytes())?;
            }
            child.wait()
        });
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => bail!("espeak-ng exited with {s}"),
        Err(_) => {
            bail!("espeak-ng is not installed (apt-get install espeak-ng, or pass --tts none)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line that starts with a dash is spoken, not taken for an option (seen in `eval
    /// latency`: "espeak-ng: invalid option", and silence).
    #[test]
    fn a_line_that_starts_with_a_dash_is_spoken() {
        if std::process::Command::new("espeak-ng")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(std::env::var("CI").is_err(), "CI needs espeak-ng");
            return;
        }
        let wav = Espeak::default()
            .wav("- What would you change first?")
            .unwrap();
        // A RIFF header and well over a tenth of a second of 22 kHz 16-bit speech.
        assert!(
            wav.starts_with(b"RIFF") && wav.len() > 44 + 4_400,
            "{} bytes",
            wav.len()
        );
    }
}
