//! The config file's format. `settings` layers flags and the environment over the file;
//! `folders.rs` says where the file lives.

use crate::interview::Mode;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default)]
    pub interview: InterviewSection,
    #[serde(default)]
    pub llm: crate::llm::LlmSection,
    #[serde(default)]
    pub stt: SttSection,
    #[serde(default)]
    pub tts: TtsSection,
    #[serde(default)]
    pub voice: VoiceSection,
}

/// `[voice]`: push-to-talk and the sound devices for `casecoach voice`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct VoiceSection {
    pub ptt: Option<crate::voice::turn::PttChoice>,
    /// Seconds of silence after speech that end a toggle recording; 0 turns it off.
    pub auto_stop: Option<f64>,
    pub input_device: Option<String>,
    pub output_device: Option<String>,
    /// The longest answer a recording may hold (default 10).
    pub max_answer_minutes: Option<f64>,
}

/// `[stt]`: speech to text for `casecoach voice`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SttSection {
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// After base_url; whisper.cpp's server: "/inference" on its root.
    pub path: Option<String>,
    pub language: Option<String>,
}

/// `[tts]`: the interviewer's voice for `casecoach voice`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TtsSection {
    pub base_url: Option<String>,
    pub voice: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InterviewSection {
    pub scenario: Option<String>,
    pub minutes: Option<u32>,
    pub mode: Option<Mode>,
    pub sessions_dir: Option<PathBuf>,
    pub prompts_dir: Option<PathBuf>,
}

/// Read the config file: the given path (which must exist), or the default one if present.
pub fn load(path: Option<&Path>) -> Result<File> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match crate::folders::config_dir() {
            Some(d) => (d.join("config.toml"), false),
            None => return Ok(File::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(File::default());
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read config file {}", path.display()));
        }
    };
    toml::from_str(&text).map_err(|e| {
        let (line, col) = crate::scenario::line_col(&text, e.span().map_or(0, |s| s.start));
        anyhow::anyhow!("{}:{line}:{col}: {}", path.display(), e.message().trim())
    })
}
