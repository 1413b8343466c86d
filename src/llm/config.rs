//! Where the model is and how to talk to it: the `[llm]` section and flags, checked once.

use anyhow::Result;
use serde::Deserialize;
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
    /// Have the server read the next line's prompt as far as it is known, once a line is out and
    /// as a long spoken answer is heard (`Backend::read_ahead`). On by default for a server on
    /// this machine, where reading a prompt is most of the wait and costs nothing; off for a
    /// remote one, which bills it.
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
    pub(super) fn api_key(&self) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
