//! `casecoach doctor`: check the model endpoint the way casecoach will use it, and say how to fix
//! what fails. The key is reported as set or not, never shown.

use super::{Backend, Flow, LlmConfig, LlmError, Message, OpenAiCompatible};
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    /// What to do about a failure. A check that passes with a fix is a warning: it works, but
    /// not as casecoach would like.
    pub fix: Option<String>,
}

fn check(name: &'static str, ok: bool, detail: impl Into<String>, fix: Option<String>) -> Check {
    Check {
        name,
        ok,
        detail: detail.into(),
        fix,
    }
}

/// Why a request got no HTTP answer, as measured.
enum NoAnswer {
    /// Connected (or tried to) and waited past the timeout.
    Slow(String),
    /// Nothing listens there: refused, no route, or the name does not resolve.
    Nobody(String),
}

/// A plain request to the endpoint, with casecoach's timeouts and the key when one is set: the
/// doctor's probes outside the interviewer's client.
fn request(
    config: &LlmConfig,
    build: impl FnOnce(&reqwest::Client) -> reqwest::RequestBuilder,
) -> Result<reqwest::RequestBuilder, NoAnswer> {
    let client = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .timeout(config.read_timeout)
        .build()
        .map_err(|e| NoAnswer::Nobody(e.to_string()))?;
    let key = std::env::var(&config.api_key_env).unwrap_or_default();
    let req = build(&client);
    Ok(if key.is_empty() {
        req
    } else {
        req.bearer_auth(key)
    })
}

fn get(
    config: &LlmConfig,
    rt: &tokio::runtime::Runtime,
    url: &str,
) -> Result<(u16, String), NoAnswer> {
    let req = request(config, |c| c.get(url))?;
    rt.block_on(async {
        let resp = req.send().await.map_err(|e| {
            let mut s: &dyn std::error::Error = &e;
            while let Some(n) = s.source() {
                s = n;
            }
            // A connect timeout is nobody answering; a read timeout is a server that is slow.
            if e.is_timeout() && !e.is_connect() {
                NoAnswer::Slow(s.to_string())
            } else {
                NoAnswer::Nobody(s.to_string())
            }
        })?;
        let status = resp.status().as_u16();
        Ok((status, resp.text().await.unwrap_or_default()))
    })
}

/// Run every check against `config`, stopping early where later checks could only fail too.
pub fn run(config: &LlmConfig) -> Vec<Check> {
    let mut out = vec![api_key(config)];
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        out.push(check(
            "runtime",
            false,
            "cannot start the async runtime",
            None,
        ));
        return out;
    };
    let models = match reachable(config, &rt) {
        Ok((ok, models)) => {
            out.push(ok);
            models
        }
        Err(failed) => {
            out.push(failed);
            return out;
        }
    };
    out.push(model(config, &models));
    let Ok(mut backend) = OpenAiCompatible::new(config.clone()) else {
        out.push(check("streaming", false, "cannot build the client", None));
        return out;
    };
    out.push(streaming(&mut backend));
    out.push(structured_output(&mut backend));
    out.push(max_tokens(config, &rt));
    out
}

/// A local server needs no key; only the hosted API is failed for the lack of one.
fn api_key(config: &LlmConfig) -> Check {
    let key_set = std::env::var(&config.api_key_env).is_ok_and(|k| !k.is_empty());
    let hosted = config.base_url.contains("api.openai.com");
    check(
        "api key",
        key_set || !hosted,
        if key_set {
            format!("${} is set", config.api_key_env)
        } else {
            format!("${} is not set", config.api_key_env)
        },
        (!key_set && hosted).then(|| {
            format!(
                "export {}=... (the key is read from the environment only)",
                config.api_key_env
            )
        }),
    )
}

/// The model list, once the server answers it; otherwise the failed check, since nothing after it
/// can pass. Each status that has a usual cause gets that cause's fix.
fn reachable(config: &LlmConfig, rt: &tokio::runtime::Runtime) -> Result<(Check, Value), Check> {
    let models_url = format!("{}/models", config.base_url);
    let failed = |detail: String, fix: Option<String>| check("reachable", false, detail, fix);
    match get(config, rt, &models_url) {
        Err(NoAnswer::Slow(e)) => Err(failed(
            format!(
                "{models_url}: connected, but no answer in {:.0} s ({e})",
                config.read_timeout.as_secs_f64()
            ),
            Some(
                "the server is up but busy or still loading: wait and run doctor again, or raise read_timeout_secs"
                    .into(),
            ),
        )),
        Err(NoAnswer::Nobody(e)) => Err(failed(
            format!("{models_url}: {e}"),
            Some("start the server, or correct base_url (host and port)".into()),
        )),
        Ok((404, _)) if !config.base_url.ends_with("/v1") => Err(failed(
            format!("{models_url}: HTTP 404"),
            Some(format!(
                "base_url usually ends with /v1: try {}/v1",
                config.base_url
            )),
        )),
        Ok((401 | 403, body)) => Err(failed(
            format!("{models_url}: {}", super::error_message(&body)),
            Some(format!("set a valid key in ${}", config.api_key_env)),
        )),
        Ok((503, body)) => Err(failed(
            format!("{models_url}: HTTP 503 {}", super::error_message(&body)),
            Some("the server is still loading the model; try again in a moment".into()),
        )),
        Ok((status, body)) if !(200..300).contains(&status) => Err(failed(
            format!(
                "{models_url}: HTTP {status} {}",
                super::error_message(&body)
            ),
            Some(other_status_fix(status, &models_url)),
        )),
        Ok((_, body)) => Ok((
            check("reachable", true, models_url.clone(), None),
            serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
        )),
    }
}

/// The fix for a status with no cause of its own above: what the status class says.
fn other_status_fix(status: u16, models_url: &str) -> String {
    match status {
        429 => {
            "the server is limiting requests: wait a minute, or check the plan's rate limits".into()
        }
        500..=599 => "the server failed on the request: see its log, or restart it".into(),
        _ => format!(
            "check that base_url is an OpenAI-compatible API: GET {models_url} should list the models"
        ),
    }
}

/// The names a model list offers, in the OpenAI shape (`data`) or Ollama's (`models`).
fn model_names(models: &Value) -> Vec<String> {
    let mut names: Vec<String> = models["data"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(models["models"].as_array().into_iter().flatten())
        .filter_map(|m| {
            m["id"]
                .as_str()
                .or_else(|| m["name"].as_str())
                .or_else(|| m["model"].as_str())
                .map(str::to_string)
        })
        .collect();
    names.dedup();
    names
}

fn model(config: &LlmConfig, models: &Value) -> Check {
    let names = model_names(models);
    // llama.cpp serves the one model it loaded, whatever name a request gives.
    let llama_cpp = models["data"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|m| m["owned_by"] == "llamacpp");
    let found = llama_cpp
        || names
            .iter()
            .any(|n| *n == config.model || n.ends_with(&format!("/{}", config.model)));
    let detail = if llama_cpp {
        format!(
            "llama.cpp serves its loaded model ({}) under any name",
            names.first().map(String::as_str).unwrap_or("?")
        )
    } else if found {
        format!("'{}'", config.model)
    } else {
        format!("'{}' is not among: {}", config.model, names.join(", "))
    };
    check(
        "model",
        found,
        detail,
        (!found)
            .then(|| "set --model or [llm] model to one of those, or load it on the server".into()),
    )
}

/// A real streamed reply, since that is how the interviewer speaks.
fn streaming(backend: &mut OpenAiCompatible) -> Check {
    let ping = [Message {
        role: "user",
        content: "Reply with the single word: ready".into(),
    }];
    let mut pieces = 0;
    match backend.stream(&ping, &mut |_| {
        pieces += 1;
        Flow::Continue
    }) {
        // What chat would show: thinking is hidden there, so it is here.
        Ok(done) => check(
            "streaming",
            true,
            format!(
                "{pieces} chunk(s): \"{}\"",
                super::without_thinking(&done.text)
                    .trim()
                    .chars()
                    .take(40)
                    .collect::<String>()
            ),
            None,
        ),
        // /models answered a moment ago: this is the chat endpoint failing, not the server gone.
        Err(LlmError::Unreachable { detail, .. }) => check(
            "streaming",
            false,
            format!("the server answered /models but not a chat request: {detail}"),
            Some(if detail.starts_with("timed out") {
                "generation is too slow for the read timeout: raise read_timeout_secs, or use a smaller model".into()
            } else {
                "the server dropped the chat request: see its log (the model may have failed to load)".into()
            }),
        ),
        Err(e) => check(
            "streaming",
            false,
            e.to_string(),
            Some(e.hint().to_string()),
        ),
    }
}

/// Whether the server honours a strict json_schema, which the judge asks for first.
fn structured_output(backend: &mut OpenAiCompatible) -> Check {
    let schema = json!({"type": "json_schema", "json_schema": {"name": "probe", "strict": true, "schema": {
        "type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"], "additionalProperties": false}}});
    let ask = [Message {
        role: "user",
        content: "Answer with JSON: is the sky blue?".into(),
    }];
    match backend.complete(&ask, Some(schema)) {
        Ok(done) => {
            // Read as the judge reads: thinking removed, then strict or the first JSON object.
            let text = super::without_thinking(&done.text);
            let text = text.trim();
            let object = text
                .find('{')
                .zip(text.rfind('}'))
                .and_then(|(a, b)| text.get(a..=b));
            let parsed = serde_json::from_str::<Value>(text)
                .ok()
                .or_else(|| object.and_then(|o| serde_json::from_str(o).ok()))
                .filter(|v: &Value| v["ok"].is_boolean());
            check(
                "structured output",
                parsed.is_some(),
                if parsed.is_some() { "json_schema honoured".to_string() } else { format!("reply was not the schema: {}", done.text.chars().take(60).collect::<String>()) },
                parsed.is_none().then(|| "the judge will fall back to json_object and tolerant parsing; consider --judge lexical".into()),
            )
        }
        // Only a refusal of the request says the server does not do json_schema.
        Err(LlmError::Http {
            status: status @ (400 | 422),
            message,
            ..
        }) => check(
            "structured output",
            false,
            format!("HTTP {status}: {message}"),
            Some(
                "the server rejects json_schema; the judge will fall back, or use --judge lexical"
                    .into(),
            ),
        ),
        Err(e) => check(
            "structured output",
            false,
            e.to_string(),
            Some(e.hint().to_string()),
        ),
    }
}

/// Whether the server stops at max_tokens: casecoach bounds every line by it, and a server that
/// ignores it makes each turn wait for text that is never shown.
fn max_tokens(config: &LlmConfig, rt: &tokio::runtime::Runtime) -> Check {
    const ASKED: u64 = 8;
    let body = json!({
        "model": config.model,
        "messages": [{"role": "user", "content": "Count from 1 to 200, in words, separated by spaces."}],
        "max_tokens": ASKED,
        "stream": false,
        "temperature": 0.0,
    });
    let url = format!("{}/chat/completions", config.base_url);
    let reply: Result<Value, String> = match request(config, |c| c.post(url).json(&body)) {
        Err(_) => Err("no client".into()),
        Ok(req) => rt.block_on(async {
            let resp = req.send().await.map_err(|e| e.to_string())?;
            // An error body has no completion in it to count.
            let status = resp.status();
            if !status.is_success() {
                return Err(format!("HTTP {}", status.as_u16()));
            }
            resp.json::<Value>().await.map_err(|e| e.to_string())
        }),
    };
    let reply = match reply {
        Ok(r) => r,
        Err(why) => {
            return check("max_tokens", true, format!("not measured ({why})"), None);
        }
    };
    let used = reply["usage"]["completion_tokens"].as_u64();
    let words = reply["choices"][0]["message"]["content"]
        .as_str()
        .map_or(0, |t| t.split_whitespace().count() as u64);
    let ignored = used.map_or(words > ASKED * 2, |u| u > ASKED);
    check(
        "max_tokens",
        true,
        match used {
            Some(u) => format!("asked for at most {ASKED} tokens, got {u}"),
            None => format!("asked for at most {ASKED} tokens, got {words} words"),
        },
        ignored.then(|| {
            "the server ignores max_tokens: casecoach still cuts each line, but a turn can wait for text it never shows (turn_deadline_secs bounds it)".into()
        }),
    )
}

pub fn render(checks: &[Check]) -> String {
    let mut o = String::new();
    for c in checks {
        o += &format!(
            "  {:<4} {:<18} {}\n",
            match (c.ok, c.fix.is_some()) {
                (false, _) => "FAIL",
                (true, true) => "warn",
                (true, false) => "ok",
            },
            c.name,
            c.detail
        );
        if let Some(f) = &c.fix {
            o += &format!("       {:<18} fix: {f}\n", "");
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::LlmSection;

    fn config(url: &str, key_env: &str) -> LlmConfig {
        let section = LlmSection {
            api_key_env: Some(key_env.into()),
            ..LlmSection::default()
        };
        LlmConfig::resolve(Some(url), Some("m"), &section)
            .unwrap()
            .unwrap()
    }

    /// Checked without a request: a hosted API needs a key, a local server does not.
    #[test]
    fn a_hosted_api_without_a_key_fails_with_where_to_put_it() {
        let hosted = api_key(&config(
            "https://api.openai.com/v1",
            "CASECOACH_TEST_NO_SUCH_KEY",
        ));
        assert!(!hosted.ok);
        assert_eq!(
            hosted.fix.as_deref(),
            Some(
                "export CASECOACH_TEST_NO_SUCH_KEY=... (the key is read from the environment only)"
            )
        );
        let local = api_key(&config(
            "http://127.0.0.1:8089/v1",
            "CASECOACH_TEST_NO_SUCH_KEY",
        ));
        assert!(local.ok && local.fix.is_none());
    }
}
